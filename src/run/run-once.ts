// One run of one command, step by step: prepare the backend, start the sampler, launch the instances, wait for the
// whole tree (survivors waited for or killed), stop sampling, read the kernel's counters, judge the OOM kills,
// build the RunResult whole (run-result.ts); how it ended is decided in outcome.ts, the wait in tree-wait.ts.
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { availableParallelism } from 'node:os';
import type { RunResult } from '../result.js';
import { Sampler } from '../sample/sampler.js';
import { settingsOf } from '../sample/settings.js';
import type { CommandSpec, RunOptions } from './run-options.js';
import type { SamplerOutput } from '../sample/protocol.js';
import { checkExecutable, INSTANCE_VAR, launch, type WrapperSteps } from './launch.js';
import { NO_LIMITS, rlimitShellLines } from './limits.js';
import { kmsgClockUsec, readOomEvents } from '../probe/kmsg.js';
import { killProcessGroup, type PreparedRun, type RunBackend } from './backend.js';
import { judgeOom, needsKernelLog, type OomJudgement } from './oom.js';
import type { Interrupt } from './interrupt.js';
import { startGuard, type Guard } from './guard.js';
import { pidAlive } from '../probe/proc.js';
import { SmapsCapturer } from './smaps-capture.js';
import { decideOutcome, firstFailure, type Ended, type StopCause, type StopReason } from './outcome.js';
import { survivorAction, waitForTree } from './tree-wait.js';
import { buildRunResult } from './run-result.js';
import { reapedSlackBytes } from '../analyze/run-figures.js';
import { nativeBinary } from '../native.js';
import { decodeWaitStatus, ReaperChannel, reapedPeaks, type ReapedPeaks, type ReaperReport } from './reaper.js';

/** Buckets of the slow thread's per-process grid: 4× the points kept per series, ≤ 8 KiB per process. */
const PROCESS_GRID_BUCKETS = 2048;
/** Bytes of the targets' stderr kept, the end of it. */
const STDERR_TAIL_BYTES = 2048;
/** Ticks the sampler is given after the main exit before survivors are counted. */
const SURVIVOR_SETTLE_TICKS = 2;
/** How long a stopped sampler may take to hand over its output. */
const SAMPLER_STOP_TIMEOUT_MS = 10_000;
/** How long the reapers may take, once the tree is gone, to report their last line (they end at ECHILD, at once). */
const REAPER_REPORT_TIMEOUT_MS = 2_000;

export type { CommandSpec, RunOptions } from './run-options.js';

const nowEpoch = (): number => performance.timeOrigin + performance.now();

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** One run's identity and the options it was given. */
interface RunContext {
  readonly spec: CommandSpec;
  readonly opts: RunOptions;
  readonly index: number;
  readonly warmup: boolean;
  readonly startedAt: string;
}

/** A run that never started: no samples, only why. */
function notStarted(c: RunContext, message: string): RunResult {
  return {
    index: c.index,
    warmup: c.warmup,
    startedAt: c.startedAt,
    outcome: { state: 'failed-to-start', message },
    wallMs: 0,
    treeWallMs: 0,
    peaks: null,
    final: null,
    processes: [],
    survivors: { count: 0, action: 'none' },
    stderrTail: '',
    sampling: null,
    timeline: null,
    limits: [...(c.opts.processLimits ?? [])],
    oom: null,
    notes: [],
  };
}

export async function runOnce(
  spec: CommandSpec,
  backend: RunBackend,
  opts: RunOptions,
  runName: string,
  index: number,
  warmup: boolean,
  interrupt: Interrupt,
): Promise<RunResult> {
  const ctx: RunContext = { spec, opts, index, warmup, startedAt: new Date().toISOString() };
  const bad = checkExecutable(spec.argv[0]!, spec.cwd);
  if (bad) return notStarted(ctx, bad.line());

  const prepared: PreparedRun = backend.prepare(runName);
  let sampler: Sampler | null = null;
  let launched: Launched | null = null;
  let guard: Guard | null = null;
  try {
    sampler = await startSampler(opts, prepared);
    const spawnClock = { spawnEpoch: nowEpoch(), spawnKmsgUsec: kmsgClockUsec() };
    // The guard first: a membench killed right after a spawn (the target already forking) still has one.
    guard = startGuard(prepared.guard);
    const instances = await launchInstances(ctx, prepared, guard, spawnClock);
    if (instances.failed) return notStarted(ctx, `cannot start ${spec.argv[0]}: ${(await instances.failed).message}`);
    launched = instances;
    const result = await followRun(ctx, prepared, sampler, instances, interrupt);
    sampler = null;
    return result;
  } finally {
    if (sampler) await sampler.kill();
    prepared.cleanup(launched?.pids[0] ?? null);
    launched?.killReapers();
    guard?.stop();
  }
}

function startSampler(opts: RunOptions, prepared: PreparedRun): Promise<Sampler> {
  return Sampler.start({
    procRoot: opts.procRoot,
    pageSizeBytes: opts.pageSizeBytes,
    ...settingsOf(opts),
    membership: prepared.membership,
    usageFile: prepared.usageFile,
    memoryStatFile: prepared.memoryStatFile,
    memoryStatVersion: prepared.memoryStatVersion,
    processGridBuckets: PROCESS_GRID_BUCKETS,
    realtime: opts.realtime === true,
    maxStatmPerTick: opts.maxStatmPerTick ?? 0,
  });
}

/** The instances as spawned: their pids, when they all exited, the tail of their stderr. */
interface Launched {
  readonly pids: readonly number[];
  readonly spawnEpoch: number;
  readonly spawnKmsgUsec: number;
  /** Every instance's ending, once the last main process has exited. */
  readonly exited: Promise<Ended[]>;
  readonly stderrTail: () => string;
  /** Set when an instance could not be spawned (the others already killed): resolves to its error. */
  readonly failed: Promise<Error> | null;
  /** What the native reapers reported once the tree was gone (null per instance that has none, or that went silent). */
  readonly reaperReports: (timeoutMs: number) => Promise<(ReaperReport | null)[]>;
  /** True when the instances run under the native reaper. */
  readonly reaped: boolean;
  /** Ends reapers still running (one waiting for a process that escaped every kill). */
  readonly killReapers: () => void;
}

/**
 * Spawns every instance in the run's group (--concurrency), each under the guard, stderr tail kept; under the native
 * reaper when it is built (the target's own pid is then what the run follows, and the reaper reports its ending).
 */
async function launchInstances(
  c: RunContext,
  prepared: PreparedRun,
  guard: Guard,
  { spawnEpoch, spawnKmsgUsec }: Pick<Launched, 'spawnEpoch' | 'spawnKmsgUsec'>,
): Promise<Launched> {
  const { spec, opts } = c;
  const wrapper: WrapperSteps = {
    joinFiles: prepared.joinFiles,
    preExecLines: rlimitShellLines(opts.limits ?? NO_LIMITS),
    execVia: opts.setarchPath ? [opts.setarchPath, '-R'] : [],
  };
  const instances = Math.max(1, spec.instances ?? 1);
  const stdinFile = spec.stdinFile !== undefined ? spec.stdinFile : (opts.stdinFile ?? null);
  const reaperPath = nativeBinary('reaper');
  const reaper = reaperPath ? { path: reaperPath, childEnv: prepared.extraEnv } : null;
  const children: ChildProcess[] = Array.from({ length: instances }, (_, i) => {
    const env = { ...process.env, ...spec.env, ...prepared.extraEnv, [INSTANCE_VAR]: String(i + 1) };
    const child = launch({ argv: spec.argv, cwd: spec.cwd, env, wrapper, showOutput: opts.showOutput, stdinFile, reaper });
    if (child.pid !== undefined) guard.addProcessGroup(child.pid);
    return child;
  });
  const channels = children.map((ch) => {
    const report = ch.stdio[3];
    return reaper && ch.pid !== undefined && report ? new ReaperChannel(report as Readable) : null;
  });
  let stderrTail = '';
  for (const child of children) {
    child.stderr?.on('data', (d: Buffer) => {
      if (opts.showOutput) process.stderr.write(d);
      stderrTail = (stderrTail + d.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
  }
  const failedChild = children.find((ch) => ch.pid === undefined);
  let failed: Promise<Error> | null = null;
  if (failedChild) {
    for (const ch of children) if (ch.pid !== undefined) prepared.killTree(ch.pid);
    failed = new Promise<Error>((resolve) => failedChild.once('error', resolve));
  }
  // Under the reaper the run follows the target itself (the reaper's child, a process group of its own).
  const pids = await Promise.all(
    children.map(async (ch, i) => {
      const target = channels[i] ? await channels[i]!.childPid : null;
      if (target !== null) guard.addProcessGroup(target);
      return target ?? ch.pid ?? -1;
    }),
  );
  // With several instances the run ends when the last main process has exited. The reaper reports the target's
  // ending as soon as it has reaped it (it lives on for the survivors); its own exit is the fallback.
  const exited = Promise.all(
    children.map(
      (child, i) =>
        new Promise<Ended>((resolve) => {
          child.once('exit', (code, signal) => resolve({ code, signal, atMs: nowEpoch() - spawnEpoch }));
          void channels[i]?.childStatus.then((status) => resolve({ ...decodeWaitStatus(status), atMs: nowEpoch() - spawnEpoch }));
        }),
    ),
  );
  const reaperReports = (timeoutMs: number): Promise<(ReaperReport | null)[]> =>
    Promise.all(
      channels.map((ch) =>
        ch === null
          ? Promise.resolve(null)
          : Promise.race([ch.done, new Promise<null>((r) => setTimeout(() => r(null), timeoutMs).unref())]),
      ),
    );
  const killReapers = (): void => {
    for (const ch of reaper ? children : []) if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
  };
  return {
    pids,
    spawnEpoch,
    spawnKmsgUsec,
    exited,
    stderrTail: () => stderrTail,
    failed,
    reaperReports,
    reaped: reaper !== null,
    killReapers,
  };
}

/** From the spawn to the built result: sampling, stops, survivors, the wait for the tree, the kernel's word. */
async function followRun(c: RunContext, prepared: PreparedRun, sampler: Sampler, l: Launched, interrupt: Interrupt): Promise<RunResult> {
  const { opts } = c;
  const pids = l.pids;
  const root = pids[0]!;
  sampler.begin(root, l.spawnEpoch, pids.slice(1));
  // smaps near the peak, for the diagnosis's per-mapping breakdown (main thread; the sampler keeps its schedule).
  const capturer = new SmapsCapturer({
    procRoot: opts.procRoot,
    listPids: () => prepared.listPids(root),
    liveTreeBytes: () => sampler.latestTreeBytes,
    sinceSpawnMs: () => nowEpoch() - l.spawnEpoch,
  });
  capturer.start();
  const killAll = (): void => {
    for (const other of pids.slice(1)) killProcessGroup(other);
    prepared.killTree(root);
  };
  // Stop reasons other than the command ending by itself.
  let stopReason: StopReason | null = null;
  const stop = (cause: StopCause): void => {
    stopReason ??= { ...cause, atMs: nowEpoch() - l.spawnEpoch };
    killAll();
  };
  const timer = opts.timeoutMs !== null ? setTimeout(() => stop({ kind: 'timed-out' }), opts.timeoutMs) : null;
  const offInterrupt = interrupt.onRequest((signal) => stop({ kind: 'interrupted', signal }));
  try {
    const endings = await l.exited;
    const ended = firstFailure(endings);
    await sampler.waitTicks(SURVIVOR_SETTLE_TICKS);
    // The sampler's count, checked against the backend's own list (cgroup.procs, or the marked /proc tree): once,
    // under heavy load, a daemon already in the group was not yet counted two ticks after the main exit.
    const aliveAfterExit = prepared.listPids(root);
    const survivorsAtExit = Math.max(sampler.alive, aliveAfterExit.length);
    const survivors = survivorAction(survivorsAtExit, opts.survivors, stopReason !== null);
    if (survivors.killNow) killAll();
    const waited = await waitForTree({
      sampler,
      intervalMs: opts.intervalMs,
      action: survivors.action,
      stopped: () => stopReason !== null,
      killAll,
      pidAlive,
    });
    const treeEndMs = nowEpoch() - l.spawnEpoch;
    if (waited.samplerProblem) killAll();
    const smaps = await capturer.stop();
    const out = await withTimeout(sampler.stop(), SAMPLER_STOP_TIMEOUT_MS, 'the sampler did not report within 10 s of being stopped');
    const cgroupPeak = prepared.peakBytes();
    const reaped = l.reaped
      ? reapedPeaks(await l.reaperReports(REAPER_REPORT_TIMEOUT_MS), reapedSlackBytes(availableParallelism(), opts.pageSizeBytes))
      : null;
    const judged = judgeRunOom(prepared, l, out, treeEndMs, reaped);
    const finalStop: StopReason | null = stopReason;
    return buildRunResult({
      index: c.index,
      warmup: c.warmup,
      startedAt: c.startedAt,
      outcome: decideOutcome(ended, finalStop, judged.verdict, opts.timeoutMs),
      endings,
      pids,
      ended,
      stopReason: finalStop,
      treeEndMs,
      out,
      cgroupPeak,
      stderrTail: l.stderrTail(),
      opts,
      survivorsAtExit,
      aliveAfterExit,
      action: waited.action,
      smaps,
      limits: [...prepared.limits, ...(opts.processLimits ?? [])],
      limitsRequest: opts.limits ?? NO_LIMITS,
      oom: judged.verdict,
      oomNotes: judged.notes,
      memoryLimitBytes: prepared.memoryLimitBytes,
      samplerProblem: waited.samplerProblem,
      reaped,
    });
  } finally {
    if (timer) clearTimeout(timer);
    capturer.cancel();
    offInterrupt();
  }
}

/** The run's OOM kills: the backend's counters, and the kernel log when they say there is something to find. */
function judgeRunOom(prepared: PreparedRun, l: Launched, out: SamplerOutput, treeEndMs: number, reaped: ReapedPeaks | null): OomJudgement {
  const counters = prepared.oom();
  const identity = {
    // Every process the reaper waited for was of the run, sampled or not (a victim can die between two ticks).
    cgroupPath: prepared.cgroupPath,
    pids: new Set([...l.pids, ...out.processes.map((p) => p.pid), ...(reaped?.pids ?? [])]),
    windowUsec: { start: l.spawnKmsgUsec, end: l.spawnKmsgUsec + treeEndMs * 1000 },
  };
  return judgeOom(counters, needsKernelLog(counters, identity) ? readOomEvents() : [], identity, prepared.memoryLimitBytes);
}
