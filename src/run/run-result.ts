// The RunResult of one run, built whole from what the run gathered: the sampler's output, the endings, the
// kernel's counters and the verdicts of outcome.ts.
import type { Outcome, RunResult } from '../result.js';
import type { Adaptation, SamplerOutput } from '../sample/protocol.js';
import { buildTimeline, computeFinal, computePeaks, processPeakBytes, pssFreshMs } from '../analyze/run-figures.js';
import { diagnose, inputFromColumns } from '../analyze/index.js';
import { buildProcessSeries, PROCESS_SERIES_DEFAULTS } from '../analyze/process-series.js';
import type { AppliedLimit, LimitsRequest } from './limits.js';
import type { OomVerdict } from './oom.js';
import type { SmapsCaptureResult } from './smaps-capture.js';
import type { RunOptions } from './run-options.js';
import { allRunNotes, instanceOutcomes, oomRecord, type Ended, type StopReason } from './outcome.js';
import type { SurvivorAction } from './tree-wait.js';
import type { ReapedPeaks } from './reaper.js';

/** Lines of the stderr tail kept in the result. */
const STDERR_TAIL_LINES = 20;

/**
 * A process outlived the main command when it was seen this long after the main command's end: the sampler's tick
 * times and the exit report differ by up to ~0.5 ms (measured: a child reaped by its parent just before the parent
 * exited had its last tick 0.37 ms after the exit report).
 */
export const OUTLIVED_MARGIN_MS = 5;

export interface BuildInput {
  readonly index: number;
  readonly warmup: boolean;
  readonly startedAt: string;
  readonly outcome: Outcome;
  /** The main processes' endings (one per instance) and their pids; `ended` is what decided the outcome. */
  readonly endings: readonly Ended[];
  readonly pids: readonly number[];
  readonly ended: Ended;
  readonly stopReason: StopReason | null;
  readonly treeEndMs: number;
  readonly out: SamplerOutput;
  readonly cgroupPeak: number | null;
  readonly stderrTail: string;
  readonly opts: RunOptions;
  readonly survivorsAtExit: number;
  /** The tree's pids listed by the backend just after the main command ended (before any kill): they outlived it. */
  readonly aliveAfterExit: readonly number[];
  readonly action: SurvivorAction;
  readonly smaps: SmapsCaptureResult;
  /** The backend's limits (cgroup) and the wrapper's (rlimits, ASLR), in that order. */
  readonly limits: readonly AppliedLimit[];
  readonly limitsRequest: LimitsRequest;
  readonly oom: OomVerdict | null;
  readonly oomNotes: readonly string[];
  readonly memoryLimitBytes: number | null;
  readonly samplerProblem: string | null;
  /** The native reaper's exit accounting of the tree; null when the run had no reaper (not built, MEMBENCH_NATIVE=0). */
  readonly reaped?: ReapedPeaks | null;
}

export function buildRunResult(b: BuildInput): RunResult {
  const { out, opts, ended } = b;
  const round3 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
  const mainPids = new Set(b.pids);
  const listedAfter = new Set(b.aliveAfterExit);
  const processes = out.processes
    .map((p) => {
      // A main process never outlives itself. Others did when the backend listed them just after the end, or when the
      // sampler saw them OUTLIVED_MARGIN_MS past it: a tick closer than that is the sampler's clock against the exit
      // report, not a survivor (a child reaped just before its parent exited was marked).
      const outlived = !mainPids.has(p.pid) && (listedAfter.has(p.pid) || p.lastSeenMs > ended.atMs + OUTLIVED_MARGIN_MS);
      return {
        pid: p.pid,
        ppid: p.ppid,
        name: p.name,
        cmdline: p.cmdline,
        firstSeenMs: round3(Math.max(0, p.firstSeenMs))!,
        lastSeenMs: round3(Math.max(0, p.lastSeenMs))!,
        peakRssBytes: processPeakBytes(p),
        vmHwmBytes: p.vmHwmBytes,
        peakPssBytes: p.maxPssBytes,
        peakUssBytes: p.maxUssBytes,
        outlivedMain: outlived,
        fate: outlived ? (b.action === 'killed' ? ('killed' as const) : ('waited-for' as const)) : ('exited' as const),
      };
    })
    .sort((a, b2) => a.firstSeenMs - b2.firstSeenMs || a.pid - b2.pid);
  const adaptations = [...out.adaptations, ...(b.smaps.adaptation ? [b.smaps.adaptation] : [])].sort((x, y) => x.fromMs - y.fromMs);
  const peaks = computePeaks({ columns: out.columns, processes: out.processes, cgroupPeakBytes: b.cgroupPeak, reaped: b.reaped ?? null });
  const stderrTail = b.stderrTail.split('\n').slice(-STDERR_TAIL_LINES).join('\n');
  const instances = instanceOutcomes(b.endings, b.pids, b.stopReason, b.oom, opts.timeoutMs);
  return {
    index: b.index,
    warmup: b.warmup,
    startedAt: b.startedAt,
    outcome: b.outcome,
    wallMs: round3(ended.atMs)!,
    treeWallMs: round3(Math.max(ended.atMs, b.treeEndMs))!,
    peaks,
    final: computeFinal(out.columns, ended.atMs, pssFreshMs(opts.pssIntervalMs, out.pssFloorMs)),
    processes,
    survivors: { count: processes.filter((p) => p.outlivedMain).length || b.survivorsAtExit, action: b.action },
    stderrTail,
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
      statusFloorMs: out.statusFloorMs,
      pssFloorMs: out.pssFloorMs,
      pssReads: out.pssReads,
      membershipQuiet: out.membershipQuiet,
      fastSampler: out.fastSampler,
      samplerCpuMs: round3(out.cpuMs)!,
      samplerCpuPercentOfCore: out.sampledWallMs > 0 ? round3((100 * out.cpuMs) / out.sampledWallMs) : null,
      membenchCpuMs: round3(out.processCpuMs)!,
      samplerNice: out.nice,
      samplerSchedPolicy: out.schedPolicy,
      realtimeAsked: opts.realtime === true,
      realtimeRefused: out.realtimeRefused,
      maxStatmPerTick: opts.maxStatmPerTick ?? 0,
      rssSumCarriedTicks: out.rssSumCarriedTicks,
      adaptations: adaptations,
    },
    timeline: buildTimeline(out.columns, opts.timelinePoints),
    processSeries: out.processGrid
      ? buildProcessSeries(out.processGrid, new Map(out.processes.map((p) => [p.pid, p.name])), {
          ...PROCESS_SERIES_DEFAULTS,
          maxPoints: Math.min(PROCESS_SERIES_DEFAULTS.maxPoints, opts.timelinePoints),
        })
      : null,
    diagnosis: diagnose(inputFromColumns(out.columns, ended.atMs, b.smaps.best, b.smaps)),
    limits: [...b.limits],
    oom: oomRecord(b.oom, b.memoryLimitBytes, peaks?.treeBytes ?? null),
    notes: [
      ...allRunNotes({ outcome: b.outcome, stderrTail }, b.limitsRequest, b.oom, b.oomNotes, b.samplerProblem),
      ...adaptationNotes(adaptations),
    ],
    ...(instances ? { instances } : {}),
  };
}

/** One sentence per part of the sampler read less often than asked (sampling.adaptations), shown in every report. */
export function adaptationNotes(adaptations: readonly Adaptation[]): string[] {
  return adaptations.map((a) => `Big tree: from ${(a.fromMs / 1000).toFixed(3)} s on, ${a.detail}.`);
}
