import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeStats } from '../../src/analyze/stats.js';

test('computeStats: min/median/max/mean and sample standard deviation', () => {
  const s = computeStats([4, 1, 3, 2])!;
  assert.deepEqual({ n: s.n, min: s.min, median: s.median, max: s.max, mean: s.mean }, { n: 4, min: 1, median: 2.5, max: 4, mean: 2.5 });
  // Σ(x−2.5)² = 5, /(n−1) = 5/3
  assert.ok(Math.abs(s.stddev - Math.sqrt(5 / 3)) < 1e-12);
});

test('computeStats: one value has σ 0, none gives null, non-finite values are ignored', () => {
  assert.equal(computeStats([7])!.stddev, 0);
  assert.equal(computeStats([]), null);
  assert.equal(computeStats([Number.NaN, 5])!.n, 1);
});
