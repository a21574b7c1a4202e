// CPU accounting for the bench: /usr/bin/time for whole commands (user + sys of the command and everything it
// waited for), and /proc/PID/task/TID/schedstat for per-thread CPU over a window (nanoseconds, no tick rounding).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

export const TIME_BIN = '/usr/bin/time';

export interface ThreadCpu {
  readonly tid: number;
  /** sum_exec_runtime, ns. */
  readonly runNs: number;
  /** Times the thread was put on a CPU (≈ wake-ups for a sleeping sampler). */
  readonly slices: number;
}

/** schedstat of every thread of pid: "run_ns wait_ns timeslices". Empty when the process is gone. */
export function threadsCpu(pid: number | 'self'): ThreadCpu[] {
  const dir = `/proc/${pid}/task`;
  let tids: string[];
  try {
    tids = readdirSync(dir);
  } catch {
    return [];
  }
  const out: ThreadCpu[] = [];
  for (const tid of tids) {
    try {
      const [run, , slices] = readFileSync(`${dir}/${tid}/schedstat`, 'latin1').trim().split(' ').map(Number);
      out.push({ tid: Number(tid), runNs: run ?? 0, slices: slices ?? 0 });
    } catch {
      /* thread ended between readdir and read */
    }
  }
  return out;
}

export interface ThreadShare {
  readonly tid: number;
  readonly role: string;
  readonly percentOfCore: number;
  readonly wakeupsPerS: number;
}

export interface WindowCpu {
  readonly seconds: number;
  /** All threads of the process, % of one core over the window. */
  readonly percentOfCore: number;
  readonly threads: readonly ThreadShare[];
}

/** CPU of each thread between two snapshots; the main thread is tid === pid, the busiest waker is "sampler". */
export function windowCpu(pid: number, before: readonly ThreadCpu[], after: readonly ThreadCpu[], seconds: number): WindowCpu {
  const was = new Map(before.map((t) => [t.tid, t]));
  const deltas = after.map((t) => {
    const b = was.get(t.tid);
    return { tid: t.tid, ns: t.runNs - (b?.runNs ?? 0), slices: t.slices - (b?.slices ?? 0) };
  });
  const waker = deltas.filter((d) => d.tid !== pid).reduce<{ tid: number; slices: number } | null>((best, d) => (!best || d.slices > best.slices ? d : best), null);
  const threads = deltas
    .map((d) => ({
      tid: d.tid,
      role: d.tid === pid ? 'main' : waker && d.tid === waker.tid && d.slices > seconds * 50 ? 'sampler' : 'other',
      percentOfCore: (100 * d.ns) / 1e9 / seconds,
      wakeupsPerS: d.slices / seconds,
    }))
    .sort((a, b) => b.percentOfCore - a.percentOfCore);
  return { seconds, percentOfCore: threads.reduce((a, t) => a + t.percentOfCore, 0), threads };
}

export interface TimedRun {
  readonly userS: number;
  readonly sysS: number;
  readonly cpuS: number;
  readonly wallS: number;
  readonly exitCode: number | null;
  readonly stderrTail: string;
  /** Per-thread CPU of the tool (the direct child of time) over the asked window, when one was asked. */
  readonly window: WindowCpu | null;
}

export interface TimedOptions {
  readonly cwd: string;
  /** File /usr/bin/time writes its figures to (kept apart from the command's own stderr). */
  readonly timeFile: string;
  /** Seconds after the start between which the tool's threads are measured with schedstat. */
  readonly window?: readonly [number, number];
  readonly env?: NodeJS.ProcessEnv;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function childOf(pid: number): number | null {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(' ')[0];
    return first ? Number(first) : null;
  } catch {
    return null;
  }
}

/** Runs argv under /usr/bin/time -f '%U %S %e'; the bench's own thread only sleeps meanwhile. */
export async function timed(argv: readonly string[], o: TimedOptions): Promise<TimedRun> {
  const child = spawn(TIME_BIN, ['-o', o.timeFile, '-f', '%U %S %e', ...argv], { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  let window: WindowCpu | null = null;
  if (o.window && child.pid !== undefined) {
    const [from, to] = o.window;
    const t0 = performance.now();
    await sleep(from * 1000);
    const tool = childOf(child.pid);
    if (tool !== null) {
      const before = threadsCpu(tool);
      const a = performance.now();
      await sleep((to - from) * 1000);
      const after = threadsCpu(tool);
      const seconds = (performance.now() - a) / 1000;
      if (after.length > 0 && performance.now() - t0 < (to + 0.5) * 1000) window = windowCpu(tool, before, after, seconds);
    }
  }
  const exitCode = await exited;
  const [u, s, e] = readFileSync(o.timeFile, 'latin1').trim().split('\n').pop()!.split(' ').map(Number);
  if (![u, s, e].every((x) => Number.isFinite(x))) throw new Error(`cannot read ${TIME_BIN} output in ${o.timeFile}`);
  return { userS: u!, sysS: s!, cpuS: u! + s!, wallS: e!, exitCode, stderrTail: stderr.trim(), window };
}

export const haveTime = (): boolean => existsSync(TIME_BIN);

/** Marginal CPU of a longer run over a shorter one, as % of one core: removes start-up and teardown. */
export const marginalPercent = (short: TimedRun, long: TimedRun, extraSeconds: number): number => (100 * (long.cpuS - short.cpuS)) / extraSeconds;
