// The run's cgroup OOM counters read from its files: a counter file that does not parse is said (file and line),
// never taken for "no counters", and the run's OOM kills are then judged as on the proc backend, with a note.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProbeParseError } from '../../src/probe/errors.js';
import { groupOomCounters, readOomCounters, type RunCgroup } from '../../src/run/cgroup.js';
import { judgeOom } from '../../src/run/oom.js';

const root = mkdtempSync(join(tmpdir(), 'membench-oom-counters-'));
let seq = 0;

/** A run's group as far as the counters go: its memory directory holding `files`. */
function group(version: 1 | 2, files: Record<string, string>): RunCgroup {
  const dir = join(root, `g${seq++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { plan: { memory: { version, dir } } } as unknown as RunCgroup;
}

test('v2 memory.events: oom_kill and max read; a missing file (the group gone) is null', () => {
  const cg = group(2, { 'memory.events': 'low 0\nhigh 0\nmax 95\noom 1\noom_kill 1\noom_group_kill 0\n' });
  assert.deepEqual(readOomCounters(cg), { oomKills: 1, limitHits: 95 });
  assert.deepEqual(groupOomCounters(cg), { groupOomKills: 1, groupLimitHits: 95 });
  const gone = group(2, {});
  assert.equal(readOomCounters(gone), null);
  assert.deepEqual(groupOomCounters(gone), { groupOomKills: null, groupLimitHits: null }, 'unreadable is not a problem to report');
});

test('v2 memory.events that does not parse: ProbeParseError naming the file and the line, kept as groupProblem', () => {
  const bad = group(2, { 'memory.events': 'low 0\nmax 3\noom_kill one\n' });
  assert.throws(
    () => readOomCounters(bad),
    (e: unknown) =>
      e instanceof ProbeParseError && /memory\.events line 3: expected a non-negative integer for oom_kill, got "one"/.test(e.message),
  );
  const truncated = group(2, { 'memory.events': 'low 0\nmax' });
  assert.throws(() => readOomCounters(truncated), /memory\.events line 2: expected "key value"/);
  const g = groupOomCounters(bad);
  assert.equal(g.groupOomKills, null);
  assert.equal(g.groupLimitHits, null);
  assert.match(g.groupProblem ?? '', /^cannot parse .*\/memory\.events line 3: /);
});

test('v1 memory.oom_control and memory.failcnt: read, and a failcnt that is not a count is said', () => {
  const oomControl = 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n';
  assert.deepEqual(readOomCounters(group(1, { 'memory.oom_control': oomControl, 'memory.failcnt': '17\n' })), {
    oomKills: 2,
    limitHits: 17,
  });
  assert.throws(
    () => readOomCounters(group(1, { 'memory.oom_control': oomControl, 'memory.failcnt': '-1\n' })),
    /memory\.failcnt line 1: expected a non-negative integer for failcnt/,
  );
  assert.equal(readOomCounters(group(1, { 'memory.oom_control': oomControl })), null, 'failcnt missing');
});

test('judgeOom with unknown group counters: judged from the machine count and the log, and the reason is a note', () => {
  const run = { cgroupPath: '/membench-1-1', pids: new Set([4242]), windowUsec: { start: 0, end: 2_000_000 } };
  const problem = 'cannot parse /sys/fs/cgroup/membench-1-1/memory.events line 3: expected "key value"';
  const counters = { groupOomKills: null, groupLimitHits: null, machineOomKills: 0, groupProblem: problem };
  assert.deepEqual(judgeOom(counters, [], run, null), {
    verdict: null,
    notes: [`the run's cgroup OOM counters are unknown (${problem}): its OOM kills were judged from /proc/vmstat and the kernel log`],
  });
  // A kill on the machine and an unreadable log: both said, the counters' first.
  const blind = judgeOom({ ...counters, machineOomKills: 1 }, null, run, null);
  assert.equal(blind.verdict, null);
  assert.equal(blind.notes.length, 2);
  assert.match(blind.notes[1]!, /^1 OOM kill happened on the machine during the run/);
});
