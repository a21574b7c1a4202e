// `membench suite` and `membench compare` end to end: a tiny in-process suite, a command suite, baselines,
// the gate on a planted regression, and every bad input ending in one line with nothing half-written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SuiteResult } from '../../src/document/suite.js';
import { ROOT, runCli, runCliOk } from '../helpers/fixtures.js';

const FIX = join(ROOT, 'test', 'fixtures', 'suite');
const dir = mkdtempSync(join(tmpdir(), 'membench-suite-'));
const baselines = join(dir, 'baselines');
const read = (p: string): SuiteResult => JSON.parse(readFileSync(p, 'utf8')) as SuiteResult;
/** stderr as lines, without the progress line (stderr is not a TTY here, so there is none). */
const errLines = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');

test('suite: a tiny in-process suite with 2 sizes — table, fit, expect, JSON and every export', () => {
  const json = join(dir, 'tiny.json');
  const out = {
    markdown: join(dir, 'tiny.md'),
    csv: join(dir, 'tiny.csv'),
    bmf: join(dir, 'tiny.bmf.json'),
    'gh-benchmark': join(dir, 'tiny.gh.json'),
  };
  const r = runCliOk([
    'suite',
    join(FIX, 'tiny.membench.mjs'),
    '--json',
    json,
    '--baseline-dir',
    baselines,
    '--save-baseline',
    'main',
    ...Object.entries(out).flatMap(([flag, path]) => [`--${flag}`, path]),
  ]);
  assert.match(r.stdout, /items · in-process · retained/);
  assert.match(r.stdout, /^\s+2000\s/m);
  assert.match(r.stdout, /fit\s+[\d.]+ B per item/);
  assert.match(r.stdout, /expect 20\.\.400 B per item: within/);
  const doc = read(json);
  assert.equal(doc.context.complete, true);
  const b = doc.benchmarks[0]!;
  assert.deepEqual(
    b.sizes.map((s) => [s.size, s.valuesBytes.length]),
    [
      [2000, 3],
      [8000, 3],
    ],
  );
  assert.ok(b.fit!.slopeBytesPerUnit > 20 && b.fit!.slopeBytesPerUnit < 400);
  assert.equal(b.fit!.verdict, 'too-few-points'); // 2 sizes: a slope, but no linearity verdict
  assert.equal(b.expectVerdict, 'within');
  assert.ok(existsSync(join(baselines, 'main.json')));
  assert.match(readFileSync(out.markdown, 'utf8'), /\| size \| median \|/);
  assert.match(readFileSync(out.csv, 'utf8'), /^benchmark,kind,metric,unit,size,/);
  const bmf = JSON.parse(readFileSync(out.bmf, 'utf8')) as Record<string, Record<string, { value: number }>>;
  assert.deepEqual(Object.keys(bmf), ['items/2000', 'items/8000', 'items/per-item']);
  const gh = JSON.parse(readFileSync(out['gh-benchmark'], 'utf8')) as { name: string; unit: string; value: number }[];
  assert.deepEqual(
    gh.map((e) => e.unit),
    ['bytes', 'bytes', 'bytes/item'],
  );
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0);
});

test('gate: an unchanged re-run passes, a planted 20 % regression exits 6 (suite --baseline and compare)', () => {
  const same = join(dir, 'same.json');
  const r1 = runCliOk(['suite', join(FIX, 'tiny.membench.mjs'), '--json', same, '--baseline-dir', baselines, '--baseline', 'main']);
  assert.match(r1.stdout, /0 regressions/);
  const grown = join(dir, 'grown.json');
  const md = join(dir, 'gate.md');
  const r2 = runCli(
    ['suite', join(FIX, 'tiny.membench.mjs'), '--json', grown, '--baseline-dir', baselines, '--baseline', 'main', '--markdown', md],
    { env: { MEMBENCH_TEST_GROWTH: '1.2' } },
  );
  assert.equal(r2.status, 6, r2.stdout + r2.stderr);
  assert.match(r2.stdout, /items\s+8000 .* REGRESSED/);
  assert.match(r2.stdout, /items\s+per unit .* REGRESSED/);
  assert.match(r2.stderr, /regressions? against baseline main/);
  assert.match(readFileSync(md, 'utf8'), /\*\*\d regressions?\*\*/);
  // The same verdicts from the two documents, offline.
  assert.equal(runCli(['compare', same, grown]).status, 6);
  runCliOk(['compare', join(baselines, 'main.json'), same]);
  const viaName = runCli(['compare', 'main', grown, '--baseline-dir', baselines, '--json', '-']);
  assert.equal(viaName.status, 6);
  assert.ok((JSON.parse(viaName.stdout) as { regressions: number }).regressions >= 2);
});

test('suite: a command suite through the run engine (memfix touches N MiB): about 1 MiB per MiB', () => {
  const json = join(dir, 'cmd.json');
  runCliOk(['suite', join(FIX, 'command.membench.mjs'), '--json', json]);
  const b = read(json).benchmarks[0]!;
  assert.equal(b.kind, 'command');
  assert.equal(b.metric, 'treePeakBytes');
  assert.deepEqual(
    b.sizes.map((s) => s.command!.length),
    [2, 2],
  );
  const perMiB = b.fit!.slopeBytesPerUnit / 1024 / 1024;
  assert.ok(perMiB > 0.9 && perMiB < 1.1, String(perMiB));
});

test('suite: a JSON suite naming a module and export', () => {
  const json = join(dir, 'module.json');
  runCliOk(['suite', join(FIX, 'module-ref.membench.json'), '--json', json]);
  const b = read(json).benchmarks[0]!;
  // 64 KiB buffers: external memory, measured to the byte.
  assert.equal(b.sizes[1]!.inProcess![0]!.externalBytes - b.sizes[0]!.inProcess![0]!.externalBytes, 3 * 64 * 1024);
});

test('bad input: one line each, the right exit code, nothing half-written', async (t) => {
  const outs = join(dir, 'bad');
  // The directory exists: outputs into a missing one are refused before anything runs (test/cli/output-paths).
  mkdirSync(outs, { recursive: true });
  const noFiles = (): void =>
    assert.ok(!existsSync(outs) || readdirSync(outs).length === 0, `left: ${existsSync(outs) ? readdirSync(outs).join(', ') : ''}`);
  const one = (r: ReturnType<typeof runCli>, code: number, pattern: RegExp): void => {
    assert.equal(r.status, code, r.stdout + r.stderr);
    const lines = errLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, pattern);
  };
  await t.test('a benchmark that throws: exit 1, where it threw; no baseline, no exports', () => {
    const r = runCli([
      'suite',
      join(FIX, 'throws.membench.mjs'),
      '--baseline-dir',
      outs,
      '--save-baseline',
      'x',
      '--markdown',
      join(outs, 'x.md'),
    ]);
    one(r, 1, /^membench: benchmark "throws" at size 2: threw Error: boom at two \(at .*throws\.membench\.mjs:\d+:\d+\)$/);
    noFiles();
  });
  await t.test('a command that fails: exit 1, its outcome as membench run says it', () => {
    const r = runCli(['suite', join(FIX, 'command-fails.membench.mjs'), '--baseline-dir', outs, '--save-baseline', 'x']);
    one(r, 1, /^membench: benchmark "fails": size 15: \S+\/memfix signal 15 killed by SIGTERM$/);
    noFiles();
  });
  await t.test('a suite file that does not load', () => {
    one(runCli(['suite', join(FIX, 'broken.membench.mjs')]), 2, /^membench: cannot load .*broken\.membench\.mjs: SyntaxError: /);
  });
  await t.test('empty sizes', () => {
    one(runCli(['suite', join(FIX, 'empty-sizes.membench.mjs')]), 2, /benchmarks\[0\] \("nothing"\)\.sizes: is empty/);
  });
  await t.test('a TypeScript suite on a Node that cannot load it', () => {
    const ts = join(dir, 'typed.membench.ts');
    writeFileSync(
      ts,
      'const sizes: number[] = [1, 2];\nexport default { benchmarks: [{ name: "typed", sizes, fn: (n: number) => new Array(n) }] };\n',
    );
    const r = runCli(['suite', ts]);
    if (r.status === 0) return t.skip('this Node runs TypeScript');
    one(r, 2, /does not run TypeScript files \(compile it first/);
  });
  await t.test('a missing baseline: refused before anything runs', () => {
    const r = runCli([
      'suite',
      join(FIX, 'tiny.membench.mjs'),
      '--baseline-dir',
      outs,
      '--baseline',
      'nope',
      '--json',
      join(outs, 'x.json'),
    ]);
    one(r, 2, /^membench: no baseline named "nope" in .* \(save one first: membench suite --save-baseline nope\)$/);
    assert.equal(r.stdout, '');
    noFiles();
  });
  await t.test('a document of another schema version', () => {
    const old = join(dir, 'v99.json');
    const doc = read(join(dir, 'tiny.json'));
    writeFileSync(old, JSON.stringify({ ...doc, schemaVersion: 99 }));
    one(
      runCli(['compare', old, join(dir, 'tiny.json')]),
      2,
      /v99\.json has suite schema version 99; this membench reads version 1 \(re-record it/,
    );
  });
  await t.test('compare: a run document against a suite document', () => {
    const run = join(dir, 'run.json');
    writeFileSync(run, readFileSync(join(ROOT, 'schema', 'result.schema.json'), 'utf8'));
    one(runCli(['compare', run, join(dir, 'tiny.json')]), 2, /^membench: /);
  });
});
