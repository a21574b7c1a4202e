// Rows of a suite result and of a comparison, built once and shared by the terminal and Markdown renderers;
// and the one interface every suite exporter (Markdown, CSV, BMF, github-action-benchmark) implements.
import type { Comparison, ComparisonRow } from '../analyze/compare.js';
import type { SuiteBenchmark, SuiteResult } from '../document/suite.js';
import type { Exporter } from './exporter.js';
import { formatBytes, formatPercent } from './units.js';

/** A suite export format (--markdown, --csv, --bmf, --gh-benchmark), rendered with the comparison when there is one. */
export type SuiteExporter = Exporter<SuiteResult, Comparison | null>;

export type Align = 'l' | 'r';

export interface Table {
  readonly header: readonly string[];
  readonly align: readonly Align[];
  readonly rows: readonly (readonly string[])[];
}

/** Bytes with the precision a per-unit cost needs: 1.07 B, 38.5 B, 1.41 KiB. */
export function formatBytesFine(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '—';
  const a = Math.abs(bytes);
  if (a < 10) return `${bytes.toFixed(2)} B`;
  if (a < 100) return `${bytes.toFixed(1)} B`;
  if (a < 1024) return `${bytes.toFixed(0)} B`;
  if (a < 1024 ** 2) return `${(bytes / 1024).toFixed(a < 10 * 1024 ? 2 : 1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(a < 10 * 1024 ** 2 ? 2 : 1)} MiB`;
}

const BYTE_UNITS = new Set(['byte', 'bytes', 'B']);

/** A size as the user thinks of it: 1 KiB / 1 MiB for byte-sized benchmarks, the bare number otherwise. */
export function formatSize(size: number, unit: string): string {
  if (!BYTE_UNITS.has(unit) || size < 1024) return String(size);
  for (const [factor, u] of [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ] as const) {
    if (size >= factor) return Number.isInteger(size / factor) ? `${size / factor} ${u}` : formatBytes(size);
  }
  return String(size);
}

export const perUnitName = (unit: string): string => (BYTE_UNITS.has(unit) ? 'B of size' : unit);

export const metricLabel = (b: Pick<SuiteBenchmark, 'metric' | 'backend'>): string =>
  b.metric === 'retainedBytes'
    ? 'retained (V8 heap + external, after GC)'
    : b.metric === 'treeAnonPeakBytes'
      ? 'tree anon peak'
      : `tree peak${b.backend?.startsWith('cgroup') ? ' (cgroup counter)' : ''}`;

export function benchmarkHeading(b: SuiteBenchmark): string {
  return `${b.name} · ${b.kind}${b.command ? ` \`${b.command}\`` : ''} · ${metricLabel(b)} · ${b.runs} run${b.runs === 1 ? '' : 's'} per size`;
}

export function sizeTable(b: SuiteBenchmark): Table {
  return {
    header: ['size', 'median', 'min', 'max', 'σ'],
    align: ['r', 'r', 'r', 'r', 'r'],
    rows: b.sizes.map((s) => [
      formatSize(s.size, b.unit),
      formatBytes(s.stats?.median),
      formatBytes(s.stats?.min),
      formatBytes(s.stats?.max),
      formatBytes(s.stats?.stddev),
    ]),
  };
}

/** "1.41 KiB per job + 12.0 KiB fixed · R² 0.9999 · linear" or why there is no fit. */
export function fitLine(b: SuiteBenchmark): string {
  const f = b.fit;
  if (!f) return 'no fit: needs at least 2 sizes';
  const ci = f.slopeIntervalBytes
    ? ` (95 % ${formatBytesFine(f.slopeIntervalBytes[0])} … ${formatBytesFine(f.slopeIntervalBytes[1])})`
    : '';
  return `${formatBytesFine(f.slopeBytesPerUnit)} per ${perUnitName(b.unit)}${ci} + ${formatBytes(f.interceptBytes)} fixed · R² ${f.r2OfMeans.toFixed(4)} · ${f.verdict}${f.verdict === 'linear' ? '' : ` (${f.reason})`}`;
}

export function expectLine(b: SuiteBenchmark): string | null {
  if (!b.expect) return null;
  const v = b.expectVerdict;
  const what =
    v === 'within'
      ? 'within'
      : v === 'no-fit'
        ? 'not checked: no fit'
        : v === 'below'
          ? 'BELOW the range'
          : v === 'above'
            ? 'ABOVE the range'
            : 'not checked';
  return `expect ${b.expect.perUnit.text} per ${perUnitName(b.unit)}: ${what}`;
}

export const expectFailed = (b: SuiteBenchmark): boolean => b.expectVerdict === 'below' || b.expectVerdict === 'above';

const formatChange = (r: ComparisonRow): string =>
  r.change === null ? (r.diff === 0 ? '0 %' : 'from 0') : `${r.change >= 0 ? '+' : ''}${formatPercent(r.change)}`;

function formatValue(r: ComparisonRow, v: number): string {
  return r.unit === 'bytes' ? formatBytes(v) : `${formatBytesFine(v)}/${r.unit.replace(/^bytes\//, '')}`;
}

function formatTest(r: ComparisonRow): string {
  if (r.test === 'welch' || r.test === 'slope-t')
    return `${r.test === 'welch' ? 'Welch' : 'slope t'} p=${r.pValue! < 0.001 ? '<0.001' : r.pValue!.toFixed(3)}`;
  if (r.test === 'ranges') return r.significant ? 'ranges apart' : 'ranges overlap';
  if (r.test === 'exact') return r.significant ? 'no spread, differ' : 'no spread, equal';
  return '—';
}

export const VERDICT_TEXT: Record<ComparisonRow['verdict'], string> = {
  regressed: 'REGRESSED',
  improved: 'improved',
  unchanged: 'unchanged',
  incomparable: 'incomparable',
};

export function comparisonTable(c: Comparison): Table {
  return {
    header: ['benchmark', 'row', 'baseline', 'current', 'change', 'test', 'verdict'],
    align: ['l', 'l', 'r', 'r', 'r', 'l', 'l'],
    rows: c.rows.map((r) => [
      r.benchmark,
      r.label,
      formatValue(r, r.baseline.center),
      formatValue(r, r.current.center),
      formatChange(r),
      formatTest(r),
      `${VERDICT_TEXT[r.verdict]}${r.note ? ` (${r.note})` : ''}`,
    ]),
  };
}

/** "2 regressions, 1 improvement; thresholds …" */
export function comparisonSummary(c: Comparison): string {
  const o = c.options;
  const parts = [
    `${c.regressions} regression${c.regressions === 1 ? '' : 's'}`,
    `${c.improvements} improvement${c.improvements === 1 ? '' : 's'}`,
    `${c.rows.length} row${c.rows.length === 1 ? '' : 's'} compared`,
  ];
  const rule = `a row regresses when it grows ≥ ${formatPercent(o.thresholdRatio, 0)}${o.minDiff > 0 ? ` and ≥ ${formatBytes(o.minDiff)}` : ''} and the growth is significant at α = ${o.alpha}`;
  return `${parts.join(', ')} · ${rule}`;
}

export function comparisonExtras(c: Comparison): string[] {
  const out: string[] = [];
  if (c.onlyInBaseline.length > 0) out.push(`only in the baseline (not compared): ${c.onlyInBaseline.join('; ')}`);
  if (c.onlyInCurrent.length > 0) out.push(`new, no baseline yet: ${c.onlyInCurrent.join('; ')}`);
  return out;
}
