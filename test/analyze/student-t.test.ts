import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logGamma, studentTCdf, studentTQuantile } from '../../src/analyze/student-t.js';

const close = (a: number, b: number, eps: number): void => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('logGamma matches factorials and Γ(½) = √π', () => {
  close(logGamma(5), Math.log(24), 1e-12);
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12);
  close(logGamma(10.5), 13.940625219403763, 1e-10);
});

test('studentTCdf and its quantiles agree with published tables', () => {
  // Two-sided 95 % critical values: df 1, 4, 10, 30.
  for (const [df, t] of [
    [1, 12.706205],
    [4, 2.776445],
    [10, 2.228139],
    [30, 2.042272],
  ] as const) {
    close(studentTQuantile(0.975, df), t, 1e-5);
    close(studentTCdf(t, df), 0.975, 1e-7);
  }
  close(studentTCdf(0, 7), 0.5, 1e-12);
  close(studentTCdf(-2, 10), 1 - studentTCdf(2, 10), 1e-12);
  close(studentTCdf(2, 10), 0.963306, 1e-6);
  // df = 1 is the Cauchy distribution: F(t) = ½ + atan(t)/π
  close(studentTCdf(3, 1), 0.5 + Math.atan(3) / Math.PI, 1e-10);
  // Non-integer df (Welch–Satterthwaite) is fine.
  assert.ok(studentTCdf(2, 7.5) > studentTCdf(2, 7) && studentTCdf(2, 7.5) < studentTCdf(2, 8));
});
