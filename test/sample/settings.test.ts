// The interval policy of run, suite and watch (samplerSettings) and the tick counts the sampler threads use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PSS_BUDGET, samplerSettings, settingsOf, tickCounts } from '../../src/sample/settings.js';

test('run: the PSS tier starts at 50 ms under the 2 % budget; status at 10 ms; marker scan at 50 ms', () => {
  assert.deepEqual(samplerSettings({ use: 'run', intervalMs: 1, pssIntervalMs: null }), {
    intervalMs: 1,
    statusIntervalMs: 10,
    pssIntervalMs: 50,
    pssBudget: 0.02,
    markerScanIntervalMs: 50,
  });
  assert.equal(PSS_BUDGET, 0.02);
});

test('run: no tier faster than --interval', () => {
  assert.deepEqual(samplerSettings({ use: 'run', intervalMs: 80, pssIntervalMs: null }), {
    intervalMs: 80,
    statusIntervalMs: 80,
    pssIntervalMs: 80,
    pssBudget: 0.02,
    markerScanIntervalMs: 80,
  });
  assert.deepEqual(samplerSettings({ use: 'run', intervalMs: 20, pssIntervalMs: null }), {
    intervalMs: 20,
    statusIntervalMs: 20,
    pssIntervalMs: 50,
    pssBudget: 0.02,
    markerScanIntervalMs: 50,
  });
});

test('run: a fixed --pss-interval has no budget, and a PSS interval under 10 ms pulls the status tier with it', () => {
  assert.deepEqual(samplerSettings({ use: 'run', intervalMs: 1, pssIntervalMs: 200 }), {
    intervalMs: 1,
    statusIntervalMs: 10,
    pssIntervalMs: 200,
    pssBudget: null,
    markerScanIntervalMs: 50,
  });
  assert.equal(samplerSettings({ use: 'run', intervalMs: 2, pssIntervalMs: 4 }).statusIntervalMs, 4);
});

test("suite: the run settings at 1 ms (what a suite's command benchmarks always used)", () => {
  assert.deepEqual(samplerSettings({ use: 'suite' }), {
    intervalMs: 1,
    statusIntervalMs: 10,
    pssIntervalMs: 50,
    pssBudget: 0.02,
    markerScanIntervalMs: 50,
  });
});

test('watch: slow tiers at 50 ms, 500 ms and 1 s, stretched to --interval when it is longer', () => {
  assert.deepEqual(samplerSettings({ use: 'watch', intervalMs: 10 }), {
    intervalMs: 10,
    statusIntervalMs: 50,
    pssIntervalMs: 500,
    pssBudget: 0.02,
    markerScanIntervalMs: 1000,
  });
  assert.deepEqual(samplerSettings({ use: 'watch', intervalMs: 2000 }), {
    intervalMs: 2000,
    statusIntervalMs: 2000,
    pssIntervalMs: 2000,
    pssBudget: 0.02,
    markerScanIntervalMs: 2000,
  });
});

test('tickCounts: the nearest whole number of fast ticks, never under one', () => {
  assert.deepEqual(tickCounts(samplerSettings({ use: 'run', intervalMs: 1, pssIntervalMs: null })), {
    statusEveryTicks: 10,
    pssEveryTicks: 50,
    markerScanEveryTicks: 50,
  });
  // 50 / 3 = 16.7 → 17; 10 / 3 = 3.3 → 3
  assert.deepEqual(tickCounts(samplerSettings({ use: 'run', intervalMs: 3, pssIntervalMs: null })), {
    statusEveryTicks: 3,
    pssEveryTicks: 17,
    markerScanEveryTicks: 17,
  });
  assert.deepEqual(tickCounts({ intervalMs: 10, statusIntervalMs: 2, pssIntervalMs: 4, pssBudget: null, markerScanIntervalMs: 1 }), {
    statusEveryTicks: 1,
    pssEveryTicks: 1,
    markerScanEveryTicks: 1,
  });
});

test('settingsOf: the five settings and nothing else of a wider options object', () => {
  const s = samplerSettings({ use: 'watch', intervalMs: 10 });
  assert.deepEqual(settingsOf({ ...s, procRoot: '/proc', timeoutMs: null } as typeof s), s);
});
