// The HTML report's close look at one run of a command (the one with the highest peak): RSS per process over
// time (a chart spec and its table) and the diagnosis — leak verdict, fragmentation evidence, per-mapping
// breakdown — as plain rows and sentences. html-diagnosis.ts renders them; html-client.ts draws the chart.
import { DiagnosisSchema, type BenchmarkResult, type BreakdownGroup, type Diagnosis, type LeakVerdict, type RunResult } from '../result.js';
import type { ChartRun, ChartSeries, ChartSpec } from './chart-spec.js';
import { breakdownRows } from './diagnosis.js';
import { formatBytes, formatMs, formatPercent } from './units.js';

export interface ProcessRow {
  readonly label: string;
  readonly highestRead: string;
  readonly vmHwm: string;
  readonly alive: string;
}

export type BreakdownKind = BreakdownGroup['kind'];

export interface BarSegment {
  readonly kind: BreakdownKind;
  readonly label: string;
  readonly bytes: number;
  readonly share: number;
}

export interface BreakdownBar {
  readonly title: string;
  readonly totalBytes: number;
  /** RSS by kind of mapping, largest first. */
  readonly segments: readonly BarSegment[];
  readonly sentence: string;
  readonly rows: ReturnType<typeof breakdownRows>;
}

export interface DiagnosisView {
  readonly leakVerdict: LeakVerdict['verdict'];
  readonly leakSentence: string;
  readonly signals: readonly { readonly observed: boolean | null; readonly text: string }[];
  readonly bars: readonly BreakdownBar[];
  readonly breakdownNote: string | null;
}

export interface DetailView {
  /** "run 2, the measured run with the highest peak" */
  readonly runWords: string;
  readonly processChart: ChartSpec | null;
  readonly processSentence: string | null;
  readonly processRows: readonly ProcessRow[];
  readonly diagnosis: DiagnosisView | null;
}

export const KIND_LABEL: Readonly<Record<BreakdownKind, string>> = {
  heap: 'heap',
  stack: 'stacks',
  anon: 'anonymous mmap',
  library: 'shared libraries',
  binary: 'program binary',
  file: 'other files',
  other: 'vdso/other',
};

const label = (r: RunResult): string => `${r.warmup ? 'warm-up' : 'run'} ${r.index + 1}`;
const mib = (b: number): string => formatBytes(b);

/** The run shown closely: the measured run with the highest tree peak (Σ RSS when no tree figure). */
export function detailRun(b: BenchmarkResult): RunResult | null {
  const measured = b.runs.filter((r) => !r.warmup && r.peaks);
  const peak = (r: RunResult): number => r.peaks!.treeBytes ?? r.peaks!.rssSumBytes ?? 0;
  return measured.reduce<RunResult | null>((best, r) => (best === null || peak(r) > peak(best) ? r : best), null);
}

/** First and last index holding a value, or null when none does. */
function span(col: readonly (number | null)[]): [number, number] | null {
  let a = -1;
  let z = -1;
  col.forEach((v, i) => {
    if (v === null) return;
    if (a < 0) a = i;
    z = i;
  });
  return a < 0 ? null : [a, z];
}

/**
 * One line per process (and one for the others summed): each is a "run" of one metric, alive over its own span
 * of the one time axis they share.
 */
function processChart(id: string, title: string, run: RunResult): ChartSpec | null {
  const ps = run.processSeries;
  if (!ps) return null;
  const lines = [
    ...ps.processes.map((p) => ({ label: `pid ${p.pid} ${p.name}`, col: p.rssBytes, other: false })),
    ...(ps.other ? [{ label: `${ps.other.count} other processes (Σ)`, col: ps.other.rssBytes, other: true }] : []),
  ];
  if (lines.length < 2) return null;
  const runs: ChartRun[] = [];
  const series: ChartSeries[] = [];
  for (const l of lines) {
    const s = span(l.col);
    if (!s) continue;
    const i = runs.length;
    runs.push({ label: l.label, times: 0, from: s[0], points: s[1] + 1 - s[0], columns: { rss: l.col.slice(s[0], s[1] + 1) }, peak: null });
    // Eight colours, then the same eight dashed; the others' sum dotted in the text colour.
    series.push({
      run: i,
      metric: 'rss',
      label: l.label,
      colorVar: l.other ? '--fg' : `--r${i % 8}`,
      dash: l.other ? [2, 3] : i < 8 ? [] : [8, 4],
      width: l.other ? 2 : 1.75,
    });
  }
  if (runs.length < 2) return null;
  return {
    id,
    title,
    kind: 'processes',
    metrics: ['rss'],
    metricLabels: { tree: 'tree', rss: 'RSS', pss: 'PSS', uss: 'USS' },
    timesMs: [ps.tMs],
    runs,
    series,
    topPeakRun: null,
  };
}

function processRows(run: RunResult): ProcessRow[] {
  const ps = run.processSeries;
  if (!ps) return [];
  const byPid = new Map(run.processes.map((p) => [p.pid, p]));
  const rows: ProcessRow[] = ps.processes.map((s) => {
    const p = byPid.get(s.pid);
    return {
      label: `pid ${s.pid} ${s.name}`,
      highestRead: mib(s.peakBytes),
      vmHwm: formatBytes(p?.vmHwmBytes ?? null),
      alive: p ? `${formatMs(p.firstSeenMs)} – ${formatMs(p.lastSeenMs)}` : '—',
    };
  });
  if (ps.other) {
    const top = Math.max(0, ...ps.other.rssBytes.map((v) => v ?? 0));
    rows.push({ label: `${ps.other.count} other processes (Σ)`, highestRead: mib(top), vmHwm: '—', alive: '—' });
  }
  return rows;
}

function processSentence(run: RunResult): string | null {
  const ps = run.processSeries;
  if (!ps) return null;
  const n = ps.processes.length + (ps.other?.count ?? 0);
  const biggest = ps.processes[0];
  const each = ps.readsPerPoint === 1 ? 'each point one read' : `each point the highest of up to ${ps.readsPerPoint} reads`;
  return `${n} process${n === 1 ? '' : 'es'} had their RSS (VmRSS of /proc/PID/status) read over time, ${each}${ps.other ? `; the ${ps.processes.length} largest are drawn one by one and the other ${ps.other.count} summed` : ''}.${biggest ? ` The largest, pid ${biggest.pid} ${biggest.name}, reached ${mib(biggest.peakBytes)}.` : ''}`;
}

/** A breakdown's groups merged by kind, as bar segments by RSS, largest first. */
function segments(groups: readonly BreakdownGroup[]): BarSegment[] {
  const byKind = new Map<BreakdownKind, number>();
  for (const g of groups) byKind.set(g.kind, (byKind.get(g.kind) ?? 0) + g.rssBytes);
  const total = [...byKind.values()].reduce((a, b) => a + b, 0);
  return [...byKind]
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, bytes]) => ({ kind, label: KIND_LABEL[kind], bytes, share: total > 0 ? bytes / total : 0 }));
}

function bar(title: string, owner: string, at: string, groups: readonly BreakdownGroup[]): BreakdownBar {
  const segs = segments(groups);
  const total = segs.reduce((a, s) => a + s.bytes, 0);
  const parts = segs.filter((s) => s.share >= 0.005).map((s) => `${formatPercent(s.share, 0)} ${s.label} (${formatBytes(s.bytes)})`);
  const sentence =
    total > 0 ? `${at}, ${owner} held ${formatBytes(total)} resident: ${parts.join(', ')}.` : `${at}, ${owner} held no resident memory.`;
  return { title, totalBytes: total, segments: segs, sentence, rows: breakdownRows(groups, 8) };
}

/** A run's diagnosis when it has the shape this membench writes (documents are shown as written, so not always). */
const diagnosisOf = (r: RunResult): Diagnosis | null => {
  const parsed = DiagnosisSchema.safeParse(r.diagnosis);
  return parsed.success ? parsed.data : null;
};

function diagnosisView(b: BenchmarkResult, run: RunResult): DiagnosisView | null {
  const d = diagnosisOf(run);
  if (!d) return null;
  const verdicts = b.runs
    .filter((r) => !r.warmup)
    .map(diagnosisOf)
    .filter((x): x is Diagnosis => x !== null)
    .map((x) => x.leak.verdict);
  const agree =
    verdicts.length > 1 ? ` ${verdicts.filter((v) => v === d.leak.verdict).length} of ${verdicts.length} measured runs say the same.` : '';
  const words = {
    leak: 'a leak',
    'no-leak': 'no leak',
    inconclusive: 'inconclusive',
    'grows-until-exit': 'grew until exit, not judged a leak',
  }[d.leak.verdict];
  const ci = d.leak.confidence
    ? ` (95 % interval ${formatBytes(d.leak.confidence.lowBytesPerSec)}/s … ${formatBytes(d.leak.confidence.highBytesPerSec)}/s)`
    : '';
  const slope = d.leak.slopeBytesPerSec !== null ? ` Slope of Σ RSS after start-up: ${formatBytes(d.leak.slopeBytesPerSec)}/s${ci}.` : '';
  const bars: BreakdownBar[] = [];
  let note: string | null = null;
  const bd = d.breakdown;
  if (bd) {
    const at = `Near the peak (read at ${formatMs(bd.atMs)}${bd.treeBytes !== null ? `, tree ${formatBytes(bd.treeBytes)}` : ''})`;
    const lp = bd.largestProcess;
    if (lp) bars.push(bar(`${lp.name} (pid ${lp.pid}), the largest process`, `${lp.name} (pid ${lp.pid})`, at, lp.groups));
    if (bd.processCount > 1 || !lp)
      bars.push(
        bar(`the tree's ${bd.processCount} processes summed`, `the tree's ${bd.processCount} processes together`, at, bd.tree.groups),
      );
    note = `From /proc/PID/smaps, read ${bd.captures}× during the run (${formatMs(bd.totalReadMs)} in all)${bd.unreadable ? `; ${bd.unreadable} process${bd.unreadable === 1 ? '' : 'es'} could not be read` : ''}. Summed over processes, shared pages count once per process in RSS.`;
  } else note = 'No per-mapping breakdown: no smaps capture could be read on this run.';
  return {
    leakVerdict: d.leak.verdict,
    leakSentence: `Leak verdict: ${words} — ${d.leak.reason}.${slope}${agree}`,
    signals: d.fragmentation.signals.map((s) => ({ observed: s.observed, text: s.evidence })),
    bars,
    breakdownNote: note,
  };
}

export function detailView(id: string, title: string, b: BenchmarkResult): DetailView | null {
  const run = detailRun(b);
  if (!run) return null;
  const measured = b.runs.filter((r) => !r.warmup).length;
  const view: DetailView = {
    runWords: measured > 1 ? `${label(run)}, the measured run with the highest peak` : label(run),
    processChart: processChart(`${id}p`, `${title}: per process`, run),
    processSentence: processSentence(run),
    processRows: processRows(run),
    diagnosis: diagnosisView(b, run),
  };
  return view.processRows.length > 0 || view.diagnosis ? view : null;
}
