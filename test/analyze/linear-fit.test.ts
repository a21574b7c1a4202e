import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearFit, predict } from '../../src/analyze/linear-fit.js';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

test('linearFit: exact synthetic data gives the slope, intercept and R² = 1 exactly', () => {
  const xs = [10, 50, 100, 200];
  const ys = xs.map((x) => 20_000 + 1_200 * x);
  const f = linearFit(xs, ys)!;
  close(f.slope, 1200);
  close(f.intercept, 20_000);
  assert.equal(f.r2, 1);
  assert.equal(f.residualStdDev, 0);
  assert.deepEqual(
    f.slopeInterval,
    [1200, 1200].map((v) => f.slope + (v - 1200)),
  );
  assert.equal(f.verdict, 'linear');
  close(predict(f, 1000), 1_220_000);
});

test('linearFit: repeats at each size are points of their own; noise lowers R² and widens the slope interval', () => {
  const xs = [1, 1, 2, 2, 3, 3, 4, 4];
  const ys = [12, 8, 22, 18, 32, 28, 42, 38]; // 10x ± 2 around y = 10x
  const f = linearFit(xs, ys)!;
  close(f.slope, 10);
  close(f.intercept, 0);
  assert.equal(f.points, 8);
  assert.equal(f.distinctXs, 4);
  // SSres = 8·4 = 32, SStot = Σ(y − 25)² = 1032 → R² = 1 − 32/1032
  close(f.r2, 1 - 32 / 1032);
  // s = sqrt(32/6), Sxx = 10 → SE = s/sqrt(10); t(0.975, 6) = 2.446912
  close(f.slopeStdErr!, Math.sqrt(32 / 6) / Math.sqrt(10));
  close(f.slopeInterval![1] - f.slope, 2.446912 * f.slopeStdErr!, 1e-6);
  // The means (10, 20, 30, 40) lie on the line: the verdict reads them, not the repeat noise.
  assert.equal(f.r2OfMeans, 1);
  assert.equal(f.verdict, 'linear');
  assert.equal(linearFit(xs, ys, { minR2: 0.99 })!.verdict, 'linear');
});

test('linearFit: verdicts — flat, not-linear, too few points; null when no line is defined', () => {
  assert.equal(linearFit([1, 2, 3], [5, 5, 5])!.verdict, 'flat');
  assert.equal(linearFit([1, 2, 3, 4, 5, 6], [5, 7, 4, 6, 5, 6])!.verdict, 'flat');
  const quad = linearFit(
    [1, 2, 3, 4, 5, 6],
    [1, 4, 9, 16, 25, 36].map((v) => v * v),
  )!;
  assert.equal(quad.verdict, 'not-linear');
  assert.ok(quad.r2 < 0.98);
  assert.equal(linearFit([1, 2], [3, 5])!.verdict, 'too-few-points');
  assert.equal(linearFit([1, 1, 2, 2], [3, 3, 5, 5])!.verdict, 'too-few-points');
  assert.equal(linearFit([4, 4, 4], [1, 2, 3]), null);
  assert.equal(linearFit([], []), null);
});

test('linearFit: minR2 is the linearity line; caller bugs throw', () => {
  const xs = [1, 2, 3, 4];
  const ys = [10, 21, 29, 41];
  const r2 = linearFit(xs, ys)!.r2OfMeans;
  assert.equal(r2, linearFit(xs, ys)!.r2); // no repeated x: the same number
  assert.equal(linearFit(xs, ys, { minR2: r2 })!.verdict, 'linear');
  assert.equal(linearFit(xs, ys, { minR2: Math.min(1, r2 + 1e-6) })!.verdict, 'not-linear');
  assert.throws(() => linearFit([1, 2], [1]), RangeError);
  assert.throws(() => linearFit([1, Number.NaN], [1, 2]), RangeError);
});
