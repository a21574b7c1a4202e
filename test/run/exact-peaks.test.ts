// Exact peaks at a low wake-up rate: a 300 MiB spike held 3 ms by a short-lived child, measured at 10 Hz, is caught
// exactly through the native reaper's exit accounting on both backends; without it (MEMBENCH_NATIVE=0) the result says
// the figure is sampled. Exit codes, signals and OOM kills come out the same with and without the reaper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MembenchResult, RunResult } from '../../src/result.js';
import { nativeBinary } from '../../src/native.js';
import { MEMFIX, MIB, ROOT, runCli, unwrap } from '../helpers/fixtures.js';

const SPIKE = join(ROOT, 'fixtures', 'bin', 'spike');
const NO_REAPER = nativeBinary('reaper') === null && 'native reaper not built or MEMBENCH_NATIVE=0';
const dir = mkdtempSync(join(tmpdir(), 'membench-exact-'));
let seq = 0;

function measure(
  backend: 'cgroup' | 'proc',
  argv: readonly string[],
  extra: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): { run: RunResult; stdout: string; status: number | null } {
  const out = join(dir, `r${seq++}.json`);
  const r = runCli(['run', '-v', '--runs', '1', '--backend', backend, '--interval', '100ms', '--json', out, ...extra, '--', ...argv], {
    env,
  });
  const doc = JSON.parse(readFileSync(out, 'utf8')) as MembenchResult;
  return { run: doc.benchmarks[0]!.runs[0]!, stdout: unwrap(r.stdout), status: r.status };
}

// spike's child: 300 MiB malloc'd and touched, plus ~1–2 MiB of program; ru_maxrss counts pages exactly.
const SPIKE_LO = 300 * MIB;
const SPIKE_HI = 306 * MIB;
const inSpike = (v: number | null | undefined, what: string): void =>
  assert.ok(
    v !== null && v !== undefined && v >= SPIKE_LO && v <= SPIKE_HI,
    `${what}: ${v === null || v === undefined ? v : (v / MIB).toFixed(1)} MiB not in [300, 306]`,
  );

for (const backend of ['cgroup', 'proc'] as const) {
  test(`${backend}: a 300 MiB spike of 3 ms in a short-lived child is caught exactly at 10 Hz`, { skip: NO_REAPER }, () => {
    const { run, stdout } = measure(backend, [SPIKE]);
    assert.deepEqual(run.outcome, { state: 'exited', exitCode: 0 });
    const p = run.peaks!;
    inSpike(p.largestProcessBytes, 'largest process');
    inSpike(p.reapedMaxRssBytes, 'reaped ru_maxrss');
    assert.equal(p.largestProcessSource, 'reaped-rusage');
    assert.equal(p.exact?.largestProcess, true);
    assert.equal(p.exact?.tree, backend === 'cgroup');
    assert.ok(p.memoryBytes! >= SPIKE_LO, `headline ${(p.memoryBytes! / MIB).toFixed(1)} MiB ≥ 300 MiB`);
    // The reaper is outside the tree on both backends: never one of its processes.
    assert.ok(!run.processes.some((x) => x.name === 'reaper'), run.processes.map((x) => x.name).join(','));
    assert.ok(p.processCount <= 2, `spike and its child at most, saw ${p.processCount} at once`);
    assert.match(stdout, /peaks exact at any interval: [^;]*the largest process \(the kernel's exit accounting/);
  });

  test(`${backend}: without the reaper (MEMBENCH_NATIVE=0) the largest process is said to be sampled`, () => {
    const { run, stdout } = measure(backend, [SPIKE], [], { MEMBENCH_NATIVE: '0' });
    const p = run.peaks!;
    assert.equal(p.largestProcessSource, 'sampled-vmhwm');
    assert.equal(p.reapedMaxRssBytes, null);
    assert.equal(p.exact?.largestProcess, false);
    assert.equal(p.exact?.memory, false);
    assert.match(stdout, /sampled: .*the largest process \(VmHWM read every 100\.0 ms while each process lived/);
  });

  test(`${backend}: a double-forked daemon is reaped and its peak counted`, { skip: NO_REAPER }, () => {
    // The daemon (setsid grandchild) touches 200 MiB and holds 30 ms; its parent exits at once, so only the reaper,
    // as subreaper, waits for it: a reaped figure ≥ 200 MiB can come from nowhere else.
    const { run } = measure(backend, [MEMFIX, 'daemon', '200', '30']);
    const p = run.peaks!;
    assert.ok(
      p.reapedMaxRssBytes! >= 200 * MIB && p.reapedMaxRssBytes! <= 206 * MIB,
      `reaped ${(p.reapedMaxRssBytes! / MIB).toFixed(1)} MiB`,
    );
    assert.ok(p.largestProcessBytes! >= 200 * MIB);
    assert.equal(p.exact?.largestProcess, true);
  });
}

test('proc: --concurrency 2 runs one reaper per instance; the instances are the targets, the reapers are not counted', {
  skip: NO_REAPER,
}, () => {
  const { run } = measure('proc', [SPIKE, '100', '3', '300'], ['--concurrency', '2']);
  const instancePids = (run.instances ?? []).map((i) => i.pid);
  assert.equal(instancePids.length, 2);
  for (const pid of instancePids) assert.equal(run.processes.find((p) => p.pid === pid)?.name, 'spike', `instance ${pid} is spike itself`);
  assert.ok(!run.processes.some((x) => x.name === 'reaper'));
  assert.ok(run.peaks!.processCount <= 4, `two spikes and their children at most, saw ${run.peaks!.processCount}`);
  assert.ok(run.peaks!.reapedMaxRssBytes! >= 100 * MIB && run.peaks!.reapedMaxRssBytes! <= 106 * MIB);
  assert.equal(run.peaks!.exact?.largestProcess, true);
});

// Endings, with and without the reaper: the outcome and membench's exit status must not change.
const endings: {
  name: string;
  backend: 'cgroup' | 'proc';
  argv: string[];
  extra?: string[];
  outcome: (o: RunResult['outcome']) => boolean;
}[] = [
  { name: 'exit 3', backend: 'proc', argv: ['sh', '-c', 'exit 3'], outcome: (o) => o.state === 'exited' && o.exitCode === 3 },
  {
    name: 'SIGKILL',
    backend: 'cgroup',
    argv: ['sh', '-c', 'kill -9 $$'],
    outcome: (o) => o.state === 'signaled' && o.signal === 'SIGKILL',
  },
  {
    name: 'OOM kill under --memory-limit 64M',
    backend: 'cgroup',
    argv: [MEMFIX, 'grow', '10', '20'],
    extra: ['--memory-limit', '64M'],
    outcome: (o) => o.state === 'oom-killed' && o.scope === 'cgroup',
  },
  {
    name: 'timeout',
    backend: 'proc',
    argv: [MEMFIX, 'hold', '10', '5000'],
    extra: ['--timeout', '500ms'],
    outcome: (o) => o.state === 'timed-out',
  },
];
for (const e of endings) {
  test(`${e.backend}: ${e.name} ends the same with and without the reaper`, () => {
    const withReaper = measure(e.backend, e.argv, e.extra);
    const without = measure(e.backend, e.argv, e.extra, { MEMBENCH_NATIVE: '0' });
    assert.ok(e.outcome(withReaper.run.outcome), JSON.stringify(withReaper.run.outcome));
    assert.deepEqual(withReaper.run.outcome, without.run.outcome);
    assert.equal(withReaper.status, without.status);
    if (!NO_REAPER) assert.equal(withReaper.run.peaks?.largestProcessSource, 'reaped-rusage');
    // OOM victim attribution by pid: the killed process is one of the run's.
    if (withReaper.run.outcome.state === 'oom-killed' && withReaper.run.oom?.killedPid != null) {
      assert.ok(
        withReaper.run.processes.some((p) => p.pid === withReaper.run.oom!.killedPid),
        'the victim is a process of the tree',
      );
    }
  });
}
