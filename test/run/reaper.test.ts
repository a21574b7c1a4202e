// The native reaper (native/reaper.c): its report lines, wait statuses, and the binary itself — the child's exit code
// and terminating signal passed on, stdio untouched, orphans reaped, the marker kept out of its own environ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { nativeBinary } from '../../src/native.js';
import { decodeWaitStatus, parseReaperLine, reapedPeaks } from '../../src/run/reaper.js';
import { MEMFIX, MIB, ROOT } from '../helpers/fixtures.js';

const REAPER = nativeBinary('reaper');
const SPIKE = join(ROOT, 'fixtures', 'bin', 'spike');

test('report lines parse; anything else is ignored', () => {
  assert.deepEqual(parseReaperLine('P 42'), { kind: 'child', pid: 42 });
  assert.deepEqual(parseReaperLine('R 42 1024 768\n'), { kind: 'reaped', pid: 42, maxRssBytes: MIB, status: 768 });
  assert.deepEqual(parseReaperLine('C 307804'), { kind: 'children', maxRssBytes: 307804 * 1024 });
  for (const bad of ['', 'P', 'P x', 'R 1 2', 'C -1', 'X 1', 'P 0']) assert.equal(parseReaperLine(bad), null, bad);
});

test('wait statuses decode as node reports an ending', () => {
  assert.deepEqual(decodeWaitStatus(3 << 8), { code: 3, signal: null });
  assert.deepEqual(decodeWaitStatus(9), { code: null, signal: 'SIGKILL' });
  assert.deepEqual(decodeWaitStatus(15 | 0x80), { code: null, signal: 'SIGTERM' }, 'core-dump bit ignored');
});

test('reports fold: the largest ru_maxrss and its pid; complete only when every reaper reached ECHILD', () => {
  const a = {
    reaped: new Map([
      [10, 5 * MIB],
      [11, 300 * MIB],
    ]),
    childrenMaxRssBytes: 300 * MIB,
  };
  const b = { reaped: new Map([[20, 7 * MIB]]), childrenMaxRssBytes: 7 * MIB };
  assert.deepEqual(reapedPeaks([a, b], MIB), { maxRssBytes: 300 * MIB, pid: 11, complete: true, pids: [10, 11, 20], slackBytes: MIB });
  assert.equal(reapedPeaks([a, null], MIB)!.complete, false);
  assert.equal(reapedPeaks([a, { reaped: new Map(), childrenMaxRssBytes: null }], MIB)!.complete, false);
  assert.equal(reapedPeaks([null], MIB), null);
});

/** Runs the reaper with its report on fd 3 (a file), returns status, signal, stdout and the report's lines. */
function reap(argv: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(REAPER!, ['3', ...argv], { encoding: 'utf8', env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], input: 'from stdin\n' });
  const report = (r.output[3] ?? '').toString().trim().split('\n');
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, report };
}

test('the binary passes on exit codes and signals, leaves stdio to the child', {
  skip: REAPER === null && 'native reaper not built or MEMBENCH_NATIVE=0',
}, () => {
  const exit3 = reap(['--', 'sh', '-c', 'cat; exit 3']);
  assert.equal(exit3.status, 3);
  assert.equal(exit3.stdout, 'from stdin\n', 'stdin reaches the child, its stdout reaches ours');
  const killed = reap(['--', 'sh', '-c', 'kill -9 $$']);
  assert.equal(killed.signal, 'SIGKILL', "the child's signal is raised on the reaper itself");
  const term = reap(['--', 'sh', '-c', 'kill -TERM $$']);
  assert.equal(term.signal, 'SIGTERM');
  const missing = reap(['--', '/nonexistent/program']);
  assert.equal(missing.status, 127);
  assert.match(missing.stderr, /cannot run \/nonexistent\/program/);
});

test('the binary reports the child first, then every reaped process with its ru_maxrss, then RUSAGE_CHILDREN', {
  skip: REAPER === null && 'native reaper not built or MEMBENCH_NATIVE=0',
}, () => {
  // spike's 100 MiB child is waited for by spike itself: its peak reaches the reaper through spike's ru_maxrss.
  const r = reap(['--', SPIKE, '100', '3', '0']);
  assert.equal(r.status, 0);
  const [first, ...rest] = r.report.map(parseReaperLine);
  assert.equal(first?.kind, 'child');
  const last = rest.at(-1)!;
  assert.equal(last.kind, 'children');
  // 100 MiB touched plus ~1–2 MiB of program (libc, stack): ru_maxrss is in KiB, exact to the page.
  assert.ok(last.maxRssBytes >= 100 * MIB && last.maxRssBytes <= 106 * MIB, `RUSAGE_CHILDREN ${last.maxRssBytes / MIB} MiB`);
  const reaped = rest.filter((e) => e?.kind === 'reaped');
  assert.deepEqual(
    reaped.map((e) => e!.kind === 'reaped' && e!.pid),
    [first!.kind === 'child' && first!.pid],
  );
});

test('a double-forked daemon is reaped by the reaper (a subreaper), its peak included', {
  skip: REAPER === null && 'native reaper not built or MEMBENCH_NATIVE=0',
}, () => {
  // memfix daemon: the parent exits at once, the setsid grandchild touches 60 MiB, holds 50 ms; nobody else waits for it.
  const r = reap(['--', MEMFIX, 'daemon', '60', '50']);
  const reaped = r.report.map(parseReaperLine).filter((e) => e?.kind === 'reaped');
  assert.ok(reaped.length >= 2, `the parent and its orphaned grandchild: ${r.report.join(' | ')}`);
  const max = Math.max(...reaped.map((e) => (e!.kind === 'reaped' ? e!.maxRssBytes : 0)));
  assert.ok(max >= 60 * MIB && max <= 66 * MIB, `daemon ru_maxrss ${max / MIB} MiB`);
});

test("NAME=VALUE reach the child's environment, never the reaper's own", {
  skip: REAPER === null && 'native reaper not built or MEMBENCH_NATIVE=0',
}, () => {
  const env = { PATH: process.env.PATH };
  // The child prints its own marker and its parent's (the reaper's) environ.
  const r = reap(['MEMBENCH_RUN=probe-1', '--', 'sh', '-c', 'echo "$MEMBENCH_RUN"; tr "\\0" "\\n" < /proc/$PPID/environ'], env);
  const [own, ...parent] = r.stdout.trim().split('\n');
  assert.equal(own, 'probe-1');
  assert.ok(!parent.some((l) => l.startsWith('MEMBENCH_RUN=')), parent.join(','));
});
