// One configuration of the wake-up bench (wakeup.ts), alone in a worker thread: ticks on an absolute 1 ms schedule
// like the sampler's fast thread, re-reads the same files as the C floor, and reports its own thread CPU per tick
// and the slots it kept.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { percentileSorted } from '../../src/stats-core.js';
import { nextSlot } from '../../src/sample/schedule.js';
import { nowEpoch, setThreadNice, threadCpuMs } from '../../src/sample/io.js';

/**
 * atomics: one Atomics.wait with a time-out per tick (the sampler's way); atomics+spin: Atomics.wait until
 * SPIN_MS before the slot, then spin on the clock; setTimeout: the worker's event loop (libuv timers, whole ms).
 */
export type SleepMethod = 'atomics' | 'atomics+spin' | 'setTimeout';
/** normal: nice 0; nice-10: the sampler's default when permitted; fifo: SCHED_FIFO 10 through chrt (root only). */
export type Priority = 'normal' | 'nice-10' | 'fifo';

export interface WakeupJob {
  readonly method: SleepMethod;
  readonly priority: Priority;
  readonly files: readonly string[];
  readonly seconds: number;
  readonly intervalMs: number;
}

export interface WakeupOutcome {
  readonly ticks: number;
  readonly slots: number;
  readonly missed: number;
  /**
   * Ticks that started after their slot's time because the previous tick ended late (a late wake-up or a long
   * tick), kept under the window rule; the strict rule would have given up each of them as well.
   */
  readonly keptLate: number;
  readonly cpuMs: number;
  /** p99 of (tick start − its slot's time), ms. */
  readonly lateP99Ms: number | null;
  /** The priority asked for could not be set (not root, no chrt). */
  readonly priorityFailed: boolean;
}

const SPIN_MS = 0.1;

function setPriority(p: Priority): boolean {
  if (p === 'normal') return true;
  if (p === 'nice-10') return setThreadNice(-10) !== null;
  const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
  const r = spawnSync('chrt', ['-f', '-p', '10', tid], { stdio: 'ignore' });
  return r.status === 0;
}

async function run(job: WakeupJob): Promise<WakeupOutcome> {
  const priorityOk = setPriority(job.priority);
  const fds = job.files.map((f) => openSync(f, 'r'));
  const buf = Buffer.alloc(4096);
  const ctrl = new Int32Array(new SharedArrayBuffer(4));
  const interval = job.intervalMs;
  const slots = Math.round((job.seconds * 1000) / interval);
  const late = new Float64Array(slots);
  let ticks = 0;
  let missed = 0;
  let keptLate = 0;
  const cpu0 = threadCpuMs();
  const t0 = nowEpoch();
  for (let slot = 0; slot < slots; ) {
    late[ticks] = nowEpoch() - (t0 + slot * interval);
    for (const fd of fds) readSync(fd, buf, 0, buf.length, 0);
    ticks++;
    const ended = nowEpoch() - t0;
    const next = nextSlot(slot, ended, interval);
    missed += next - slot - 1;
    slot = next;
    if (ended > slot * interval) keptLate++;
    const deadline = t0 + slot * interval;
    if (job.method === 'setTimeout') {
      await new Promise((r) => setTimeout(r, Math.max(0, deadline - nowEpoch())));
      continue;
    }
    const until = job.method === 'atomics+spin' ? deadline - SPIN_MS : deadline;
    const wait = until - nowEpoch();
    if (wait > 0) Atomics.wait(ctrl, 0, 0, wait);
    if (job.method === 'atomics+spin') while (nowEpoch() < deadline);
  }
  const cpuMs = threadCpuMs() - cpu0;
  for (const fd of fds) closeSync(fd);
  const sorted = late.slice(0, ticks).sort();
  return { ticks, slots, missed, keptLate, cpuMs, lateP99Ms: percentileSorted(sorted, 0.99), priorityFailed: !priorityOk };
}

run(workerData as WakeupJob).then((out) => parentPort!.postMessage(out));
