// Across runs of one command: which runs count, and min/median/max/mean/σ of each summary metric.
import { SUMMARY_METRICS, type BenchmarkResult, type RunResult, type SummaryMetric } from '../result.js';
import { computeStats } from './stats.js';

/** A measured run counts when it exited 0, or — with ignoreFailure — whenever it produced figures. */
export function runCounts(run: RunResult, ignoreFailure: boolean): boolean {
  if (run.warmup || run.peaks === null) return false;
  if (run.outcome.state === 'exited' && run.outcome.exitCode === 0) return true;
  return ignoreFailure && run.outcome.state !== 'interrupted';
}

/** How each summary metric is read from a run (null = not available on this run). */
const METRIC_OF: Record<SummaryMetric, (r: RunResult) => number | null> = {
  memoryPeakBytes: (r) => r.peaks?.memoryBytes ?? null,
  treePeakBytes: (r) => r.peaks?.treeBytes ?? null,
  treeAnonPeakBytes: (r) => r.peaks?.treeAnonBytes ?? null,
  largestProcessPeakBytes: (r) => r.peaks?.largestProcessBytes ?? null,
  rssSumPeakBytes: (r) => r.peaks?.rssSumBytes ?? null,
  pssSumPeakBytes: (r) => r.peaks?.pssSumBytes ?? null,
  ussSumPeakBytes: (r) => r.peaks?.ussSumBytes ?? null,
  swapSumPeakBytes: (r) => r.peaks?.swapSumBytes ?? null,
  vmDataSumPeakBytes: (r) => r.peaks?.vmDataSumBytes ?? null,
  vszSumPeakBytes: (r) => r.peaks?.vszSumBytes ?? null,
  treeFinalBytes: (r) => r.final?.treeBytes ?? r.final?.rssSumBytes ?? null,
  wallMs: (r) => r.wallMs,
};

export function metricOf(run: RunResult, metric: SummaryMetric): number | null {
  return METRIC_OF[metric](run);
}

export function summarize(runs: readonly RunResult[], ignoreFailure: boolean): BenchmarkResult['summary'] {
  const counted = runs.filter((r) => runCounts(r, ignoreFailure));
  const metrics = Object.fromEntries(
    SUMMARY_METRICS.map((m) => [m, computeStats(counted.map((r) => METRIC_OF[m](r)).filter((v): v is number => v !== null))]),
  ) as BenchmarkResult['summary']['metrics'];
  return { runsMeasured: runs.filter((r) => !r.warmup).length, runsIncluded: counted.length, metrics };
}
