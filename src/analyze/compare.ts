// Regression test between a baseline and a current measurement: a change must be both material (past a
// threshold) and significant (Welch's t-test across repeats, or non-overlapping ranges) to count.
import { computeStats } from './stats.js';
import { studentTCdf } from './student-t.js';

export const name = 'compare';
export const description =
  'noise-aware regression test: change ≥ threshold AND significant (Welch t-test on repeats, or ranges that do not overlap)';

export interface CompareOptions {
  /** Smallest relative change that matters, as a ratio of the baseline (0.1 = 10 %). */
  readonly thresholdRatio: number;
  /** Significance level of the one-sided test. */
  readonly alpha: number;
  /** Smallest absolute change that matters, in the measurement's unit (bytes). */
  readonly minDiff: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { thresholdRatio: 0.1, alpha: 0.05, minDiff: 0 };

/** Repeated values of one thing (one benchmark at one size), or an estimate with its standard error (a fitted slope). */
export type Measurement =
  | { readonly kind: 'samples'; readonly values: readonly number[] }
  | { readonly kind: 'estimate'; readonly value: number; readonly stdErr: number | null; readonly df: number | null };

/** One thing measured, as found in a document: which benchmark, which row of it, in which metric and unit. */
export interface Series {
  readonly benchmark: string;
  /** The row within the benchmark: a size ("200"), "per unit", or "" for a benchmark with one row. */
  readonly label: string;
  readonly metric: string;
  readonly unit: string;
  readonly measurement: Measurement;
}

/**
 * - `welch`: both sides have ≥ 2 values; one-sided Welch t-test on the means.
 * - `ranges`: a side has 1 value; significant only when [min, max] of the two sides do not overlap.
 * - `exact`: both sides have ≥ 2 values and no spread at all; significant when the means differ.
 * - `slope-t`: two estimates with standard errors; t = Δ / sqrt(SE₁² + SE₂²), Welch–Satterthwaite df.
 * - `none`: no test possible (an estimate without a standard error); never significant.
 */
export type TestKind = 'welch' | 'ranges' | 'exact' | 'slope-t' | 'none';
export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'incomparable';

export interface Side {
  /** Median of the values, or the estimate. */
  readonly center: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export interface ComparisonRow {
  readonly benchmark: string;
  readonly label: string;
  readonly metric: string;
  readonly unit: string;
  readonly baseline: Side;
  readonly current: Side;
  /** current.center − baseline.center. */
  readonly diff: number;
  /** diff / |baseline.center|; null when the baseline is 0. */
  readonly change: number | null;
  readonly test: TestKind;
  /** One-sided p-value in the direction of the change; null when no p-value exists (ranges, none). */
  readonly pValue: number | null;
  readonly significant: boolean;
  /** |diff| ≥ max(thresholdRatio·|baseline|, minDiff) and diff ≠ 0. */
  readonly material: boolean;
  readonly verdict: Verdict;
  readonly note: string | null;
}

export interface Comparison {
  readonly options: CompareOptions;
  readonly rows: readonly ComparisonRow[];
  /** benchmark · label of series in the baseline and not in the current document (removed or renamed). */
  readonly onlyInBaseline: readonly string[];
  /** … in the current document and not in the baseline (new; nothing to compare against). */
  readonly onlyInCurrent: readonly string[];
  readonly regressions: number;
  readonly improvements: number;
}

export interface Tested {
  readonly test: TestKind;
  readonly pValue: number | null;
  readonly significant: boolean;
  /** Sign of the difference the test looked at (means, estimates, or ranges): 1 up, −1 down, 0 none. */
  readonly direction: -1 | 0 | 1;
}

function sideOf(m: Measurement): Side | null {
  if (m.kind === 'estimate') return Number.isFinite(m.value) ? { center: m.value, min: m.value, max: m.value, n: 1 } : null;
  const s = computeStats(m.values);
  return s && { center: s.median, min: s.min, max: s.max, n: s.n };
}

/**
 * Welch's t-test, one-sided in the direction of the observed difference of means:
 *   t = (x̄₂ − x̄₁) / sqrt(s₁²/n₁ + s₂²/n₂),
 *   df = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1)),
 *   p = P(T_df ≥ |t|).
 * With one value on a side there is no variance: the ranges test is used instead (significant when the
 * current values all lie beyond every baseline value, i.e. min₂ > max₁ or max₂ < min₁).
 */
export function testSamples(baseline: readonly number[], current: readonly number[], alpha: number): Tested {
  const a = computeStats(baseline);
  const b = computeStats(current);
  if (!a || !b) return { test: 'none', pValue: null, significant: false, direction: 0 };
  if (a.n < 2 || b.n < 2) {
    const direction = b.min > a.max ? 1 : b.max < a.min ? -1 : 0;
    return { test: 'ranges', pValue: null, significant: direction !== 0, direction };
  }
  const va = (a.stddev * a.stddev) / a.n;
  const vb = (b.stddev * b.stddev) / b.n;
  const diff = b.mean - a.mean;
  const direction = Math.sign(diff) as -1 | 0 | 1;
  if (va + vb === 0) return { test: 'exact', pValue: diff === 0 ? 1 : 0, significant: diff !== 0, direction };
  const t = diff / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const p = 1 - studentTCdf(Math.abs(t), df);
  return { test: 'welch', pValue: p, significant: p < alpha, direction };
}

/** Two estimates with standard errors (e.g. fitted slopes): t = Δ / sqrt(SE₁² + SE₂²), one-sided, Welch–Satterthwaite df. */
export function testEstimates(
  a: { value: number; stdErr: number | null; df: number | null },
  b: { value: number; stdErr: number | null; df: number | null },
  alpha: number,
): Tested {
  const diff = b.value - a.value;
  const direction = Math.sign(diff) as -1 | 0 | 1;
  if (a.stdErr === null || b.stdErr === null || a.df === null || b.df === null || a.df < 1 || b.df < 1)
    return { test: 'none', pValue: null, significant: false, direction };
  const va = a.stdErr ** 2;
  const vb = b.stdErr ** 2;
  if (va + vb === 0) return { test: 'exact', pValue: diff === 0 ? 1 : 0, significant: diff !== 0, direction };
  const t = diff / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / ((va * va) / a.df + (vb * vb) / b.df);
  const p = 1 - studentTCdf(Math.abs(t), df);
  return { test: 'slope-t', pValue: p, significant: p < alpha, direction };
}

/**
 * The regression rule, for one series: a row is `regressed` when the current value is higher than the
 * baseline by at least max(thresholdRatio·|baseline|, minDiff) AND the increase is significant at `alpha`;
 * `improved` for the same the other way round; `unchanged` otherwise. Smaller is better (bytes).
 */
export function compareMeasurements(baseline: Series, current: Series, opts: CompareOptions): ComparisonRow {
  const a = sideOf(baseline.measurement);
  const b = sideOf(current.measurement);
  const head = { benchmark: current.benchmark, label: current.label, metric: current.metric, unit: current.unit };
  const empty: Side = { center: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const incomparable = (note: string): ComparisonRow => ({
    ...head,
    baseline: a ?? empty,
    current: b ?? empty,
    diff: Number.NaN,
    change: null,
    test: 'none',
    pValue: null,
    significant: false,
    material: false,
    verdict: 'incomparable',
    note,
  });
  if (baseline.metric !== current.metric) return incomparable(`baseline measured ${baseline.metric}, current ${current.metric}`);
  if (baseline.unit !== current.unit) return incomparable(`baseline unit ${baseline.unit}, current ${current.unit}`);
  if (!a || !b) return incomparable(!a ? 'no baseline values' : 'no current values');
  const diff = b.center - a.center;
  const change = a.center === 0 ? null : diff / Math.abs(a.center);
  const material = diff !== 0 && Math.abs(diff) >= Math.max(opts.thresholdRatio * Math.abs(a.center), opts.minDiff);
  const bm = baseline.measurement;
  const cm = current.measurement;
  let tested: Tested;
  if (bm.kind === 'samples' && cm.kind === 'samples') tested = testSamples(bm.values, cm.values, opts.alpha);
  else if (bm.kind === 'estimate' && cm.kind === 'estimate') tested = testEstimates(bm, cm, opts.alpha);
  else return incomparable('one side is a fitted estimate, the other repeated values');
  // The test looks at means, the change at medians: both must point the same way (an outlier can split them).
  const agrees = tested.direction === Math.sign(diff);
  const verdict: Verdict = material && tested.significant && agrees ? (diff > 0 ? 'regressed' : 'improved') : 'unchanged';
  const note =
    tested.test === 'none'
      ? 'no test possible: no spread known on one side'
      : material && tested.significant && !agrees
        ? 'mean and median moved in opposite directions'
        : null;
  const { direction: _direction, ...shown } = tested;
  return { ...head, baseline: a, current: b, diff, change, ...shown, material, verdict, note };
}

const keyOf = (s: Pick<Series, 'benchmark' | 'label'>): string => (s.label === '' ? s.benchmark : `${s.benchmark} · ${s.label}`);

/** Pairs series by benchmark and label, compares each pair, and lists what is only on one side. */
export function compareSeries(
  baseline: readonly Series[],
  current: readonly Series[],
  opts: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): Comparison {
  const base = new Map(baseline.map((s) => [keyOf(s), s]));
  const seen = new Set<string>();
  const rows: ComparisonRow[] = [];
  const onlyInCurrent: string[] = [];
  for (const cur of current) {
    const k = keyOf(cur);
    const old = base.get(k);
    if (!old) {
      onlyInCurrent.push(k);
      continue;
    }
    seen.add(k);
    rows.push(compareMeasurements(old, cur, opts));
  }
  const onlyInBaseline = baseline.map(keyOf).filter((k) => !seen.has(k));
  return {
    options: opts,
    rows,
    onlyInBaseline,
    onlyInCurrent,
    regressions: rows.filter((r) => r.verdict === 'regressed').length,
    improvements: rows.filter((r) => r.verdict === 'improved').length,
  };
}
