import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSeries } from '../../src/analyze/compare.js';
import { suiteBmf } from '../../src/report/bmf.js';
import { csvField, suiteCsv } from '../../src/report/csv.js';
import { suiteGhBenchmark } from '../../src/report/gh-benchmark.js';
import { suiteMarkdown } from '../../src/report/markdown.js';
import { formatBytesFine, formatSize } from '../../src/report/suite-rows.js';
import { renderComparisonTerminal, renderSuiteTerminal } from '../../src/report/suite-terminal.js';
import { NO_COLORS } from '../../src/report/colors.js';
import { seriesOfSuite } from '../../src/suite/series.js';
import { suiteDoc } from '../helpers/suite-doc.js';

// 1 KiB per job + 10 KiB fixed, exactly.
const doc = suiteDoc({ 'job, "creation"': { 10: [20480, 20480], 50: [61440, 61440], 100: [112640, 112640] } }, { unit: 'job' });

test('BMF: one benchmark per size (measure "memory": median, min, max) and the fitted cost per unit', () => {
  assert.deepEqual(suiteBmf(doc), {
    'job, "creation"/10': { memory: { value: 20480, lower_value: 20480, upper_value: 20480 } },
    'job, "creation"/50': { memory: { value: 61440, lower_value: 61440, upper_value: 61440 } },
    'job, "creation"/100': { memory: { value: 112640, lower_value: 112640, upper_value: 112640 } },
    'job, "creation"/per-job': { 'memory-per-unit': { value: 1024, lower_value: 1024, upper_value: 1024 } },
  });
});

test('github-action-benchmark: customSmallerIsBetter entries with name, unit, value, range, extra', () => {
  const e = suiteGhBenchmark(doc);
  assert.deepEqual(
    e.map((x) => [x.name, x.unit, x.value]),
    [
      ['job, "creation" / 10', 'bytes', 20480],
      ['job, "creation" / 50', 'bytes', 61440],
      ['job, "creation" / 100', 'bytes', 112640],
      ['job, "creation" / per job', 'bytes/job', 1024],
    ],
  );
  for (const x of e) assert.equal(typeof x.range, 'string');
});

test('CSV: RFC 4180 quoting, one row per size', () => {
  assert.equal(csvField('a,"b"'), '"a,""b"""');
  const lines = suiteCsv(doc).trim().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[1]!, /^"job, ""creation""",in-process,retainedBytes,job,10,2,20480,20480,20480,20480,0,1024,10240,1,linear,,$/);
});

test('Markdown and terminal: tables, the fit line, and the comparison verdicts', () => {
  const grown = suiteDoc({ 'job, "creation"': { 10: [22528, 22528], 50: [71680, 71680], 100: [133120, 133120] } }, { unit: 'job' });
  const cmp = compareSeries(seriesOfSuite(doc), seriesOfSuite(grown));
  const md = suiteMarkdown(grown, cmp);
  assert.match(md, /^## Memory: compared with the baseline: \*\*4 regressions\*\*/);
  assert.match(md, /\| job, "creation" \| 100 \| 110\.0 KiB \| 130\.0 KiB \| \+18\.2 % \| no spread, differ \| REGRESSED \|/);
  assert.match(md, /Fit: 1\.20 KiB per job .* \+ 10\.0 KiB fixed · R² 1\.0000 · linear/);
  const term = renderSuiteTerminal(doc, NO_COLORS);
  assert.match(term, /^\s+size\s+median\s+min\s+max\s+σ$/m);
  assert.match(term, /fit\s+1\.00 KiB per job \(95 % 1\.00 KiB … 1\.00 KiB\) \+ 10\.0 KiB fixed/);
  assert.match(renderComparisonTerminal(cmp, NO_COLORS), /4 regressions, 0 improvements, 4 rows compared/);
});

test('units: fine per-unit bytes and sizes of byte benchmarks', () => {
  assert.equal(formatBytesFine(2.004), '2.00 B');
  assert.equal(formatBytesFine(38.46), '38.5 B');
  assert.equal(formatBytesFine(1443), '1.41 KiB');
  assert.equal(formatSize(1048576, 'byte'), '1 MiB');
  assert.equal(formatSize(10240, 'byte'), '10 KiB');
  assert.equal(formatSize(10240, 'job'), '10240');
});
