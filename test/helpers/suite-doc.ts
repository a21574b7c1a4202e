// Synthetic suite documents for analysis, store and reporter tests: values per benchmark and size, fitted
// like the runner fits them.
import { computeStats } from '../../src/analyze/stats.js';
import { fitOf } from '../../src/suite/runner.js';
import { SUITE_KIND, SUITE_SCHEMA_VERSION, type SuiteBenchmark, type SuiteResult } from '../../src/document/suite.js';

/** values: benchmark name → size → the values of its repeats (bytes). */
export function suiteDoc(
  values: Record<string, Record<number, readonly number[]>>,
  opts: { unit?: string; kind?: 'in-process' | 'command' } = {},
): SuiteResult {
  const benchmarks: SuiteBenchmark[] = Object.entries(values).map(([name, bySize]) => {
    const sizes = Object.entries(bySize).map(([size, vs]) => ({
      size: Number(size),
      valuesBytes: [...vs],
      stats: computeStats(vs),
      inProcess: null,
      command: null,
    }));
    const b: SuiteBenchmark = {
      name,
      kind: opts.kind ?? 'in-process',
      file: 'x.membench.mjs',
      unit: opts.unit ?? 'item',
      metric: opts.kind === 'command' ? 'treePeakBytes' : 'retainedBytes',
      command: null,
      backend: null,
      runs: Math.max(...sizes.map((s) => s.valuesBytes.length)),
      sizes,
      fit: null,
      expect: null,
      expectVerdict: null,
    };
    b.fit = fitOf(b);
    return b;
  });
  return {
    kind: SUITE_KIND,
    schemaVersion: SUITE_SCHEMA_VERSION,
    tool: { name: 'membench', version: '0.0.0-test' },
    context: {
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:01:00.000Z',
      complete: true,
      hostname: 'test',
      kernel: '6.0.0',
      nodeVersion: 'v20.0.0',
      cpuCount: 2,
    },
    suiteFiles: ['x.membench.mjs'],
    failure: null,
    benchmarks,
  };
}
