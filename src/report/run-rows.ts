// The facts every renderer of a run document shows, computed once: the headline peak of each command with its
// source (exact or sampled), the ranking of several commands with propagated uncertainty, failures and verdicts.
// The terminal, Markdown, CSV and HTML renderers read these rows; none of them recomputes a figure.
import type { BenchmarkResult, MembenchResult, RunResult, Stats, SummaryMetric } from '../result.js';
import { describeRun } from '../analyze/outcome-words.js';
import { formatBytes, formatMs } from './units.js';

/**
 * How often PSS/USS/swap were read, after "PSS": "every 50 ms", or with PSS by change (sampling.pssFloorMs) "when
 * memory moved (≥ 50 ms apart, at least every 1 s)".
 */
export function pssCadence(s: Pick<NonNullable<RunResult['sampling']>, 'pssIntervalMs' | 'pssFloorMs'> | null | undefined): string {
  return cadence(s?.pssIntervalMs, s?.pssFloorMs);
}

/** The same for the status tier (VmData, VmHWM; memory.stat's anon): by change with sampling.statusFloorMs. */
export function statusCadence(
  s: Pick<NonNullable<RunResult['sampling']>, 'statusIntervalMs' | 'statusFloorMs'> | null | undefined,
): string {
  return cadence(s?.statusIntervalMs, s?.statusFloorMs);
}

function cadence(intervalMs: number | undefined, floorMs: number | null | undefined): string {
  return typeof floorMs === 'number'
    ? `when memory moved (≥ ${formatMs(intervalMs)} apart, at least every ${formatMs(floorMs)})`
    : `every ${formatMs(intervalMs)}`;
}

/** The run whose details (largest process, diagnosis, chart) are shown: the last measured run with a diagnosis. */
export function shownRun(b: BenchmarkResult): RunResult | null {
  const measured = b.runs.filter((r) => !r.warmup);
  return [...measured].reverse().find((r) => r.diagnosis) ?? [...measured].reverse().find((r) => r.timeline) ?? null;
}

/** Where the headline of one run comes from, in words, and whether the figure is exact. */
export function headlineSource(b: BenchmarkResult, r: RunResult): { text: string; exact: boolean } | null {
  const p = r.peaks;
  if (!p || p.memoryBytes === null || p.memoryBytes === undefined) return null;
  if (p.memorySource === 'largest-process') {
    // VmHWM is the kernel's own high-water mark, but it is read (every status interval) while the process lives: a
    // process that ends within one interval of its peak may have climbed after the last read.
    const name = p.largestProcessName ?? 'one process';
    // The kernel's ru_maxrss of a process covers the children it waited for (getrusage(2)): the peak may be one of theirs.
    const exact = p.exact?.largestProcess ? ', exact' : '';
    // The reaped process's own VmHWM stayed below: the peak is a descendant's, given by its parent's accounting.
    const via = p.largestProcessReapedVia;
    if (p.largestProcessSource === 'reaped-rusage' && via)
      return {
        text: p.largestProcessName
          ? `${p.largestProcessName}'s peak, from ${via.name ?? `pid ${via.pid}`}'s ru_maxrss at exit${exact}`
          : `a process ${via.name ?? `pid ${via.pid}`} waited for, from ${via.name ?? `pid ${via.pid}`}'s ru_maxrss at exit${exact}`,
        exact: p.exact?.largestProcess === true,
      };
    if (p.largestProcessSource === 'reaped-rusage')
      return { text: `${name}'s ru_maxrss at exit${exact}`, exact: p.exact?.largestProcess === true };
    return { text: `${name}'s own VmHWM`, exact: p.exact ? p.exact.largestProcess : true };
  }
  if (p.treeSource === 'sampled-pss-sum') {
    return {
      text: `tree Σ PSS, sampled ${pssCadence(r.sampling ?? b.runs[0]?.sampling)}`,
      exact: false,
    };
  }
  if (p.treeSource === 'sampled-rss-sum')
    return { text: `RSS, sampled every ${formatMs(r.sampling?.intervalAskedMs ?? null)}`, exact: false };
  const cache =
    p.treeBytes !== null && p.treeNoCacheBytes !== null && p.treeNoCacheBytes !== undefined ? p.treeBytes - p.treeNoCacheBytes : 0;
  const exact = p.treeSource === 'cgroup-peak-counter';
  const counter = exact ? 'cgroup counter' : 'cgroup usage, sampled';
  return {
    text: cache > 0 ? `tree: ${counter} − ${formatBytes(cache)} cache` : `tree: ${counter}${exact ? ', exact' : ''}`,
    exact: exact && cache === 0,
  };
}

export interface Headline {
  readonly stats: Stats | null;
  /** Source of the shown run's figure (every run of a command normally agrees). */
  readonly source: { text: string; exact: boolean } | null;
  readonly runsCounted: number;
  readonly runsMeasured: number;
  readonly wall: Stats | null;
  readonly largest: { name: string; pid: number; bytes: number; processCount: number } | null;
}

export function headlineOf(b: BenchmarkResult): Headline {
  const run = shownRun(b);
  const p = run?.peaks;
  return {
    stats: b.summary.metrics.memoryPeakBytes ?? null,
    source: run ? headlineSource(b, run) : null,
    runsCounted: b.summary.runsIncluded,
    runsMeasured: b.summary.runsMeasured,
    wall: b.summary.metrics.wallMs,
    largest:
      p && p.largestProcessBytes !== null && p.largestProcessPid !== null
        ? { name: p.largestProcessName ?? '?', pid: p.largestProcessPid, bytes: p.largestProcessBytes, processCount: p.processCount }
        : null,
  };
}

/** Verdict words as people say them (the JSON keeps the enum). */
const VERDICT_WORDS: Record<string, string> = {
  leak: 'leak',
  'no-leak': 'no leak',
  inconclusive: 'leak: cannot tell',
  'grows-until-exit': 'grows until exit',
};
export const verdictWords = (v: string): string => VERDICT_WORDS[v] ?? v;

export interface VerdictRow {
  readonly verdict: string;
  readonly words: string;
  /** Runs with a diagnosis that agree with the shown run's verdict, out of those with one. */
  readonly agree: number;
  readonly of: number;
  readonly reason: string;
  /** Every verdict given over the runs with how many runs gave it, most first (one entry when all agree). */
  readonly tally: readonly { readonly verdict: string; readonly words: string; readonly runs: number }[];
}

export function verdictOf(b: BenchmarkResult): VerdictRow | null {
  const run = shownRun(b);
  const d = run?.diagnosis;
  if (!d) return null;
  const verdicts = b.runs.filter((r) => !r.warmup && r.diagnosis).map((r) => r.diagnosis!.leak.verdict);
  const counts = new Map<string, number>();
  for (const v of verdicts) counts.set(v, (counts.get(v) ?? 0) + 1);
  const tally = [...counts].sort((x, y) => y[1] - x[1]).map(([verdict, runs]) => ({ verdict, words: verdictWords(verdict), runs }));
  return {
    verdict: d.leak.verdict,
    words: verdictWords(d.leak.verdict),
    agree: verdicts.filter((v) => v === d.leak.verdict).length,
    of: verdicts.length,
    reason: d.leak.reason,
    tally,
  };
}

export interface FailureRow {
  readonly run: RunResult;
  readonly label: string;
  readonly text: string;
  readonly stderrTail: string;
  readonly kernelLine: string | null;
}

/** Runs that did not exit 0, each in one sentence, with the end of what it wrote to stderr. */
export function failuresOf(b: BenchmarkResult): FailureRow[] {
  return b.runs
    .filter((r) => !(r.outcome.state === 'exited' && r.outcome.exitCode === 0))
    .map((r) => ({
      run: r,
      label: `${r.warmup ? 'warm-up' : 'run'} ${r.index + 1}`,
      text: describeRun(r),
      stderrTail: r.stderrTail.trim().split('\n').slice(-3).join('\n'),
      kernelLine: r.oom?.kernelLog?.find((l) => /Killed process/.test(l)) ?? r.oom?.kernelLog?.[0] ?? null,
    }));
}

export interface RankingRow {
  readonly command: string;
  readonly meanBytes: number;
  /** mean / the smallest mean, and its standard error propagated from both σ (hyperfine's formula). */
  readonly ratio: number;
  readonly ratioStddev: number | null;
}

/**
 * Commands ranked by the mean of their headline peak, smallest first (baselines of --subtract-baseline left out).
 * ratio = m_i / m_0, σ_ratio = ratio · √((σ_i/m_i)² + (σ_0/m_0)²) — as hyperfine propagates its time ratios.
 */
export function ranking(doc: MembenchResult): RankingRow[] {
  const rows = doc.benchmarks
    .filter((b) => b.role === 'measured')
    .map((b) => ({ b, s: b.summary.metrics.memoryPeakBytes ?? null }))
    .filter((x): x is { b: BenchmarkResult; s: Stats } => x.s !== null && x.s.mean > 0)
    .sort((x, y) => x.s.mean - y.s.mean);
  if (rows.length < 2) return [];
  const best = rows[0]!.s;
  return rows.map(({ b, s }) => {
    const ratio = s.mean / best.mean;
    const err = s.n > 1 && best.n > 1 ? ratio * Math.sqrt((s.stddev / s.mean) ** 2 + (best.stddev / best.mean) ** 2) : null;
    return { command: b.command, meanBytes: s.mean, ratio, ratioStddev: err };
  });
}

/** One row of the statistics table: a figure's label, then min, median, max, mean ± σ as text. */
export interface MetricRow {
  readonly label: string;
  readonly cells: readonly string[];
}

/** ≈ marks a sampled figure; the others are the kernel's own counters (exact whatever happened between samples). */
const METRIC_ROWS: readonly { metric: SummaryMetric; label: (b: BenchmarkResult) => string; bytes: boolean }[] = [
  { metric: 'memoryPeakBytes', label: () => 'peak (headline)', bytes: true },
  { metric: 'treePeakBytes', label: (b) => (b.backend.kind === 'cgroup' ? 'tree, cgroup counter' : 'tree (Σ PSS) ≈'), bytes: true },
  { metric: 'treeAnonPeakBytes', label: () => 'tree anon (no cache) ≈', bytes: true },
  { metric: 'largestProcessPeakBytes', label: () => 'largest process HWM', bytes: true },
  { metric: 'pssSumPeakBytes', label: () => 'Σ PSS ≈', bytes: true },
  { metric: 'ussSumPeakBytes', label: () => 'Σ USS ≈', bytes: true },
  { metric: 'rssSumPeakBytes', label: () => 'Σ RSS ≈ ¹', bytes: true },
  { metric: 'swapSumPeakBytes', label: () => 'Σ swap ≈', bytes: true },
  { metric: 'vmDataSumPeakBytes', label: () => 'Σ VmData ≈', bytes: true },
  { metric: 'vszSumPeakBytes', label: () => 'Σ VSZ ≈', bytes: true },
  { metric: 'treeFinalBytes', label: () => 'final (last tick) ≈', bytes: true },
  { metric: 'wallMs', label: () => 'wall time', bytes: false },
];

function statCells(s: Stats | null, bytes: boolean): string[] {
  const f = bytes ? formatBytes : formatMs;
  if (!s) return ['—', '—', '—', '—'];
  if (s.n === 1) return [f(s.min), f(s.median), f(s.max), f(s.mean)];
  return [f(s.min), f(s.median), f(s.max), `${f(s.mean)} ± ${f(s.stddev)}`];
}

export function metricRows(b: BenchmarkResult): MetricRow[] {
  return METRIC_ROWS.flatMap(({ metric, label, bytes }) => {
    const s = b.summary.metrics[metric] ?? null;
    if (!s && metric !== 'memoryPeakBytes') return [];
    return [{ label: label(b), cells: statCells(s, bytes) }];
  });
}

/** A command as one line for a title: a multi-line `-c` script keeps its line breaks as ⏎ (and its indentation). */
export const commandLine = (command: string): string => command.replace(/[ \t]*\r?\n/g, ' ⏎ ');
