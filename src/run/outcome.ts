// How a run ended, decided from facts alone: the main processes' endings, a stop membench made, the OOM verdict.
// Pure functions, so outcomes, notes and OOM records are tested without processes (test/run/outcome.test.ts).
import type { InstanceOutcome, Outcome, RunResult } from '../result.js';
import type { LimitsRequest } from './limits.js';
import { oomNote, type OomVerdict } from './oom.js';

/** How one main process ended, at ms since spawn. */
export interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly atMs: number;
}

/** Why membench ended the tree itself, and when (ms since spawn). */
export type StopCause = { readonly kind: 'timed-out' } | { readonly kind: 'interrupted'; readonly signal: string };
export type StopReason = StopCause & { readonly atMs: number };

/** The shell's exit code for a child killed by SIGKILL (128 + 9). */
const SHELL_SIGKILL_CODE = 137;
/** Messages of an allocation that failed, across C, C++, Python, Node and Go runtimes. */
const ALLOCATION_FAILED = /out of memory|MemoryError|Cannot allocate memory|bad_alloc|ENOMEM|allocation fail|heap limit/i;

/**
 * How the run ended when several instances did: the first death by signal, else the first non-zero exit, else the
 * first instance; at the time the last one exited.
 */
export function firstFailure(all: readonly Ended[]): Ended {
  const first = all.find((e) => e.signal !== null) ?? all.find((e) => e.code !== 0) ?? all[0]!;
  return { ...first, atMs: Math.max(...all.map((e) => e.atMs)) };
}

export function decideOutcome(ended: Ended, stopReason: StopReason | null, oom: OomVerdict | null, timeoutMs: number | null): Outcome {
  if (stopReason?.kind === 'interrupted') return { state: 'interrupted', signal: stopReason.signal };
  if (stopReason?.kind === 'timed-out') return { state: 'timed-out', timeoutMs: timeoutMs ?? 0 };
  // A SIGKILL (or the shell's 137 for it) together with an OOM kill of this run (see judgeOom) is the OOM killer.
  const killed = ended.signal === 'SIGKILL' || ended.code === SHELL_SIGKILL_CODE;
  if (killed && oom) return { state: 'oom-killed', signal: 'SIGKILL', scope: oom.scope, oomKills: oom.oomKills };
  if (ended.signal) return { state: 'signaled', signal: ended.signal };
  return { state: 'exited', exitCode: ended.code ?? -1 };
}

/**
 * Each instance's own ending (absent for one instance); a stop (timeout, Ctrl-C) counts only for those still running
 * when it came.
 */
export function instanceOutcomes(
  endings: readonly Ended[],
  pids: readonly number[],
  stopReason: StopReason | null,
  oom: OomVerdict | null,
  timeoutMs: number | null,
): InstanceOutcome[] | undefined {
  if (endings.length <= 1) return undefined;
  return endings.map((e, i) => ({
    instance: i + 1,
    pid: pids[i]!,
    wallMs: Math.round(e.atMs * 1000) / 1000,
    outcome: decideOutcome(e, stopReason && stopReason.atMs <= e.atMs ? stopReason : null, oom, timeoutMs),
  }));
}

/** The result's OOM record: the verdict with the limit and the tree's peak beside it. */
export function oomRecord(oom: OomVerdict | null, limitBytes: number | null, peakTreeBytes: number | null): RunResult['oom'] {
  if (!oom) return null;
  return {
    scope: oom.scope,
    oomKills: oom.oomKills,
    limitHits: oom.limitHits,
    limitBytes,
    peakBytes: peakTreeBytes,
    killedPid: oom.killed[0]?.pid ?? null,
    killedName: oom.killed[0]?.name ?? null,
    kernelLog: oom.kernelLog,
    limitCgroup: oom.limitCgroup,
  };
}

/** Plain-language remark: an allocation failure under an rlimit is not an OOM kill, and is told apart. */
export function runNotes(run: Pick<RunResult, 'outcome' | 'stderrTail'>, limits: LimitsRequest): string[] {
  const notes: string[] = [];
  const failed = !(run.outcome.state === 'exited' && run.outcome.exitCode === 0) && run.outcome.state !== 'oom-killed';
  const rl = limits.rlimitDataBytes !== null ? 'RLIMIT_DATA' : limits.rlimitAsBytes !== null ? 'RLIMIT_AS' : null;
  if (failed && rl && ALLOCATION_FAILED.test(run.stderrTail)) {
    notes.push(`${rl} was reached: an allocation failed and the program ended itself — not an OOM kill`);
  }
  return notes;
}

/** Every note of a run, in order: the rlimit remark, the OOM remark, what OOM could not be attributed, a sampler problem. */
export function allRunNotes(
  run: Pick<RunResult, 'outcome' | 'stderrTail'>,
  limits: LimitsRequest,
  oom: OomVerdict | null,
  oomNotes: readonly string[],
  samplerProblem: string | null,
): string[] {
  const note = oomNote(oom, run.outcome.state);
  return [...runNotes(run, limits), ...(note ? [note] : []), ...oomNotes, ...(samplerProblem ? [samplerProblem] : [])];
}
