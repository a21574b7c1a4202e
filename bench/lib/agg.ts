// Aggregating a bench figure across rounds (median, min–max) and printing it with its spread.
import { computeStats } from '../../src/analyze/stats.js';
import type { WindowCpu } from './cpu.js';
import { dash, fixed } from './table.js';

export interface Agg {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function agg(values: readonly (number | null | undefined)[]): Agg | null {
  const s = computeStats(values.map((v) => (v === null || v === undefined ? NaN : v)));
  return s && { median: s.median, min: s.min, max: s.max, n: s.n };
}

/** "4.9 (4.5–5.3)" when there is a spread across rounds, else "4.9". */
export function spread(a: Agg | null, digits: number, unit = ''): string {
  if (!a) return dash;
  const m = `${a.median.toFixed(digits)}${unit}`;
  return a.n > 1 ? `${m} (${a.min.toFixed(digits)}–${a.max.toFixed(digits)})` : m;
}

export const mib = (bytes: number | null | undefined): string =>
  fixed(bytes === null || bytes === undefined ? null : bytes / 2 ** 20, 1, ' MiB');

/** The threads of one role over a window, % of a core together (0 when none has it); null without a window. */
export const roleShare = (w: WindowCpu | null | undefined, role: string): number | null =>
  w ? w.threads.filter((t) => t.role === role).reduce((a, t) => a + t.percentOfCore, 0) : null;

/** The native sampler helper's share over a window; null when it did not run (the JavaScript sampler) or no window. */
export const nativeShare = (w: WindowCpu | null | undefined): number | null =>
  w?.threads.some((t) => t.role === 'native') ? roleShare(w, 'native') : null;

export function threadShares(windows: readonly (WindowCpu | null)[]): {
  main: Agg | null;
  sampler: Agg | null;
  sampler2: Agg | null;
  native: Agg | null;
  other: Agg | null;
  samplerWakeups: Agg | null;
  total: Agg | null;
} {
  return {
    main: agg(windows.map((w) => roleShare(w, 'main'))),
    sampler: agg(windows.map((w) => roleShare(w, 'sampler'))),
    sampler2: agg(windows.map((w) => roleShare(w, 'sampler2'))),
    native: agg(windows.map(nativeShare)),
    other: agg(windows.map((w) => roleShare(w, 'other'))),
    samplerWakeups: agg(windows.map((w) => w?.threads.find((t) => t.role === 'sampler')?.wakeupsPerS ?? null)),
    total: agg(windows.map((w) => w?.percentOfCore ?? null)),
  };
}
