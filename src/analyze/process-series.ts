// From the slow thread's per-process VmRSS grid to a RunResult's processSeries: the K processes with the highest
// peaks each as a series of at most maxPoints points (bucket maxima), every other process summed as one more.
import type { ProcessGridOutput } from '../sample/process-grid.js';
import { NO_READ } from '../sample/process-grid.js';
import type { ProcessSeries } from '../result.js';

export const name = 'process-series';
export const description = 'RSS of each process over time: the largest few by peak, the rest summed as "other processes"';

export interface ProcessSeriesOptions {
  /** Processes drawn one by one (the rest are summed). */
  readonly maxProcesses: number;
  /** Points per series at most. */
  readonly maxPoints: number;
}

export const PROCESS_SERIES_DEFAULTS: ProcessSeriesOptions = { maxProcesses: 12, maxPoints: 500 };

interface Full {
  readonly pid: number;
  /** One per grid bucket: bytes, or null where not read. */
  readonly bytes: (number | null)[];
  readonly peak: number;
}

/**
 * Each output point covers `group` consecutive grid buckets and keeps their first time and, per series, their
 * maximum. "other" is summed per grid bucket first, then maximised per point: exact at the grid's resolution.
 */
export function buildProcessSeries(
  grid: ProcessGridOutput,
  names: ReadonlyMap<number, string>,
  o: ProcessSeriesOptions = PROCESS_SERIES_DEFAULTS,
): ProcessSeries | null {
  const n = grid.tMs.length;
  if (n === 0 || grid.series.length === 0) return null;
  const full: Full[] = grid.series
    .map((s) => {
      const bytes = new Array<number | null>(n).fill(null);
      let peak = -1;
      s.rssKib.forEach((kib, i) => {
        if (kib === NO_READ || s.firstBucket + i >= n) return;
        bytes[s.firstBucket + i] = kib * 1024;
        if (kib * 1024 > peak) peak = kib * 1024;
      });
      return { pid: s.pid, bytes, peak };
    })
    .filter((s) => s.peak >= 0);
  if (full.length === 0) return null;
  full.sort((a, b) => b.peak - a.peak || a.pid - b.pid);
  const top = full.slice(0, Math.max(1, o.maxProcesses));
  const rest = full.slice(top.length);
  const group = Math.ceil(n / Math.max(1, o.maxPoints));
  const points = Math.ceil(n / group);
  const thin = (col: readonly (number | null)[]): (number | null)[] => {
    const out = new Array<number | null>(points).fill(null);
    for (let i = 0; i < n; i++) {
      const v = col[i]!;
      const p = Math.floor(i / group);
      if (v !== null && (out[p] === null || v > out[p]!)) out[p] = v;
    }
    return out;
  };
  let other: ProcessSeries['other'] = null;
  if (rest.length > 0) {
    const sum = new Array<number | null>(n).fill(null);
    for (const s of rest)
      s.bytes.forEach((v, i) => {
        if (v !== null) sum[i] = (sum[i] ?? 0) + v;
      });
    other = { count: rest.length, rssBytes: thin(sum) };
  }
  const tMs: number[] = [];
  for (let p = 0; p < points; p++) tMs.push(Math.round(grid.tMs[p * group]! * 1000) / 1000);
  return {
    source: 'status-vmrss',
    readsPerPoint: grid.passesPerBucket * group,
    tMs,
    processes: top.map((s) => ({ pid: s.pid, name: names.get(s.pid) ?? `pid ${s.pid}`, peakBytes: s.peak, rssBytes: thin(s.bytes) })),
    other,
  };
}
