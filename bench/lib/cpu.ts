// CPU accounting for the bench: /usr/bin/time for whole commands (user + sys of the command and everything it
// waited for), and /proc/PID/task/TID/schedstat for per-thread CPU over a window (nanoseconds, no tick rounding).
import { type ChildProcess, spawn } from 'node:child_process';
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

/**
 * CPU of each thread between two snapshots; the main thread is tid === pid, the busiest waker (> 50 wake-ups/s) is
 * "sampler", the next one (> 20/s) "sampler2" (membench's slow thread, or its reader of the native helper's pipe),
 * threads in helperTids "native" (membench's native sampler helper, a child process).
 */
export function windowCpu(
  pid: number,
  before: readonly ThreadCpu[],
  after: readonly ThreadCpu[],
  seconds: number,
  helperTids: ReadonlySet<number> = new Set(),
): WindowCpu {
  const was = new Map(before.map((t) => [t.tid, t]));
  const deltas = after.map((t) => {
    const b = was.get(t.tid);
    return { tid: t.tid, ns: t.runNs - (b?.runNs ?? 0), slices: t.slices - (b?.slices ?? 0) };
  });
  const wakers = deltas.filter((d) => d.tid !== pid && !helperTids.has(d.tid)).sort((a, b) => b.slices - a.slices);
  const role = (d: { tid: number; slices: number }): string => {
    if (d.tid === pid) return 'main';
    if (helperTids.has(d.tid)) return 'native';
    if (d.tid === wakers[0]?.tid && d.slices > seconds * 50) return 'sampler';
    if (d.tid === wakers[1]?.tid && d.slices > seconds * 20) return 'sampler2';
    return 'other';
  };
  const threads = deltas
    .map((d) => ({
      tid: d.tid,
      role: role(d),
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

/** Children of every thread of pid (membench's native helper is forked by a worker thread); empty when it is gone. */
export function childrenOfThreads(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').trim().split(' ').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** membench's native sampler helpers among pid's children (comm "sampler", native/bin/sampler). */
function helperPids(pid: number): number[] {
  return childrenOfThreads(pid).filter((c) => {
    try {
      return readFileSync(`/proc/${c}/comm`, 'latin1').trim() === 'sampler';
    } catch {
      return false;
    }
  });
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** The last 2000 characters of its stderr so far. */
  stderrTail(): string;
}

/** Starts argv with stdout ignored and the tail of stderr kept. */
export function spawnKeepingStderr(argv: readonly string[], o: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv }): Spawned {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  return { child, exited, stderrTail: () => stderr };
}

/** Runs argv under /usr/bin/time -f '%U %S %e'; the bench's own thread only sleeps meanwhile. */
export async function timed(argv: readonly string[], o: TimedOptions): Promise<TimedRun> {
  const { child, exited, stderrTail } = spawnKeepingStderr([TIME_BIN, '-o', o.timeFile, '-f', '%U %S %e', ...argv], o);
  let window: WindowCpu | null = null;
  if (o.window && child.pid !== undefined) {
    const [from, to] = o.window;
    const t0 = performance.now();
    await sleep(from * 1000);
    const tool = childOf(child.pid);
    if (tool !== null) {
      const helpers = helperPids(tool);
      const snap = (): ThreadCpu[] => [tool, ...helpers].flatMap((p) => threadsCpu(p));
      const before = snap();
      const a = performance.now();
      await sleep((to - from) * 1000);
      const after = snap();
      const seconds = (performance.now() - a) / 1000;
      const helperTids = new Set(after.filter((t) => helpers.some((h) => existsSync(`/proc/${h}/task/${t.tid}`))).map((t) => t.tid));
      if (after.length > 0 && performance.now() - t0 < (to + 0.5) * 1000) window = windowCpu(tool, before, after, seconds, helperTids);
    }
  }
  const exitCode = await exited;
  const [u, s, e] = readFileSync(o.timeFile, 'latin1').trim().split('\n').pop()!.split(' ').map(Number);
  if (![u, s, e].every((x) => Number.isFinite(x))) throw new Error(`cannot read ${TIME_BIN} output in ${o.timeFile}`);
  return { userS: u!, sysS: s!, cpuS: u! + s!, wallS: e!, exitCode, stderrTail: stderrTail().trim(), window };
}

export const haveTime = (): boolean => existsSync(TIME_BIN);

/** Marginal CPU of a longer run over a shorter one, as % of one core: removes start-up and teardown. */
export const marginalPercent = (short: TimedRun, long: TimedRun, extraSeconds: number): number =>
  (100 * (long.cpuS - short.cpuS)) / extraSeconds;
