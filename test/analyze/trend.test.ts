// Robust trend statistics: Theil–Sen on exact and contaminated lines, its rank interval, quantiles, subsampling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extent, quantile, segmentQuantiles, subsample, theilSen } from '../../src/analyze/trend.js';
import { series } from './synthetic.js';

test('theilSen: an exact line gives its slope (bytes per second) and a zero-width interval', () => {
  const s = { tMs: [0, 100, 200, 300, 400], bytes: [10, 20, 30, 40, 50] };
  const fit = theilSen(s)!;
  assert.equal(fit.slopeBytesPerSec, 100);
  assert.equal(fit.lowBytesPerSec, 100);
  assert.equal(fit.highBytesPerSec, 100);
});

test('theilSen: 20 % wild outliers do not move the slope much; the interval contains it', () => {
  const clean = series(2000, 10, (t) => 1000 * t);
  const bytes = clean.bytes.map((v, i) => (i % 5 === 0 ? v + 1e9 * ((i % 3) - 1) : v));
  const fit = theilSen({ tMs: clean.tMs, bytes })!;
  assert.ok(Math.abs(fit.slopeBytesPerSec - 1e6) / 1e6 < 0.05, `slope ${fit.slopeBytesPerSec}`);
  assert.ok(fit.lowBytesPerSec <= fit.slopeBytesPerSec && fit.slopeBytesPerSec <= fit.highBytesPerSec);
});

test('theilSen: fewer than 3 points or one instant is null', () => {
  assert.equal(theilSen({ tMs: [0, 1], bytes: [0, 1] }), null);
  assert.equal(theilSen({ tMs: [5, 5, 5], bytes: [0, 1, 2] }), null);
});

test('subsample keeps the ends and at most max points', () => {
  const s = series(999, 1, (t) => t);
  const sub = subsample(s, 100);
  assert.equal(sub.tMs.length, 100);
  assert.equal(sub.tMs[0], 0);
  assert.equal(sub.tMs[99], 999);
});

test('quantile interpolates (type 7); extent and segmentQuantiles on plain lists', () => {
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(quantile([], 0.5), null);
  assert.equal(quantile([7], 0.1), 7);
  assert.deepEqual(extent([3, -1, 2]), { min: -1, max: 3 });
  assert.equal(extent([]), null);
  const seg = segmentQuantiles({ tMs: [0, 1, 2, 3], bytes: [0, 10, 20, 30] }, 0, 4, 2, 0);
  assert.deepEqual(seg, { tMs: [1, 3], bytes: [0, 20] });
  assert.equal(extent(new Array(300_000).fill(1))!.max, 1, 'no argument-spread overflow on long series');
});
