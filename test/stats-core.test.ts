// The low-level statistics shared by the sampler thread and the analyses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentileSorted } from '../src/stats-core.js';

test('percentileSorted: nearest rank', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentileSorted(xs, 0.99), 99);
  assert.equal(percentileSorted(xs, 0.5), 50);
  assert.equal(percentileSorted([], 0.5), null);
});
