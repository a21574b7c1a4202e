// Robust trend statistics over (time, bytes) series: Theil–Sen slope with its rank-method confidence interval,
// quantiles, even subsampling. Pure functions; the leak and fragmentation analyses are built on them.

/** A memory series: times in ms (ascending), values in bytes; both finite, same length. */
export interface Series {
  readonly tMs: readonly number[];
  readonly bytes: readonly number[];
}

export interface SlopeEstimate {
  /** Theil–Sen slope in bytes per second. */
  readonly slopeBytesPerSec: number;
  /** Rank-method confidence interval of the slope at `level`, bytes per second. */
  readonly lowBytesPerSec: number;
  readonly highBytesPerSec: number;
  readonly level: number;
  /** Points the estimate was computed from (after subsampling). */
  readonly points: number;
}

/** Two-sided standard normal quantile for the 95 % level (z_{0.975}). */
const Z_95 = 1.959963984540054;

/** Keeps at most `max` points, evenly spaced by index, always keeping the first and the last. */
export function subsample(s: Series, max: number): Series {
  const n = s.tMs.length;
  if (n <= max) return s;
  const tMs: number[] = [];
  const bytes: number[] = [];
  for (let k = 0; k < max; k++) {
    const i = Math.round((k * (n - 1)) / (max - 1));
    tMs.push(s.tMs[i]!);
    bytes.push(s.bytes[i]!);
  }
  return { tMs, bytes };
}

/** The points with from ≤ t ≤ to. */
export function window(s: Series, fromMs: number, toMs: number): Series {
  const tMs: number[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < s.tMs.length; i++) {
    const t = s.tMs[i]!;
    if (t >= fromMs && t <= toMs) {
      tMs.push(t);
      bytes.push(s.bytes[i]!);
    }
  }
  return { tMs, bytes };
}

/**
 * Linear-interpolation quantile (q in [0, 1]) of unsorted values: the (q·(n − 1))-th order statistic,
 * interpolated between neighbours (R's type 7). null when empty.
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const xs = [...values].sort((a, b) => a - b);
  const pos = Math.min(1, Math.max(0, q)) * (xs.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(xs.length - 1, lo + 1);
  return xs[lo]! + (xs[hi]! - xs[lo]!) * (pos - lo);
}

/**
 * Theil–Sen estimator (Sen 1968): the median of the slopes (yⱼ − yᵢ)/(tⱼ − tᵢ) over all pairs i < j with tⱼ ≠ tᵢ,
 * computed on at most `maxPoints` evenly spaced points (O(m²) pairs). Robust to up to ~29 % outliers.
 * Confidence interval by the rank method (Hollander & Wolfe): with N pairwise slopes sorted ascending and
 * C = z_{1−α/2} · √(n(n − 1)(2n + 5)/18) (the standard deviation of Kendall's S without ties), the bounds are the
 * slopes of rank ⌊(N − C)/2⌋ and ⌈(N + C)/2⌉ (0-based, clamped). The method assumes independent errors; memory
 * samples are autocorrelated, so the interval is narrower than the truth — callers must not rely on it alone.
 * null with fewer than 3 points or no pair of distinct times.
 */
export function theilSen(s: Series, maxPoints = 150): SlopeEstimate | null {
  const sub = subsample(s, maxPoints);
  const n = sub.tMs.length;
  if (n < 3) return null;
  // A typed array sorts numerically without a comparator: 4.6–5.7 → 1.1–1.7 ms a call at 150 points (same
  // invocation), and the live views judge every 2 s — it was the busiest function on a watch's main thread.
  const all = new Float64Array((n * (n - 1)) / 2);
  let N = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dt = sub.tMs[j]! - sub.tMs[i]!;
      if (dt > 0) all[N++] = ((sub.bytes[j]! - sub.bytes[i]!) * 1000) / dt;
    }
  }
  if (N === 0) return null;
  const slopes = all.subarray(0, N).sort();
  const mid = N >> 1;
  const median = N % 2 === 1 ? slopes[mid]! : (slopes[mid - 1]! + slopes[mid]!) / 2;
  const c = Z_95 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lo = Math.min(N - 1, Math.max(0, Math.floor((N - c) / 2)));
  const hi = Math.min(N - 1, Math.max(0, Math.ceil((N + c) / 2)));
  return { slopeBytesPerSec: median, lowBytesPerSec: slopes[lo]!, highBytesPerSec: slopes[hi]!, level: 0.95, points: n };
}

/** Splits [fromMs, toMs] into k equal segments and returns each non-empty segment's mid time and q-quantile. */
export function segmentQuantiles(s: Series, fromMs: number, toMs: number, k: number, q: number): Series {
  const tMs: number[] = [];
  const bytes: number[] = [];
  const width = (toMs - fromMs) / k;
  for (let seg = 0; seg < k; seg++) {
    const a = fromMs + seg * width;
    const part = window(s, a, seg === k - 1 ? toMs : a + width - Number.EPSILON);
    const v = quantile(part.bytes, q);
    if (v !== null) {
      tMs.push(a + width / 2);
      bytes.push(v);
    }
  }
  return { tMs, bytes };
}

/** Largest and smallest of a list without spreading it into arguments (long series overflow the stack). */
export function extent(values: readonly number[]): { min: number; max: number } | null {
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Drops points whose time or value is not finite (untaken tiers are NaN in the sampler's columns). */
export function finiteSeries(tMs: ArrayLike<number>, bytes: ArrayLike<number | null>): Series {
  const t: number[] = [];
  const b: number[] = [];
  const n = Math.min(tMs.length, bytes.length);
  for (let i = 0; i < n; i++) {
    const v = bytes[i];
    if (v !== null && v !== undefined && Number.isFinite(v) && Number.isFinite(tMs[i]!)) {
      t.push(tMs[i]!);
      b.push(v);
    }
  }
  return { tMs: t, bytes: b };
}
