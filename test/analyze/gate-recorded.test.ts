// The gate on recorded data (10 real runs of each example suite, test/fixtures/suite/recorded-repeats.json):
// no unchanged re-run is flagged, and a planted 20 % regression always is. Deterministic: no process runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareSeries } from '../../src/analyze/compare.js';
import { seriesOfSuite } from '../../src/suite/series.js';
import { ROOT } from '../helpers/fixtures.js';
import { suiteDoc } from '../helpers/suite-doc.js';

type Run = Record<string, Record<string, number[]>>;
interface Recorded {
  readonly suites: Record<string, { readonly kind: 'in-process' | 'command'; readonly runs: readonly Run[] }>;
}
const recorded = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'suite', 'recorded-repeats.json'), 'utf8')) as Recorded;

const docOf = (run: Run, kind: 'in-process' | 'command') =>
  suiteDoc(
    Object.fromEntries(
      Object.entries(run).map(([name, bySize]) => [name, Object.fromEntries(Object.entries(bySize).map(([s, v]) => [Number(s), v]))]),
    ),
    { kind },
  );

/** Each repeat grows by 20 % of the benchmark's cost per unit × size: what 20 % bigger objects do. */
function plantPerUnit(run: Run, kind: 'in-process' | 'command'): Run {
  const fits = docOf(run, kind).benchmarks;
  return Object.fromEntries(
    Object.entries(run).map(([name, bySize]) => {
      const slope = fits.find((b) => b.name === name)!.fit!.slopeBytesPerUnit;
      return [
        name,
        Object.fromEntries(Object.entries(bySize).map(([s, vs]) => [s, vs.map((v) => Math.round(v + 0.2 * slope * Number(s)))])),
      ];
    }),
  );
}

for (const [suite, { kind, runs }] of Object.entries(recorded.suites)) {
  test(`${suite}: none of the 45 pairs of 10 unchanged runs is flagged`, () => {
    assert.equal(runs.length, 10);
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const c = compareSeries(seriesOfSuite(docOf(runs[i]!, kind)), seriesOfSuite(docOf(runs[j]!, kind)));
        const flagged = c.rows.filter((r) => r.verdict !== 'unchanged').map((r) => `${r.benchmark} ${r.label} ${r.verdict}`);
        assert.deepEqual(flagged, [], `runs ${i + 1} and ${j + 1}`);
      }
    }
  });

  test(`${suite}: a planted 20 % regression is caught in every one of the 10 runs`, () => {
    for (const [i, run] of runs.entries()) {
      const base = docOf(runs[(i + 1) % runs.length]!, kind);
      // Everything 20 % bigger: every row regresses.
      const scaled = Object.fromEntries(
        Object.entries(run).map(([n, by]) => [
          n,
          Object.fromEntries(Object.entries(by).map(([s, vs]) => [s, vs.map((v) => Math.round(v * 1.2))])),
        ]),
      );
      const all = compareSeries(seriesOfSuite(base), seriesOfSuite(docOf(scaled, kind)));
      assert.equal(all.regressions, all.rows.length, `run ${i + 1}`);
      // 20 % more per unit (fixed cost unchanged): the per-unit row and the largest size of every benchmark regress.
      const c = compareSeries(seriesOfSuite(base), seriesOfSuite(docOf(plantPerUnit(run, kind), kind)));
      for (const name of Object.keys(run)) {
        const largest = String(Math.max(...Object.keys(run[name]!).map(Number)));
        for (const label of ['per unit', largest]) {
          const row = c.rows.find((r) => r.benchmark === name && r.label === label)!;
          assert.equal(row.verdict, 'regressed', `run ${i + 1}: ${name} ${label}: ${row.change} ${row.test} p=${row.pValue}`);
        }
      }
      assert.equal(c.improvements, 0);
    }
  });
}
