// Terminal chart of memory over time, after valgrind's ms_print: columns of ':' rising to each time bucket's
// maximum, the peak's column drawn with '#'. Plain ASCII (colour only when asked), at most 80 columns wide.
import type { Timeline } from '../result.js';
import type { Colors } from './colors.js';
import { formatMs } from './units.js';

export interface ChartOptions {
  /** Total width in columns, axis and labels included (≤ 80 keeps it readable in any terminal). */
  readonly width?: number;
  /** Rows of the plot area. */
  readonly height?: number;
}

/** What the chart shows, computed before anything is drawn. */
export interface ChartModel {
  readonly what: string;
  readonly unit: { readonly name: string; readonly bytes: number };
  readonly topBytes: number;
  readonly peakBytes: number;
  readonly peakAtMs: number;
  readonly peakColumn: number;
  readonly endMs: number;
  /** Height (0…rows) of each column. */
  readonly heights: readonly number[];
  readonly rows: number;
}

const UNITS = [
  { name: 'GiB', bytes: 1024 ** 3 },
  { name: 'MiB', bytes: 1024 ** 2 },
  { name: 'KiB', bytes: 1024 },
] as const;
/** Width of the y labels, the axis character included; the plot starts right after. */
const LABEL_WIDTH = 6;

/** The series charted: the tree figure (cgroup charge) where sampled, else Σ RSS. */
function seriesOf(tl: Timeline): { what: string; values: (number | null)[] } {
  const hasTree = tl.treeBytes.some((v) => v !== null);
  return hasTree ? { what: 'tree (cgroup charge)', values: tl.treeBytes } : { what: 'Σ RSS of the tree', values: tl.rssSumBytes };
}

/** Buckets the timeline into plot columns (bucket maximum; an empty bucket repeats its left neighbour). null if nothing to draw. */
export function chartModel(tl: Timeline, opts: ChartOptions = {}): ChartModel | null {
  const width = Math.min(80, Math.max(30, opts.width ?? 80));
  const rows = Math.max(4, opts.height ?? 12);
  const cols = width - LABEL_WIDTH - 2;
  const { what, values } = seriesOf(tl);
  const points = tl.tMs
    .map((t, i) => ({ t, v: values[i] ?? null }))
    .filter((p): p is { t: number; v: number } => p.v !== null && Number.isFinite(p.v));
  if (points.length === 0) return null;
  const endMs = Math.max(points[points.length - 1]!.t, 1e-3);
  const col = new Array<number | null>(cols).fill(null);
  let peak = points[0]!;
  for (const p of points) {
    const c = Math.min(cols - 1, Math.floor((p.t / endMs) * cols));
    col[c] = Math.max(col[c] ?? 0, p.v);
    if (p.v > peak.v) peak = p;
  }
  for (let c = 1; c < cols; c++) col[c] ??= col[c - 1]!;
  const unit = UNITS.find((u) => peak.v >= u.bytes) ?? UNITS[UNITS.length - 1]!;
  const topBytes = Math.max(peak.v, 1);
  const heights = col.map((v) => (v === null ? 0 : Math.round((v / topBytes) * rows)));
  return {
    what,
    unit,
    topBytes,
    peakBytes: peak.v,
    peakAtMs: peak.t,
    peakColumn: Math.min(cols - 1, Math.floor((peak.t / endMs) * cols)),
    endMs,
    heights,
    rows,
  };
}

const fmtUnit = (bytes: number, unit: { bytes: number }): string => {
  const v = bytes / unit.bytes;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
};

/** Draws the model: y labels at the top, middle and 0, the time axis below with 0, the middle and the end. */
export function renderChartModel(m: ChartModel, c: Colors): string[] {
  const cols = m.heights.length;
  const out: string[] = [];
  out.push(c.dim(`${m.what} over time — peak ${fmtUnit(m.peakBytes, m.unit)} ${m.unit.name} at ${formatMs(m.peakAtMs)} (#)`));
  out.push(m.unit.name.padStart(LABEL_WIDTH - 1));
  const midRow = Math.ceil(m.rows / 2);
  for (let r = m.rows; r >= 1; r--) {
    const label = r === m.rows ? `${fmtUnit(m.topBytes, m.unit)}^` : r === midRow ? `${fmtUnit((m.topBytes * r) / m.rows, m.unit)}|` : '|';
    let line = '';
    for (let k = 0; k < cols; k++) {
      const filled = m.heights[k]! >= r;
      line += !filled ? ' ' : k === m.peakColumn ? '#' : ':';
    }
    const body = line.replace(/ +$/, '');
    const peakAt = body.indexOf('#');
    const painted = peakAt < 0 ? c.cyan(body) : c.cyan(body.slice(0, peakAt)) + c.yellow('#') + c.cyan(body.slice(peakAt + 1));
    out.push(`${label.padStart(LABEL_WIDTH)}${painted}`.replace(/ +$/, ''));
  }
  out.push(`${'0 +'.padStart(LABEL_WIDTH)}${'-'.repeat(cols)}>s`);
  const mid = formatSeconds(m.endMs / 2);
  const end = formatSeconds(m.endMs);
  const axis = `${'0'.padStart(LABEL_WIDTH - 1)}${' '.repeat(Math.floor(cols / 2) - Math.floor(mid.length / 2))}${mid}`;
  out.push(axis + end.padStart(LABEL_WIDTH + cols - axis.length));
  return out;
}

const formatSeconds = (ms: number): string => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);

/** The chart of one run's timeline as lines, or [] when there is nothing to draw. */
export function renderChart(tl: Timeline, c: Colors, opts: ChartOptions = {}): string[] {
  const m = chartModel(tl, opts);
  return m === null ? [] : renderChartModel(m, c);
}
