// Linear fit: the least-squares line through (size, bytes) points — cost per unit, fixed cost, R² — and a
// verdict on whether memory grows linearly. Pure; used by suites and by concurrency / payload scans.
import { studentTQuantile } from './student-t.js';

export const name = 'linear-fit';
export const description = 'least-squares line through (size, value): slope per unit, intercept, R², slope interval, linearity verdict';

export interface LinearFitOptions {
  /** R² at or above which a fit whose slope is distinguishable from zero is called linear. Default 0.98. */
  readonly minR2?: number;
  /** Confidence level of the slope interval (and so of the "flat" verdict). Default 0.95. */
  readonly confidence?: number;
}

/**
 * - `linear`: the slope is distinguishable from 0 and R² of the size means ≥ minR2.
 * - `not-linear`: the slope is distinguishable from 0 but the line explains less than minR2 of the variance
 *   of the size means (curvature, steps, or noise between sizes as large as the growth).
 * - `flat`: all values equal, or the slope's confidence interval contains 0 — no growth with size is shown.
 * - `too-few-points`: fewer than 3 distinct x values (two x positions always fit a line), or fewer than 3 points.
 */
export type LinearityVerdict = 'linear' | 'not-linear' | 'flat' | 'too-few-points';

export interface LinearFit {
  /** Number of (x, y) points; repeated x values (repeats at one size) are separate points. */
  readonly points: number;
  readonly distinctXs: number;
  /** b in y = a + b·x: Sxy / Sxx. */
  readonly slope: number;
  /** a in y = a + b·x: ȳ − b·x̄. */
  readonly intercept: number;
  /** Coefficient of determination 1 − SSres / SStot over every point; 1 when SStot = 0 (all y equal, fitted exactly). */
  readonly r2: number;
  /**
   * R² of the mean y at each distinct x (weighted by its count) about the same line: repeat-to-repeat noise
   * averages out, so this is what the linearity verdict reads. Equal to r2 when no x repeats.
   */
  readonly r2OfMeans: number;
  /** s = sqrt(SSres / (n − 2)); null when n < 3. */
  readonly residualStdDev: number | null;
  /** SE(b) = s / sqrt(Sxx); null when n < 3. */
  readonly slopeStdErr: number | null;
  /** b ± t(1 − (1 − confidence)/2, n − 2)·SE(b); null when n < 3. */
  readonly slopeInterval: readonly [number, number] | null;
  readonly maxAbsResidual: number;
  readonly verdict: LinearityVerdict;
  /** One line saying why the verdict is what it is. */
  readonly reason: string;
}

/**
 * Ordinary least squares over points (xs[i], ys[i]):
 *   x̄ = Σx/n, ȳ = Σy/n, Sxx = Σ(x − x̄)², Sxy = Σ(x − x̄)(y − ȳ),
 *   slope b = Sxy/Sxx, intercept a = ȳ − b·x̄, SSres = Σ(y − a − b·x)², SStot = Σ(y − ȳ)², R² = 1 − SSres/SStot;
 *   with ȳₓ the mean and cₓ the count of the points at x: R²(means) = 1 − Σcₓ(ȳₓ − a − b·x)² / Σcₓ(ȳₓ − ȳ)².
 * Returns null when no line is defined (fewer than 2 distinct x values). Throws RangeError on arrays of
 * different lengths or non-finite values: those are caller bugs, not data.
 */
export function linearFit(xs: readonly number[], ys: readonly number[], opts: LinearFitOptions = {}): LinearFit | null {
  if (xs.length !== ys.length) throw new RangeError(`linearFit: ${xs.length} x values but ${ys.length} y values`);
  if (![...xs, ...ys].every(Number.isFinite)) throw new RangeError('linearFit: values must be finite numbers');
  const minR2 = opts.minR2 ?? 0.98;
  const confidence = opts.confidence ?? 0.95;
  const n = xs.length;
  const distinctXs = new Set(xs).size;
  if (distinctXs < 2) return null;
  const xMean = xs.reduce((s, x) => s + x, 0) / n;
  const yMean = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - xMean;
    const dy = ys[i]! - yMean;
    sxx += dx * dx;
    sxy += dx * dy;
    ssTot += dy * dy;
  }
  const slope = sxy / sxx;
  const intercept = yMean - slope * xMean;
  let ssRes = 0;
  let maxAbsResidual = 0;
  for (let i = 0; i < n; i++) {
    const r = ys[i]! - (intercept + slope * xs[i]!);
    ssRes += r * r;
    maxAbsResidual = Math.max(maxAbsResidual, Math.abs(r));
  }
  // Rounding can leave a residual of ~1e-12·ȳ on exact data; treat SSres that small as zero.
  if (ssRes <= 1e-20 * Math.max(1, ssTot, yMean * yMean * n)) ssRes = 0;
  const r2 = ssTot === 0 ? 1 : Math.max(0, 1 - ssRes / ssTot);
  const groups = new Map<number, { sum: number; count: number }>();
  for (let i = 0; i < n; i++) {
    const g = groups.get(xs[i]!) ?? { sum: 0, count: 0 };
    g.sum += ys[i]!;
    g.count++;
    groups.set(xs[i]!, g);
  }
  let meansRes = 0;
  let meansTot = 0;
  for (const [x, g] of groups) {
    const m = g.sum / g.count;
    meansRes += g.count * (m - intercept - slope * x) ** 2;
    meansTot += g.count * (m - yMean) ** 2;
  }
  if (meansRes <= 1e-20 * Math.max(1, meansTot, yMean * yMean * n)) meansRes = 0;
  const r2OfMeans = meansTot === 0 ? 1 : Math.max(0, 1 - meansRes / meansTot);
  const df = n - 2;
  const residualStdDev = df > 0 ? Math.sqrt(ssRes / df) : null;
  const slopeStdErr = residualStdDev === null ? null : residualStdDev / Math.sqrt(sxx);
  const t = df > 0 ? studentTQuantile(1 - (1 - confidence) / 2, df) : null;
  const slopeInterval = slopeStdErr === null || t === null ? null : ([slope - t * slopeStdErr, slope + t * slopeStdErr] as const);
  const base = { points: n, distinctXs, slope, intercept, r2, r2OfMeans, residualStdDev, slopeStdErr, slopeInterval, maxAbsResidual };
  const pct = `${Math.round(confidence * 100)} %`;
  if (distinctXs < 3 || n < 3)
    return { ...base, verdict: 'too-few-points', reason: `${distinctXs} distinct sizes: linearity needs at least 3` };
  if (ssTot === 0) return { ...base, verdict: 'flat', reason: 'every value is the same' };
  if (slopeInterval !== null && slopeInterval[0] <= 0 && slopeInterval[1] >= 0) {
    return { ...base, verdict: 'flat', reason: `the slope's ${pct} interval contains 0: no growth with size shown` };
  }
  const of = distinctXs < n ? ' of the size means' : '';
  if (r2OfMeans >= minR2) return { ...base, verdict: 'linear', reason: `R²${of} ${r2OfMeans.toFixed(4)} ≥ ${minR2}` };
  return {
    ...base,
    verdict: 'not-linear',
    reason: `R²${of} ${r2OfMeans.toFixed(4)} < ${minR2}: curvature, steps, or noise as large as the growth`,
  };
}

/** The fitted value a + b·x. */
export const predict = (fit: Pick<LinearFit, 'slope' | 'intercept'>, x: number): number => fit.intercept + fit.slope * x;
