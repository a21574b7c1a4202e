// How a run ended, decided without processes: outcomes, each instance's outcome, the OOM record and the notes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allRunNotes, decideOutcome, firstFailure, instanceOutcomes, oomRecord, runNotes, type Ended } from '../../src/run/outcome.js';
import { judgeOom, type OomVerdict } from '../../src/run/oom.js';
import { NO_LIMITS, type LimitsRequest } from '../../src/run/limits.js';

const ok = (atMs: number): Ended => ({ code: 0, signal: null, atMs });
const OOM: OomVerdict = {
  scope: 'cgroup',
  oomKills: 1,
  limitHits: 3,
  killed: [{ pid: 4242, name: 'memfix' }],
  kernelLog: ['Memory cgroup out of memory: Killed process 4242 (memfix)'],
  limitCgroup: '/membench-1-1',
};
const rlimitData: LimitsRequest = { ...NO_LIMITS, rlimitDataBytes: 64 * 1024 * 1024 };

test('firstFailure: a death by signal before a non-zero exit before the first; at the last exit', () => {
  const exit3: Ended = { code: 3, signal: null, atMs: 20 };
  const killed: Ended = { code: null, signal: 'SIGSEGV', atMs: 30 };
  assert.deepEqual(firstFailure([ok(10), exit3, killed, ok(50)]), { code: null, signal: 'SIGSEGV', atMs: 50 });
  assert.deepEqual(firstFailure([ok(10), exit3, ok(40)]), { code: 3, signal: null, atMs: 40 });
  assert.deepEqual(firstFailure([ok(10), ok(5)]), { code: 0, signal: null, atMs: 10 });
});

test('decideOutcome: a stop by membench wins; SIGKILL or 137 with an OOM verdict is the OOM killer', () => {
  assert.deepEqual(decideOutcome(ok(1), { kind: 'interrupted', signal: 'SIGINT', atMs: 1 }, OOM, 500), {
    state: 'interrupted',
    signal: 'SIGINT',
  });
  assert.deepEqual(decideOutcome(ok(1), { kind: 'timed-out', atMs: 1 }, null, 500), { state: 'timed-out', timeoutMs: 500 });
  const sigkill: Ended = { code: null, signal: 'SIGKILL', atMs: 5 };
  assert.deepEqual(decideOutcome(sigkill, null, OOM, null), { state: 'oom-killed', signal: 'SIGKILL', scope: 'cgroup', oomKills: 1 });
  assert.deepEqual(decideOutcome({ code: 137, signal: null, atMs: 5 }, null, OOM, null), {
    state: 'oom-killed',
    signal: 'SIGKILL',
    scope: 'cgroup',
    oomKills: 1,
  });
  assert.deepEqual(decideOutcome(sigkill, null, null, null), { state: 'signaled', signal: 'SIGKILL' }, 'no OOM verdict: a plain kill');
  assert.deepEqual(decideOutcome({ code: 137, signal: null, atMs: 5 }, null, null, null), { state: 'exited', exitCode: 137 });
  assert.deepEqual(
    decideOutcome({ code: 1, signal: null, atMs: 5 }, null, OOM, null),
    { state: 'exited', exitCode: 1 },
    'a kill of a child does not make an exit an OOM kill',
  );
  assert.deepEqual(decideOutcome({ code: null, signal: null, atMs: 5 }, null, null, null), { state: 'exited', exitCode: -1 });
});

test('instanceOutcomes: absent for one instance; a stop only for the instances still running when it came', () => {
  assert.equal(instanceOutcomes([ok(10)], [100], null, null, null), undefined);
  const stop = { kind: 'timed-out' as const, atMs: 30 };
  const killedLater: Ended = { code: null, signal: 'SIGKILL', atMs: 31.23456 };
  assert.deepEqual(instanceOutcomes([ok(10), killedLater], [100, 101], stop, null, 30), [
    { instance: 1, pid: 100, wallMs: 10, outcome: { state: 'exited', exitCode: 0 } },
    { instance: 2, pid: 101, wallMs: 31.235, outcome: { state: 'timed-out', timeoutMs: 30 } },
  ]);
});

test('oomRecord: null without a verdict; else the verdict with the limit, the peak and the first killed process', () => {
  assert.equal(oomRecord(null, 1024, 2048), null);
  assert.deepEqual(oomRecord(OOM, 200 * 1024 * 1024, 199 * 1024 * 1024), {
    scope: 'cgroup',
    oomKills: 1,
    limitHits: 3,
    limitBytes: 200 * 1024 * 1024,
    peakBytes: 199 * 1024 * 1024,
    killedPid: 4242,
    killedName: 'memfix',
    kernelLog: OOM.kernelLog,
    limitCgroup: '/membench-1-1',
  });
  assert.equal(oomRecord({ ...OOM, killed: [] }, null, null)!.killedPid, null);
});

test('runNotes: an allocation failure under an rlimit is told apart from an OOM kill, and only then', () => {
  const failed = { outcome: { state: 'exited' as const, exitCode: 1 }, stderrTail: 'memfix: malloc: Cannot allocate memory' };
  assert.deepEqual(runNotes(failed, rlimitData), [
    'RLIMIT_DATA was reached: an allocation failed and the program ended itself — not an OOM kill',
  ]);
  assert.deepEqual(runNotes(failed, { ...NO_LIMITS, rlimitAsBytes: 1 }), [
    'RLIMIT_AS was reached: an allocation failed and the program ended itself — not an OOM kill',
  ]);
  assert.deepEqual(runNotes(failed, NO_LIMITS), [], 'no rlimit: nothing to tell apart');
  assert.deepEqual(runNotes({ ...failed, outcome: { state: 'exited', exitCode: 0 } }, rlimitData), [], 'a success');
  assert.deepEqual(runNotes({ ...failed, stderrTail: 'usage: memfix N' }, rlimitData), [], 'another failure');
});

test('allRunNotes: rlimit remark, OOM remark for a kill that spared the main command, unattributed kills, sampler problem', () => {
  const run = { outcome: { state: 'exited' as const, exitCode: 1 }, stderrTail: 'MemoryError' };
  assert.deepEqual(allRunNotes(run, rlimitData, OOM, ['unattributed'], 'sampler stalled'), [
    'RLIMIT_DATA was reached: an allocation failed and the program ended itself — not an OOM kill',
    'the OOM killer killed memfix (pid 4242) of the tree, not the main command',
    'unattributed',
    'sampler stalled',
  ]);
  const oomKilled = { outcome: { state: 'oom-killed' as const, signal: 'SIGKILL', scope: 'cgroup' as const, oomKills: 1 }, stderrTail: '' };
  assert.deepEqual(allRunNotes(oomKilled, NO_LIMITS, OOM, [], null), [], 'the outcome already says it');
});

test('the OOM chain without processes: counters → judgeOom → outcome, record and notes', () => {
  const identity = { cgroupPath: '/membench-1-1', pids: new Set([4242]), windowUsec: { start: 0, end: 1_000_000 } };
  const sigkill: Ended = { code: null, signal: 'SIGKILL', atMs: 120 };
  // cgroup backend, the group's counter says one kill, the log unreadable: the run's own limit (membench set one).
  const own = judgeOom({ groupOomKills: 1, groupLimitHits: 7, machineOomKills: 1 }, null, identity, 100 * 1024 * 1024);
  const outcome = decideOutcome(sigkill, null, own.verdict, null);
  assert.deepEqual(outcome, { state: 'oom-killed', signal: 'SIGKILL', scope: 'cgroup', oomKills: 1 });
  assert.deepEqual(oomRecord(own.verdict, 100 * 1024 * 1024, 99 * 1024 * 1024), {
    scope: 'cgroup',
    oomKills: 1,
    limitHits: 7,
    limitBytes: 100 * 1024 * 1024,
    peakBytes: 99 * 1024 * 1024,
    killedPid: null,
    killedName: null,
    kernelLog: null,
    limitCgroup: null,
  });
  assert.deepEqual(allRunNotes({ outcome, stderrTail: '' }, NO_LIMITS, own.verdict, own.notes, null), []);
  // proc backend, a kill on the machine and no log: nothing blamed, the same SIGKILL is a plain signal, a note says why.
  const machine = judgeOom(
    { groupOomKills: null, groupLimitHits: null, machineOomKills: 1 },
    null,
    { ...identity, cgroupPath: null },
    null,
  );
  const plain = decideOutcome(sigkill, null, machine.verdict, null);
  assert.deepEqual(plain, { state: 'signaled', signal: 'SIGKILL' });
  const notes = allRunNotes({ outcome: plain, stderrTail: '' }, NO_LIMITS, machine.verdict, machine.notes, null);
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /^1 OOM kill happened on the machine during the run .* could not be attributed/);
});
