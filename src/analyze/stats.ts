// Descriptive statistics across runs (min, median, max, mean, sample σ), as in hyperfine and tinybench.
import type { Stats } from '../result.js';

/**
 * n = count; median = middle of the sorted values (mean of the two middle ones when n is even);
 * mean = Σx / n; stddev = sqrt(Σ(x − mean)² / (n − 1)), the sample standard deviation, 0 when n = 1.
 * Returns null for an empty list (no run counted) rather than inventing a figure.
 */
export function computeStats(values: readonly number[]): Stats | null {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const mid = n >> 1;
  const median = n % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  const variance = n > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { n, min: xs[0]!, median, max: xs[n - 1]!, mean, stddev: Math.sqrt(variance) };
}

/** Largest finite value of a column, or null when it has none (tier never sampled). */
export function maxFinite(xs: ArrayLike<number>): number | null {
  let best = -Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i]! > best) best = xs[i]!;
  return best === -Infinity ? null : best;
}
