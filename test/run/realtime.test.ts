// membench run --realtime: the fast sampler thread runs SCHED_FIFO when permitted (checked in the kernel's own
// /proc/PID/task/TID/stat while the run goes on), the target does not inherit it, and an unprivileged user's run
// goes on at normal priority with the reason in the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { schedPolicyOf, type SchedPolicy } from '../../src/probe/proc.js';
import type { MembenchResult } from '../../src/result.js';
import { CLI, MEMFIX, unwrap } from '../helpers/fixtures.js';
import { AS_NOBODY, cannotRunAsNobody, nobodyCopy } from '../helpers/as-nobody.js';

/** Scheduling policy of every thread of pid, by tid (threads that end meanwhile are left out). */
function threadPolicies(pid: number): Map<number, SchedPolicy | null> {
  const out = new Map<number, SchedPolicy | null>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      out.set(Number(tid), schedPolicyOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1')));
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** Every descendant of pid, from the children files of its threads. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const tid of threadPolicies(pid).keys()) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
    } catch {
      continue;
    }
    for (const c of text
      .split(' ')
      .filter((x) => x.trim() !== '')
      .map(Number))
      out.push(c, ...descendants(c));
  }
  return out;
}

/** membench's native fast sampler (native/bin/sampler, a child of a worker thread): part of membench, not of the target. */
function isSamplerHelper(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === 'sampler';
  } catch {
    return false;
  }
}

const membenchJson = (stdout: string): MembenchResult => JSON.parse(stdout) as MembenchResult;

test('--realtime as root: one membench thread runs SCHED_FIFO while sampling (kernel state), the target does not, the result says fifo', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('SCHED_FIFO needs root or CAP_SYS_NICE');
  if (spawnSync('chrt', ['--version']).error) return t.skip('chrt (util-linux) is not installed');
  const child = spawn(process.execPath, [CLI, 'run', '-v', '--runs', '1', '--realtime', '--json', '-', '--', MEMFIX, 'hold', '20', '500'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let done = false;
  void exited.then(() => (done = true));
  // While the target holds its 20 MiB: membench's threads and the target's, as the kernel sees them.
  let fifoThreads: number[] = [];
  let targetPolicies: (SchedPolicy | null)[] = [];
  let chrtSays = '';
  while (!done) {
    const all = descendants(child.pid!);
    const tree = all.filter((pid) => !isSamplerHelper(pid));
    const own = [child.pid!, ...all.filter(isSamplerHelper)];
    const fifo = own.flatMap((pid) => [...threadPolicies(pid)].filter(([, p]) => p === 'fifo').map(([tid]) => tid));
    if (fifo.length > 0 && tree.length > 0) {
      fifoThreads = fifo;
      chrtSays = spawnSync('chrt', ['-p', String(fifo[0])], { encoding: 'utf8' }).stdout;
      targetPolicies = tree.flatMap((pid) => [...threadPolicies(pid).values()]);
      if (targetPolicies.length > 0) break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const code = await exited;
  assert.equal(code, 0, stderr);
  assert.equal(fifoThreads.length, 1, 'exactly one SCHED_FIFO thread in membench (the fast sampler thread, or its native helper)');
  assert.notEqual(fifoThreads[0], child.pid, 'not the main thread');
  assert.ok(
    targetPolicies.every((p) => p === 'other'),
    `the target runs SCHED_OTHER: ${targetPolicies.join(', ')}`,
  );
  // chrt (sched_getscheduler) agrees with the stat field read above.
  assert.match(chrtSays, /current scheduling policy: SCHED_FIFO\n.*current scheduling priority: 1/);
  const s = membenchJson(stdout).benchmarks[0]!.runs[0]!.sampling!;
  assert.equal(s.realtimeAsked, true);
  assert.equal(s.samplerSchedPolicy, 'fifo');
  assert.equal(s.realtimeRefused, null);
  assert.equal(membenchJson(stdout).options.realtime, true);
  assert.match(unwrap(stderr), /fast thread SCHED_FIFO/);
});

test('without --realtime the fast thread stays SCHED_OTHER and the result says so', () => {
  const r = spawnSync(process.execPath, [CLI, 'run', '--runs', '1', '--json', '-', '--', MEMFIX, 'hold', '5', '50'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  const s = membenchJson(r.stdout).benchmarks[0]!.runs[0]!.sampling!;
  assert.equal(s.realtimeAsked, false);
  assert.equal(s.samplerSchedPolicy, 'other');
  assert.equal(s.realtimeRefused, null);
  assert.doesNotMatch(r.stderr, /SCHED_FIFO|realtime/);
});

test('--realtime as nobody: refused by the kernel, the run completes at normal priority and the result says why', (t) => {
  const why = cannotRunAsNobody();
  if (why) return t.skip(why);
  if (spawnSync('chrt', ['--version']).error) return t.skip('chrt (util-linux) is not installed');
  const copy = nobodyCopy('membench-rt-nobody-', ['commander', 'cli-table3', 'zod', 'picocolors', 'shell-quote']);
  t.after(copy.remove);
  // RLIMIT_RTPRIO 0 (prlimit, util-linux): an unprivileged user with a non-zero limit may take SCHED_FIFO itself.
  const r = spawnSync(
    'prlimit',
    [
      '--rtprio=0:0',
      '--',
      'setpriv',
      ...AS_NOBODY,
      process.execPath,
      copy.cli,
      'run',
      '-v',
      '--runs',
      '1',
      '--backend',
      'proc',
      '--realtime',
      '--json',
      '-',
      '--',
      copy.memfix,
      'hold',
      '10',
      '200',
    ],
    {
      encoding: 'utf8',
      cwd: copy.dir,
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const run = membenchJson(r.stdout).benchmarks[0]!.runs[0]!;
  assert.deepEqual(run.outcome, { state: 'exited', exitCode: 0 });
  assert.ok(run.peaks!.largestProcessBytes! >= 10 * 2 ** 20, 'measured as usual');
  const s = run.sampling!;
  assert.equal(s.realtimeAsked, true);
  assert.equal(s.samplerSchedPolicy, 'other');
  assert.match(s.realtimeRefused ?? '', /Operation not permitted \(SCHED_FIFO needs root or CAP_SYS_NICE\)/);
  // Raising the nice value is refused to nobody too.
  assert.equal(s.samplerNice, null);
  assert.match(unwrap(r.stderr), /realtime refused in 1 of 1 run\(s\), sampled at normal priority: chrt: .*Operation not permitted/);
  assert.doesNotMatch(r.stderr, /fast thread SCHED_FIFO/);
});
