// Property tests for the kernel log parsers: /dev/kmsg records ("prio,seq,usec,flags;message") and their grouping
// into OOM events. They return null / skip what they cannot read (documented), so the properties are: generated
// records and events round-trip, and malformed text never throws and never yields a record from a malformed header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseKmsgDump, parseKmsgRecord, parseOomEvents, type KmsgRecord } from '../../src/probe/kmsg.js';
import { check, malformed } from '../helpers/kernel-text.js';

// The kernel escapes non-printable bytes (\xNN) in a record's text, so a message holds no newline; it may hold ";" and ",".
const message = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 ,;:=()[]/_-.\\'.split('')), maxLength: 60 });
const record = fc.record({
  prio: fc.integer({ min: 0, max: 191 }),
  seq: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  usec: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  flags: fc.constantFrom('-', 'c', '+', '-,caller=T12', '-,caller=C1'),
  message,
  continuation: fc.array(fc.constantFrom(' SUBSYSTEM=memory', ' DEVICE=+memory:memory', ' x'), { maxLength: 2 }),
});
type Rec = typeof record extends fc.Arbitrary<infer T> ? T : never;
const renderRecord = (r: Rec): string =>
  [`${r.prio},${r.seq},${r.usec},${r.flags};${r.message}`, ...r.continuation].map((l) => `${l}\n`).join('');

test('kmsg: generated records round-trip seq, usec and message, one by one and as a dump', () => {
  check(
    fc.property(fc.array(record, { maxLength: 10 }), (rs) => {
      const expected = rs.map((r) => ({ seq: r.seq, usec: r.usec, message: r.message }));
      assert.deepEqual(
        rs.map((r) => parseKmsgRecord(renderRecord(r))),
        expected,
      );
      assert.deepEqual(parseKmsgDump(rs.map(renderRecord).join('')), expected);
    }),
  );
});

const HEADER = /^[^,;]*,(\d+),(\d+),[^;]*;/;
test('kmsg: malformed text never throws; a record comes only from a "prio,seq,usec,flags;" header of decimal numbers', () => {
  check(
    fc.property(malformed(fc.array(record, { minLength: 1, maxLength: 4 }).map((rs) => rs.map(renderRecord).join(''))), (text) => {
      const r = parseKmsgRecord(text);
      if (r !== null) {
        const m = HEADER.exec(text);
        assert.ok(m, `record ${JSON.stringify(r)} from a malformed header: ${JSON.stringify(text.slice(0, 80))}`);
        assert.deepEqual([r.seq, r.usec], [Number(m[1]), Number(m[2])]);
        assert.ok(!r.message.includes('\n'));
      }
      for (const d of parseKmsgDump(text))
        assert.ok(Number.isSafeInteger(d.seq) && d.seq >= 0 && Number.isSafeInteger(d.usec) && d.usec >= 0, JSON.stringify(d));
      parseOomEvents(parseKmsgDump(text));
    }),
    [[',,0,-;\n'], ['6, 5,1,-;x'], ['6,0x10,1,-;x'], ['6,1,1e3,-;x'], ['6,1,1.5,-;x']],
  ); // found with FC_SEED=1 FC_RUNS=3000
});

// An OOM kill as Linux ≥ 4.19 logs it: "invoked oom-killer", the dump (noise), the "oom-kill:" summary, the kill.
const comm = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,14}$/);
const oom = fc.record({
  invoker: comm,
  victim: comm,
  pid: fc.integer({ min: 2, max: 4194304 }),
  global: fc.boolean(),
  memcg: fc.array(fc.stringMatching(/^[a-z0-9_.-]{1,10}$/), { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`),
  noise: fc.array(
    fc.constantFrom(
      'CPU: 1 UID: 0 PID: 10697 Comm: python3 Not tainted',
      'Call Trace:',
      ' dump_stack_lvl+0x59/0x90',
      'Mem-Info:',
      'Tasks state (memory values in pages):',
      '[  10697]     0 10697    26187    25536   253952        0             0 python3',
      'memory: usage 204800kB, limit 204800kB, failcnt 95',
    ),
    { maxLength: 4 },
  ),
});
type Oom = typeof oom extends fc.Arbitrary<infer T> ? T : never;
const oomMessages = (e: Oom): string[] => [
  `${e.invoker} invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0`,
  ...e.noise,
  e.global
    ? `oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=${e.memcg},task=${e.victim},pid=${e.pid},uid=0`
    : `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=${e.memcg},task_memcg=${e.memcg},task=${e.victim},pid=${e.pid},uid=0`,
  `${e.global ? 'Out of memory' : 'Memory cgroup out of memory'}: Killed process ${e.pid} (${e.victim}) total-vm:104748kB, anon-rss:102144kB, file-rss:1020kB, shmem-rss:0kB, UID:0 pgtables:240kB oom_score_adj:0`,
];

test('kmsg: generated OOM events, with the dump between their lines, group back into one event per kill', () => {
  check(
    fc.property(fc.array(oom, { maxLength: 5 }), (es) => {
      let seq = 100;
      const records: KmsgRecord[] = es.flatMap((e) => oomMessages(e).map((message) => ({ seq: ++seq, usec: seq * 1000, message })));
      const events = parseOomEvents(records);
      assert.equal(events.length, es.length);
      events.forEach((ev, i) => {
        const e = es[i]!;
        assert.deepEqual(
          [ev.constraint, ev.oomMemcg, ev.taskMemcg, ev.global, ev.killed, ev.lines.length],
          [
            e.global ? 'CONSTRAINT_NONE' : 'CONSTRAINT_MEMCG',
            e.global ? null : e.memcg,
            e.memcg,
            e.global,
            [{ pid: e.pid, name: e.victim }],
            3,
          ],
        );
      });
    }),
  );
});
