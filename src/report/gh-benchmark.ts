// github-action-benchmark, tool "customSmallerIsBetter": [{ name, unit, value, range, extra }], one entry per
// (benchmark, size) in bytes (median) and one per benchmark for the fitted cost per unit.
import type { SuiteResult } from '../document/suite.js';
import { formatBytesFine, formatSize, type SuiteExporter } from './suite-rows.js';

export interface GhBenchmarkEntry {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly range?: string;
  readonly extra?: string;
}

export function suiteGhBenchmark(doc: SuiteResult): GhBenchmarkEntry[] {
  const out: GhBenchmarkEntry[] = [];
  for (const b of doc.benchmarks) {
    for (const s of b.sizes) {
      if (!s.stats) continue;
      out.push({
        name: `${b.name} / ${formatSize(s.size, b.unit)}`,
        unit: 'bytes',
        value: s.stats.median,
        range: `± ${Math.round(s.stats.stddev)}`,
        extra: `${b.metric}; min ${s.stats.min}, max ${s.stats.max} over ${s.stats.n} runs`,
      });
    }
    if (b.fit) {
      out.push({
        name: `${b.name} / per ${b.unit}`,
        unit: `bytes/${b.unit}`,
        value: b.fit.slopeBytesPerUnit,
        ...(b.fit.slopeStdErrBytes !== null ? { range: `± ${formatBytesFine(b.fit.slopeStdErrBytes)}` } : {}),
        extra: `least-squares slope; R² ${b.fit.r2.toFixed(4)} (${b.fit.verdict})`,
      });
    }
  }
  return out;
}

export const exporter: SuiteExporter = {
  flag: 'gh-benchmark',
  describe: 'github-action-benchmark JSON (tool: customSmallerIsBetter)',
  render: (doc) => `${JSON.stringify(suiteGhBenchmark(doc), null, 2)}\n`,
};
