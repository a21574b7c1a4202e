// The bounded per-process table of a long watch: live processes always, finished ones kept by peak, the rest counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessTable } from '../../src/live/process-table.js';
import type { ProcessSeen } from '../../src/sample/protocol.js';

const proc = (pid: number, maxRssBytes: number, t = 0): ProcessSeen => ({
  pid,
  ppid: 1,
  name: `p${pid}`,
  cmdline: `p${pid}`,
  firstSeenMs: t,
  lastSeenMs: t,
  maxRssBytes,
  vmHwmBytes: null,
  maxPssBytes: null,
  maxUssBytes: null,
  maxVmDataBytes: null,
});

test('thousands of short-lived children: live ones stay, the largest finished ones are kept, the rest counted', () => {
  const table = new ProcessTable(10);
  table.fold([proc(1, 5000)], [1]);
  for (let i = 0; i < 5000; i++) {
    const pid = 100 + i;
    table.fold([proc(pid, i === 1234 ? 1e9 : (i % 97) * 1000, i)], [1, pid]); // seen live
    table.fold([proc(pid, 0, i + 1)], [1]); // then ended
  }
  const list = table.list();
  assert.equal(list[0]!.pid, 1, 'live first');
  assert.equal(list.length, 11);
  assert.equal(table.finishedNotKept, 5000 - 10);
  assert.equal(list[1]!.pid, 1334, 'the largest finished one is kept');
  assert.equal(list[1]!.maxRssBytes, 1e9, 'maxima merged across views');
  assert.deepEqual(
    list.slice(2).map((p) => p.maxRssBytes),
    Array(9).fill(96_000),
  );
  assert.equal(list[1]!.lastSeenMs, 1235);
});

test('a live process merges its views: maxima, widest window, latest name after exec', () => {
  const table = new ProcessTable(5);
  table.fold([{ ...proc(7, 10), vmHwmBytes: 40, name: 'sh' }], [7]);
  table.fold([{ ...proc(7, 30, 5), vmHwmBytes: 20, maxPssBytes: 8, name: 'python3' }], [7]);
  const [p] = table.list();
  assert.deepEqual(
    { max: p!.maxRssBytes, hwm: p!.vmHwmBytes, pss: p!.maxPssBytes, first: p!.firstSeenMs, last: p!.lastSeenMs, name: p!.name },
    { max: 30, hwm: 40, pss: 8, first: 0, last: 5, name: 'python3' },
  );
  assert.equal(table.liveCount, 1);
  assert.equal(table.finishedNotKept, 0);
});

test('live processes in tree order, not pid order: pids wrap, so a child may have the smaller pid', () => {
  const table = new ProcessTable(5);
  const at = (pid: number, ppid: number, t: number): ProcessSeen => ({ ...proc(pid, 10, t), ppid });
  // The root 32552 forks 32760, then (pids wrapped at pid_max) 429, which forks 430; 77 is another root seen later.
  table.fold([at(32552, 1, 0), at(32760, 32552, 1), at(429, 32552, 2), at(430, 429, 3), at(77, 1, 0.5)], [32552, 32760, 429, 430, 77]);
  assert.deepEqual(
    table.list().map((p) => p.pid),
    [32552, 32760, 429, 430, 77],
  );
  // Parents whose views name each other (a pid reused): neither has a top, both are still listed.
  const cyc = new ProcessTable(5);
  cyc.fold([at(5, 6, 0), at(6, 5, 1)], [5, 6]);
  assert.deepEqual(
    cyc.list().map((p) => p.pid),
    [5, 6],
  );
});
