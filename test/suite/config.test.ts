import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MembenchError } from '../../src/errors.js';
import { discoverSuiteFiles, loadSuites, resolveSuiteFiles } from '../../src/suite/config.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-config-'));
let seq = 0;
function suiteFile(body: string, ext = 'mjs'): string {
  const f = join(dir, `s${seq++}.membench.${ext}`);
  writeFileSync(f, body);
  return f;
}
async function refused(body: string, pattern: RegExp, ext = 'mjs'): Promise<void> {
  await assert.rejects(loadSuites([suiteFile(body, ext)]), (e: unknown) => {
    assert.ok(e instanceof MembenchError, String(e));
    assert.equal(e.exitCode, 2);
    assert.match(e.line(), pattern);
    assert.ok(!e.line().includes('\n'), 'one line');
    return true;
  });
}

test('loadSuites: in-process, command and module benchmarks into readonly definitions', async () => {
  writeFileSync(join(dir, 'lib.mjs'), 'export const make = (n) => new Array(n).fill(0);\n');
  const js = suiteFile(`export default { runs: 3, timeoutMs: 5000, benchmarks: [
    { name: 'a', sizes: [1, 2, 3], unit: 'thing', expect: { perUnit: '1..2 KiB' }, fn: (n) => [n] },
    { name: 'b', cmd: 'echo {n} {n}', sizes: [7], runs: 1 },
    { name: 'c', cmd: ['/bin/echo', 'x{n}'], sizes: [8], metric: 'treeAnonPeakBytes', cwd: '/tmp' },
  ] };\n`);
  const json = suiteFile(JSON.stringify({ benchmarks: [{ name: 'd', module: './lib.mjs', export: 'make', sizes: [5] }] }), 'json');
  const s = await loadSuites([js, json]);
  assert.deepEqual(
    s.benchmarks.map((b) => [b.name, b.kind, b.runs, b.unit]),
    [
      ['a', 'in-process', 3, 'thing'],
      ['b', 'command', 1, 'unit'],
      ['c', 'command', 3, 'unit'],
      ['d', 'in-process', 5, 'unit'],
    ],
  );
  const [a, b, c, d] = s.benchmarks;
  assert.equal(a!.timeoutMs, 5000);
  assert.deepEqual(a!.expectPerUnit, { text: '1..2 KiB', minBytes: 1024, maxBytes: 2048 });
  if (b?.kind !== 'command' || c?.kind !== 'command' || d?.kind !== 'in-process') throw new Error('kinds');
  assert.deepEqual(b.commandFor(7), { display: 'echo 7 7', argv: ['/bin/sh', '-c', 'echo 7 7'], shell: true, cwd: dir });
  assert.deepEqual(c.commandFor(8), { display: '/bin/echo x8', argv: ['/bin/echo', 'x8'], shell: false, cwd: '/tmp' });
  assert.equal(c.metric, 'treeAnonPeakBytes');
  assert.deepEqual(d.fn(2), [0, 0]);
});

test('loadSuites: every mistake is one line naming the file and the field', async () => {
  await refused(
    'export default { benchmarks: [{ name: "x", sizes: [], fn: (n) => n }] };',
    /s\d+\.membench\.mjs: benchmarks\[0\] \("x"\)\.sizes: is empty: give at least one size/,
  );
  await refused('export default { benchmarks: [{ name: "x", sizes: [1, 1], fn: (n) => n }] };', /sizes: lists a size twice/);
  await refused('export default { benchmarks: [{ name: "x", sizes: [1.5], fn: (n) => n }] };', /sizes\[0\]: must be whole numbers/);
  await refused(
    'export default { benchmarks: [{ name: "x", size: [1], sizes: [1], fn: (n) => n }] };',
    /benchmarks\[0\] \("x"\): unknown key "size"/,
  );
  await refused('export default { benchmarks: [{ name: "x", sizes: [1] }] };', /says nothing to run \(give fn: \(n\) => value/);
  await refused('export default { benchmarks: [{ name: "x", sizes: [1], fn: 3 }] };', /\.fn: must be a function/);
  await refused('export default { benchmarks: [{ name: "x", sizes: [1], cmd: "echo hi" }] };', /\.cmd never uses \{n\}/);
  await refused(
    'export default { benchmarks: [{ name: "x", sizes: [1], fn: (n) => n, expect: { perUnit: "2 KB" } }] };',
    /expect\.perUnit: "2 KB" is not a range/,
  );
  await refused('export default { benchmarks: [] };', /benchmarks: is empty/);
  await refused('export default 42;', /does not export a suite/);
  await refused('throw new Error("no database");', /cannot load .*: no database \(fix the file/);
  await refused('export default {', /cannot load .*: SyntaxError: /);
  await refused('{ "benchmarks": [', /cannot load .*\.json: .*JSON/, 'json');
  await refused(
    JSON.stringify({ benchmarks: [{ name: 'm', module: './missing.mjs', sizes: [1] }] }),
    /\.module: cannot load \.\/missing\.mjs/,
    'json',
  );
  const a = suiteFile('export default { benchmarks: [{ name: "same", sizes: [1], fn: (n) => n }] };');
  const b = suiteFile('export default { benchmarks: [{ name: "same", sizes: [2], fn: (n) => n }] };');
  await assert.rejects(loadSuites([a, b]), /benchmark name "same" is used twice/);
  await assert.rejects(loadSuites([join(dir, 'nope.membench.mjs')]), /no such suite file/);
});

test('discovery: membench.config.* first, then *.membench.*; none is a usage error', () => {
  const d = join(dir, 'disc');
  mkdirSync(d);
  assert.throws(
    () => resolveSuiteFiles([], d),
    (e: unknown) => e instanceof MembenchError && /no suite file in .* \(create membench\.config\.js/.test(e.line()),
  );
  for (const f of ['b.membench.mjs', 'a.membench.js', 'membench.config.json', 'notes.mjs']) writeFileSync(join(d, f), '');
  assert.deepEqual(
    discoverSuiteFiles(d).map((f) => f.slice(d.length + 1)),
    ['membench.config.json', 'a.membench.js', 'b.membench.mjs'],
  );
  assert.deepEqual(resolveSuiteFiles(['x.mjs'], d), [join(d, 'x.mjs')]);
});
