// The suite HTML page: one SVG per benchmark with every measurement and the fitted line, the slope in words exactly
// as the document has it, every string escaped, nothing fetched; and `membench report` telling suites from runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suiteHtml } from '../../src/report/suite-html.js';
import { formatBytesFine } from '../../src/report/suite-rows.js';
import { SUITE_KIND, SUITE_SCHEMA_VERSION, type SuiteBenchmark, type SuiteResult } from '../../src/document/suite.js';
import { MEMFIX, runCli, runCliOk } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-suite-html-'));

function bench(name: string, slope: number, intercept: number, sizes: number[], over: Partial<SuiteBenchmark> = {}): SuiteBenchmark {
  return {
    name,
    kind: 'in-process',
    file: 'x.membench.mjs',
    unit: 'item',
    metric: 'retainedBytes',
    command: null,
    backend: null,
    runs: 3,
    sizes: sizes.map((size) => {
      const values = [0.98, 1, 1.02].map((k) => Math.round((intercept + slope * size) * k));
      return { size, valuesBytes: values, stats: null, inProcess: null, command: null };
    }),
    fit: {
      points: sizes.length * 3,
      distinctSizes: sizes.length,
      slopeBytesPerUnit: slope,
      interceptBytes: intercept,
      r2: 0.998,
      r2OfMeans: 0.9999,
      residualStdDevBytes: null,
      slopeStdErrBytes: null,
      slopeIntervalBytes: [slope * 0.95, slope * 1.05],
      verdict: 'linear',
      reason: 'R² of means ≥ 0.98',
    },
    expect: { perUnit: { text: '20..400 B', minBytes: 20, maxBytes: 400 } },
    expectVerdict: slope >= 20 && slope <= 400 ? 'within' : 'above',
    ...over,
  };
}

const doc = (benchmarks: SuiteBenchmark[]): SuiteResult => ({
  kind: SUITE_KIND,
  schemaVersion: SUITE_SCHEMA_VERSION,
  tool: { name: 'membench', version: '0.1.0' },
  context: {
    startedAt: '2024-01-01T00:00:00Z',
    finishedAt: '2024-01-01T00:00:01Z',
    complete: true,
    hostname: 'h',
    kernel: '6.1',
    nodeVersion: 'v20',
    cpuCount: 2,
  },
  suiteFiles: ['x.membench.mjs'],
  failure: null,
  benchmarks,
});

test('suite page: one svg per benchmark, points and a fit line, slope text as formatted, expect shown', () => {
  const d = doc([bench('items', 38.5, 12_000, [1000, 4000, 16000]), bench('big', 1450, 2 * 1024 * 1024, [100, 200, 400])]);
  const html = suiteHtml(d);
  assert.equal(html.match(/<svg class="suite-chart"/g)?.length, 2);
  assert.equal(html.match(/<line class="fit"/g)?.length, 2);
  assert.equal(html.match(/<circle class="pt"/g)?.length, 18);
  const slopes = [...html.matchAll(/<strong class="slope">([^<]*)<\/strong>/g)].map((m) => m[1]);
  assert.deepEqual(
    slopes,
    d.benchmarks.map((b) => formatBytesFine(b.fit!.slopeBytesPerUnit)),
  );
  assert.match(
    html,
    /38\.5 B<\/strong> per item .* \+ <strong class="intercept">11\.7 KiB<\/strong> fixed, R² <span class="r2">0\.9999<\/span>, <span class="verdict">linear<\/span>/,
  );
  assert.match(html, /expected 20\.\.400 B per item: met/);
  assert.match(html, /expected 20\.\.400 B per item: NOT met: the slope is above it/);
  assert.match(html, /size \(items\)/);
  assert.match(html, /retained \(KiB\)/);
  assert.match(html, /prefers-color-scheme: dark/);
  assert.doesNotMatch(html, /<script/);
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
});

test('suite page: a benchmark name with </script> and quotes is escaped everywhere', () => {
  const evil = '</script><img src=x onerror="alert(1)">&\'';
  const html = suiteHtml(doc([bench(evil, 50, 100, [10, 20])]));
  assert.ok(!html.includes('</script><img'), 'raw name never appears');
  assert.ok(!html.includes('<img'));
  assert.match(html, /&lt;\/script&gt;&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;&amp;&#39;/);
});

test('suite page: no fit (one size) still renders points, no line, says why', () => {
  const html = suiteHtml(doc([bench('one', 10, 10, [100], { fit: null, expectVerdict: 'no-fit' })]));
  assert.equal(html.match(/<circle class="pt"/g)?.length, 3);
  assert.doesNotMatch(html, /<line class="fit"/);
  assert.match(html, /No fit: it needs measurements at 2 or more sizes/);
});

test('membench report: renders a suite document; a mix of run and suite documents is one line, exit 2', () => {
  const suiteJson = join(dir, 'suite.json');
  writeFileSync(suiteJson, JSON.stringify(doc([bench('items', 38.5, 12_000, [1000, 4000])])));
  const out = join(dir, 'suite.html');
  const r = runCliOk(['report', suiteJson, '--html', out]);
  assert.match(r.stderr, /wrote .*suite\.html .*1 suite benchmark/);
  assert.match(readFileSync(out, 'utf8'), /<svg class="suite-chart"/);

  const runJson = join(dir, 'run.json');
  runCliOk(['run', '-r', '1', '--json', runJson, '--', MEMFIX, 'hold', '5', '50']);
  const mixed = runCli(['report', runJson, suiteJson, '--html', join(dir, 'mixed.html')]);
  assert.equal(mixed.status, 2, mixed.stderr);
  const lines = mixed.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length <= 2, mixed.stderr);
  assert.match(lines[0]!, /suite\.json is a suite result and .*run\.json run results; one page shows one kind/);
});

test('membench report with two suite documents: one page, a section per document, shared benchmarks side by side', () => {
  const before = join(dir, 'before.json');
  const after = join(dir, 'after.json');
  writeFileSync(before, JSON.stringify(doc([bench('items', 38.5, 12_000, [1000, 4000]), bench('only-before', 10, 100, [10, 20])])));
  writeFileSync(after, JSON.stringify(doc([bench('items', 77, 12_000, [1000, 4000])])));
  const out = join(dir, 'two.html');
  const r = runCliOk(['report', before, after, '--html', out]);
  assert.match(r.stderr, /3 suite benchmarks from 2 documents/);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<title>membench suites: 2 documents<\/title>/);
  assert.equal(html.match(/<section class="suite-doc"/g)?.length, 2);
  assert.equal(html.match(/<svg class="suite-chart"/g)?.length, 3);
  // ids stay unique across documents, and the comparison links to each
  const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, `unique ids: ${ids.join(' ')}`);
  const across = /<table class="across">([\s\S]*?)<\/table>/.exec(html)![1]!;
  assert.match(across, /<th>before\.json<\/th><th>after\.json<\/th>/);
  assert.match(
    across,
    new RegExp(
      `<th>items</th><td><a href="#d1-b1">${formatBytesFine(38.5)} per item \\+ 11\\.7 KiB</a></td><td><a href="#d2-b1">${formatBytesFine(77)} per item`,
    ),
  );
  assert.doesNotMatch(across, /only-before/, 'a benchmark in one document only is not compared');
});
