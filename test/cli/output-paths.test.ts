// Bad paths and bad documents on every subcommand but run and profile: exit 2, one line on stderr, no stack trace,
// nothing written, nothing run. Each case is run through the built CLI, as a user would meet it.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReadableFile, checkWritableOutput } from '../../src/cli/output-paths.js';
import { EXIT, type MembenchError } from '../../src/errors.js';
import { CLI, MEMFIX, MIB, runCli, runCliOk } from '../helpers/fixtures.js';
import { AS_NOBODY, cannotRunAsNobody, nobodyCopy } from '../helpers/as-nobody.js';
import { syntheticBenchmark, syntheticDoc, syntheticRun } from '../helpers/result-doc.js';
import { suiteDoc } from '../helpers/suite-doc.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-paths-'));
const put = (name: string, value: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return p;
};
const runA = put(
  'run-a.json',
  syntheticDoc([syntheticBenchmark('memfix hold 20 100', [syntheticRun(0, 21 * MIB), syntheticRun(1, 21 * MIB)])]),
);
const runB = put(
  'run-b.json',
  syntheticDoc([syntheticBenchmark('memfix hold 60 100', [syntheticRun(0, 61 * MIB), syntheticRun(1, 61 * MIB)])]),
);
const suiteA = put('suite-a.json', suiteDoc({ items: { 1000: [100, 101, 102] } }));
const suiteB = put('suite-b.json', suiteDoc({ other: { 1000: [100, 101, 102] } }));
const suiteSizes = put('suite-sizes.json', suiteDoc({ items: { 5000: [100, 101, 102] } }));

/** A suite whose one command appends a line to MARKER: the marker exists only if the suite ran. */
function markerSuite(name: string): { file: string; marker: string } {
  const marker = join(dir, `${name}.ran`);
  const file = put(`${name}.membench.json`, {
    runs: 1,
    benchmarks: [{ name: 'mark', cmd: ['/bin/sh', '-c', `echo {n} >> ${marker}`], sizes: [1] }],
  });
  return { file, marker };
}

/** Exit 2, exactly one line on stderr (starting "membench: "), matching SAYS, no stack trace. */
function refused(r: SpawnSyncReturns<string>, says: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(r.status, EXIT.USAGE, `exit ${r.status}: ${r.stderr}`);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^membench: /);
  assert.match(lines[0]!, says);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

/** Nothing left in D but what was there before: no output, no temporary file. */
const entries = (d: string): string[] => readdirSync(d).sort();

test('report --html: missing directory, a directory, a file as directory, an input as output — refused before reading', () => {
  const before = entries(dir);
  refused(
    runCli(['report', runA, '--html', join(dir, 'missing', 'r.html')]),
    /--html .*missing\/r\.html: directory .*missing does not exist \(create it first: mkdir -p /,
  );
  refused(runCli(['report', runA, '--html', dir]), /--html .* is a directory \(give a file name, e\.g\. .*\/report\.html\)/);
  refused(runCli(['report', runA, '--html', `${dir}/new-dir/`]), /is a directory/);
  refused(runCli(['report', runA, '--html', join(runA, 'r.html')]), /run-a\.json is not a directory/);
  refused(runCli(['report', runA, '--html', runA]), /--html .*run-a\.json is one of the input documents/);
  // The output is checked first: a bad output and a bad input give the output's line (the cheaper check).
  refused(runCli(['report', join(dir, 'nope.json'), '--html', join(dir, 'missing', 'r.html')]), /directory .*missing does not exist/);
  assert.deepEqual(entries(dir), before, 'nothing written');
  assert.equal(JSON.parse(readFileSync(runA, 'utf8')).tool.name, 'membench', 'input untouched');
});

test('report --html through a symbolic link to /dev/null is written in place: the link is not replaced', () => {
  const link = join(dir, 'to-null.html');
  symlinkSync('/dev/null', link);
  runCliOk(['report', runA, '--html', link]);
  assert.ok(lstatSync(link).isSymbolicLink(), 'still a link, not a file renamed over it');
  assert.equal(entries(dir).filter((f) => f.endsWith('.tmp')).length, 0);
  rmSync(link);
});

test('report and compare: cut-short, empty, directory and missing documents are one line each', () => {
  const text = readFileSync(runA, 'utf8');
  const cut = put('cut.json', text.slice(0, Math.floor(text.length / 3)));
  const out = join(dir, 'never.html');
  refused(runCli(['report', cut, '--html', out]), /cut\.json is not complete JSON \(.*\) \(was it cut short\?/);
  refused(runCli(['report', dir, '--html', out]), /cannot read document .*: is a directory/);
  refused(runCli(['report', join(dir, 'absent.json'), '--html', out]), /cannot read document .*absent\.json: no such file/);
  refused(runCli(['compare', runA, cut]), /cut\.json is not complete JSON/);
  refused(runCli(['compare', runA, dir]), /cannot read document .*: is a directory/);
  assert.equal(existsSync(out), false);
});

test('report and compare name the membench documents they do not read, and the command that does', async () => {
  const out = join(dir, 'never.html');
  const top = runCliOk(['top', '--json', '-n', '1']);
  const system = runCliOk(['system', '--json', '--window', '50ms']);
  const sleeper = spawn(MEMFIX, ['hold', '1', '5000'], { stdio: 'ignore' });
  const watchJson = join(dir, 'watch.json');
  const watch = runCli(['watch', String(sleeper.pid), '--duration', '200ms', '--interval', '20ms', '--json', watchJson]);
  sleeper.kill('SIGKILL');
  assert.equal(watch.status, 0, watch.stderr);
  const comparisonJson = join(dir, 'comparison.json');
  runCliOk(['compare', suiteA, suiteA, '--json', comparisonJson]);
  const docs: [string, RegExp][] = [
    [
      put('top.json', top.stdout),
      /top\.json is a process snapshot \(membench top --json\), not a run or suite result \(no membench command reads snapshots back/,
    ],
    [put('system.json', system.stdout), /system\.json is a machine report \(membench system --json\)/],
    // A snapshot written before the envelope (schema "membench-top/1") is still named.
    [put('top-v1.json', { schema: 'membench-top/1', processes: [] }), /top-v1\.json is a process snapshot \(membench top --json\)/],
    [
      watchJson,
      /watch\.json is a watch recording \(membench watch --json\), not a run or suite result \(no membench command reads recordings back/,
    ],
    [comparisonJson, /comparison\.json is a comparison \(membench compare --json\).*membench compare BASELINE CURRENT makes it again/],
    // A profile document's head, as `profile --json` writes it (the kind is what tells it apart).
    [
      put('profile.json', { kind: 'membench-profile', schemaVersion: 1, tool: { name: 'membench', version: '0' } }),
      /profile\.json is a heap profile \(membench profile --json\).*membench profile import FILE shows it/,
    ],
  ];
  // Every document membench writes opens with the same envelope: kind, schemaVersion, tool.
  for (const [text, kind, version] of [
    [top.stdout, 'membench-top', 2],
    [system.stdout, 'membench-system', 2],
    [readFileSync(comparisonJson, 'utf8'), 'membench-comparison', 1],
  ] as const) {
    const head = JSON.parse(text) as { kind: string; schemaVersion: number; tool: { name: string; version: string } };
    assert.deepEqual([head.kind, head.schemaVersion, head.tool.name], [kind, version, 'membench']);
    assert.equal(Object.keys(head).slice(0, 3).join(), 'kind,schemaVersion,tool', `${kind} opens with the envelope`);
  }
  for (const [file, says] of docs) {
    refused(runCli(['report', file, '--html', out]), says);
    refused(runCli(['compare', file, runA]), says);
  }
  assert.equal(existsSync(out), false);
});

test('compare: two documents with no benchmark in common exit 2 in one line — never a green gate', () => {
  const json = join(dir, 'cmp.json');
  const md = join(dir, 'cmp.md');
  const two = (name: string, a: string, b: string): string =>
    put(name, syntheticDoc([a, b].map((c) => syntheticBenchmark(c, [syntheticRun(0, 21 * MIB), syntheticRun(1, 21 * MIB)]))));
  const runs2A = two('run2-a.json', 'memfix hold 20 100', 'memfix hold 30 100');
  const runs2B = two('run2-b.json', 'memfix hold 60 100', 'memfix hold 70 100');
  refused(
    runCli(['compare', runs2A, runs2B, '--json', json, '--markdown', md]),
    /run2-b\.json and .*run2-a\.json have no benchmark in common: nothing compared \(.*run2-a\.json has "memfix hold 20 100", "memfix hold 30 100"; .*run2-b\.json has "memfix hold 60 100", "memfix hold 70 100"\)/,
  );
  // One command on each side, different commands: compared as a pair (said on stderr), a real gate (21 → 61 MiB regresses).
  const pair = runCli(['compare', runA, runB]);
  assert.equal(pair.status, EXIT.REGRESSION, pair.stderr);
  assert.match(
    pair.stderr,
    /measured different commands; comparing .*run-b\.json's "memfix hold 60 100" with .*run-a\.json's "memfix hold 20 100"/,
  );
  refused(
    runCli(['compare', suiteA, suiteB, '--json', json]),
    /no benchmark in common: nothing compared \(.*suite-a\.json has "items"; .*suite-b\.json has "other"\)/,
  );
  refused(
    runCli(['compare', suiteA, suiteSizes]),
    /suite-sizes\.json and .*suite-a\.json share "items" but no size of it: nothing compared/,
  );
  assert.equal(existsSync(json) || existsSync(md), false, 'nothing written');
  // The same documents against themselves compare one row and pass: the refusal is about the pairing.
  const same = runCliOk(['compare', runA, runA]);
  assert.match(same.stdout, /0 regressions, 0 improvements, 1 row compared/);
});

test('compare: bad --json / --markdown paths and two outputs on one file are refused before any document is read', () => {
  refused(runCli(['compare', suiteA, suiteA, '--json', join(dir, 'missing', 'c.json')]), /--json .*: directory .*missing does not exist/);
  refused(
    runCli(['compare', suiteA, suiteA, '--markdown', dir]),
    /--markdown .* is a directory \(give a file name, e\.g\. .*\/report\.md\)/,
  );
  refused(
    runCli(['compare', suiteA, suiteA, '--json', join(dir, 'same.out'), '--markdown', join(dir, 'same.out')]),
    /--json and --markdown both write .*same\.out/,
  );
  refused(
    runCli(['compare', suiteA, suiteA, '--json', '-', '--markdown', '-']),
    /only one output can go to standard output \("-"\): --json and --markdown both do/,
  );
  refused(runCli(['compare', suiteA, suiteB, '--json', suiteB]), /--json .*suite-b\.json is one of the input documents/);
  // The output is checked before the documents: a missing document with a bad output names the output.
  refused(
    runCli(['compare', join(dir, 'absent.json'), suiteA, '--json', join(dir, 'missing', 'c.json')]),
    /directory .*missing does not exist/,
  );
  assert.equal(existsSync(join(dir, 'same.out')), false);
});

test('suite: every export flag with a bad path is refused before the first benchmark runs', () => {
  const { file, marker } = markerSuite('paths');
  const missing = join(dir, 'missing');
  for (const flag of ['--json', '--markdown', '--csv', '--bmf', '--gh-benchmark', '--html']) {
    refused(runCli(['suite', file, flag, join(missing, 'out')]), new RegExp(`${flag} .*missing/out: directory .*missing does not exist`));
    refused(runCli(['suite', file, flag, dir]), new RegExp(`${flag} .* is a directory`));
    assert.equal(existsSync(marker), false, `${flag}: the suite did not run`);
  }
  refused(runCli(['suite', file, '--json', file]), /--json .*paths\.membench\.json is one of the input documents/);
  refused(runCli(['suite', dir]), /cannot read suite file .*: is a directory/);
  refused(runCli(['suite', file, '--baseline', dir]), /cannot read document .*: is a directory/);
  refused(
    runCli(['suite', file, '--baseline', put('cut-baseline.json', readFileSync(suiteA, 'utf8').slice(0, 40))]),
    /cut-baseline\.json is not complete JSON/,
  );
  refused(runCli(['suite', file, '--csv', join(dir, 'x.out'), '--bmf', join(dir, 'x.out')]), /--csv and --bmf both write/);
  refused(
    runCli(['suite', file, '--save-baseline', 'main', '--baseline-dir', join(runA, 'baselines')]),
    /--baseline-dir .*: .*run-a\.json is not a directory/,
  );
  assert.equal(existsSync(marker), false, 'the suite never ran');
  // The same suite with a good path runs (so the marker can appear: the checks above are what stopped it).
  runCliOk(['suite', file, '--json', join(dir, 'paths-ok.json')]);
  assert.ok(existsSync(marker), 'a good path lets the suite run');
});

test('suite --baseline with no benchmark in common is refused before anything runs', () => {
  const { file, marker } = markerSuite('gate');
  refused(
    runCli(['suite', file, '--baseline', suiteA]),
    /this suite and .*suite-a\.json have no benchmark in common: nothing compared \(.*suite-a\.json has "items"; this suite has "mark"\)/,
  );
  assert.equal(existsSync(marker), false, 'nothing ran');
});

test('watch --json into a missing directory or onto a directory is refused before attaching', () => {
  const r1 = runCli(['watch', String(process.pid), '--json', join(dir, 'missing', 'w.json'), '--duration', '10s']);
  refused(r1, /--json .*: directory .*missing does not exist/);
  refused(runCli(['watch', String(process.pid), '--json', dir, '--duration', '10s']), /--json .* is a directory/);
});

/** A read-only tmpfs mounted for the test (root only), unmounted after. */
function readOnlyMount(t: TestContext): string | null {
  if (process.getuid?.() !== 0) {
    t.skip('mounting a read-only tmpfs needs root');
    return null;
  }
  const at = join(dir, 'ro');
  mkdirSync(at, { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', at], { encoding: 'utf8' });
  if (m.status !== 0) {
    t.skip(`mount -t tmpfs -o ro failed here: ${m.stderr.trim()}`);
    return null;
  }
  t.after(() => spawnSync('umount', [at]));
  return at;
}

test('outputs into a read-only file system: exit 2 "read-only file system", for report, compare, suite and watch', (t) => {
  const ro = readOnlyMount(t);
  if (ro === null) return;
  const { file, marker } = markerSuite('ro');
  refused(runCli(['report', runA, '--html', join(ro, 'r.html')]), /--html .*ro\/r\.html: cannot write in .*ro: read-only file system/);
  refused(runCli(['compare', suiteA, suiteA, '--markdown', join(ro, 'c.md')]), /read-only file system/);
  refused(runCli(['suite', file, '--csv', join(ro, 's.csv')]), /--csv .*: cannot write in .*: read-only file system/);
  refused(
    runCli(['suite', file, '--save-baseline', 'main', '--baseline-dir', join(ro, 'baselines')]),
    /--baseline-dir .*: cannot create it in .*ro: read-only file system/,
  );
  refused(runCli(['watch', String(process.pid), '--json', join(ro, 'w.json')]), /read-only file system/);
  assert.equal(existsSync(marker), false, 'the suite never ran');
  assert.deepEqual(readdirSync(ro), []);
});

test('outputs into an immutable directory (chattr +i): refused even for root', (t) => {
  const imm = join(dir, 'immutable');
  mkdirSync(imm);
  const c = spawnSync('chattr', ['+i', imm], { encoding: 'utf8' });
  if (c.error || c.status !== 0) return t.skip(`chattr +i is not possible here: ${c.error?.message ?? c.stderr.trim()}`);
  t.after(() => spawnSync('chattr', ['-i', imm]));
  refused(runCli(['report', runA, '--html', join(imm, 'r.html')]), /cannot write in .*immutable: not permitted/);
  assert.deepEqual(readdirSync(imm), []);
});

test('as an unprivileged user: an unreadable document and a directory it cannot write are one line each', (t) => {
  const why = cannotRunAsNobody();
  if (why) return t.skip(why);
  const copy = nobodyCopy('membench-paths-nobody-', ['commander', 'cli-table3', 'picocolors', 'uplot', 'zod']);
  t.after(copy.remove);
  const secret = join(copy.dir, 'secret.json');
  writeFileSync(secret, readFileSync(runA));
  chmodSync(secret, 0o600); // root's, not readable by nobody
  const rootOnly = join(copy.dir, 'root-only');
  mkdirSync(rootOnly, { mode: 0o755 });
  const open = join(copy.dir, 'open.json');
  writeFileSync(open, readFileSync(runA));
  chmodSync(open, 0o644);
  const asNobody = (args: string[]): SpawnSyncReturns<string> =>
    spawnSync('setpriv', [...AS_NOBODY, process.execPath, copy.cli, ...args], {
      encoding: 'utf8',
      cwd: '/',
      env: { ...process.env, NO_COLOR: '1' },
    });
  refused(asNobody(['report', secret, '--html', '-']), /cannot read document .*secret\.json: permission denied/);
  refused(
    asNobody(['report', open, '--html', join(rootOnly, 'r.html')]),
    /--html .*r\.html: cannot write in .*root-only: permission denied/,
  );
  assert.deepEqual(readdirSync(rootOnly), []);
});

test('checkWritableOutput / checkReadableFile: "-" only where allowed; a directory is "is a directory"', () => {
  assert.doesNotThrow(() => checkWritableOutput('--json', '-'));
  assert.throws(
    () => checkWritableOutput('--html', '-', { stdout: false }),
    (e: MembenchError) => e.exitCode === EXIT.USAGE && /--html cannot write to standard output/.test(e.line()),
  );
  assert.doesNotThrow(() => checkWritableOutput('--json', join(dir, 'fresh.json')));
  assert.equal(existsSync(join(dir, 'fresh.json')), false, 'the check leaves nothing behind');
  assert.equal(entries(dir).filter((f) => f.endsWith('.tmp')).length, 0);
  assert.throws(
    () => checkReadableFile('profile', dir),
    (e: MembenchError) => e.exitCode === EXIT.USAGE && e.line() === `cannot read profile ${dir}: is a directory (give a file in it)`,
  );
  assert.throws(
    () => checkReadableFile('profile', join(dir, 'absent')),
    (e: MembenchError) => e.exitCode === EXIT.USAGE && /: no such file/.test(e.line()),
  );
  assert.doesNotThrow(() => checkReadableFile('profile', runA));
});

test('profile import DIR: "is a directory", exit 2', () => {
  refused(runCli(['profile', 'import', dir]), /cannot read profile .*: is a directory/);
});

test('a directory removed during a watch: the write at the end is one line, exit 4 (environment), no stack trace', async (t) => {
  const gone = join(dir, 'goes-away');
  mkdirSync(gone);
  const target = spawn(MEMFIX, ['hold', '1', '20000'], { stdio: 'ignore' });
  t.after(() => target.kill('SIGKILL'));
  const watch = spawn(
    process.execPath,
    [CLI, 'watch', String(target.pid), '--duration', '1500ms', '--interval', '50ms', '--json', join(gone, 'w.json')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  let stderr = '';
  watch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => watch.on('exit', (code) => resolve(code)));
  await new Promise((r) => setTimeout(r, 500)); // past the path check, well before the end
  rmSync(gone, { recursive: true });
  const code = await exited;
  assert.equal(code, EXIT.ENVIRONMENT, stderr);
  assert.equal(stderr, `membench: cannot write ${join(gone, 'w.json')}: no such file or directory\n`);
});
