// The progress bar's time left: never "NaN" or "Infinity" (cli-progress's own ETA before the first step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etaText } from '../../src/cli/progress.js';

test('etaText: seconds, then minutes and seconds; no estimate is a dash', () => {
  assert.equal(etaText(1200), '2s');
  assert.equal(etaText(0), '0s');
  assert.equal(etaText(125_000), '2m05s');
  assert.equal(etaText(Number.NaN), '—');
  assert.equal(etaText(Number.POSITIVE_INFINITY), '—');
  assert.equal(etaText(-5), '—');
});
