import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareMeasurements,
  compareSeries,
  testEstimates,
  testSamples,
  type CompareOptions,
  type Series,
} from '../../src/analyze/compare.js';

const OPTS: CompareOptions = { thresholdRatio: 0.1, alpha: 0.05, minDiff: 0 };
const samples = (benchmark: string, label: string, values: number[], metric = 'retainedBytes'): Series => ({
  benchmark,
  label,
  metric,
  unit: 'bytes',
  measurement: { kind: 'samples', values },
});

test('Welch t-test: one-sided p in the direction of the difference, Welch–Satterthwaite df', () => {
  // a: mean 20, s² = 2.5 (n 5); b: mean 23, s² = 10 (n 5) → t = 3/√2.5 = 1.897, df = 6.25²/(0.25/4 + 4/4) = 5.882…
  const r = testSamples([18, 19, 20, 21, 22], [19, 21, 23, 25, 27], 0.05);
  assert.equal(r.test, 'welch');
  assert.equal(r.direction, 1);
  assert.ok(Math.abs(r.pValue! - 0.0538) < 0.001, String(r.pValue));
  assert.equal(r.significant, false);
  assert.equal(testSamples([18, 19, 20, 21, 22], [19, 21, 23, 25, 27], 0.1).significant, true);
});

test('with one value on a side the ranges must not overlap; without spread any difference is exact', () => {
  assert.deepEqual(testSamples([100, 110, 120], [125], 0.05), { test: 'ranges', pValue: null, significant: true, direction: 1 });
  assert.equal(testSamples([100, 110, 120], [115], 0.05).significant, false);
  assert.deepEqual(testSamples([100, 100], [101, 101], 0.05), { test: 'exact', pValue: 0, significant: true, direction: 1 });
  assert.equal(testSamples([100, 100], [100, 100], 0.05).significant, false);
});

test('a regression needs both: past the threshold AND significant', () => {
  const base = [1000, 1002, 998, 1001, 999];
  // +20 %, tight: regressed
  assert.equal(
    compareMeasurements(
      samples('b', '1', base),
      samples(
        'b',
        '1',
        base.map((v) => v * 1.2),
      ),
      OPTS,
    ).verdict,
    'regressed',
  );
  // +5 %, tight: significant but below the threshold
  const small = compareMeasurements(
    samples('b', '1', base),
    samples(
      'b',
      '1',
      base.map((v) => v * 1.05),
    ),
    OPTS,
  );
  assert.equal(small.significant, true);
  assert.equal(small.material, false);
  assert.equal(small.verdict, 'unchanged');
  // +20 % in the median, but spread so wide it is noise
  const noisy = compareMeasurements(samples('b', '1', [500, 1000, 1500, 800, 1200]), samples('b', '1', [400, 1200, 1900, 700, 1300]), OPTS);
  assert.equal(noisy.material, true);
  assert.equal(noisy.verdict, 'unchanged');
  // −20 %: improved
  assert.equal(
    compareMeasurements(
      samples('b', '1', base),
      samples(
        'b',
        '1',
        base.map((v) => v * 0.8),
      ),
      OPTS,
    ).verdict,
    'improved',
  );
  // minDiff: 20 % of 1000 B is below a 4 KiB floor
  assert.equal(
    compareMeasurements(
      samples('b', '1', base),
      samples(
        'b',
        '1',
        base.map((v) => v * 1.2),
      ),
      { ...OPTS, minDiff: 4096 },
    ).verdict,
    'unchanged',
  );
});

test('fitted slopes compare with t = Δ/√(SE₁² + SE₂²); no standard error means no test', () => {
  const r = testEstimates({ value: 1000, stdErr: 10, df: 18 }, { value: 1200, stdErr: 10, df: 18 }, 0.05);
  assert.equal(r.test, 'slope-t');
  assert.ok(r.pValue! < 1e-6);
  assert.equal(testEstimates({ value: 1000, stdErr: null, df: null }, { value: 1200, stdErr: 10, df: 18 }, 0.05).test, 'none');
});

test('compareSeries pairs by benchmark and row, lists what is on one side only, refuses different metrics', () => {
  const c = compareSeries(
    [samples('a', '10', [1, 1]), samples('a', '20', [2, 2]), samples('gone', '1', [5, 5]), samples('m', '1', [1, 1], 'treePeakBytes')],
    [samples('a', '10', [1, 1]), samples('a', '20', [3, 3]), samples('new', '1', [5, 5]), samples('m', '1', [1, 1], 'treeAnonPeakBytes')],
    OPTS,
  );
  assert.deepEqual(
    c.rows.map((r) => `${r.benchmark}/${r.label}:${r.verdict}`),
    ['a/10:unchanged', 'a/20:regressed', 'm/1:incomparable'],
  );
  assert.deepEqual(c.onlyInBaseline, ['gone · 1']);
  assert.deepEqual(c.onlyInCurrent, ['new · 1']);
  assert.equal(c.regressions, 1);
});
