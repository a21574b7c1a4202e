// One repeat of a command benchmark: every size once, through the run engine (runBenchmarks), so the tree
// figures are the same ones `membench run` reports; a failed run becomes a message, not a number.
import type { Interrupt } from '../run/interrupt.js';
import { runBenchmarks, type BenchmarkOptions } from '../run/benchmark.js';
import type { BackendChoice } from '../run/backend.js';
import type { Backend, BenchmarkResult } from '../result.js';
import { metricOf } from '../analyze/summary.js';
import { readPageSize } from '../probe/proc.js';
import { describeRun } from '../analyze/outcome-words.js';
import type { CommandDefinition } from './config.js';
import type { Measured } from './in-process.js';
import type { CommandRepeat } from '../document/suite.js';
import { samplerSettings } from '../sample/settings.js';

export interface CommandOptions {
  readonly backend: BackendChoice;
  readonly showOutput: boolean;
}

export interface CommandRepeatResult {
  /** One per size, in the order of def.sizes. */
  readonly perSize: readonly CommandRepeat[];
  readonly backend: string;
}

export const describeBackend = (b: Backend): string =>
  b.kind === 'cgroup' ? `cgroup (${b.memoryAccounting})` : `proc${b.fallbackReason ? ` (fallback: ${b.fallbackReason})` : ''}`;

function options(def: CommandDefinition, opts: CommandOptions, warmup: number): BenchmarkOptions {
  return {
    runs: 1,
    warmup,
    backend: opts.backend,
    ignoreFailure: false,
    ...samplerSettings({ use: 'suite' }),
    timeoutMs: def.timeoutMs,
    survivors: 'wait',
    showOutput: opts.showOutput,
    timelinePoints: 2,
    procRoot: '/proc',
    pageSizeBytes: readPageSize(),
  };
}

/**
 * Runs every size once (plus one unmeasured warm-up run per size when `warmup`: the first run of a program
 * charges the page cache it reads to its cgroup, later runs find those pages cached).
 */
export async function measureCommandRepeat(
  def: CommandDefinition,
  warmup: boolean,
  opts: CommandOptions,
  interrupt: Interrupt,
): Promise<Measured<CommandRepeatResult>> {
  const doc = await runBenchmarks(
    def.sizes.map((n) => def.commandFor(n)),
    options(def, opts, warmup ? 1 : 0),
    interrupt,
  );
  if (interrupt.requested) return { ok: false, interrupted: true, message: 'interrupted' };
  const perSize: CommandRepeat[] = [];
  for (const [i, b] of doc.benchmarks.entries()) {
    const failed = failureOf(b);
    if (failed) return { ok: false, interrupted: false, message: `size ${def.sizes[i]}: ${b.command} ${failed}` };
    const run = b.runs.find((r) => !r.warmup)!;
    perSize.push({
      treePeakBytes: metricOf(run, 'treePeakBytes'),
      treeAnonPeakBytes: metricOf(run, 'treeAnonPeakBytes'),
      wallMs: run.wallMs,
    });
  }
  return { ok: true, value: { perSize, backend: describeBackend(doc.benchmarks[0]!.backend) } };
}

/** Why this command's runs cannot be used, or null when its measured run exited 0. */
function failureOf(b: BenchmarkResult): string | null {
  const bad = b.runs.find((r) => !(r.outcome.state === 'exited' && r.outcome.exitCode === 0));
  if (bad) {
    const tail = bad.stderrTail.trim().split('\n').at(-1)?.trim();
    return `${describeRun(bad)}${tail ? `: ${tail}` : ''}`;
  }
  if (!b.runs.some((r) => !r.warmup)) return 'did not run';
  return null;
}
