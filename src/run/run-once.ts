// One run of one command: prepare the backend, start the sampler, spawn, wait for the whole tree
// (survivors waited for or killed), stop sampling, read the kernel's counters, clean up, build a RunResult.
import type { RunResult, Outcome } from '../result.js';
import { Sampler } from '../sample/sampler.js';
import type { SamplerOutput } from '../sample/protocol.js';
import { buildTimeline, computeFinal, computePeaks, processPeakBytes } from '../analyze/run-figures.js';
import { checkExecutable, INSTANCE_VAR, launch, type WrapperSteps } from './launch.js';
import { NO_LIMITS, rlimitShellLines, type AppliedLimit, type LimitsRequest } from './limits.js';
import { kmsgClockUsec, readOomEvents } from '../probe/kmsg.js';
import { killProcessGroup, type PreparedRun, type RunBackend } from './backend.js';
import { judgeOom, needsKernelLog, oomNote, type OomVerdict } from './oom.js';
import type { Interrupt } from './interrupt.js';
import { startGuard, type Guard } from './guard.js';
import { pidAlive } from '../probe/proc.js';
import { SmapsCapturer, type SmapsCaptureResult } from './smaps-capture.js';
import { diagnose, inputFromColumns } from '../analyze/index.js';
import { buildProcessSeries, PROCESS_SERIES_DEFAULTS } from '../analyze/process-series.js';

/** Buckets of the slow thread's per-process grid: 4× the points kept per series, ≤ 8 KiB per process. */
const PROCESS_GRID_BUCKETS = 2048;

export interface RunOptions {
  readonly intervalMs: number;
  readonly pssIntervalMs: number;
  /** See SamplerConfig.pssBudget: null when the user fixed --pss-interval. */
  readonly pssBudget: number | null;
  readonly statusIntervalMs: number;
  readonly timeoutMs: number | null;
  readonly survivors: 'wait' | 'kill';
  readonly showOutput: boolean;
  readonly timelinePoints: number;
  readonly procRoot: string;
  readonly pageSizeBytes: number;
  /** Controlled conditions (absent = none). */
  readonly limits?: LimitsRequest;
  /** Limits applied by the wrapper (rlimits, ASLR), resolved once per invocation. */
  readonly processLimits?: readonly AppliedLimit[];
  /** setarch, when --no-aslr is in force and it was found. */
  readonly setarchPath?: string | null;
  /** stdin of the commands; absent or null = /dev/null. */
  readonly stdinFile?: string | null;
  /** --realtime: SCHED_FIFO 1 for the fast sampler thread when permitted (absent: off). */
  readonly realtime?: boolean;
  /** --max-statm-per-tick (absent or 0: every process every tick); see SamplerConfig.maxStatmPerTick. */
  readonly maxStatmPerTick?: number;
}

export interface CommandSpec {
  readonly display: string;
  readonly argv: readonly string[];
  readonly shell: boolean;
  readonly cwd: string;
  /** Instances started together in the same group (--concurrency); 1 by default. */
  readonly instances?: number;
  /** stdin for this command (a --payload-scan payload), overriding RunOptions.stdinFile. */
  readonly stdinFile?: string | null;
  /** Extra environment of this command (LD_PRELOAD and MEMBENCH_ALLOCATOR of --allocator). */
  readonly env?: Readonly<Record<string, string>>;
  /** --parameter-scan / --parameter-list: the value substituted for {name} in template. */
  readonly parameter?: { readonly name: string; readonly value: string; readonly template: string };
}

const STDERR_TAIL_BYTES = 2048;
const nowEpoch = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  })]).finally(() => clearTimeout(timer));
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
}

/** Why membench ended the tree itself, and when (ms since spawn). */
type StopCause = { kind: 'timed-out' } | { kind: 'interrupted'; signal: string };
type StopReason = StopCause & { atMs: number };

export async function runOnce(
  spec: CommandSpec, backend: RunBackend, opts: RunOptions, runName: string, index: number, warmup: boolean, interrupt: Interrupt,
): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const notStarted = (message: string): RunResult => ({
    index, warmup, startedAt, outcome: { state: 'failed-to-start', message }, wallMs: 0, treeWallMs: 0,
    peaks: null, final: null, processes: [], survivors: { count: 0, action: 'none' }, stderrTail: '', sampling: null, timeline: null,
    limits: [...(opts.processLimits ?? [])], oom: null, notes: [],
  });
  const bad = checkExecutable(spec.argv[0]!, spec.cwd);
  if (bad) return notStarted(bad.line());

  const prepared: PreparedRun = backend.prepare(runName);
  let sampler: Sampler | null = null;
  let rootPid: number | null = null;
  let guard: Guard | null = null;
  try {
    sampler = await Sampler.start({
      procRoot: opts.procRoot, pageSizeBytes: opts.pageSizeBytes, intervalMs: opts.intervalMs,
      statusIntervalMs: opts.statusIntervalMs, pssIntervalMs: opts.pssIntervalMs, pssBudget: opts.pssBudget, markerScanIntervalMs: Math.max(50, opts.intervalMs),
      membership: prepared.membership, usageFile: prepared.usageFile, memoryStatFile: prepared.memoryStatFile, memoryStatVersion: prepared.memoryStatVersion,
      processGridBuckets: PROCESS_GRID_BUCKETS, realtime: opts.realtime === true, maxStatmPerTick: opts.maxStatmPerTick ?? 0,
    });
    const wrapper: WrapperSteps = {
      joinFiles: prepared.joinFiles,
      preExecLines: rlimitShellLines(opts.limits ?? NO_LIMITS),
      execVia: opts.setarchPath ? [opts.setarchPath, '-R'] : [],
    };
    const spawnEpoch = nowEpoch();
    const spawnKmsgUsec = kmsgClockUsec();
    const instances = Math.max(1, spec.instances ?? 1);
    const stdinFile = spec.stdinFile !== undefined ? spec.stdinFile : opts.stdinFile ?? null;
    // The guard first: a membench killed right after a spawn (the target already forking) still has one.
    const runGuard = startGuard(prepared.guard);
    guard = runGuard;
    const children = Array.from({ length: instances }, (_, i) => {
      const env = { ...process.env, ...spec.env, ...prepared.extraEnv, [INSTANCE_VAR]: String(i + 1) };
      const child = launch({ argv: spec.argv, cwd: spec.cwd, env, wrapper, showOutput: opts.showOutput, stdinFile });
      if (child.pid !== undefined) runGuard.addProcessGroup(child.pid);
      return child;
    });
    let stderrTail = '';
    for (const child of children) {
      child.stderr?.on('data', (d: Buffer) => {
        if (opts.showOutput) process.stderr.write(d);
        stderrTail = (stderrTail + d.toString('utf8')).slice(-STDERR_TAIL_BYTES);
      });
    }
    const failedChild = children.find((c) => c.pid === undefined);
    if (failedChild) {
      for (const c of children) if (c.pid !== undefined) prepared.killTree(c.pid);
      const err = await new Promise<Error>((resolve) => failedChild.once('error', resolve));
      return notStarted(`cannot start ${spec.argv[0]}: ${err.message}`);
    }
    // With several instances the run ends when the last main process has exited.
    const exited = Promise.all(children.map((child) => new Promise<Ended>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, atMs: nowEpoch() - spawnEpoch })))));
    const pids = children.map((c) => c.pid!);
    rootPid = pids[0]!;
    sampler.begin(rootPid, spawnEpoch, pids.slice(1));

    // smaps near the peak, for the diagnosis's per-mapping breakdown (main thread; the sampler keeps its schedule).
    const root = rootPid;
    const liveSampler = sampler;
    const capturer = new SmapsCapturer({
      procRoot: opts.procRoot, listPids: () => prepared.listPids(root), liveTreeBytes: () => liveSampler.latestTreeBytes,
      sinceSpawnMs: () => nowEpoch() - spawnEpoch,
    });
    capturer.start();

    let samplerProblem: string | null = null;
    // Stop reasons other than the command ending by itself.
    let stopReason: StopReason | null = null;
    const pid = rootPid;
    const killAll = (): void => {
      for (const other of pids.slice(1)) killProcessGroup(other);
      prepared.killTree(pid);
    };
    const stop = (cause: StopCause): void => {
      stopReason ??= { ...cause, atMs: nowEpoch() - spawnEpoch };
      killAll();
    };
    const timer = opts.timeoutMs !== null ? setTimeout(() => stop({ kind: 'timed-out' }), opts.timeoutMs) : null;
    const offInterrupt = interrupt.onRequest((signal) => stop({ kind: 'interrupted', signal }));

    try {
      const endings = await exited;
      const ended = firstFailure(endings);
      // Survivors: processes of the tree still alive once the main command has gone.
      await sampler.waitTicks(2);
      // The sampler's count, checked against the backend's own list (cgroup.procs, or the marked /proc tree): once,
      // under heavy load, a daemon already in the group was not yet counted two ticks after the main exit.
      const survivorsAtExit = Math.max(sampler.alive, prepared.listPids(root).length);
      let action: RunResult['survivors']['action'] = 'none';
      if (survivorsAtExit > 0) {
        if (opts.survivors === 'kill' && stopReason === null) {
          action = 'killed';
          killAll();
        } else action = stopReason ? 'killed' : 'waited-for';
      }
      // Wait for the whole tree (bounded by the timeout / an interrupt, both of which kill it).
      let emptyTicks = 0;
      let lastKill = performance.now();
      // Safety nets: a sampler that stops ticking, or that counts processes none of which exist any more,
      // must not keep membench waiting forever.
      let lastTicks = sampler.ticks;
      let lastProgress = performance.now();
      let phantomSince: number | null = null;
      while (emptyTicks < 2) {
        const before = sampler.ticks;
        await sleep(Math.max(1, Math.min(20, opts.intervalMs)));
        const now = performance.now();
        if (sampler.ticks !== lastTicks) {
          lastTicks = sampler.ticks;
          lastProgress = now;
        } else if (now - lastProgress > 5000) {
          samplerProblem = 'the sampler stopped ticking for 5 s; the run was ended without it';
          break;
        }
        if (sampler.alive > 0 && sampler.memberPids.every((p) => !pidAlive(p))) {
          phantomSince ??= now;
          if (now - phantomSince > 1000) break;
        } else phantomSince = null;
        if (stopReason !== null && action === 'waited-for') action = 'killed';
        // Once the tree is to die, keep killing: a process forked while the last kill ran must not escape.
        if ((stopReason !== null || action === 'killed') && performance.now() - lastKill > 100) {
          killAll();
          lastKill = performance.now();
        }
        if (sampler.ticks === before) continue;
        emptyTicks = sampler.alive === 0 ? emptyTicks + 1 : 0;
      }
      const treeEndMs = nowEpoch() - spawnEpoch;
      if (samplerProblem) killAll();
      const smaps = await capturer.stop();
      const out = await withTimeout(sampler.stop(), 10_000, 'the sampler did not report within 10 s of being stopped');
      sampler = null;
      const cgroupPeak = prepared.peakBytes();
      const counters = prepared.oom();
      const identity = {
        cgroupPath: prepared.cgroupPath, pids: new Set([...pids, ...out.processes.map((p) => p.pid)]),
        windowUsec: { start: spawnKmsgUsec, end: spawnKmsgUsec + treeEndMs * 1000 },
      };
      const { verdict: oom, notes: oomNotes } = judgeOom(counters, needsKernelLog(counters, identity) ? readOomEvents() : [], identity, prepared.memoryLimitBytes);
      const outcome = decideOutcome(ended, stopReason, oom, opts.timeoutMs);
      const result = buildRunResult({
        index, warmup, startedAt, outcome, ended, treeEndMs, out, cgroupPeak, stderrTail, opts, survivorsAtExit, action, smaps,
      });
      result.limits = [...prepared.limits, ...(opts.processLimits ?? [])];
      if (endings.length > 1) {
        // Each instance's own ending; a stop (timeout, Ctrl-C) only for those still running when it came.
        result.instances = endings.map((e, i) => ({
          instance: i + 1, pid: pids[i]!, wallMs: Math.round(e.atMs * 1000) / 1000,
          outcome: decideOutcome(e, stopReason && stopReason.atMs <= e.atMs ? stopReason : null, oom, opts.timeoutMs),
        }));
      }
      if (oom) {
        result.oom = {
          scope: oom.scope, oomKills: oom.oomKills, limitHits: oom.limitHits, limitBytes: prepared.memoryLimitBytes,
          peakBytes: result.peaks?.treeBytes ?? null, killedPid: oom.killed[0]?.pid ?? null,
          killedName: oom.killed[0]?.name ?? null, kernelLog: oom.kernelLog, limitCgroup: oom.limitCgroup,
        };
      }
      const note = oomNote(oom, result.outcome.state);
      result.notes = [...runNotes(result, opts.limits ?? NO_LIMITS), ...(note ? [note] : []), ...oomNotes];
      if (samplerProblem) result.notes.push(samplerProblem);
      return result;
    } finally {
      if (timer) clearTimeout(timer);
      capturer.cancel();
      offInterrupt();
    }
  } finally {
    if (sampler) await sampler.kill();
    prepared.cleanup(rootPid);
    guard?.stop();
  }
}

/** Plain-language remark: an allocation failure under an rlimit is not an OOM kill, and is told apart. */
function runNotes(run: RunResult, limits: LimitsRequest): string[] {
  const notes: string[] = [];
  const failed = !(run.outcome.state === 'exited' && run.outcome.exitCode === 0) && run.outcome.state !== 'oom-killed';
  const rl = limits.rlimitDataBytes !== null ? 'RLIMIT_DATA' : limits.rlimitAsBytes !== null ? 'RLIMIT_AS' : null;
  if (failed && rl && /out of memory|MemoryError|Cannot allocate memory|bad_alloc|ENOMEM|allocation fail|heap limit/i.test(run.stderrTail)) {
    notes.push(`${rl} was reached: an allocation failed and the program ended itself — not an OOM kill`);
  }
  return notes;
}

/** How the run ended when several instances did: the first death by signal, else the first non-zero exit, else the first
 * instance; at the time the last one exited. */
function firstFailure(all: readonly Ended[]): Ended {
  return { ...(all.find((e) => e.signal !== null) ?? all.find((e) => e.code !== 0) ?? all[0]!), atMs: Math.max(...all.map((e) => e.atMs)) };
}

function decideOutcome(ended: Ended, stopReason: StopReason | null, oom: OomVerdict | null, timeoutMs: number | null): Outcome {
  if (stopReason?.kind === 'interrupted') return { state: 'interrupted', signal: stopReason.signal };
  if (stopReason?.kind === 'timed-out') return { state: 'timed-out', timeoutMs: timeoutMs ?? 0 };
  // A SIGKILL (or the shell's 137 for it) together with an OOM kill of this run (see judgeOom) is the OOM killer.
  const killed = ended.signal === 'SIGKILL' || ended.code === 137;
  if (killed && oom) return { state: 'oom-killed', signal: 'SIGKILL', scope: oom.scope, oomKills: oom.oomKills };
  if (ended.signal) return { state: 'signaled', signal: ended.signal };
  return { state: 'exited', exitCode: ended.code ?? -1 };
}

interface BuildInput {
  index: number;
  warmup: boolean;
  startedAt: string;
  outcome: Outcome;
  ended: Ended;
  treeEndMs: number;
  out: SamplerOutput;
  cgroupPeak: number | null;
  stderrTail: string;
  opts: RunOptions;
  survivorsAtExit: number;
  action: RunResult['survivors']['action'];
  smaps: SmapsCaptureResult;
}

function buildRunResult(b: BuildInput): RunResult {
  const { out, opts, ended } = b;
  const round3 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
  const processes = out.processes
    .map((p) => {
      const outlived = p.lastSeenMs > ended.atMs;
      return {
        pid: p.pid, ppid: p.ppid, name: p.name, cmdline: p.cmdline,
        firstSeenMs: round3(Math.max(0, p.firstSeenMs))!, lastSeenMs: round3(Math.max(0, p.lastSeenMs))!,
        peakRssBytes: processPeakBytes(p), vmHwmBytes: p.vmHwmBytes,
        peakPssBytes: p.maxPssBytes, peakUssBytes: p.maxUssBytes, outlivedMain: outlived,
        fate: outlived ? (b.action === 'killed' ? 'killed' as const : 'waited-for' as const) : 'exited' as const,
      };
    })
    .sort((a, b2) => a.firstSeenMs - b2.firstSeenMs || a.pid - b2.pid);
  return {
    index: b.index,
    warmup: b.warmup,
    startedAt: b.startedAt,
    outcome: b.outcome,
    wallMs: round3(ended.atMs)!,
    treeWallMs: round3(Math.max(ended.atMs, b.treeEndMs))!,
    peaks: computePeaks({ columns: out.columns, processes: out.processes, cgroupPeakBytes: b.cgroupPeak }),
    final: computeFinal(out.columns, ended.atMs, opts.pssIntervalMs),
    processes,
    survivors: { count: processes.filter((p) => p.outlivedMain).length || b.survivorsAtExit, action: b.action },
    stderrTail: b.stderrTail.split('\n').slice(-20).join('\n'),
    sampling: {
      intervalAskedMs: opts.intervalMs,
      intervalAchievedMeanMs: round3(out.intervalMeanMs),
      intervalP50Ms: round3(out.intervalP50Ms),
      intervalP99Ms: round3(out.intervalP99Ms),
      intervalErrorP99Ms: round3(out.intervalErrorP99Ms),
      ticks: out.ticks,
      ticksExpected: out.ticksExpected,
      ticksKeptRatio: out.ticksExpected > 0 ? Math.min(1, out.ticks / out.ticksExpected) : null,
      pssIntervalMs: opts.pssIntervalMs,
      pssTicks: out.pssTicks,
      statusIntervalMs: opts.statusIntervalMs,
      samplerCpuMs: round3(out.cpuMs)!,
      samplerCpuPercentOfCore: out.sampledWallMs > 0 ? round3((100 * out.cpuMs) / out.sampledWallMs) : null,
      membenchCpuMs: round3(out.processCpuMs)!,
      samplerNice: out.nice,
      samplerSchedPolicy: out.schedPolicy,
      realtimeAsked: opts.realtime === true,
      realtimeRefused: out.realtimeRefused,
      maxStatmPerTick: opts.maxStatmPerTick ?? 0,
      rssSumCarriedTicks: out.rssSumCarriedTicks,
    },
    timeline: buildTimeline(out.columns, opts.timelinePoints),
    processSeries: out.processGrid ? buildProcessSeries(out.processGrid, new Map(out.processes.map((p) => [p.pid, p.name])), { ...PROCESS_SERIES_DEFAULTS, maxPoints: Math.min(PROCESS_SERIES_DEFAULTS.maxPoints, opts.timelinePoints) }) : null,
    diagnosis: diagnose(inputFromColumns(out.columns, ended.atMs, b.smaps.best, b.smaps)),
    limits: [],
    oom: null,
    notes: [],
  };
}
