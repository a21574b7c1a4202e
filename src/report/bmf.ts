// Bencher Metric Format (https://bencher.dev/docs/reference/bencher-metric-format): benchmark → measure →
// { value, lower_value, upper_value }. Each size is a benchmark "NAME/SIZE" with the measure "memory" (bytes:
// median, min, max); the fit is "NAME/per-UNIT" with the measure "memory-per-unit" (slope and its 95 % interval).
import type { SuiteResult } from '../document/suite.js';
import type { SuiteExporter } from './suite-rows.js';

export interface BmfMetric {
  readonly value: number;
  readonly lower_value?: number;
  readonly upper_value?: number;
}
export type Bmf = Record<string, Record<string, BmfMetric>>;

export function suiteBmf(doc: SuiteResult): Bmf {
  const out: Bmf = {};
  for (const b of doc.benchmarks) {
    for (const s of b.sizes) {
      if (!s.stats) continue;
      out[`${b.name}/${s.size}`] = { memory: { value: s.stats.median, lower_value: s.stats.min, upper_value: s.stats.max } };
    }
    if (b.fit) {
      const ci = b.fit.slopeIntervalBytes;
      out[`${b.name}/per-${b.unit}`] = {
        'memory-per-unit': { value: b.fit.slopeBytesPerUnit, ...(ci ? { lower_value: ci[0], upper_value: ci[1] } : {}) },
      };
    }
  }
  return out;
}

export const exporter: SuiteExporter = {
  flag: 'bmf',
  describe: 'Bencher Metric Format JSON (bencher run --adapter json)',
  render: (doc) => `${JSON.stringify(suiteBmf(doc), null, 2)}\n`,
};
