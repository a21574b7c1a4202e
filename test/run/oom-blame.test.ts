// Whose OOM kill it was (issue 15): attribution of kernel OOM events to one run by cgroup or pid inside its window —
// the pure rules on the captured log of two OOM-killed runs, then real membench processes side by side and in a row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKmsgDump, parseOomEvents, type OomEvent } from '../../src/probe/kmsg.js';
import {
  attributeOom,
  judgeOom,
  namesRunCgroup,
  needsKernelLog,
  oomNote,
  WINDOW_SLACK_USEC,
  type OomRunIdentity,
} from '../../src/run/oom.js';
import { kernelCgroupPath } from '../../src/run/cgroup.js';
import type { MembenchResult, RunResult } from '../../src/result.js';
import { CLI, MEMFIX, MIB, ROOT, runCli, unwrap } from '../helpers/fixtures.js';
import { until } from '../helpers/until.js';

const GROUP = '/process_api/b272f7eef841a1460110565d82cbdd9d';
// The captured log: an orphan kill line (pid 9175), then run 1 (pid 10697, 748.497 s) and run 2 (pid 10761, 750.101 s)
// of one `membench run --runs 2 --memory-limit 200M -- python3 leak.py` (membench pid 10661).
const EVENTS: readonly OomEvent[] = parseOomEvents(
  parseKmsgDump(readFileSync(join(ROOT, 'test', 'fixtures', 'kmsg', 'memcg-two-runs.txt'), 'utf8')),
);
const RUN1 = { start: 748_400_000, end: 748_520_000 };
const RUN2 = { start: 749_900_000, end: 750_130_000 };
const cgroupRun = (n: number, windowUsec: OomRunIdentity['windowUsec'], pids: number[] = []): OomRunIdentity => ({
  cgroupPath: `${GROUP}/membench-10661-${n}`,
  pids: new Set(pids),
  windowUsec,
});
const procRun = (pids: number[], windowUsec: OomRunIdentity['windowUsec']): OomRunIdentity => ({
  cgroupPath: null,
  pids: new Set(pids),
  windowUsec,
});

test('namesRunCgroup: the group itself, a group inside it, or the same path seen from a container; never a sibling', () => {
  const run = `${GROUP}/membench-10661-1`;
  assert.ok(namesRunCgroup(run, run));
  assert.ok(namesRunCgroup(`${run}/sub`, run), 'a sub-group the target made');
  assert.ok(namesRunCgroup(`/host/ns${run}`, run), 'the kernel prints from the hierarchy root, membench sees its namespace');
  assert.ok(!namesRunCgroup(`${GROUP}/membench-10661-10`, run), 'run 10 is not run 1');
  assert.ok(!namesRunCgroup(`${GROUP}/membench-10661-2`, run));
  assert.ok(!namesRunCgroup('/x/membench-10661-1', '/y/membench-10661-1'), 'same name under another parent');
  assert.ok(!namesRunCgroup(null, run));
  assert.ok(!namesRunCgroup(run, '/'), 'the root names everything: never a run');
});

test("kernelCgroupPath: the path below the mount, with the mount's own root in front", () => {
  const mounts = [
    { version: 1 as const, mountPoint: '/sys/fs/cgroup/memory', root: '/', controllers: ['memory'] },
    { version: 2 as const, mountPoint: '/sys/fs/cgroup/unified', root: '/', controllers: [] },
    { version: 1 as const, mountPoint: '/sys/fs/cgroup/cpu', root: '/docker/abc', controllers: ['cpu'] },
  ];
  assert.equal(kernelCgroupPath(`/sys/fs/cgroup/memory${GROUP}/membench-1-1`, mounts), `${GROUP}/membench-1-1`);
  assert.equal(kernelCgroupPath('/sys/fs/cgroup/unified/membench-1-1', mounts), '/membench-1-1');
  assert.equal(kernelCgroupPath('/sys/fs/cgroup/cpu/membench-1-1', mounts), '/docker/abc/membench-1-1');
  assert.equal(kernelCgroupPath('/sys/fs/cgroup/memoryx/membench-1-1', mounts), null, 'whole path components only');
});

test("attributeOom (cgroup backend): each run of a --runs 2 gets its own kill, not the run before's", () => {
  assert.deepEqual(
    attributeOom(EVENTS, cgroupRun(1, RUN1)).map((e) => e.killed[0]!.pid),
    [10697],
  );
  assert.deepEqual(
    attributeOom(EVENTS, cgroupRun(2, RUN2)).map((e) => e.killed[0]!.pid),
    [10761],
  );
  // Run 1's kill is 1.4 s before run 2 started, inside the slack: the cgroup alone keeps it out, and would at any distance.
  assert.ok(RUN2.start - EVENTS[1]!.usec < WINDOW_SLACK_USEC);
  assert.deepEqual(
    attributeOom(EVENTS, cgroupRun(2, { start: 0, end: 1e12 })).map((e) => e.killed[0]!.pid),
    [10761],
  );
  // Another membench's concurrent run sees none of them, even in the same window.
  assert.deepEqual(attributeOom(EVENTS, { ...cgroupRun(1, { start: 0, end: 1e12 }), cgroupPath: `${GROUP}/membench-16000-1` }), []);
});

test("attributeOom: the window — a kill in the run's own group but logged long before the run is not the run's", () => {
  // e.g. an earlier membench whose pid was reused: same group name, seconds earlier.
  assert.deepEqual(attributeOom(EVENTS, cgroupRun(1, { start: 760_000_000, end: 761_000_000 })), []);
  assert.deepEqual(attributeOom(EVENTS, cgroupRun(1, { start: 740_000_000, end: 746_000_000 })), [], 'nor one logged after its end');
  assert.equal(
    attributeOom(EVENTS, cgroupRun(1, { start: 748_497_318 + 1, end: 748_497_318 + 2 })).length,
    1,
    'clock skew within the slack is tolerated',
  );
});

test("attributeOom (proc backend, no cgroup): a kill is the run's only when the killed pid was in its tree, inside its window", () => {
  assert.deepEqual(
    attributeOom(EVENTS, procRun([10697, 10698, 10700], RUN1)).map((e) => e.killed[0]!.pid),
    [10697],
  );
  assert.deepEqual(
    attributeOom(EVENTS, procRun([10761], { start: 800_000_000, end: 801_000_000 })),
    [],
    'a reused pid, killed long before the run',
  );
  assert.deepEqual(attributeOom(EVENTS, procRun([4242], { start: 0, end: 1e12 })), [], "a stranger's kill");
  // An event whose cgroups were not logged (the orphan kill line) goes by pid on either backend.
  assert.deepEqual(
    attributeOom(EVENTS, { ...cgroupRun(1, { start: 655_000_000, end: 656_000_000 }), pids: new Set([9175]) }).map((e) => e.killed[0]!.pid),
    [9175],
  );
});

const NONE = { groupOomKills: 0, groupLimitHits: 0, machineOomKills: 0 };

test('judgeOom (cgroup backend): a machine-wide count alone blames nothing; the group counter decides, the log names', () => {
  // The bug: `sleep` beside an OOM-killed run saw /proc/vmstat go up by one.
  const sleepRun = { ...cgroupRun(1, RUN1), cgroupPath: `${GROUP}/membench-16000-1` };
  const other = { ...NONE, machineOomKills: 1 };
  assert.equal(needsKernelLog(other, sleepRun), false, 'the exact group counter says 0: the log is not even read');
  assert.deepEqual(judgeOom(other, EVENTS, sleepRun, null), { verdict: null, notes: [] });
  const own = { groupOomKills: 1, groupLimitHits: 95, machineOomKills: 1 };
  const j = judgeOom(own, EVENTS, cgroupRun(1, RUN1, [10697]), 200 * 1024 * 1024);
  assert.equal(j.verdict?.scope, 'cgroup');
  assert.deepEqual(j.verdict?.killed, [{ pid: 10697, name: 'python3' }]);
  assert.equal(j.verdict?.kernelLog?.length, 3);
  assert.ok(j.verdict?.kernelLog?.every((l) => !l.includes('10761') && !l.includes('membench-10661-2')));
  // Log unreadable: the counter still says the run lost a process; nobody is named.
  assert.deepEqual(judgeOom(own, null, cgroupRun(1, RUN1), 200 * 1024 * 1024).verdict, {
    scope: 'cgroup',
    oomKills: 1,
    limitHits: 95,
    killed: [],
    kernelLog: null,
    limitCgroup: null,
  });
  assert.equal(
    judgeOom(own, null, cgroupRun(1, RUN1), null).verdict?.scope,
    'machine',
    'no limit of its own: the limit hit was outside the run',
  );
});

test("judgeOom: a machine-wide OOM that killed a process of the run is the run's, with scope machine", () => {
  const global = parseOomEvents(
    parseKmsgDump(
      [
        '6,902,1000020,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/x/membench-5-1,task=stress,pid=4242,uid=1000',
        '3,903,1000030,-;Out of memory: Killed process 4242 (stress) total-vm:8392000kB, anon-rss:8000000kB',
      ].join('\n'),
    ),
  );
  const j = judgeOom(
    { groupOomKills: 1, groupLimitHits: 0, machineOomKills: 1 },
    global,
    { cgroupPath: '/x/membench-5-1', pids: new Set(), windowUsec: { start: 0, end: 2_000_000 } },
    null,
  );
  assert.equal(j.verdict?.scope, 'machine');
  assert.equal(j.verdict?.limitCgroup, null);
  assert.deepEqual(j.verdict?.killed, [{ pid: 4242, name: 'stress' }]);
});

test('judgeOom (proc backend): blame needs the killed pid in the tree; an unreadable log is said, not guessed', () => {
  const counters = { groupOomKills: null, groupLimitHits: null, machineOomKills: 2 };
  const mine = procRun([10697, 10700], RUN1);
  assert.equal(needsKernelLog(counters, mine), true);
  const j = judgeOom(counters, EVENTS, mine, null);
  // The proc backend has no group of its own: a cgroup's limit it ran under is outside the run, and named.
  assert.deepEqual(j.verdict, {
    scope: 'machine',
    oomKills: 1,
    limitHits: null,
    killed: [{ pid: 10697, name: 'python3' }],
    kernelLog: [...EVENTS[1]!.lines],
    limitCgroup: `${GROUP}/membench-10661-1`,
  });
  assert.deepEqual(
    judgeOom(counters, EVENTS, procRun([1, 2, 3], RUN1), null),
    { verdict: null, notes: [] },
    "someone else's kill: no report, no note",
  );
  const blind = judgeOom(counters, null, mine, null);
  assert.equal(blind.verdict, null);
  assert.deepEqual(blind.notes, [
    '2 OOM kills happened on the machine during the run (/proc/vmstat oom_kill) and could not be attributed: the kernel log (/dev/kmsg) that names the killed process is not readable (needs root or kernel.dmesg_restrict=0)',
  ]);
  assert.deepEqual(judgeOom({ ...counters, machineOomKills: 0 }, null, mine, null), { verdict: null, notes: [] });
  assert.equal(needsKernelLog({ ...counters, machineOomKills: 0 }, mine), false);
});

test('oomNote: only a kill of the tree that did not end the main command is a note', () => {
  const v = judgeOom({ groupOomKills: 1, groupLimitHits: 1, machineOomKills: 1 }, EVENTS, cgroupRun(1, RUN1), 1).verdict;
  assert.equal(oomNote(v, 'exited'), 'the OOM killer killed python3 (pid 10697) of the tree, not the main command');
  assert.equal(oomNote(v, 'oom-killed'), null);
  assert.equal(oomNote(null, 'exited'), null);
});

// --- real processes ---------------------------------------------------------------------------------------------

const root = process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/memory') && existsSync('/dev/kmsg');
const needsRoot = root ? false : "needs root, a cgroup v1 memory hierarchy and /dev/kmsg (as on this project's CI machine)";
const dir = mkdtempSync(join(tmpdir(), 'membench-oom-'));
const read = (p: string): MembenchResult => JSON.parse(readFileSync(p, 'utf8')) as MembenchResult;
const vmstatOomKills = (): number => Number(/^oom_kill (\d+)$/m.exec(readFileSync('/proc/vmstat', 'utf8'))![1]);
const memoryGroupOfSelf = (): string =>
  `/sys/fs/cgroup/memory${/^\d+:memory:(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))![1]}`.replace(/\/$/, '');
const window = (r: RunResult): { start: number; end: number } => ({
  start: Date.parse(r.startedAt),
  end: Date.parse(r.startedAt) + r.treeWallMs,
});

test('two membench at once: the OOM kill of one run is not blamed on the `sleep` beside it', { skip: needsRoot }, async () => {
  const sleepJson = join(dir, 'sleep.json');
  const growJson = join(dir, 'grow.json');
  const killsBefore = vmstatOomKills();
  const bg = spawn(process.execPath, [CLI, 'run', '-r', '1', '--json', sleepJson, '--', 'sleep', '6'], {
    stdio: 'ignore',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const bgExit = once(bg, 'exit');
  // Start the other run once `sleep` is in its run's group, so the kill falls inside the sleep run.
  const sleepProcs = join(memoryGroupOfSelf(), `membench-${bg.pid}-1`, 'cgroup.procs');
  assert.ok(
    await until(() => existsSync(sleepProcs) && readFileSync(sleepProcs, 'utf8').trim() !== '', 20_000),
    'the sleep run did not start',
  );
  const fg = spawn(
    process.execPath,
    [CLI, 'run', '-r', '1', '--json', growJson, '--memory-limit', '100M', '--', MEMFIX, 'grow', '10', '20'],
    { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } },
  );
  const [fgCode] = (await once(fg, 'exit')) as [number | null];
  const [bgCode] = (await bgExit) as [number | null];
  assert.equal(fgCode, 1, 'the grown run failed (OOM)');
  assert.equal(bgCode, 0, 'the sleep run passed');
  const sleepRun = read(sleepJson).benchmarks[0]!.runs[0]!;
  const growRun = read(growJson).benchmarks[0]!.runs[0]!;
  // The premise: the kill happened inside the sleep run, and the machine's counter saw it.
  const s = window(sleepRun);
  const g = window(growRun);
  assert.ok(g.start > s.start && g.end < s.end, `the grow run (${JSON.stringify(g)}) lay inside the sleep run (${JSON.stringify(s)})`);
  assert.ok(vmstatOomKills() - killsBefore >= 1, '/proc/vmstat oom_kill went up');

  assert.deepEqual(sleepRun.outcome, { state: 'exited', exitCode: 0 });
  assert.equal(sleepRun.oom, null);
  assert.deepEqual(
    sleepRun.notes.filter((n) => /OOM/i.test(n)),
    [],
  );

  assert.equal(growRun.outcome.state, 'oom-killed');
  const oom = growRun.oom!;
  assert.equal(oom.scope, 'cgroup');
  const memfix = growRun.processes.find((p) => p.name === 'memfix')!;
  assert.equal(oom.killedPid, memfix.pid);
  const own = `/membench-${fg.pid}-1`;
  assert.ok(
    oom.kernelLog!.some(
      (l) => l.startsWith('oom-kill:') && l.includes(`oom_memcg=`) && l.includes(`${own},task_memcg=`) && l.includes(`pid=${memfix.pid},`),
    ),
    JSON.stringify(oom.kernelLog),
  );
  assert.ok(oom.kernelLog!.some((l) => l.includes(`Killed process ${memfix.pid} (memfix)`)));
  assert.ok(
    oom.kernelLog!.every((l) => !l.includes(`membench-${bg.pid}-`)),
    "nothing of the sleep run's group",
  );
});

test('--runs 2 --memory-limit: each run reports its own killed pid and its own kernel lines', { skip: needsRoot }, () => {
  const out = join(dir, 'runs2.json');
  const r = runCli(['run', '--runs', '2', '--memory-limit', '100M', '--json', out, '--', MEMFIX, 'grow', '10', '20']);
  assert.equal(r.status, 1, r.stderr);
  const runs = read(out).benchmarks[0]!.runs;
  assert.equal(runs.length, 2);
  for (const run of runs) {
    assert.equal(run.outcome.state, 'oom-killed', `run ${run.index + 1}`);
    const pids = run.processes.map((p) => p.pid);
    assert.ok(pids.includes(run.oom!.killedPid!), `run ${run.index + 1}: killed pid ${run.oom!.killedPid} is one of ${pids.join(',')}`);
    const summary = run.oom!.kernelLog!.filter((l) => l.startsWith('oom-kill:'));
    assert.equal(summary.length, 1, `run ${run.index + 1}: one event, ${JSON.stringify(run.oom!.kernelLog)}`);
    assert.match(summary[0]!, new RegExp(`oom_memcg=[^,]*/membench-\\d+-${run.index + 1},`));
    assert.ok(run.oom!.kernelLog!.some((l) => l.includes(`Killed process ${run.oom!.killedPid} (memfix)`)));
  }
  assert.notEqual(runs[0]!.oom!.killedPid, runs[1]!.oom!.killedPid);
  assert.notDeepEqual(runs[0]!.oom!.kernelLog, runs[1]!.oom!.kernelLog);
  // ("memfix invoked oom-killer: …" reads the same in both; the lines naming a pid or a group must not.)
  const first = runs[0]!.oom!;
  const firstGroup = /oom_memcg=[^,]*(\/membench-\d+-1),/.exec(first.kernelLog!.join('\n'))![1]!;
  assert.ok(
    runs[1]!.oom!.kernelLog!.every(
      (l) => !l.includes(`pid=${first.killedPid},`) && !l.includes(`Killed process ${first.killedPid} `) && !l.includes(`${firstGroup},`),
    ),
    "run 2 repeats none of run 1's kill",
  );
});

test("--backend proc under an enclosing cgroup's limit: the kill of a pid of the tree is the run's, that cgroup named", {
  skip: needsRoot,
}, async () => {
  // The proc backend cannot set a limit; membench itself runs in a group limited to 400 MiB, as in a CI container.
  const outer = join(memoryGroupOfSelf(), `membench-oomtest-${process.pid}`);
  mkdirSync(outer);
  try {
    writeFileSync(join(outer, 'memory.limit_in_bytes'), String(400 * MIB));
    const out = join(dir, 'proc.json');
    // memfix is made the likelier victim (oom_score_adj +500: raising it needs no privilege), so a loaded machine where
    // membench's own RSS is larger than usual does not make the kernel pick membench instead.
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        `echo $$ > ${outer}/cgroup.procs && exec "$0" "$@"`,
        process.execPath,
        CLI,
        'run',
        '-r',
        '1',
        '--backend',
        'proc',
        '--json',
        out,
        '--',
        '/bin/sh',
        '-c',
        'echo 500 > /proc/self/oom_score_adj && exec "$0" "$@"',
        MEMFIX,
        'grow',
        '10',
        '20',
      ],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1, stdout);
    const run = read(out).benchmarks[0]!.runs[0]!;
    const memfix = run.processes.find((p) => p.name === 'memfix')!;
    // The OOM killer takes the largest in the group: memfix (~300 MiB by then) over membench (~100 MiB).
    assert.equal(run.outcome.state, 'oom-killed', JSON.stringify(run.oom));
    const oom = run.oom!;
    assert.equal(oom.scope, 'machine', "not a limit of the run's own");
    assert.equal(oom.killedPid, memfix.pid);
    assert.equal(oom.oomKills, 1);
    assert.ok(oom.limitCgroup?.endsWith(`/membench-oomtest-${process.pid}`), String(oom.limitCgroup));
    assert.ok(oom.kernelLog!.some((l) => l.includes(`Killed process ${memfix.pid} (memfix)`)));
    assert.match(
      unwrap(stdout),
      new RegExp(
        `killed by the OOM killer at the limit of cgroup \\S*/membench-oomtest-${process.pid}, outside the run \\(memfix, pid ${memfix.pid}\\)`,
      ),
    );
  } finally {
    await until(() => readFileSync(join(outer, 'cgroup.procs'), 'utf8').trim() === '', 5000);
    rmdirSync(outer);
  }
});
