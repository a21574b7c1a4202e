// The kernel log parser: /dev/kmsg records and OOM events, on a dump captured here (two OOM-killed runs of one
// membench, under 200 MiB limits, after the tail of an earlier kill) and on text written from mm/oom_kill.c's formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOomEventLine, parseKmsgDump, parseKmsgRecord, parseOomEvents, readOomEvents, readOomRecords } from '../../src/probe/kmsg.js';
import { ROOT } from '../helpers/fixtures.js';
import { mulberry32 } from '../helpers/prng.js';

const CAPTURED = readFileSync(join(ROOT, 'test', 'fixtures', 'kmsg', 'memcg-two-runs.txt'), 'utf8');
const GROUP = '/process_api/b272f7eef841a1460110565d82cbdd9d';

test('parseKmsgRecord: prio,seq,usec,flags;message — continuation lines dropped, malformed headers refused', () => {
  assert.deepEqual(parseKmsgRecord('6,616,748497493,-;memory: usage 204800kB, limit 204800kB, failcnt 95\n SUBSYSTEM=memory\n'), {
    seq: 616,
    usec: 748497493,
    message: 'memory: usage 204800kB, limit 204800kB, failcnt 95',
  });
  assert.deepEqual(parseKmsgRecord('6,1,2,-,caller=T12;x'), { seq: 1, usec: 2, message: 'x' });
  for (const bad of [
    '',
    'no semicolon',
    '6,616,-;three fields',
    '6,x,1,-;seq not a number',
    '6,1,abc,-;usec not a number',
    '6,1,-5,-;negative',
  ]) {
    assert.equal(parseKmsgRecord(bad), null, bad);
  }
});

test('parseOomEvents on the captured dump: three events, lines grouped whole, stack and statistics left out', () => {
  const records = parseKmsgDump(CAPTURED);
  assert.equal(records.length, 161);
  const events = parseOomEvents(records);
  assert.equal(events.length, 3);
  // The first kill's earlier lines had gone from the dump: its kill line alone is an event, without cgroups.
  assert.deepEqual(events[0], {
    seq: 584,
    usec: 655940929,
    constraint: null,
    oomMemcg: null,
    taskMemcg: null,
    global: false,
    killed: [{ pid: 9175, name: 'memfix' }],
    lines: [records[0]!.message],
  });
  const [, run1, run2] = events;
  assert.deepEqual(
    { ...run1!, lines: run1!.lines.length },
    {
      seq: 586,
      usec: 748497318,
      constraint: 'CONSTRAINT_MEMCG',
      oomMemcg: `${GROUP}/membench-10661-1`,
      taskMemcg: `${GROUP}/membench-10661-1`,
      global: false,
      killed: [{ pid: 10697, name: 'python3' }],
      lines: 3,
    },
  );
  assert.match(run1!.lines[0]!, /^python3 invoked oom-killer:/);
  assert.match(run1!.lines[1]!, /^oom-kill:constraint=CONSTRAINT_MEMCG,.*task=python3,pid=10697,uid=0$/);
  assert.match(run1!.lines[2]!, /^Memory cgroup out of memory: Killed process 10697 \(python3\) total-vm:221436kB/);
  assert.equal(run2!.oomMemcg, `${GROUP}/membench-10661-2`);
  assert.deepEqual(run2!.killed, [{ pid: 10761, name: 'python3' }]);
  assert.equal(run2!.usec, 750101060);
  // Only the lines membench keeps as the kernel's word are OOM lines; the rest of the dump is not.
  assert.equal(records.filter((r) => isOomEventLine(r.message)).length, 7);
});

// Written from mm/oom_kill.c (dump_oom_victim, __oom_kill_process) and mm/memcontrol.c: a machine-wide OOM cannot be
// provoked on the shared 24 GiB test machine.
const GLOBAL = [
  '4,900,1000000,-;stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0',
  '4,901,1000010,-;Mem-Info:',
  '6,902,1000020,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-1000.slice/session-2.scope,task=stress,pid=4242,uid=1000',
  '3,903,1000030,-;Out of memory: Killed process 4242 (stress) total-vm:8392000kB, anon-rss:8000000kB, file-rss:4kB, shmem-rss:0kB, UID:1000 pgtables:16000kB oom_score_adj:0',
  '6,904,1200000,-;oom_reaper: reaped process 4242 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
].join('\n');

test("parseOomEvents: a machine-wide OOM has no oom_memcg, says global_oom, and names the task's cgroup", () => {
  const [e, ...rest] = parseOomEvents(parseKmsgDump(GLOBAL));
  assert.equal(rest.length, 0);
  assert.deepEqual(
    { ...e!, lines: e!.lines.length },
    {
      seq: 900,
      usec: 1000000,
      constraint: 'CONSTRAINT_NONE',
      oomMemcg: null,
      taskMemcg: '/user.slice/user-1000.slice/session-2.scope',
      global: true,
      killed: [{ pid: 4242, name: 'stress' }],
      lines: 3,
    },
  );
});

test('parseOomEvents: memory.oom.group kills every member in one event; the next "invoked" starts another', () => {
  const text = [
    '4,10,500,-;app invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
    '6,11,510,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/ci/job-1,task_memcg=/ci/job-1,task=app,pid=301,uid=0',
    '3,12,520,-;Memory cgroup out of memory: Killed process 301 (app) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0',
    '6,13,530,-;Tasks in /ci/job-1 are going to be killed due to memory.oom.group set',
    '3,14,540,-;Memory cgroup out of memory: Killed process 302 (worker) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0',
    '3,15,550,-;Memory cgroup out of memory: Killed process 303 (worker) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0',
    '4,16,900,-;other invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
    '6,17,910,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/ci/job-2,task_memcg=/ci/job-2,task=other,pid=401,uid=0',
    '3,18,920,-;Memory cgroup out of memory: Killed process 401 (other) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0',
  ].join('\n');
  const events = parseOomEvents(parseKmsgDump(text));
  assert.deepEqual(
    events.map((e) => [e.oomMemcg, e.killed.map((k) => k.pid), e.lines.length]),
    [
      ['/ci/job-1', [301, 302, 303], 6],
      ['/ci/job-2', [401], 3],
    ],
  );
});

test('parseOomEvents: kills without memory.oom.group are separate events even with no "invoked" line between', () => {
  const text = [
    '3,1,100,-;Memory cgroup out of memory: Killed process 11 (a) total-vm:1kB',
    '3,2,200,-;Memory cgroup out of memory: Killed process 12 (b) total-vm:1kB',
  ].join('\n');
  assert.deepEqual(
    parseOomEvents(parseKmsgDump(text)).map((e) => [e.usec, e.killed]),
    [
      [100, [{ pid: 11, name: 'a' }]],
      [200, [{ pid: 12, name: 'b' }]],
    ],
  );
});

test('parseOomEvents: before Linux 4.19, "Task in … killed as a result of limit of …" names the cgroups', () => {
  const text = [
    '4,50,7000,-;memfix invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=(null), order=0, oom_score_adj=0',
    '6,51,7010,-;Task in /membench-77-1 killed as a result of limit of /membench-77-1',
    '6,52,7020,-;memory: usage 102400kB, limit 102400kB, failcnt 20',
    '3,53,7030,-;Memory cgroup out of memory: Kill process 88 (memfix) score 990 or sacrifice child',
    '3,54,7040,-;Killed process 88 (memfix) total-vm:104748kB, anon-rss:102144kB, file-rss:1020kB, shmem-rss:0kB',
  ].join('\n');
  const events = parseOomEvents(parseKmsgDump(text));
  assert.equal(events.length, 1);
  assert.deepEqual([events[0]!.taskMemcg, events[0]!.oomMemcg, events[0]!.global], ['/membench-77-1', '/membench-77-1', false]);
  // The "Kill process … score" line is the choice, the "Killed process" line (no prefix then) the kill.
  assert.deepEqual(events[0]!.killed, [{ pid: 88, name: 'memfix' }]);
  assert.equal(events[0]!.lines.length, 3);
});

test('parseOomEvents never throws on malformed or shuffled lines, and every kill it reports was in the text (seeded)', () => {
  const lines = CAPTURED.split('\n')
    .filter((l) => l !== '')
    .concat(GLOBAL.split('\n'));
  const rng = mulberry32(15);
  for (let round = 0; round < 300; round++) {
    const picked = Array.from({ length: 1 + Math.floor(rng() * 30) }, () => {
      const l = lines[Math.floor(rng() * lines.length)]!;
      const cut = rng() < 0.3 ? l.slice(0, Math.floor(rng() * l.length)) : l;
      return rng() < 0.1 ? cut.replace(/\d/g, 'x') : cut;
    }).join('\n');
    const events = parseOomEvents(parseKmsgDump(picked));
    for (const e of events) {
      assert.ok(e.lines.length > 0);
      for (const k of e.killed)
        assert.ok(new RegExp(`(pid=|Killed process )${k.pid}(\\D|$)`, 'm').test(picked), `${k.pid} not in the text`);
    }
  }
});

test('readOomRecords / readOomEvents: null when the log cannot be opened; the real /dev/kmsg parses whole as root', () => {
  assert.equal(readOomRecords('/nonexistent/kmsg'), null);
  assert.equal(readOomEvents('/nonexistent/kmsg'), null);
  if (process.getuid?.() !== 0) return;
  const events = readOomEvents();
  assert.ok(Array.isArray(events));
  for (const e of events!) assert.ok(e.lines.every(isOomEventLine));
});
