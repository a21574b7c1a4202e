// The HTML report's rows and series: everything the page shows, built from result documents as plain data
// (sentences, table cells, chart series in bytes and ms). html.ts renders it; html-client.ts draws it.
import type { BenchmarkResult, MembenchResult, RunResult } from '../result.js';
import { headlineSource, metricRows, pssCadence } from './run-rows.js';
import { describeOutcome, instanceLines } from '../analyze/outcome-words.js';
import { formatBytes, formatMs, formatPercent } from './units.js';
import { detailView, type DetailView } from './html-detail.js';

/** One result document and the name it is shown under (a file name, or null for the run just made). */
export interface ReportSource {
  readonly name: string | null;
  readonly doc: MembenchResult;
}

export type { ChartPeak, ChartRun, ChartSeries, ChartSpec, MetricKey } from './chart-spec.js';
import type { ChartRun, ChartSeries, ChartSpec, MetricKey } from './chart-spec.js';

export interface PeakLine {
  readonly bytes: number;
  readonly text: string;
  readonly source: string;
  readonly runLabel: string;
  readonly atMs: number | null;
}

export interface RunRow {
  readonly label: string;
  readonly counted: boolean;
  readonly outcome: string;
  readonly ok: boolean;
  /** With --concurrency, when the instances did not all end alike: one line per instance that did not exit 0, then how many did. */
  readonly instances: readonly string[];
  readonly cells: readonly string[];
  readonly diagnosis: string | null;
}

export interface CommandView {
  readonly id: string;
  readonly title: string;
  readonly command: string;
  readonly sentences: readonly string[];
  readonly notes: readonly string[];
  readonly peak: PeakLine | null;
  readonly metricRows: readonly { readonly label: string; readonly cells: readonly string[] }[];
  readonly runRows: readonly RunRow[];
  readonly chart: ChartSpec | null;
  readonly chartNote: string | null;
  /** One run looked at closely: RSS per process, the diagnosis. */
  readonly detail: DetailView | null;
}

export interface ComparisonRow {
  readonly label: string;
  readonly command: string;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  /** median ÷ smallest median */
  readonly ratio: number;
}

export interface ReportModel {
  readonly title: string;
  readonly sources: readonly { readonly name: string | null; readonly line: string; readonly complete: boolean }[];
  readonly toolVersion: string;
  readonly comparison: readonly ComparisonRow[] | null;
  readonly commands: readonly CommandView[];
}

export const RUN_HEADER = [
  'run',
  'outcome',
  'wall',
  'tree peak',
  'Σ RSS peak',
  'Σ PSS peak',
  'Σ USS peak',
  'largest process',
  'sampling (mean, kept)',
] as const;
export const MAX_PLOTTED_RUNS = 8;

const METRIC_STYLE: Record<MetricKey, { dash: number[]; width: number }> = {
  tree: { dash: [], width: 2.25 },
  rss: { dash: [7, 4], width: 1.5 },
  pss: { dash: [2, 3], width: 1.5 },
  uss: { dash: [9, 3, 2, 3], width: 1.5 },
};

const TREE_SOURCE: Record<NonNullable<RunResult['peaks']>['treeSource'], string> = {
  'cgroup-peak-counter': "the cgroup's peak counter (kept by the kernel, so it includes moments between samples)",
  'sampled-cgroup-usage': 'the highest sampled cgroup usage',
  'sampled-rss-sum': 'the highest sampled RSS of its one process',
  'sampled-pss-sum': 'the highest sampled Σ PSS of the tree (no cgroup: PSS counts each shared page once)',
};

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
export const runLabel = (r: RunResult): string => `${r.warmup ? 'warm-up' : 'run'} ${r.index + 1}`;

/** What a run's diagnosis says in one cell: the leak verdict and its reason, then the fragmentation signs observed. */
export function diagnosisText(run: RunResult): string | null {
  const d = run.diagnosis;
  if (!d) return null;
  const verdict = d.leak.verdict.replace(/-/g, ' ');
  const parts = [d.leak.reason === '' ? verdict : `${verdict}: ${d.leak.reason}`];
  const seen = d.fragmentation.signals.filter((s) => s.observed === true).map((s) => s.evidence);
  if (seen.length > 0) parts.push(`fragmentation signs: ${seen.join('; ')}`);
  return parts.join(' · ');
}

function outcomeSentence(runs: readonly RunResult[]): string {
  const measured = runs.filter((r) => !r.warmup);
  if (measured.length === 0) return runs.length === 0 ? 'It was not run (interrupted before it started).' : 'Only warm-up runs were made.';
  const said = measured.map((r) => describeOutcome(r.outcome));
  if (said.every((s) => s === said[0])) return measured.length === 1 ? `The run ${said[0]}.` : `All ${measured.length} runs ${said[0]}.`;
  const text = said.map((s, i) => `${runLabel(measured[i]!)} ${s}`).join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function samplingSentence(doc: MembenchResult, runs: readonly RunResult[]): string | null {
  const sampled = runs.filter((r) => !r.warmup && r.sampling).map((r) => r.sampling!);
  if (sampled.length === 0) return null;
  const means = sampled.map((s) => s.intervalAchievedMeanMs).filter((v): v is number => v !== null);
  const p99 = Math.max(...sampled.map((s) => s.intervalP99Ms ?? 0));
  const kept = Math.min(...sampled.map((s) => s.ticksKeptRatio ?? 1));
  const achieved = means.length > 0 ? means.reduce((a, b) => a + b, 0) / means.length : null;
  const notes: string[] = [];
  const fifo = sampled.filter((s) => s.samplerSchedPolicy === 'fifo').length;
  const refused = sampled.filter((s) => s.realtimeAsked && s.realtimeRefused).length;
  if (fifo > 0) notes.push(` The sampler's fast thread ran SCHED_FIFO (--realtime) in ${fifo} of ${sampled.length} runs.`);
  if (refused > 0)
    notes.push(
      ` --realtime was refused in ${refused} of ${sampled.length} runs (${sampled.find((s) => s.realtimeRefused)!.realtimeRefused}); they were sampled at normal priority.`,
    );
  const carried = sampled.reduce((n, s) => n + (s.rssSumCarriedTicks ?? 0), 0);
  const ticks = sampled.reduce((n, s) => n + s.ticks, 0);
  if (carried > 0)
    notes.push(
      ` Σ RSS used carried statm readings on ${formatPercent(carried / ticks)} of ticks (${sampled[0]!.maxStatmPerTick ? `--max-statm-per-tick ${sampled[0]!.maxStatmPerTick}` : 'the automatic statm budget of a big tree'}); the cgroup counter, the process count and VmHWM are exact.`,
    );
  return `Sampling was asked every ${formatMs(doc.options.intervalMs)} and achieved ${formatMs(achieved)} on average (p99 ${formatMs(p99)} in the worst run), keeping ${formatPercent(kept)} of ticks; PSS and USS ${pssCadence(sampled[0]!)}.${notes.join('')}`;
}

function contextSentences(doc: MembenchResult, b: BenchmarkResult): string[] {
  const measured = b.runs.filter((r) => !r.warmup).length;
  const warm = b.runs.length - measured;
  const how = b.shell ? 'through /bin/sh -c' : "exec'd directly";
  const backend =
    b.backend.kind === 'cgroup'
      ? `the cgroup backend (tree memory from ${b.backend.memoryAccounting} accounting)`
      : 'the proc backend (tree memory as the sampled sum of RSS)';
  const c = doc.context;
  const out = [
    `${plural(measured, 'measured run')}${warm ? ` after ${plural(warm, 'warm-up run')}` : ''}, ${how}, on Linux ${c.kernel} (host ${c.hostname}, ${plural(c.cpuCount, 'CPU')}, cgroup layout ${c.cgroupLayout}), measured with ${backend}.`,
  ];
  const sampling = samplingSentence(doc, b.runs);
  if (sampling) out.push(sampling);
  out.push(outcomeSentence(b.runs));
  if (measured > 0) out.push(`${b.summary.runsIncluded} of ${measured} measured runs are counted in the statistics.`);
  return out;
}

function notes(b: BenchmarkResult): string[] {
  const out: string[] = [];
  if (b.backend.fallbackReason) out.push(`The cgroup backend was not used: ${b.backend.fallbackReason}.`);
  for (const l of b.backend.limitations) out.push(`Limitation: ${l}.`);
  const peakFile = b.runs.find((r) => r.peaks?.treeFileBytes)?.peaks?.treeFileBytes;
  if (peakFile) out.push(`The tree peak includes page cache charged to the run (up to ${formatBytes(peakFile)} sampled).`);
  if (b.runs.some((r) => r.timeline?.downsampled))
    out.push('Timelines were downsampled: each plotted point is the maximum of its bucket, so peaks are kept.');
  const surv = [...b.runs].reverse().find((r) => r.survivors.count > 0);
  if (surv)
    out.push(
      `${plural(surv.survivors.count, 'process', 'processes')} outlived the main command and ${surv.survivors.action === 'killed' ? 'were killed' : 'were waited for'}.`,
    );
  return out;
}

/** Index of the highest non-null value, or -1. */
function argMax(values: readonly (number | null)[]): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (values[i] !== null && (best < 0 || values[i]! > values[best]!)) best = i;
  return best;
}

/** The run's tree peak and where in its timeline it happened (the highest sample of the tree column). */
function runPeak(r: RunResult): { bytes: number; atMs: number | null } | null {
  const bytes = r.peaks?.memoryBytes ?? r.peaks?.treeBytes ?? r.peaks?.rssSumBytes ?? null;
  if (bytes === null) return null;
  const t = r.timeline;
  if (!t || t.tMs.length === 0) return { bytes, atMs: null };
  const i = argMax(t.treeBytes.some((v) => v !== null) ? t.treeBytes : t.rssSumBytes);
  return { bytes, atMs: i >= 0 ? t.tMs[i]! : null };
}

/** A chart run's time axis: its stretch of the chart's shared times. */
export function runTimesMs(c: ChartSpec, r: ChartRun): readonly number[] {
  return c.timesMs[r.times]!.slice(r.from, r.from + r.points);
}

/** Up to MAX_PLOTTED_RUNS measured runs with a timeline; the lowest, median and highest peaks always among them. */
export function plottedRuns(runs: readonly RunResult[]): RunResult[] {
  const withTimeline = runs.filter((r) => !r.warmup && r.timeline && r.timeline.tMs.length > 0);
  if (withTimeline.length <= MAX_PLOTTED_RUNS) return withTimeline;
  const byPeak = [...withTimeline].sort((a, b) => (runPeak(a)?.bytes ?? 0) - (runPeak(b)?.bytes ?? 0));
  const keep = new Set([byPeak[0]!, byPeak[Math.floor(byPeak.length / 2)]!, byPeak[byPeak.length - 1]!]);
  for (const r of withTimeline) if (keep.size < MAX_PLOTTED_RUNS) keep.add(r);
  return withTimeline.filter((r) => keep.has(r));
}

function chartFor(id: string, title: string, b: BenchmarkResult, runs: readonly RunResult[]): ChartSpec | null {
  if (runs.length === 0) return null;
  const treeLabel = b.backend.kind === 'cgroup' ? 'tree (cgroup)' : 'tree';
  const metricLabels: Record<MetricKey, string> = { tree: treeLabel, rss: 'Σ RSS', pss: 'Σ PSS', uss: 'Σ USS' };
  const columnOf: Record<MetricKey, (r: RunResult) => readonly (number | null)[]> = {
    tree: (r) => r.timeline!.treeBytes,
    rss: (r) => r.timeline!.rssSumBytes,
    pss: (r) => r.timeline!.pssSumBytes,
    uss: (r) => r.timeline!.ussSumBytes,
  };
  const metrics = (['tree', 'rss', 'pss', 'uss'] as const).filter((m) => runs.some((r) => columnOf[m](r).some((v) => v !== null)));
  const chartRuns: ChartRun[] = runs.map((r, ri) => {
    const p = runPeak(r);
    return {
      label: runLabel(r),
      times: ri,
      from: 0,
      points: r.timeline!.tMs.length,
      columns: Object.fromEntries(metrics.map((m) => [m, columnOf[m](r)])),
      peak: p && p.atMs !== null ? { tMs: p.atMs, bytes: p.bytes, text: formatBytes(p.bytes) } : null,
    };
  });
  // One run: colour tells the metrics apart; several runs: colour tells runs apart. Dashes always tell metrics apart.
  const series = chartRuns.flatMap((r, ri) =>
    metrics.map(
      (m, mi): ChartSeries => ({
        run: ri,
        metric: m,
        label: `${r.label} · ${metricLabels[m]}`,
        colorVar: chartRuns.length === 1 ? `--m${mi}` : `--r${ri % MAX_PLOTTED_RUNS}`,
        ...METRIC_STYLE[m],
      }),
    ),
  );
  const top = argMax(chartRuns.map((r) => r.peak?.bytes ?? null));
  return {
    id,
    title,
    kind: 'runs',
    metrics,
    metricLabels,
    timesMs: runs.map((r) => r.timeline!.tMs),
    runs: chartRuns,
    series,
    topPeakRun: top >= 0 ? top : null,
  };
}

function runRow(r: RunResult, ignoreFailure: boolean): RunRow {
  const ok = r.outcome.state === 'exited' && r.outcome.exitCode === 0;
  const counted = !r.warmup && r.peaks !== null && (ok || (ignoreFailure && r.outcome.state !== 'interrupted'));
  const p = r.peaks;
  const s = r.sampling;
  return {
    label: runLabel(r),
    counted,
    ok,
    outcome: describeOutcome(r.outcome),
    instances: instanceLines(r),
    cells: [
      formatMs(r.wallMs),
      formatBytes(p?.treeBytes),
      formatBytes(p?.rssSumBytes),
      formatBytes(p?.pssSumBytes),
      formatBytes(p?.ussSumBytes),
      p ? `${formatBytes(p.largestProcessBytes)}${p.largestProcessName ? ` ${p.largestProcessName}` : ''}` : '—',
      s ? `${formatMs(s.intervalAchievedMeanMs)}, ${formatPercent(s.ticksKeptRatio)}` : '—',
    ],
    diagnosis: diagnosisText(r),
  };
}

function commandView(src: ReportSource, b: BenchmarkResult, n: number, named: boolean): CommandView {
  const id = `c${n}`;
  const title = `Command ${n}${named && src.name ? ` (${src.name})` : ''}`;
  const measured = b.runs.filter((r) => !r.warmup);
  const plotted = plottedRuns(b.runs);
  const peaks = measured.map((r) => ({ r, p: runPeak(r) })).filter((x) => x.p !== null);
  const best = peaks.sort((x, y) => y.p!.bytes - x.p!.bytes)[0];
  const peak: PeakLine | null = best
    ? {
        bytes: best.p!.bytes,
        text: formatBytes(best.p!.bytes),
        runLabel: runLabel(best.r),
        atMs: best.p!.atMs,
        source:
          headlineSource(b, best.r)?.text ??
          (best.r.peaks?.treeBytes != null
            ? TREE_SOURCE[best.r.peaks.treeSource]
            : 'the highest sampled Σ RSS (no tree figure on this run)'),
      }
    : null;
  const withTimeline = measured.filter((r) => r.timeline && r.timeline.tMs.length > 0).length;
  return {
    id,
    title,
    command: b.command,
    sentences: contextSentences(src.doc, b),
    notes: notes(b),
    peak,
    metricRows: b.summary.runsIncluded > 0 ? metricRows(b) : [],
    runRows: b.runs.map((r) => runRow(r, src.doc.options.ignoreFailure)),
    chart: chartFor(id, title, b, plotted),
    chartNote:
      plotted.length < withTimeline
        ? `Showing ${plotted.length} of ${withTimeline} runs: the lowest, median and highest peaks, then the first runs.`
        : null,
    detail: detailView(id, title, b),
  };
}

function sourceLine(s: ReportSource): string {
  const c = s.doc.context;
  const when = c.finishedAt ?? c.startedAt;
  return `${s.name ? `${s.name}: ` : ''}measured ${when.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} on ${c.hostname} (Linux ${c.kernel}, ${plural(c.cpuCount, 'CPU')}, Node ${c.nodeVersion}) by membench ${s.doc.tool.version}`;
}

function comparison(commands: readonly { b: BenchmarkResult; label: string }[]): ComparisonRow[] | null {
  const rows = commands.flatMap(({ b, label }) => {
    // The headline figure, as the terminal ranks commands (src/report/run-rows.ts); older documents: the tree peak.
    const s = b.summary.metrics.memoryPeakBytes ?? b.summary.metrics.treePeakBytes;
    return s && b.role === 'measured' ? [{ label, command: b.command, min: s.min, median: s.median, max: s.max }] : [];
  });
  if (rows.length < 2) return null;
  const smallest = Math.min(...rows.map((r) => r.median));
  return rows.map((r) => ({ ...r, ratio: smallest > 0 ? r.median / smallest : 1 }));
}

/** Rows and series of the whole page, from one or several result documents. */
export function buildReport(sources: readonly ReportSource[], toolVersion: string): ReportModel {
  const named = sources.length > 1;
  let n = 0;
  const all = sources.flatMap((src) => src.doc.benchmarks.map((b) => ({ src, b, n: ++n })));
  const commands = all.map(({ src, b, n: i }) => commandView(src, b, i, named));
  const firstCommand = all[0]?.b.command ?? '';
  return {
    title: all.length === 1 ? `membench: ${firstCommand}` : `membench: ${plural(all.length, 'command')} compared`,
    sources: sources.map((s) => ({ name: s.name, line: sourceLine(s), complete: s.doc.context.complete })),
    toolVersion,
    comparison: comparison(all.map(({ b, n: i }) => ({ b, label: `Command ${i}` }))),
    commands,
  };
}
