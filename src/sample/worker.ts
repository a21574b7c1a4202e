// The fast sampler thread: wakes on an absolute schedule (Atomics.wait, not event-loop timers), re-reads
// pre-opened statm, cgroup usage and membership files with pread, and appends one row per tick to typed-array
// columns. It publishes the member list in shared memory for the slow thread (slow-worker.ts), which reads
// status, memory.stat and smaps_rollup at its own pace so their cost never delays a tick. With the native helper
// (native-fast.ts) the loop runs in C and this thread only takes its batches; FastTicker is the fallback.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { Columns } from './columns.js';
import { percentileSorted } from '../stats-core.js';
import { LoopTurn, Preader, nowEpoch, setThreadFifo, setThreadNice, threadCpuMs, threadSchedPolicy } from './io.js';
import { nextSlot } from './schedule.js';
import { CTRL, LIVE, STATE_SAMPLING, STATE_STOP, type FastOutput, type SamplerConfig } from './protocol.js';
import { FastTicker, quietOutput } from './fast-ticker.js';
import { NativeFast, waitAsync } from './native-fast.js';

const cfg = workerData as SamplerConfig;
const ctrl = new Int32Array(cfg.control);
const live = new Float64Array(cfg.live);
const io = new Preader();
const ticker = new FastTicker(cfg, io, () => receiveMessageOnPort(parentPort!));

// ---- the loop --------------------------------------------------------------------------------------

async function run(fallbackReason: string | null): Promise<void> {
  // Raised above the rest of membench (and the target) when permitted: a late wake-up is a lost tick. With
  // realtime, SCHED_FIFO 1 on top: it runs before any SCHED_OTHER thread whenever it wakes. The target is forked
  // by the main thread, so it does not inherit either.
  const nice = setThreadNice(-10);
  const realtimeRefused = cfg.realtime ? setThreadFifo() : null;
  const schedPolicy = threadSchedPolicy();
  parentPort!.postMessage({ type: 'ready' });
  while (Atomics.load(ctrl, CTRL.STATE) === 0) Atomics.wait(ctrl, CTRL.STATE, 0, 50);
  const rootPid = Atomics.load(ctrl, CTRL.ROOT_PID);
  const startEpoch = live[LIVE.START_EPOCH_MS]!;
  const cpu0 = process.cpuUsage();
  const thread0 = threadCpuMs();
  const interval = cfg.intervalMs;
  const t0 = nowEpoch();
  ticker.addMember(rootPid, t0 - startEpoch);
  for (let i = 0; i < Atomics.load(ctrl, CTRL.EXTRA_ROOT_COUNT); i++)
    ticker.addMember(Atomics.load(ctrl, CTRL.EXTRA_ROOTS + i), t0 - startEpoch);
  const gapsCol = new Columns(['gap'] as const);
  let k = 0; // index of the scheduled slot
  let ticks = 0;
  let missed = 0;
  let lastStart = NaN;
  let drained = 0;
  const loop = new LoopTurn();
  for (;;) {
    const start = nowEpoch();
    try {
      ticker.tick(ticks, start - startEpoch);
    } catch (e) {
      // A tick must never end the thread (the run would wait on it): keep the error for the result.
      io.note(`tick: ${(e as Error).message}`, e);
    }
    if (!Number.isNaN(lastStart)) gapsCol.push(start - lastStart);
    lastStart = start;
    ticks++;
    Atomics.store(ctrl, CTRL.TICKS, ticks);
    const drainSeq = Atomics.load(ctrl, CTRL.DRAIN);
    if (drainSeq !== drained) {
      drained = drainSeq;
      parentPort!.postMessage({ type: 'drain', seq: drainSeq, out: ticker.drainChunk(ticks, missed, gapsCol) });
    }
    if (Atomics.load(ctrl, CTRL.STATE) === STATE_STOP) break;
    // Next slot: a late tick still counts for its slot while inside its interval; slots whose whole interval
    // passed are skipped (counted as missed) rather than bunched up (schedule.ts).
    const next = nextSlot(k, nowEpoch() - t0, interval);
    missed += next - k - 1;
    k = next;
    // The loop's turn for V8's GC tasks (LoopTurn), taken only when this slot has half an interval to spare.
    if (loop.due() && t0 + k * interval - nowEpoch() > interval / 2) await loop.turn();
    const wait = t0 + k * interval - nowEpoch();
    if (wait > 0) Atomics.wait(ctrl, CTRL.STATE, STATE_SAMPLING, wait);
    // A stop request while sleeping still gets one last tick (next iteration) before the loop ends.
  }
  const end = nowEpoch();
  const cpu = process.cpuUsage(cpu0);
  const threadMs = threadCpuMs() - thread0;
  ticker.retireAll();
  const gapArr = gapsCol.toArrays().gap;
  const errSorted = gapArr.map((g) => Math.abs(g - interval)).sort();
  const gaps = gapArr.slice().sort();
  const gapMean = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null;
  const out: FastOutput = {
    fast: ticker.fast.toArrays(),
    processes: ticker.finished,
    ticks,
    ticksExpected: Math.floor((end - t0) / interval) + 1,
    missedTicks: missed,
    rssSumCarriedTicks: ticker.rssSumCarriedTicks,
    adaptations: ticker.adaptations(),
    membershipQuiet: quietOutput(cfg, ticker.quietSkipped),
    intervalErrorP99Ms: percentileSorted(errSorted, 0.99),
    intervalP50Ms: percentileSorted(gaps, 0.5),
    intervalP99Ms: percentileSorted(gaps, 0.99),
    intervalMeanMs: gapMean,
    cpuMs: Number.isFinite(threadMs) ? threadMs : (cpu.user + cpu.system) / 1000,
    processCpuMs: (cpu.user + cpu.system) / 1000,
    nice,
    schedPolicy,
    realtimeRefused,
    sampledWallMs: end - t0,
    fastSampler: { kind: 'js', fallbackReason },
    readErrors: [...io.errors].map(([file, code]) => ({ file, code })),
  };
  parentPort!.postMessage({ type: 'done', out });
}

/** The fast tier in native/sampler.c: this thread starts it, hands it the roots, and collects its batches. */
async function runNative(n: NativeFast): Promise<void> {
  parentPort!.postMessage({ type: 'ready' });
  // Not Atomics.wait: this thread's event loop must keep running (the helper's pipe, add-roots messages).
  while (Atomics.load(ctrl, CTRL.STATE) === 0) {
    const w = waitAsync(ctrl, CTRL.STATE, 0, 50);
    if (w.async) await w.value;
  }
  const roots = [Atomics.load(ctrl, CTRL.ROOT_PID)];
  for (let i = 0; i < Atomics.load(ctrl, CTRL.EXTRA_ROOT_COUNT); i++) roots.push(Atomics.load(ctrl, CTRL.EXTRA_ROOTS + i));
  const cpu0 = process.cpuUsage();
  const thread0 = threadCpuMs();
  n.begin(roots, live[LIVE.START_EPOCH_MS]!);
  parentPort!.postMessage({ type: 'done', out: await n.output(cpu0, thread0) });
}

async function main(): Promise<void> {
  if (cfg.nativeSampler !== null) {
    const statmBudgetNs = cfg.maxStatmPerTick === 0 && cfg.statmBudget ? cfg.statmBudget * cfg.intervalMs * 1e6 : 0;
    const n = await NativeFast.start(cfg.nativeSampler, cfg, parentPort!, statmBudgetNs);
    if (typeof n !== 'string') return runNative(n);
    return run(n);
  }
  return run(cfg.nativeFallbackReason);
}

void main();
