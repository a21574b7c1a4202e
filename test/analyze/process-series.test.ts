// The per-process grid (bounded, self-coarsening, maxima kept) and the series built from it (top K, the rest summed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_READ, ProcessGrid } from '../../src/sample/process-grid.js';
import { buildProcessSeries } from '../../src/analyze/process-series.js';

test('grid: within its size, one bucket per pass, exact values, NO_READ where a process was not read', () => {
  const g = new ProcessGrid(8);
  for (let p = 0; p < 5; p++) {
    g.beginPass(p * 10);
    g.record(1, 100 + p);
    if (p >= 2 && p !== 3) g.record(2, 50 * p);
  }
  const out = g.output();
  assert.equal(out.passesPerBucket, 1);
  assert.deepEqual([...out.tMs], [0, 10, 20, 30, 40]);
  assert.deepEqual(
    out.series.map((s) => [s.pid, s.firstBucket, [...s.rssKib]]),
    [
      [1, 0, [100, 101, 102, 103, 104]],
      [2, 2, [100, NO_READ, 200]],
    ],
  );
});

test('grid: past its size, buckets merge pairwise keeping the first time and the maximum; size stays bounded', () => {
  const g = new ProcessGrid(4);
  // pid 7: a single spike at pass 5 of 20; pid 8 lives from pass 9 on.
  for (let p = 0; p < 20; p++) {
    g.beginPass(p);
    g.record(7, p === 5 ? 999 : 1);
    if (p >= 9) g.record(8, p);
  }
  const out = g.output();
  assert.equal(out.passesPerBucket, 8, '20 passes into ≤ 4 buckets: 8 per bucket');
  assert.deepEqual([...out.tMs], [0, 8, 16]);
  const s7 = out.series.find((s) => s.pid === 7)!;
  assert.deepEqual([...s7.rssKib], [999, 1, 1], 'the spike survives the merging');
  const s8 = out.series.find((s) => s.pid === 8)!;
  assert.equal(s8.firstBucket, 1);
  assert.deepEqual([...s8.rssKib], [15, 19]);
});

test('series: the K largest by peak, largest first, the others summed per bucket before thinning', () => {
  const g = new ProcessGrid(64);
  // 5 processes, peaks 10..50 KiB; pids 1 and 2 (the smallest) alive at different times.
  for (let p = 0; p < 10; p++) {
    g.beginPass(p * 5);
    if (p < 5) g.record(1, 10);
    if (p >= 5) g.record(2, 20);
    g.record(3, 30);
    g.record(4, p === 9 ? 40 : 4);
    g.record(5, 50);
  }
  const names = new Map([
    [3, 'c'],
    [4, 'd'],
    [5, 'e'],
  ]);
  const s = buildProcessSeries(g.output(), names, { maxProcesses: 3, maxPoints: 5 })!;
  assert.deepEqual(
    s.processes.map((p) => [p.pid, p.name, p.peakBytes]),
    [
      [5, 'e', 50 * 1024],
      [4, 'd', 40 * 1024],
      [3, 'c', 30 * 1024],
    ],
  );
  assert.equal(s.readsPerPoint, 2);
  assert.deepEqual(s.tMs, [0, 10, 20, 30, 40]);
  assert.deepEqual(
    s.processes[1]!.rssBytes,
    [4, 4, 4, 4, 40].map((k) => k * 1024),
  );
  // pids 1 and 2 never overlap: per read their sum is 10 then 20 KiB, never 30.
  assert.deepEqual(s.other, { count: 2, rssBytes: [10, 10, 20, 20, 20].map((k) => k * 1024) });
});

test('series: nothing read gives null; names fall back to the pid', () => {
  assert.equal(buildProcessSeries(new ProcessGrid(4).output(), new Map()), null);
  const g = new ProcessGrid(4);
  g.beginPass(0);
  g.record(42, 8);
  const s = buildProcessSeries(g.output(), new Map())!;
  assert.deepEqual(s.processes, [{ pid: 42, name: 'pid 42', peakBytes: 8192, rssBytes: [8192] }]);
  assert.equal(s.other, null);
});
