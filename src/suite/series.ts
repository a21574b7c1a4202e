// Result documents as comparable series: a suite gives one series per (benchmark, size) plus its fitted cost
// per unit; a `membench run` document gives one series per command (its headline peak over its counted runs).
import { metricOf, runCounts } from '../analyze/summary.js';
import type { Series } from '../analyze/compare.js';
import type { MembenchResult } from '../result.js';
import type { SuiteResult } from '../document/suite.js';

export const PER_UNIT_LABEL = 'per unit';

export function seriesOfSuite(doc: SuiteResult): Series[] {
  return doc.benchmarks.flatMap((b) => {
    const sizes: Series[] = b.sizes
      .filter((s) => s.valuesBytes.length > 0)
      .map((s) => ({
        benchmark: b.name,
        label: String(s.size),
        metric: b.metric,
        unit: 'bytes',
        measurement: { kind: 'samples', values: s.valuesBytes },
      }));
    const fit = b.fit;
    if (!fit) return sizes;
    const perUnit: Series = {
      benchmark: b.name,
      label: PER_UNIT_LABEL,
      metric: b.metric,
      unit: `bytes/${b.unit}`,
      measurement: {
        kind: 'estimate',
        value: fit.slopeBytesPerUnit,
        stdErr: fit.slopeStdErrBytes,
        df: fit.points > 2 ? fit.points - 2 : null,
      },
    };
    return [...sizes, perUnit];
  });
}

/** The headline (peak memory, as the report shows it) when every counted run has one; older documents: the tree peak. */
export function runDocumentMetric(doc: MembenchResult): 'memoryPeakBytes' | 'treePeakBytes' {
  const counted = doc.benchmarks.flatMap((b) => b.runs.filter((r) => runCounts(r, doc.options.ignoreFailure)));
  return counted.length > 0 && counted.every((r) => metricOf(r, 'memoryPeakBytes') !== null) ? 'memoryPeakBytes' : 'treePeakBytes';
}

/** One series per command over its counted runs; `metric` defaults to the document's own headline (runDocumentMetric). */
export function seriesOfRunDocument(doc: MembenchResult, metric: 'memoryPeakBytes' | 'treePeakBytes' = runDocumentMetric(doc)): Series[] {
  return doc.benchmarks.map((b) => ({
    benchmark: b.command,
    label: '',
    metric,
    unit: 'bytes',
    measurement: {
      kind: 'samples',
      values: b.runs
        .filter((r) => runCounts(r, doc.options.ignoreFailure))
        .map((r) => metricOf(r, metric))
        .filter((v): v is number => v !== null),
    },
  }));
}
