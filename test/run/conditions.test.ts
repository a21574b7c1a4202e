// Controlled conditions, end to end on real processes: cgroup memory limit → OOM explained, RLIMIT_DATA told
// apart, CPU quota observed as CPU time vs wall, cpuset, ASLR off, baseline subtraction, concurrency, payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MembenchResultSchema, type MembenchResult } from '../../src/result.js';
import { MEMFIX, MIB, runCli, unwrap } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-cond-'));
let seq = 0;
const root = process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/memory');
const needsRoot = root ? false : "needs root and a cgroup v1 memory hierarchy (as on this project's CI machine)";

function run(args: readonly string[]): { doc: MembenchResult; status: number | null; stdout: string; stderr: string } {
  const out = join(dir, `c${seq++}.json`);
  const r = runCli(['run', '-v', '--json', out, ...args]);
  assert.ok(existsSync(out), `no JSON written; stderr: ${r.stderr}`);
  return { doc: JSON.parse(readFileSync(out, 'utf8')) as MembenchResult, status: r.status, stdout: unwrap(r.stdout), stderr: r.stderr };
}

test('--memory-limit 256M: an allocator past it is OOM-killed, and the result explains it', { skip: needsRoot }, () => {
  const { doc, status, stdout } = run(['-r', '1', '--memory-limit', '256M', '--', MEMFIX, 'grow', '10', '20']);
  assert.equal(status, 1);
  const r = doc.benchmarks[0]!.runs[0]!;
  assert.equal(r.outcome.state, 'oom-killed');
  const oom = r.oom!;
  assert.equal(oom.scope, 'cgroup');
  assert.equal(oom.limitBytes, 256 * MIB);
  assert.ok(oom.oomKills >= 1);
  assert.ok((oom.limitHits ?? 0) > 0, 'the limit was hit before the kill');
  // The group's usage cannot pass its limit: the peak is the limit, give or take what was charged at the kill.
  assert.ok(oom.peakBytes! >= 240 * MIB && oom.peakBytes! <= 256 * MIB + 2 * MIB, `peak ${oom.peakBytes! / MIB} MiB`);
  const memfixPid = r.processes.find((p) => p.name === 'memfix')?.pid;
  assert.equal(oom.killedPid, memfixPid, 'the kernel log names the killed memfix');
  assert.ok(
    oom.kernelLog?.some((l) => l.includes(`Killed process ${memfixPid}`)),
    JSON.stringify(oom.kernelLog),
  );
  assert.match(stdout, /killed by the OOM killer at 256\.0 MiB, the limit you set \(memfix, pid \d+\); peak 25\d\.\d MiB/);
  assert.deepEqual(
    r.limits.map((l) => [l.name, l.applied]),
    [['memory-limit', true]],
  );
});

test('--rlimit-data 100M: a refused allocation is its own outcome, not an OOM kill', () => {
  const { doc, status, stdout } = run(['-r', '1', '--rlimit-data', '100M', '--', MEMFIX, 'grow', '10', '5']);
  assert.equal(status, 1);
  const r = doc.benchmarks[0]!.runs[0]!;
  assert.deepEqual(r.outcome, { state: 'exited', exitCode: 12 });
  assert.equal(r.oom, null);
  assert.match(r.stderrTail, /Cannot allocate memory/);
  assert.ok(r.notes.some((n) => /RLIMIT_DATA was reached/.test(n)));
  assert.ok(r.peaks!.largestProcessBytes! <= 100 * MIB, 'memory never passed the limit');
  assert.match(stdout, /note: RLIMIT_DATA was reached: an allocation failed and the program ended itself — not an OOM kill/);
});

test('--cpu-quota 20%: CPU time over wall time stays near a fifth', { skip: needsRoot }, () => {
  const { doc } = run(['-r', '1', '--cpu-quota', '20%', '--', MEMFIX, 'spin', '300']);
  const r = doc.benchmarks[0]!.runs[0]!;
  const cpuMs = Number(/cpu_ms=(\d+)/.exec(r.stderrTail)![1]);
  // CFS enforces 20 ms per 100 ms period: 300 ms of CPU need ≥ 1.4 s of wall. Allow 0.3 for period edges.
  assert.ok(cpuMs / r.wallMs <= 0.3, `cpu ${cpuMs} ms over wall ${r.wallMs} ms`);
  assert.ok(r.wallMs >= 1000);
  assert.match(r.limits[0]!.detail, /cpu\.cfs_quota_us = 20000|cpu\.max = 20000 100000/);
});

test('--cpuset 1: the target may run on CPU 1 only', { skip: needsRoot }, () => {
  const { doc } = run(['-r', '1', '--cpuset', '1', '--', '/bin/sh', '-c', 'grep Cpus_allowed_list /proc/self/status >&2']);
  assert.match(doc.benchmarks[0]!.runs[0]!.stderrTail, /Cpus_allowed_list:\s+1\n/);
});

test('--no-aslr: the same mapping addresses on every run; without it they differ', () => {
  const maps = (extra: string[]): string[] => {
    const { doc } = run(['-r', '2', ...extra, '--', '/bin/sh', '-c', 'grep -E "\\[(stack|heap)\\]" /proc/self/maps >&2']);
    return doc.benchmarks[0]!.runs.map((r) => r.stderrTail);
  };
  const fixed = maps(['--no-aslr']);
  assert.match(fixed[0]!, /\[stack\]/);
  assert.equal(fixed[0], fixed[1]);
  const random = maps([]);
  assert.notEqual(random[0], random[1]);
});

test('--subtract-baseline: footprint = measured − interpreter doing nothing (perl, node)', () => {
  const perl = run(['-r', '2', '--subtract-baseline', '--', 'perl', '-e', '$x = "a" x (40*1024*1024); sleep 0.2']);
  assert.equal(perl.doc.benchmarks[0]!.role, 'baseline');
  assert.equal(perl.doc.benchmarks[0]!.command, 'perl -e 1');
  const b = perl.doc.benchmarks[1]!.baseline!;
  assert.equal(b.problem, null);
  const tree = b.metrics.treePeakBytes!;
  assert.equal(tree.footprint, tree.measuredMedian - tree.baselineMedian);
  assert.ok(tree.baselineMedian < 16 * MIB, `perl -e 1 peak ${tree.baselineMedian / MIB} MiB`);
  // A 40 MiB string (plus the temporary perl builds for "x"): at least 40 MiB of the script's own.
  assert.ok(b.metrics.treeAnonPeakBytes!.footprint >= 40 * MIB, `footprint ${b.metrics.treeAnonPeakBytes!.footprint / MIB} MiB`);
  // Raw figures stay: the measured summary is untouched.
  assert.equal(perl.doc.benchmarks[1]!.summary.metrics.treePeakBytes!.median, tree.measuredMedian);

  const node = run([
    '-r',
    '1',
    '--subtract-baseline',
    '--',
    process.execPath,
    '-e',
    'const b = Buffer.alloc(64 * 1024 * 1024, 1); setTimeout(() => b, 200)',
  ]);
  assert.equal(node.doc.benchmarks[0]!.command, `${process.execPath} -e 0`);
  const nb = node.doc.benchmarks[1]!.baseline!.metrics.treeAnonPeakBytes!;
  assert.ok(nb.footprint >= 60 * MIB && nb.footprint <= 80 * MIB, `node footprint ${nb.footprint / MIB} MiB for a 64 MiB buffer`);
});

test('--subtract-baseline: python3 when /usr/bin/python3 exists; unknown interpreters need --baseline-cmd', () => {
  if (existsSync('/usr/bin/python3')) {
    const py = run([
      '-r',
      '1',
      '--subtract-baseline',
      '--',
      '/usr/bin/python3',
      '-c',
      'b = bytearray(48 * 1024 * 1024); import time; time.sleep(0.2)',
    ]);
    const m = py.doc.benchmarks[1]!.baseline!.metrics.treeAnonPeakBytes!;
    assert.ok(m.footprint >= 44 * MIB && m.footprint <= 56 * MIB, `python footprint ${m.footprint / MIB} MiB`);
  }
  const r = runCli(['run', '-v', '--subtract-baseline', '--', MEMFIX, 'hold', '1', '10']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no known "do nothing" form for .*memfix.*--baseline-cmd/);
  const failing = run(['-r', '1', '-i', '--baseline-cmd', 'exit 3', '--', MEMFIX, 'hold', '1', '10']);
  assert.match(failing.doc.benchmarks[1]!.baseline!.problem ?? '', /produced no counted run|no counted run/);
});

test('--concurrency 1,2,4: marginal cost per instance within 5 % of what each instance touches', () => {
  const { doc, stdout } = run(['-r', '2', '--concurrency', '1,2,4', '--', MEMFIX, 'hold', '30', '300']);
  assert.deepEqual(
    doc.benchmarks.map((b) => b.concurrency),
    [1, 2, 4],
  );
  const scan = doc.scans.find((s) => s.kind === 'concurrency')!;
  assert.ok(Math.abs(scan.fit!.slopeBytesPerUnit - 30 * MIB) / (30 * MIB) < 0.05, `slope ${scan.fit!.slopeBytesPerUnit / MIB} MiB`);
  assert.ok(scan.fit!.r2 >= 0.99);
  assert.ok(doc.benchmarks[2]!.runs.every((r) => r.peaks!.processCount >= 4));
  // The sentence gives the same slope, to 0.1 MiB (29.9 MiB printed is as right as 30.1: within the 5 % above).
  const said = /marginal cost (\d+\.\d) MiB per extra instance/.exec(stdout);
  assert.ok(said, stdout.slice(-1500));
  assert.ok(
    Math.abs(Number(said[1]) - scan.fit!.slopeBytesPerUnit / MIB) <= 0.05 + 1e-9,
    `said ${said[1]} MiB, fit ${scan.fit!.slopeBytesPerUnit / MIB}`,
  );
});

// Instance 2 exits 3 and instance 3 kills itself with SIGTERM; the others touch 10 MiB, hold 300 ms, exit 0.
// Instances 2 and 3 stay the shell (no exec) and live 100 ms before they fail, long enough to be sampled: a process
// that lives under one tick may not be seen at all.
const PER_INSTANCE = `case $MEMBENCH_INSTANCE in 2) ${MEMFIX} hold 1 100; exit 3;; 3) ${MEMFIX} hold 1 100; kill -TERM $$;; *) exec ${MEMFIX} hold 10 300;; esac`;

test("--concurrency 1,3: each instance's own ending, numbered by MEMBENCH_INSTANCE, in the result and on the terminal", () => {
  const { doc, status, stdout } = run(['-r', '1', '--concurrency', '1,3', '--', '/bin/sh', '-c', PER_INSTANCE]);
  assert.equal(status, 1, 'a failed instance fails the run');
  const [one, three] = doc.benchmarks.map((b) => b.runs[0]!);
  assert.deepEqual(one!.outcome, { state: 'exited', exitCode: 0 });
  assert.equal(one!.instances, undefined, 'one instance: no per-instance list');
  const inst = three!.instances!;
  assert.deepEqual(
    inst.map((i) => [i.instance, i.outcome]),
    [
      [1, { state: 'exited', exitCode: 0 }],
      [2, { state: 'exited', exitCode: 3 }],
      [3, { state: 'signaled', signal: 'SIGTERM' }],
    ],
  );
  // The run's outcome is still the first failure (a signal before an exit code); its wall time the last instance's.
  assert.deepEqual(three!.outcome, { state: 'signaled', signal: 'SIGTERM' });
  assert.equal(three!.wallMs, Math.max(...inst.map((i) => i.wallMs)));
  // Each pid is a main process the sampler saw: instance 1 exec'd memfix, 2 and 3 are the shell.
  assert.deepEqual(
    inst.map((i) => three!.processes.find((p) => p.pid === i.pid)?.name),
    ['memfix', 'sh', 'sh'],
  );
  assert.match(
    stdout,
    new RegExp(
      `instance 2/3 \\(pid ${inst[1]!.pid}\\): exited with code 3.*instance 3/3 \\(pid ${inst[2]!.pid}\\): killed by SIGTERM.*the other instance exited 0`,
    ),
  );
  assert.doesNotMatch(stdout, /instance 1\/3/);
  // zod keeps the field (it strips keys the schema does not know).
  assert.deepEqual(MembenchResultSchema.parse(doc).benchmarks[1]!.runs[0]!.instances, inst);
});

test('--concurrency 3 --memory-limit 96M: the instance that grows is OOM-killed, the other two exit 0', { skip: needsRoot }, () => {
  const grow = `case $MEMBENCH_INSTANCE in 3) exec ${MEMFIX} grow 10 20;; *) exec ${MEMFIX} hold 10 500;; esac`;
  const { doc, status, stdout } = run(['-r', '1', '--concurrency', '3', '--memory-limit', '96M', '--', '/bin/sh', '-c', grow]);
  assert.equal(status, 1);
  const r = doc.benchmarks[0]!.runs[0]!;
  assert.deepEqual(
    r.instances!.map((i) => [i.instance, i.outcome.state]),
    [
      [1, 'exited'],
      [2, 'exited'],
      [3, 'oom-killed'],
    ],
  );
  assert.deepEqual(
    r.instances!.slice(0, 2).map((i) => i.outcome),
    [
      { state: 'exited', exitCode: 0 },
      { state: 'exited', exitCode: 0 },
    ],
  );
  // The OOM killer takes the largest: instance 3 (up to ~86 MiB against the others' 10 MiB), as the kernel says.
  if (r.oom?.killedPid != null) assert.equal(r.oom.killedPid, r.instances![2]!.pid, JSON.stringify(r.oom.kernelLog));
  assert.match(
    stdout,
    /instance 3\/3 \(pid \d+\): killed by the OOM killer at the run's memory limit \(\d+ OOM kills? in its cgroup\) .*the other 2 instances exited 0/,
  );
});

test('--payload-scan: a program that keeps its input costs ≈ 1 byte per byte of payload (R² ≥ 0.99)', () => {
  const { doc, stdout } = run(['-r', '1', '--payload-scan', '1M,4M,16M,32M', '--', MEMFIX, 'slurp', '100']);
  const scan = doc.scans.find((s) => s.kind === 'payload')!;
  assert.deepEqual(
    scan.points.map((p) => p.x),
    [1, 4, 16, 32].map((m) => m * MIB),
  );
  assert.ok(Math.abs(scan.fit!.slopeBytesPerUnit - 1) < 0.05, `slope ${scan.fit!.slopeBytesPerUnit}`);
  assert.ok(scan.fit!.r2 >= 0.99);
  assert.match(stdout, /1\.0\d\d bytes of memory per byte of payload|0\.9\d\d bytes of memory per byte of payload/);
});

test('--stdin: a target that never reads its stdin does not hang membench', () => {
  const big = join(dir, 'big.bin');
  writeFileSync(big, Buffer.alloc(8 * MIB, 120));
  const { doc, status } = run(['-r', '1', '--timeout', '20s', '--stdin', big, '--', MEMFIX, 'hold', '1', '50']);
  assert.equal(status, 0);
  assert.equal(doc.benchmarks[0]!.runs[0]!.outcome.state, 'exited');
  assert.equal(doc.benchmarks[0]!.stdin, big);
});

test('bad conditions: one line each, documented exit codes', () => {
  const cases: [string[], number, RegExp][] = [
    [['--memory-limit', 'lots'], 2, /--memory-limit: "lots" is not a size/],
    [['--cpu-quota', '0%'], 2, /--cpu-quota: must be greater than zero/],
    [['--cpuset', '9'], 2, /--cpuset: CPU 9 does not exist here/],
    [['--concurrency', '1,,2'], 2, /--concurrency: "1,,2" has an empty item/],
    [['--payload-scan', '1Q'], 2, /--payload-scan: "1Q" is not a size/],
    [['--stdin', '/no/such/file'], 2, /--stdin \/no\/such\/file cannot be read/],
    [['--backend', 'proc', '--memory-limit', '1G'], 4, /--memory-limit needs a cgroup.*--best-effort/],
  ];
  for (const [args, code, re] of cases) {
    const r = runCli(['run', '-v', ...args, '--', MEMFIX, 'hold', '1', '10']);
    assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
  const best = run(['-r', '1', '--backend', 'proc', '--best-effort', '--memory-limit', '1G', '--', MEMFIX, 'hold', '1', '10']);
  assert.equal(best.status, 0);
  assert.deepEqual(
    best.doc.benchmarks[0]!.runs[0]!.limits.map((l) => [l.name, l.applied]),
    [['memory-limit', false]],
  );
  assert.match(best.stdout, /memory-limit .* \(NOT applied\)/);
});
