// The surface of `membench run` people meet first: the compact report, hyperfine's flags, paths checked before
// anything runs, failures said on stderr. Real CLI, real processes (memfix touches known amounts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { MembenchResult } from '../../src/result.js';
import { CLI, MEMFIX, MIB, runCli, runCliOk, unwrap } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-surface-'));
let seq = 0;
const path = (ext: string): string => join(dir, `out${seq++}.${ext}`);
const read = (p: string): MembenchResult => JSON.parse(readFileSync(p, 'utf8')) as MembenchResult;
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
const widest = (s: string): number => Math.max(...s.split('\n').map((l) => [...l].length));

test('compact by default: one command in ≤ 6 lines within 80 columns; -v keeps every figure within 80 too', () => {
  const p = path('json');
  const r = runCliOk(['run', '-r', '2', '--export-json', p, '--', MEMFIX, 'hold', '30', '200']);
  const out = lines(r.stdout);
  assert.ok(out.length <= 6, `compact report has ${out.length} lines:\n${r.stdout}`);
  assert.ok(widest(r.stdout) <= 80, `widest line ${widest(r.stdout)}`);
  const doc = read(p);
  const s = doc.benchmarks[0]!.summary.metrics.memoryPeakBytes!;
  // memfix holds 30 MiB plus ~1 MiB of its own: the headline is that, as VmHWM reports it.
  assert.ok(s.mean >= 30 * MIB && s.mean <= 36 * MIB, `headline ${s.mean / MIB} MiB`);
  const mib = (v: number): string => `${(v / MIB).toFixed(1)} MiB`;
  assert.match(r.stdout, new RegExp(`Peak \\(mean ± σ\\): +${mib(s.mean).replace('.', '\\.')} ± `));
  assert.match(
    r.stdout,
    new RegExp(`Range \\(min … max\\): ${mib(s.min).replace('.', '\\.')} … ${mib(s.max).replace('.', '\\.')} +2 runs`),
  );
  assert.match(r.stdout, /\[memfix's (own VmHWM|ru_maxrss at exit, exact)\]|\[tree: cgroup counter/);
  assert.match(r.stdout, /Largest process: +memfix \d+\.\d MiB · wall /);
  assert.match(r.stdout, /Verdict: +leak: cannot tell \(2\/2\)/);
  const v = runCliOk(['run', '-r', '1', '-v', '--', MEMFIX, 'hold', '30', '200']);
  assert.ok(lines(v.stdout).length > 25, 'verbose shows the table, diagnosis, breakdown and chart');
  assert.ok(widest(v.stdout) <= 80, `verbose widest line ${widest(v.stdout)}`);
  assert.match(v.stdout, /Σ PSS ≈ /);
  assert.match(
    unwrap(v.stdout),
    /≈ sampled: Σ RSS every 1\.00 ms, PSS\/USS\/swap when memory moved \(≥ 50\.0 ms apart, at least every 1\.000 s\)/,
  );
});

test('three commands: a hyperfine-style ranking with σ; -n names them; markdown and CSV exports agree with the JSON', () => {
  const p = path('json');
  const md = path('md');
  const csv = path('csv');
  const r = runCliOk([
    'run',
    '-r',
    '2',
    '-n',
    'small',
    '-n',
    'big',
    '--export-json',
    p,
    '--export-markdown',
    md,
    '--export-csv',
    csv,
    `${MEMFIX} hold 10 100`,
    `${MEMFIX} hold 40 100`,
    `${MEMFIX} hold 20 100`,
  ]);
  const doc = read(p);
  assert.deepEqual(
    doc.benchmarks.map((b) => b.command),
    ['small', 'big', `${MEMFIX} hold 20 100`],
  );
  assert.match(r.stdout, /Summary\n {2}small used the least memory/);
  const ratio = (i: number): number =>
    doc.benchmarks[i]!.summary.metrics.memoryPeakBytes!.mean / doc.benchmarks[0]!.summary.metrics.memoryPeakBytes!.mean;
  assert.match(
    r.stdout,
    new RegExp(
      `${ratio(2).toFixed(2).replace('.', '\\.')} ± \\d\\.\\d\\d × less than .*hold 20 100\\n.*${ratio(1).toFixed(2).replace('.', '\\.')} ± \\d\\.\\d\\d × less than big`,
    ),
  );
  assert.ok(ratio(1) > 2.5 && ratio(1) < 4.5, `40 MiB vs 10 MiB (each + ~1 MiB): ${ratio(1)}`);
  // Facts, not terminal rows: a line of figures may wrap (a longer [peak source] note, a wall σ), but between parts.
  assert.ok(lines(unwrap(r.stdout)).length <= 3 * 5 + 3, `three commands in ${lines(unwrap(r.stdout)).length} lines:\n${r.stdout}`);
  assert.ok(widest(r.stdout) <= 80, `widest line ${widest(r.stdout)}`);
  assert.doesNotMatch(r.stdout, /±\s*\n|\n\s+(B|KiB|MiB|GiB|ms|µs|s)\b/, 'no figure cut from its ± or unit at a wrap');
  const mdText = readFileSync(md, 'utf8');
  assert.match(mdText, /^\| Command \| Peak \[MiB\] \| Min \[MiB\] \| Max \[MiB\] \|/);
  assert.match(mdText, /\| `small` \| \d+\.\d ± \d+\.\d \|.*\| 1\.00 \|/);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(rows.length, 4);
  assert.equal(rows[1]!.split(',')[2], String(Math.round(doc.benchmarks[0]!.summary.metrics.memoryPeakBytes!.mean)));
});

test('--prepare before each run, --setup/--cleanup once per command, in that order', () => {
  const log = join(dir, 'hooks.log');
  runCliOk([
    'run',
    '-r',
    '2',
    '-w',
    '1',
    '--setup',
    `echo setup >> ${log}`,
    '--prepare',
    `echo prepare >> ${log}`,
    '--cleanup',
    `echo cleanup >> ${log}`,
    `echo run >> ${log}`,
  ]);
  assert.deepEqual(lines(readFileSync(log, 'utf8')), ['setup', 'prepare', 'run', 'prepare', 'run', 'prepare', 'run', 'cleanup']);
  const bad = runCli(['run', '-r', '1', '--prepare', 'exit 4', 'true']);
  assert.equal(bad.status, 1);
  assert.deepEqual(lines(bad.stderr), [
    'membench: --prepare "exit 4" exited with code 4 (fix it, or run it by hand first; the runs so far are written)',
  ]);
});

test('--parameter-scan substitutes {n} and fits memory per unit; --parameter-list takes values as given', () => {
  const p = path('json');
  const r = runCliOk(['run', '-r', '1', '--export-json', p, '-P', 'n', '10', '30', '-D', '10', `${MEMFIX} hold {n} 100`]);
  const doc = read(p);
  assert.deepEqual(
    doc.benchmarks.map((b) => b.parameter?.value),
    ['10', '20', '30'],
  );
  assert.deepEqual(
    doc.benchmarks.map((b) => b.command),
    [10, 20, 30].map((n) => `${MEMFIX} hold ${n} 100`),
  );
  const scan = doc.scans.find((s) => s.kind === 'parameter')!;
  assert.equal(scan.parameter, 'n');
  // 1 MiB touched per unit of n: the slope is within 5 % of it.
  assert.ok(Math.abs(scan.fit!.slopeBytesPerUnit - MIB) < 0.05 * MIB, `slope ${scan.fit!.slopeBytesPerUnit / MIB} MiB per n`);
  assert.match(unwrap(r.stdout), /Scan: .*hold \{n\} 100: (1\.0 MiB|10[0-4]\d\.\d KiB) per unit of n, R² /);
  const l = runCli(['run', '-r', '1', '--export-json', '-', '-L', 'mode', 'hold,exit', `${MEMFIX} {mode} 1 10`]);
  assert.deepEqual(
    read2(l.stdout).benchmarks.map((b) => b.parameter?.value),
    ['hold', 'exit'],
  );
  assert.equal(read2(l.stdout).scans.length, 0, 'no fit over words');
});
const read2 = (s: string): MembenchResult => JSON.parse(s) as MembenchResult;

test('-N runs a quoted command without a shell; shell syntax with -N is a usage error', () => {
  const p = path('json');
  runCliOk(['run', '-r', '1', '-N', '--export-json', p, `${MEMFIX} hold 5 50`]);
  const b = read(p).benchmarks[0]!;
  assert.equal(b.shell, false);
  assert.deepEqual(b.argv, [MEMFIX, 'hold', '5', '50']);
  const bad = runCli(['run', '-N', `${MEMFIX} hold 5 50 | cat`]);
  assert.equal(bad.status, 2);
  assert.equal(lines(bad.stderr).length, 1);
  assert.match(bad.stderr, /uses shell syntax .* but --shell=none runs no shell/);
});

test('a command is shown as it can be pasted back, quotes kept', () => {
  const r = runCliOk(['run', '-r', '1', '--', 'perl', '-e', '@a=(1..20000)']);
  assert.match(r.stdout, /^Benchmark 1: perl -e '@a=\(1\.\.20000\)'$/m);
});

test('output paths are checked before anything runs: exit 2, one line, nothing run, nothing written', () => {
  const marker = join(dir, 'ran');
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]).status === 0;
  try {
    const cases: [string[], RegExp][] = [
      [['--export-json', '/missing-dir/x.json'], /^membench: --export-json \/missing-dir\/x\.json: directory \/missing-dir does not exist/],
      [['--json', '/missing-dir/x.json'], /^membench: --json \/missing-dir\/x\.json: directory \/missing-dir does not exist/],
      [['--html', '/missing-dir/x.html'], /^membench: --html /],
      [['--export-markdown', dir], /is a directory/],
      [['--export-csv', '/missing/x.csv'], /^membench: --export-csv /],
    ];
    if (mounted) cases.push([['--html', join(ro, 'x.html')], /ro/]);
    for (const [flags, message] of cases) {
      const r = runCli(['run', ...flags, `touch ${marker}`]);
      assert.equal(r.status, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.equal(lines(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
      assert.equal(existsSync(marker), false, `${flags.join(' ')}: the command must not run`);
    }
  } finally {
    if (mounted) spawnSync('umount', [ro]);
  }
});

test('a failed command says so on stderr with its stderr tail; "not found" through the shell runs once, exit 3', () => {
  const r = runCli(['run', '-r', '3', `${MEMFIX} exit 3; echo 'boom: it broke' >&2; exit 3`]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /membench: .*: run 1: exited with code 3\n {2}stderr: boom: it broke/);
  const nf = runCli(['run', '-r', '5', '--export-json', '-', 'no-such-program-membench --flag']);
  assert.equal(nf.status, 3, nf.stderr);
  assert.equal(read2(nf.stdout).benchmarks[0]!.runs.length, 1, 'stopped after the first run');
  assert.match(nf.stderr, /exited with code 127\n +stderr: .*no-such-program-membench: (command )?not found/);
});

test('--style none prints no report (exports still written); basic has no colour even when asked', () => {
  const p = path('json');
  const r = runCliOk(['run', '-r', '1', '--style', 'none', '--export-json', p, '--', MEMFIX, 'hold', '5', '50']);
  assert.equal(r.stdout, '');
  assert.equal(read(p).benchmarks[0]!.runs.length, 1);
  const b = runCli(['run', '-r', '1', '--style', 'basic', '--', MEMFIX, 'hold', '5', '50'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
  assert.doesNotMatch(b.stdout, /\x1b\[/);
  const bad = runCli(['run', '--style', 'fancy', 'true']);
  assert.equal(bad.status, 2);
});

test('on a terminal (a pty from script(1)) a failed run is said once, with the last line it wrote to stderr', {
  skip: !existsSync('/usr/bin/script') && 'no script(1)',
}, () => {
  const inner = `node ${CLI} run -r 1 --style basic -- sh -c 'echo boom-on-tty >&2; exit 3'`;
  const r = spawnSync('/usr/bin/script', ['-qec', inner, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
  const said = r.stdout.replace(/\r/g, '');
  assert.equal(said.match(/exited with code 3/g)?.length, 1, said);
  assert.match(said, /run 1: exited with code 3\n +stderr: boom-on-tty/);
});

test("the README's first command form: `npx membench` runs the package's own bin (mode 0755 after build)", () => {
  const root = join(CLI, '..', '..', '..', '..');
  const r = spawnSync('npx', ['--no-install', 'membench', '--version'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `npx membench --version: ${r.stderr}`);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
});

test('the bin as its first line runs it: node with --no-memory-reducer for run, plain node for watch (scripts/bin-exec.mjs)', () => {
  // The target writes its ancestors' command lines; membench is the first `node` among them (the preamble exec'd it:
  // same pid, node's own argv). watch stays on plain node: attached for hours, it keeps V8's memory reducer.
  const chain = path('txt');
  const ancestors = `p=$PPID; while [ "$p" -gt 1 ]; do tr '\\0' ' ' < /proc/$p/cmdline; echo; p=$(cut -d' ' -f4 /proc/$p/stat); done > ${chain}`;
  const r = spawnSync(CLI, ['run', '--runs', '1', '--', 'sh', '-c', ancestors], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const membench = lines(readFileSync(chain, 'utf8')).find((l) => /^\S*node /.test(l));
  assert.ok(membench?.includes(` --no-memory-reducer ${CLI} run `), `membench ran as: ${membench}\n${readFileSync(chain, 'utf8')}`);
  // watch: started in the background by sh, which reads its command line while it watches sh itself.
  const watched = `${CLI} watch $$ --duration 2s >/dev/null & w=$!; sleep 1; tr '\\0' ' ' < /proc/$w/cmdline > ${chain}; wait $w`;
  const w = spawnSync('sh', ['-c', watched], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(w.status, 0, w.stderr);
  const watcher = readFileSync(chain, 'utf8');
  assert.match(watcher, new RegExp(`^\\S*node ${CLI} watch `), `watch ran as: ${watcher}`);
});
