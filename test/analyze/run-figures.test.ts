// computePeaks with and without the native reaper's exit accounting: which figure wins, and what is said to be exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePeaks, reapedSlackBytes, type ReapedMaxima } from '../../src/analyze/run-figures.js';
import type { ProcessSeen, SamplerColumns } from '../../src/sample/protocol.js';

const MIB = 1024 * 1024;
const f = (xs: number[]): Float64Array => Float64Array.from(xs);

/** Three ticks of one process at `rss`, optionally with a cgroup counter column. */
function columns(rss: number, tree: number | null): SamplerColumns {
  return {
    fast: {
      tMs: f([0, 100, 200]),
      treeBytes: f([tree ?? NaN, tree ?? NaN, tree ?? NaN]),
      rssSumBytes: f([rss, rss, rss]),
      vszSumBytes: f([rss, rss, rss]),
      largestRssBytes: f([rss, rss, rss]),
      processCount: f([1, 1, 1]),
    },
    status: { tMs: f([0]), vmDataSumBytes: f([rss]), anonBytes: f([tree === null ? NaN : rss]), fileBytes: f([tree === null ? NaN : 0]) },
    pss: { tMs: f([0]), pssSumBytes: f([rss]), ussSumBytes: f([rss]), swapSumBytes: f([0]) },
  };
}
const proc = (pid: number, hwm: number, name = 'spike'): ProcessSeen => ({
  pid,
  ppid: 1,
  name,
  cmdline: name,
  firstSeenMs: 0,
  lastSeenMs: 200,
  maxRssBytes: hwm,
  vmHwmBytes: hwm,
  maxPssBytes: null,
  maxUssBytes: null,
  maxVmDataBytes: null,
});

test('no reaper: the largest process is the sampled VmHWM, not exact; the tree is exact only with the cgroup counter', () => {
  const p = computePeaks({ columns: columns(200 * MIB, null), processes: [proc(10, 200 * MIB)], cgroupPeakBytes: null });
  assert.equal(p.largestProcessBytes, 200 * MIB);
  assert.equal(p.largestProcessSource, 'sampled-vmhwm');
  assert.equal(p.reapedMaxRssBytes, null);
  assert.deepEqual(p.exact, { tree: false, largestProcess: false, memory: false });
  const c = computePeaks({ columns: columns(200 * MIB, 250 * MIB), processes: [proc(10, 200 * MIB)], cgroupPeakBytes: 250 * MIB });
  assert.deepEqual(c.exact, { tree: true, largestProcess: false, memory: false });
});

test('a reaped peak above every sampled one is the largest process, exact; its own VmHWM far below: a descendant of it', () => {
  // A child of pid 10 lived between two samples: the sampler saw 1 MiB, the reaper's ru_maxrss for 10 says 300 MiB.
  const reaped: ReapedMaxima = { maxRssBytes: 300 * MIB, pid: 10, complete: true };
  const p = computePeaks({
    columns: columns(1 * MIB, 301 * MIB),
    processes: [proc(10, 1 * MIB), proc(11, 0.5 * MIB, 'sh')],
    cgroupPeakBytes: 301 * MIB,
    reaped,
  });
  assert.equal(p.largestProcessBytes, 300 * MIB);
  // pid 10 held 1 MiB itself: the 300 MiB were a child's it waited for, never seen here, so no process is named; the
  // reaped one is, as the accounting that gave the figure.
  assert.equal(p.largestProcessPid, null);
  assert.equal(p.largestProcessName, null);
  assert.deepEqual(p.largestProcessReapedVia, { pid: 10, name: 'spike' });
  assert.equal(p.largestProcessSource, 'reaped-rusage');
  assert.equal(p.reapedMaxRssBytes, 300 * MIB);
  assert.deepEqual(p.exact, { tree: true, largestProcess: true, memory: true });
  // On the proc backend the same reaped figure becomes the headline over a sampled Σ PSS of 1 MiB.
  const q = computePeaks({ columns: columns(1 * MIB, null), processes: [proc(10, 1 * MIB)], cgroupPeakBytes: null, reaped });
  assert.equal(q.memoryBytes, 300 * MIB);
  assert.equal(q.memorySource, 'largest-process');
  assert.deepEqual(q.exact, { tree: false, largestProcess: true, memory: false });
});

test('a sampled VmHWM a few pages above ru_maxrss (per-CPU counters) keeps the sampled figure, still covered by the reaper', () => {
  const sampled = 300 * MIB + 100 * 1024;
  const p = computePeaks({
    columns: columns(sampled, null),
    processes: [proc(10, sampled)],
    cgroupPeakBytes: null,
    reaped: { maxRssBytes: 300 * MIB, pid: 10, complete: true },
  });
  assert.equal(p.largestProcessBytes, sampled, 'never below what was sampled');
  assert.equal(p.largestProcessSource, 'reaped-rusage');
  assert.equal(p.exact?.largestProcess, true);
});

test('the per-CPU counter slack: 1 MiB on small machines, CPUs × batch pages on big ones', () => {
  assert.equal(reapedSlackBytes(2, 4096), MIB);
  assert.equal(reapedSlackBytes(64, 4096), 64 * 128 * 4096);
});

test('a sampled process far above the reaped maximum escaped the reaper: sampled, not exact', () => {
  const sampled = 300 * MIB;
  const p = computePeaks({
    columns: columns(sampled, null),
    processes: [proc(10, sampled)],
    cgroupPeakBytes: null,
    reaped: { maxRssBytes: 100 * MIB, pid: 12, complete: true },
  });
  assert.equal(p.largestProcessBytes, sampled);
  assert.equal(p.largestProcessPid, 10);
  assert.equal(p.largestProcessSource, 'sampled-vmhwm');
  assert.equal(p.exact?.largestProcess, false);
});

test('a reaper that did not see its tree gone (timed out) gives its figure but does not claim exactness', () => {
  const p = computePeaks({
    columns: columns(1 * MIB, null),
    processes: [proc(10, 1 * MIB)],
    cgroupPeakBytes: null,
    reaped: { maxRssBytes: 50 * MIB, pid: 10, complete: false },
  });
  assert.equal(p.largestProcessBytes, 50 * MIB);
  assert.equal(p.largestProcessSource, 'reaped-rusage');
  assert.equal(p.exact?.largestProcess, false);
});

test("sh -c 'gcc …': sh's ru_maxrss is cc1's peak, named after cc1 when its own reading is that peak; sh's own peak is its own", () => {
  const tree = (cc1Hwm: number): ProcessSeen[] => [
    { ...proc(20, 1.7 * MIB, 'sh'), ppid: 19 },
    { ...proc(21, 2.7 * MIB, 'gcc'), ppid: 20 },
    { ...proc(22, cc1Hwm, 'cc1'), ppid: 21 },
    { ...proc(23, 8.4 * MIB, 'ld'), ppid: 21 },
  ];
  const reaped: ReapedMaxima = { maxRssBytes: 26.5 * MIB, pid: 20, complete: true };
  // cc1's last VmHWM read 26.2 MiB, within the counters' slack of 26.5: it is cc1's peak, reached through sh.
  const p = computePeaks({ columns: columns(26 * MIB, 27 * MIB), processes: tree(26.2 * MIB), cgroupPeakBytes: 27 * MIB, reaped });
  assert.equal(p.largestProcessBytes, 26.5 * MIB);
  assert.equal(p.largestProcessName, 'cc1');
  assert.equal(p.largestProcessPid, 22);
  assert.deepEqual(p.largestProcessReapedVia, { pid: 20, name: 'sh' });
  assert.equal(p.exact?.largestProcess, true);
  // cc1 last read at 21.8 MiB (it climbed after): some process sh waited for, not named.
  const q = computePeaks({ columns: columns(26 * MIB, 27 * MIB), processes: tree(21.8 * MIB), cgroupPeakBytes: 27 * MIB, reaped });
  assert.equal(q.largestProcessName, null);
  assert.deepEqual(q.largestProcessReapedVia, { pid: 20, name: 'sh' });
  // A process that reached its ru_maxrss itself (its own VmHWM within the slack) is named, with no "via".
  const own = computePeaks({
    columns: columns(26 * MIB, 27 * MIB),
    processes: [{ ...proc(20, 26.2 * MIB, 'sort'), ppid: 19 }],
    cgroupPeakBytes: 27 * MIB,
    reaped: { maxRssBytes: 26.5 * MIB, pid: 20, complete: true },
  });
  assert.equal(own.largestProcessName, 'sort');
  assert.equal(own.largestProcessReapedVia, undefined);
});
