// CSV: one row per (benchmark, size) with the statistics in bytes, and the benchmark's fit repeated on each row.
import type { SuiteResult } from '../document/suite.js';
import type { SuiteExporter } from './suite-rows.js';

const COLUMNS = [
  'benchmark',
  'kind',
  'metric',
  'unit',
  'size',
  'runs',
  'median_bytes',
  'min_bytes',
  'max_bytes',
  'mean_bytes',
  'stddev_bytes',
  'slope_bytes_per_unit',
  'intercept_bytes',
  'r2',
  'linearity',
  'expect_per_unit',
  'expect_verdict',
] as const;

/** RFC 4180: quote a field holding a comma, quote or line break; double the quotes inside. */
export const csvField = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function suiteCsv(doc: SuiteResult): string {
  const lines: string[] = [COLUMNS.join(',')];
  for (const b of doc.benchmarks) {
    for (const s of b.sizes) {
      const st = s.stats;
      lines.push(
        [
          b.name,
          b.kind,
          b.metric,
          b.unit,
          s.size,
          s.valuesBytes.length,
          st?.median ?? null,
          st?.min ?? null,
          st?.max ?? null,
          st ? Math.round(st.mean) : null,
          st ? Math.round(st.stddev) : null,
          b.fit?.slopeBytesPerUnit ?? null,
          b.fit ? Math.round(b.fit.interceptBytes) : null,
          b.fit?.r2 ?? null,
          b.fit?.verdict ?? null,
          b.expect?.perUnit.text ?? null,
          b.expectVerdict,
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export const exporter: SuiteExporter = { flag: 'csv', describe: 'one CSV row per benchmark and size', render: suiteCsv };
