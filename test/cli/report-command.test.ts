// `membench report`: bad inputs give one clear line and exit code 2 and write nothing; good ones give one page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunDocument } from '../../src/document/read.js';
import { EXIT } from '../../src/errors.js';
import { ROOT, runCli, runCliOk } from '../helpers/fixtures.js';
import { syntheticBenchmark, syntheticDoc, syntheticRun } from '../helpers/result-doc.js';

const MIB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'membench-report-'));
const good = JSON.stringify(syntheticDoc([syntheticBenchmark('memfix hold 20 100', [syntheticRun(0, 21 * MIB)])]), null, 2);

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const BAD: readonly { name: string; text: string; says: RegExp }[] = [
  {
    name: 'truncated.json',
    text: good.slice(0, good.length / 2),
    says: /truncated\.json is not complete JSON \(.+\) \(was it cut short\?/,
  },
  { name: 'empty.json', text: '', says: /empty\.json is empty/ },
  { name: 'array.json', text: '[1, 2]', says: /array\.json is not a membench result: it holds an array, not an object/ },
  {
    name: 'hyperfine.json',
    text: JSON.stringify({ results: [{ command: 'x', mean: 1 }] }),
    says: /hyperfine\.json was not written by membench \(tool: none named\)/,
  },
  {
    name: 'other-tool.json',
    text: JSON.stringify({ ...JSON.parse(good), tool: { name: 'memray', version: '1' } }),
    says: /other-tool\.json was not written by membench \(tool: "memray"\)/,
  },
  {
    name: 'v3.json',
    text: JSON.stringify({ ...JSON.parse(good), schemaVersion: 3 }),
    says: /v3\.json has result schema version 3; this membench reads versions 1 and 2 \(open it with membench 0\.0\.0-test, which wrote it\)/,
  },
  { name: 'no-runs.json', text: JSON.stringify(syntheticDoc([syntheticBenchmark('x', [])])), says: /no-runs\.json has no runs to report/ },
  { name: 'no-benchmarks.json', text: JSON.stringify(syntheticDoc([])), says: /no-benchmarks\.json has no runs to report/ },
  {
    name: 'bad-field.json',
    text: good.replace('"treeBytes": 22020096', '"treeBytes": -5'),
    says: /bad-field\.json does not match the membench result schema at benchmarks\[0\]\.runs\[0\]\.peaks\.treeBytes: /,
  },
];

test('each kind of bad document is named in one line', () => {
  for (const b of BAD) {
    assert.throws(
      () => readRunDocument(b.text, b.name),
      (e: Error & { exitCode?: number; line?: () => string }) => {
        assert.equal(e.exitCode, EXIT.USAGE, b.name);
        assert.match(e.line!(), b.says);
        assert.doesNotMatch(e.line!(), /\n/);
        return true;
      },
    );
  }
});

test('a valid document keeps fields a newer writer adds, which zod would strip', () => {
  const doc = JSON.parse(good);
  doc.benchmarks[0].runs[0].laterField = { note: 'kept' };
  const parsed = readRunDocument(JSON.stringify(doc), 'd.json') as unknown as typeof doc;
  assert.deepEqual(parsed.benchmarks[0].runs[0].laterField, { note: 'kept' });
});

test('CLI: a bad input among good ones exits 2 with one line and writes no page', () => {
  const ok = file('ok.json', good);
  for (const b of BAD.slice(0, 3)) {
    const out = join(dir, `out-${b.name}.html`);
    const r = runCli(['report', ok, file(b.name, b.text), '--html', out]);
    assert.equal(r.status, EXIT.USAGE, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^membench: /);
    assert.equal(existsSync(out), false, 'no page written');
  }
  const missing = runCli(['report', join(dir, 'nope.json'), '--html', join(dir, 'x.html')]);
  assert.equal(missing.status, EXIT.USAGE);
  assert.match(missing.stderr, /cannot read .*nope\.json: no such file/);
  // Without --html the documents are printed as the terminal report run printed (-v: the full one).
  const noHtml = runCliOk(['report', ok, '--no-color']);
  assert.match(noHtml.stdout, /^Benchmark 1: .+\n {2}Peak/);
  const full = runCliOk(['report', ok, '-v', '--no-color']);
  assert.match(full.stdout, /runs counted · backend /);
  const two = runCliOk(['report', ok, ok, '--no-color']);
  assert.equal(two.stdout.match(/^== .+$/gm)?.length, 2, 'a title per document when several');
  const overwrite = runCli(['report', ok, '--html', ok]);
  assert.equal(overwrite.status, EXIT.USAGE);
  assert.match(overwrite.stderr, /is one of the input documents/);
  assert.equal(readFileSync(ok, 'utf8'), good, 'input untouched');
});

test('CLI: two documents make one page with a comparison', () => {
  const a = file('a.json', good);
  const b = file('b.json', JSON.stringify(syntheticDoc([syntheticBenchmark('memfix hold 60 100', [syntheticRun(0, 61 * MIB)])])));
  const out = join(dir, 'both.html');
  const r = runCliOk(['report', a, b, '--html', out]);
  assert.match(r.stderr, /wrote .*both\.html \(\d+\.\d KiB, 2 commands from 2 documents\)/);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /Command 1 \(a\.json\)/);
  assert.match(html, /Command 2 \(b\.json\)/);
  assert.match(html, /Tree peak by command/);
  const toStdout = runCliOk(['report', a, '--html', '-']);
  assert.match(toStdout.stdout, /^<!doctype html>/);
});

test('CLI: a version-1 run document (membench 0.1.0, no kind) still makes a page and compares with itself', () => {
  const v1 = join(ROOT, 'test', 'fixtures', 'documents', 'run-v1.json');
  const out = join(dir, 'v1.html');
  const r = runCli(['report', v1, '--html', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /wrote .*v1\.html \(\d+\.\d KiB, 1 command from 1 document\)/);
  assert.match(readFileSync(out, 'utf8'), /memfix hold 8 150/);
  const c = runCli(['compare', v1, v1]);
  assert.equal(c.status, EXIT.OK, c.stderr);
  assert.match(c.stdout, /memfix hold 8 150/);
});

test('CLI: compare two run documents of one command each, different commands: compared as a pair, said so', () => {
  const runs = (mib: number) => [0, 1, 2].map((i) => syntheticRun(i, mib * MIB + i * 4096));
  const a = file('pair-a.json', JSON.stringify(syntheticDoc([syntheticBenchmark('sort big.txt', runs(30))])));
  const b = file('pair-b.json', JSON.stringify(syntheticDoc([syntheticBenchmark('sort -S 1M big.txt', runs(6))])));
  const better = runCli(['compare', a, b, '--no-color']);
  assert.equal(better.status, EXIT.OK, better.stderr);
  assert.match(
    better.stderr,
    /measured different commands; comparing .*pair-b\.json's "sort -S 1M big\.txt" with .*pair-a\.json's "sort big\.txt"/,
  );
  assert.match(better.stdout, /sort big\.txt → sort -S 1M big\.txt +30\.0 MiB +6\.0 MiB +-80\.0 % .* improved/);
  const worse = runCli(['compare', b, a, '--no-color']);
  assert.equal(worse.status, EXIT.REGRESSION, worse.stdout);
  assert.match(worse.stdout, /REGRESSED/);
});
