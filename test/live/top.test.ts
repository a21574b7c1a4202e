// membench top: a memfix fixture's figures, sorting, limits, totals, and processes that cannot be read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { buildTop, scanProcesses, withNames, type ReadText } from '../../src/live/top.js';
import { renderTop, unreadableHint } from '../../src/live/render.js';
import { CLI, MEMFIX, MIB, runCli, runCliOk, unwrap } from '../helpers/fixtures.js';
import { AS_NOBODY, cannotRunAsNobody, nobodyCopy } from '../helpers/as-nobody.js';
import type { TopSnapshot } from '../../src/live/top.js';

const ROLLUP = (rssKib: number, pssKib: number, privKib: number, swapKib: number): string =>
  `00400000-7ffc0000 ---p 00000000 00:00 0                                [rollup]\nRss: ${rssKib} kB\nPss: ${pssKib} kB\nPrivate_Clean: 0 kB\nPrivate_Dirty: ${privKib} kB\nSwap: ${swapKib} kB\nSwapPss: ${swapKib} kB\n`;

/** A fake /proc: pid 10 and 11 readable, 12 denied, 13 a kernel thread, 14 gone mid-scan. */
const fake: ReadText = (path) => {
  const [, , pidText, file] = path.split('/');
  const pid = Number(pidText);
  const err = (code: string): never => {
    throw Object.assign(new Error(code), { code });
  };
  if (pid === 14) err('ENOENT');
  if (file === 'comm') return `p${pid}\n`;
  if (file === 'cmdline') return pid === 10 ? 'python3\0app.py\0' : '';
  if (pid === 10) return ROLLUP(300, 200, 150, 0);
  if (pid === 11) return ROLLUP(100, 50, 10, 400);
  if (pid === 12) err('EACCES');
  return '';
};

test('scan: readable, denied, kernel threads and vanished processes are told apart; totals cover all', () => {
  const scan = scanProcesses({ proc: '/proc' }, fake, [10, 11, 12, 13, 14]);
  assert.deepEqual(scan.unreadable, [{ pid: 12, name: 'p12', reason: 'EACCES' }]);
  assert.equal(scan.kernelThreads, 1);
  const top = buildTop(scan, 'swap', 1, 0, 1);
  assert.deepEqual(
    top.processes.map((p) => p.pid),
    [11],
  );
  assert.equal(top.omitted, 1);
  assert.deepEqual(top.totals, { processes: 2, rssBytes: 400 * 1024, pssBytes: 250 * 1024, ussBytes: 160 * 1024, swapBytes: 400 * 1024 });
  assert.equal(buildTop(scan, 'pss', null, 0, 1).processes[0]!.command, 'python3 app.py');
  assert.equal(top.processes[0]!.command, '[p11]');
  const text = unwrap(renderTop(top));
  assert.match(text, /unreadable: 1 process \(EACCES\), not in the totals: p12 \(pid 12\)$/m);
  assert.match(text, /1 kernel threads/);
  assert.match(text, /2 processes$/m);
  assert.doesNotMatch(text, /run as root/, 'no advice unless asked for');
});

test("render: who is not root is told once to run as root to see other users' processes; root is not", () => {
  const denied = [20, 21, 22, 23, 24, 25, 26].map((pid) => ({ pid, name: `p${pid}`, reason: pid === 26 ? 'EPERM' : 'EACCES' }));
  const top = { ...buildTop(scanProcesses({ proc: '/proc' }, fake, [10, 11]), 'pss', null, 0, 1), unreadable: denied };
  const raw = renderTop(top, 80, { isRoot: false });
  const user = unwrap(raw);
  assert.match(
    user,
    /^unreadable: 7 processes \(EACCES 6, EPERM 1\), not in the totals: p20 \(pid 20\), p21 \(pid 21\), p22 \(pid 22\), p23 \(pid 23\), p24 \(pid 24\) and 2 more$/m,
  );
  assert.match(
    user,
    /^7 processes could not be read \(EACCES 6, EPERM 1\): run as root \(or with CAP_SYS_PTRACE\) to see other users' processes$/m,
  );
  assert.equal(user.match(/run as root/g)?.length, 1);
  assert.doesNotMatch(renderTop(top, 80, { isRoot: true }), /run as root/);
  assert.equal(unreadableHint({ ...top, unreadable: [] }, false), null, 'nothing to say when every process was read');
  for (const line of raw.trimEnd().split('\n').slice(-6)) assert.ok([...line].length <= 80, `the footer keeps to 80 columns: ${line}`);
});

test('scan without names: comm and cmdline are read for the rows shown only, after sorting; figures and totals unchanged', () => {
  const reads: string[] = [];
  const counting: ReadText = (path) => {
    reads.push(path);
    return fake(path);
  };
  const lazy = scanProcesses({ proc: '/proc' }, counting, [10, 11, 12, 13, 14], false);
  // Only the denied process is named during the scan (the unreadable list says who it is).
  assert.deepEqual(
    reads.filter((r) => /comm|cmdline/.test(r)),
    ['/proc/12/comm', '/proc/12/cmdline'],
  );
  assert.deepEqual(
    lazy.processes.map((p) => p.name),
    ['', ''],
  );
  const eager = scanProcesses({ proc: '/proc' }, fake, [10, 11, 12, 13, 14]);
  const top = withNames(buildTop(lazy, 'pss', 1, 0, 1), { proc: '/proc' }, counting);
  assert.deepEqual(top.processes, buildTop(eager, 'pss', 1, 0, 1).processes);
  assert.equal(top.processes[0]!.command, 'python3 app.py');
  assert.deepEqual(
    reads.filter((r) => /\/10\/(comm|cmdline)/.test(r)),
    ['/proc/10/comm', '/proc/10/cmdline'],
  );
  assert.equal(
    reads.some((r) => /\/11\/(comm|cmdline)/.test(r)),
    false,
    'pid 11 is not shown (--limit 1): never named',
  );
  assert.deepEqual(buildTop(lazy, 'pss', null, 0, 1).totals, buildTop(eager, 'pss', null, 0, 1).totals);
});

test('membench top --json: a fixture holding 40 MiB is listed with that much PSS and USS', async () => {
  const child = spawn(MEMFIX, ['hold', '40', '20000'], { stdio: 'ignore' });
  try {
    // Wait until its pages are touched (RSS reaches 40 MiB).
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = runCliOk(['top', '--json', '--sort', 'uss']);
      const snap = JSON.parse(r.stdout) as TopSnapshot;
      const me = snap.processes.find((p) => p.pid === child.pid);
      if (me && me.ussBytes >= 40 * MIB) {
        assert.ok(me.pssBytes >= 40 * MIB && me.pssBytes < 43 * MIB, `PSS ${me.pssBytes / MIB} MiB`);
        assert.ok(me.command.startsWith(MEMFIX));
        assert.equal(snap.omitted, 0);
        const sorted = snap.processes.map((p) => p.ussBytes);
        assert.deepEqual(
          sorted,
          [...sorted].sort((a, b) => b - a),
        );
        assert.ok(snap.totals.pssBytes >= me.pssBytes);
        break;
      }
      assert.ok(Date.now() < deadline, 'the fixture never reached 40 MiB in top');
      await new Promise((r) => setTimeout(r, 200));
    }
    const text = runCliOk(['top', '--limit', '3']);
    assert.match(text.stdout, /^\s*PID\s+PSS\s+USS\s+RSS\s+SWAP\s+COMMAND$/m);
    assert.match(text.stdout, /^\s*total\s/m);
    assert.equal(runCli(['top', '--sort', 'vss']).status, 2);
  } finally {
    child.kill('SIGKILL');
  }
});

test('membench top --refresh: every pass is a full snapshot (NDJSON), passes are an interval apart, --count ends it', async () => {
  const child = spawn(MEMFIX, ['hold', '30', '30000'], { stdio: 'ignore' });
  try {
    // Until the fixture's 30 MiB are touched.
    for (const deadline = Date.now() + 10_000; ; ) {
      const me = (JSON.parse(runCli(['top', '--json']).stdout) as TopSnapshot).processes.find((p) => p.pid === child.pid);
      if (me && me.ussBytes >= 30 * MIB) break;
      assert.ok(Date.now() < deadline, 'the fixture never reached 30 MiB');
      await new Promise((r) => setTimeout(r, 200));
    }
    const r = runCliOk(['top', '--refresh', '300ms', '--count', '3', '--json', '--sort', 'uss']);
    const passes = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TopSnapshot);
    assert.equal(passes.length, 3);
    for (const snap of passes) {
      assert.equal(snap.omitted, 0);
      assert.equal(snap.processes.length, snap.totals.processes);
      const me = snap.processes.find((p) => p.pid === child.pid);
      // 30 MiB touched plus the program (< 2 MiB); it shares almost nothing, so PSS ≈ USS.
      assert.ok(me && me.ussBytes >= 30 * MIB && me.pssBytes < 33 * MIB, `fixture in pass: ${JSON.stringify(me)}`);
    }
    // A pass begins an interval after the previous one began (later, never earlier, on a loaded machine); the
    // wait is timed on the monotonic clock and takenAtEpochMs on the wall clock, hence 5 ms of slack.
    for (let i = 1; i < 3; i++) assert.ok(passes[i]!.takenAtEpochMs - passes[i - 1]!.takenAtEpochMs >= 295, `passes ${i - 1}→${i}`);
    const text = runCliOk(['top', '--refresh', '100ms', '--count', '2', '--limit', '2']);
    assert.equal(text.stdout.match(/^membench top — pass \d\/2, every 100ms/gm)?.length, 2, text.stdout);
    assert.equal(text.stdout.match(/^\s*total\s/gm)?.length, 2);
    assert.equal(text.stdout.match(/^ *\d+ +[\d.]+ [KMG]?i?B /gm)?.length, 4, 'two rows per pass (--limit 2)');
    const bad = runCli(['top', '--count', '3']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^membench: --count needs --refresh \(e\.g\. membench top --refresh 2s --count 10\)\n$/);
  } finally {
    child.kill('SIGKILL');
  }
});

test('membench top --refresh: Ctrl-C (SIGINT) ends it after the pass in progress, exit 0, nothing half-written', async () => {
  const top = spawn(process.execPath, [CLI, 'top', '--refresh', '30s', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  top.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => top.once('exit', (code) => r(code)));
  for (const deadline = Date.now() + 20_000; !out.includes('\n'); await new Promise((r) => setTimeout(r, 50))) {
    assert.ok(Date.now() < deadline, 'no first pass within 20 s');
  }
  top.kill('SIGINT');
  // Without the signal it would sleep 30 s before the next pass.
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
  if (code === 'timeout') top.kill('SIGKILL');
  assert.equal(code, 0);
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 1);
  const snap = JSON.parse(lines[0]!) as TopSnapshot;
  assert.deepEqual([snap.kind, snap.schemaVersion, snap.tool.name], ['membench-top', 2, 'membench']);
});

test("membench top as an unprivileged user: root's processes are listed as unreadable (EACCES), its own are measured", async (t) => {
  const why = cannotRunAsNobody();
  if (why) return t.skip(why);
  const copy = nobodyCopy('membench-top-nobody-');
  t.after(copy.remove);
  // A process of nobody's own, holding 16 MiB: readable to nobody.
  const own = spawn('setpriv', [...AS_NOBODY, copy.memfix, 'hold', '16', '20000'], { stdio: 'ignore' });
  t.after(() => own.kill('SIGKILL'));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = spawnSync('setpriv', [...AS_NOBODY, process.execPath, copy.cli, 'top', '--json'], { encoding: 'utf8', cwd: copy.dir });
    assert.equal(r.status, 0, r.stderr);
    const snap = JSON.parse(r.stdout) as TopSnapshot;
    // stdout is the JSON alone; the advice is one line on stderr, with the count the JSON holds.
    assert.equal(
      r.stderr,
      `membench: ${snap.unreadable.length} processes could not be read (EACCES): run as root (or with CAP_SYS_PTRACE) to see other users' processes\n`,
    );
    // This test process runs as root: nobody may not read its smaps_rollup (ptrace access mode check).
    const me = snap.unreadable.find((u) => u.pid === process.pid);
    assert.deepEqual(me, { pid: process.pid, name: readFileSync('/proc/self/comm', 'utf8').trim(), reason: 'EACCES' });
    assert.equal(
      snap.processes.some((p) => p.pid === process.pid),
      false,
      'an unreadable process is not in the list',
    );
    // memfix runs as nobody (setpriv exec's it, same pid): its 16 MiB are measured.
    const fixture = snap.processes.find((p) => p.pid === own.pid);
    if (fixture && fixture.ussBytes >= 16 * MIB) {
      assert.ok(fixture.pssBytes < 19 * MIB, `PSS ${fixture.pssBytes / MIB} MiB`);
      break;
    }
    assert.ok(Date.now() < deadline, 'the fixture run as nobody never showed 16 MiB in top');
    await new Promise((r) => setTimeout(r, 200));
  }
});

test('membench top as root: no advice to run as root, on stderr or in the footer', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root');
  const json = runCliOk(['top', '--json', '-n', '3']);
  // Root can still be refused (here pid 1 of the sandbox gives EACCES): listed, but "run as root" would be false.
  const denied = (JSON.parse(json.stdout) as TopSnapshot).unreadable.length;
  assert.equal(json.stderr, '');
  const text = runCli(['top', '-n', '3']);
  assert.doesNotMatch(text.stdout + text.stderr, /run as root/);
  if (denied > 0) assert.match(text.stdout, /^unreadable: \d+ process/m);
});
