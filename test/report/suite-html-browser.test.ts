// The suite HTML page in a real browser (Debian's chromium via playwright-core), from a real suite run of
/// <reference lib="dom" />
// The DOM's types for the callbacks page.evaluate runs in the browser; the project is typed for Node only (tsconfig lib).
// test/fixtures/suite/tiny.membench.mjs: SVG drawn with a point per measurement and the fitted line, no errors,
// nothing fetched beyond file: and data:, screenshots in test-artifacts/.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS, assertPageClean, pagesOf, skipWithoutChromium, withChromium } from '../helpers/browser.js';
import { formatBytesFine } from '../../src/report/suite-rows.js';
import type { SuiteResult } from '../../src/document/suite.js';
import { ROOT, runCliOk } from '../helpers/fixtures.js';

const skip = skipWithoutChromium;
const dir = mkdtempSync(join(tmpdir(), 'membench-suite-browser-'));
const chromium = withChromium();

after(() => rmSync(dir, { recursive: true, force: true }));

test('suite --html and report SUITE.json --html: svg with a circle per measurement and the fit line, no errors, nothing fetched', {
  skip,
  timeout: 120_000,
}, async () => {
  const {
    doc,
    written: suiteHtmlFile,
    reported: reportHtml,
  } = pagesOf<SuiteResult>(['suite', join(ROOT, 'test', 'fixtures', 'suite', 'tiny.membench.mjs')], dir, 'tiny');
  const json = join(dir, 'tiny.json');

  for (const file of [suiteHtmlFile, reportHtml]) {
    const { page, watch } = await chromium.open(file);
    const b = doc.benchmarks[0]!;
    assert.equal(await page.locator('svg.suite-chart').count(), doc.benchmarks.length);
    const measurements = b.sizes.reduce((n, s) => n + s.valuesBytes.length, 0);
    assert.equal(await page.locator('svg.suite-chart circle.pt').count(), measurements);
    const line = page.locator('svg.suite-chart line.fit');
    assert.equal(await line.count(), 1);
    const box = (await line.boundingBox())!;
    assert.ok(box.width > 300, `fit line drawn across: ${box.width}px wide`);
    const circle = (await page.locator('svg.suite-chart circle.pt').first().boundingBox())!;
    assert.ok(circle.width > 4, 'circles have a size');
    assert.equal(await page.locator('.fit-words .slope').innerText(), formatBytesFine(b.fit!.slopeBytesPerUnit));
    assert.match(await page.locator('.fit-words').innerText(), / per item .*\+ .* fixed, R² \d\.\d{4}, too-few-points/);
    assert.match(await page.locator('p.expect').innerText(), /expected 20\.\.400 B per item: met/);
    const labels = await page.locator('svg.suite-chart text.label').allTextContents();
    assert.deepEqual(
      labels.map((l) => l.replace(/\(.*\)/, '()')),
      ['size ()', 'retained ()'],
    );
    assert.match(labels[1]!, /\((B|KiB|MiB)\)/);
    assertPageClean(watch);
    if (file === reportHtml) {
      await page.screenshot({ path: join(ARTIFACTS, 'suite-report.png'), fullPage: true });
      const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), lightBg);
      await page.screenshot({ path: join(ARTIFACTS, 'suite-report-dark.png'), fullPage: true });
    }
    await page.close();
  }
  assert.ok(statSync(join(ARTIFACTS, 'suite-report.png')).size > 10_000);

  // two documents on one page (the same suite run twice under two names): every chart drawn, no errors
  const again = join(dir, 'tiny-again.json');
  copyFileSync(json, again);
  const twoHtml = join(dir, 'two.html');
  runCliOk(['report', json, again, '--html', twoHtml]);
  const { page, watch } = await chromium.open(twoHtml);
  assert.equal(await page.locator('section.suite-doc').count(), 2);
  assert.equal(await page.locator('svg.suite-chart').count(), 2 * doc.benchmarks.length);
  for (const line of await page.locator('svg.suite-chart line.fit').all()) assert.ok((await line.boundingBox())!.width > 300);
  assert.equal(await page.locator('table.across tbody tr').count(), doc.benchmarks.length);
  assertPageClean(watch);
  await page.screenshot({ path: join(ARTIFACTS, 'suite-two-documents.png'), fullPage: true });
  await page.close();
});
