// The HTML report in a real browser (Debian's chromium via playwright-core), made from real membench runs of
// fixtures/bin/memfix: plots drawn, axes labelled with units, peak text exact, no errors, nothing fetched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium, skipWithoutChromium } from '../helpers/browser.js';
import type { MembenchResult } from '../../src/result.js';
import { formatBytes } from '../../src/report/units.js';
import { MEMFIX, ROOT, runCli } from '../helpers/fixtures.js';

const skip = skipWithoutChromium;
const dir = mkdtempSync(join(tmpdir(), 'membench-browser-'));
let context: BrowserContext | undefined;

before(async () => {
  if (skip) return;
  context = await launchChromium();
});

after(async () => {
  await context?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Watch {
  readonly errors: string[];
  readonly foreign: string[];
}

/** Opens a page that records console errors, uncaught exceptions and every request not to file: or data:. */
async function open(html: string): Promise<{ page: Page; watch: Watch }> {
  const page = await context!.newPage();
  const watch: Watch = { errors: [], foreign: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  page.on('pageerror', (e) => watch.errors.push(e.message));
  page.on('request', (r) => {
    if (!/^(file|data):/.test(r.url())) watch.foreign.push(r.url());
  });
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { membenchCharts?: unknown[] }).membenchCharts !== undefined);
  return { page, watch };
}

/** Per plot canvas: size, and how many distinct colours it holds (1 = blank). */
function canvasStats(page: Page): Promise<{ w: number; h: number; colours: number; inked: number }[]> {
  return page.$$eval('.plot canvas', (canvases) => canvases.map((c) => {
    const cv = c as HTMLCanvasElement;
    const px = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
    const seen = new Set<number>();
    let inked = 0;
    for (let i = 0; i < px.length; i += 4) {
      seen.add(((px[i]! << 24) | (px[i + 1]! << 16) | (px[i + 2]! << 8) | px[i + 3]!) >>> 0);
      if (px[i + 3]! > 0) inked++;
    }
    return { w: cv.width, h: cv.height, colours: seen.size, inked };
  }));
}

test('one command, two runs: drawn plot with labelled axes, exact peak, live legend, no errors, nothing fetched', { skip, timeout: 60_000 }, async () => {
  const json = join(dir, 'one.json');
  const runHtml = join(dir, 'run.html');
  const r = runCli(['run', '-r', '2', '--json', json, '--html', runHtml, '--', MEMFIX, 'hold', '50', '300']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as MembenchResult;
  const html = join(dir, 'report.html');
  const rep = runCli(['report', json, '--html', html]);
  assert.equal(rep.status, 0, rep.stderr);

  for (const file of [html, runHtml]) {
    const { page, watch } = await open(file);
    const stats = await canvasStats(page);
    assert.equal(stats.length, 1, 'one plot canvas');
    assert.ok(stats[0]!.w > 300 && stats[0]!.h > 200, `canvas ${stats[0]!.w}×${stats[0]!.h}`);
    assert.ok(stats[0]!.colours > 10 && stats[0]!.inked > 5000, `canvas drawn: ${stats[0]!.colours} colours, ${stats[0]!.inked} inked pixels`);

    const axes = await page.evaluate(() => (window as unknown as { membenchCharts: { axes: { label?: string }[] }[] }).membenchCharts.map((u) => u.axes.map((a) => a.label)));
    assert.deepEqual(axes, [['time since start (s)', 'memory (MiB)']]);
    assert.match(await page.locator('figcaption').first().innerText(), /Memory \(MiB, y\) over time since the command started \(s, x\)/);

    const treePeak = Math.max(...doc.benchmarks[0]!.runs.map((run) => run.peaks!.treeBytes!));
    const peak = page.locator('.peak-value');
    assert.equal(await peak.innerText(), formatBytes(treePeak));
    assert.equal(await peak.getAttribute('data-peak-bytes'), String(treePeak));
    assert.match(await page.locator('p.peak').innerText(), new RegExp(`${treePeak.toLocaleString('en-US')} bytes`));
    assert.match(await page.locator('.context').innerText(), /All 2 runs exited 0\./);

    assert.deepEqual(watch.errors, [], 'no console errors');
    assert.deepEqual(watch.foreign, [], 'no requests beyond file: and data:');
    if (file === runHtml) {
      await page.close();
      continue;
    }

    // the legend and tooltip follow the cursor, with units
    const over = page.locator('#plot-c1 .u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.3);
    await page.locator('.u-over .tip:not([hidden])').waitFor({ timeout: 5000 });
    assert.match(await page.locator('.u-over .tip').innerText(), /^t = \d+\.\d{3} s\n.+: \d+\.\d+ MiB/);
    assert.match(await page.locator('table.legend .at').innerText(), /^at \d+\.\d{3} s$/);
    await page.screenshot({ path: join(ARTIFACTS, 'report-single-hover.png'), fullPage: false });
    await page.mouse.move(1, 1);

    // a legend button hides and shows its line
    const toggle = page.locator('table.legend thead button').nth(1);
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');

    // the time axis starts at spawn (0 s); dragging zooms in, a double-click zooms back out
    const xRange = (): Promise<number[]> => page.evaluate(() => {
      const u = (window as unknown as { membenchCharts: { scales: Record<string, { min?: number; max?: number }> }[] }).membenchCharts[0]!;
      return [u.scales.x!.min!, u.scales.x!.max!];
    });
    const full = await xRange();
    assert.equal(full[0], 0);
    await page.mouse.move(box.x + box.width * 0.4, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + 40, { steps: 4 });
    await page.mouse.up();
    const zoomed = await xRange();
    assert.ok(zoomed[0]! > 0 && zoomed[1]! < full[1]!, `zoomed to ${zoomed.join('…')} s`);
    await page.mouse.dblclick(box.x + box.width * 0.5, box.y + 40);
    assert.deepEqual(await xRange(), full);
    await page.mouse.move(1, 1);

    await page.screenshot({ path: join(ARTIFACTS, 'report-single.png'), fullPage: true });
    // dark mode: other background, plots redrawn with the dark palette
    const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(100);
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), lightBg);
    const dark = await canvasStats(page);
    assert.ok(dark[0]!.colours > 10, 'redrawn in dark mode');
    await page.screenshot({ path: join(ARTIFACTS, 'report-single-dark.png'), fullPage: true });
    assert.deepEqual(watch.errors, [], 'no console errors after interaction');
    assert.deepEqual(watch.foreign, []);
    await page.close();
  }
  assert.ok(statSync(join(ARTIFACTS, 'report-single.png')).size > 10_000);
});

test('three commands: comparison bars and one plot per command', { skip, timeout: 60_000 }, async () => {
  const json = join(dir, 'three.json');
  const r = runCli(['run', '-r', '1', '--json', json, `${MEMFIX} hold 20 200`, `${MEMFIX} hold 50 200`, `${MEMFIX} tree 3 20 200`]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as MembenchResult;
  const html = join(dir, 'three.html');
  const rep = runCli(['report', json, '--html', html]);
  assert.equal(rep.status, 0, rep.stderr);
  const { page, watch } = await open(html);
  const stats = await canvasStats(page);
  assert.equal(stats.length, 3);
  for (const s of stats) assert.ok(s.colours > 10, 'each plot drawn');
  assert.equal(await page.locator('svg.bars g.bar').count(), 3);
  const texts = await page.locator('svg.bars text.value').allTextContents();
  doc.benchmarks.forEach((b, i) => assert.match(texts[i]!, new RegExp(`^median ${formatBytes(b.summary.metrics.treePeakBytes!.median).replace('.', '\\.')} ·`)));
  const peaks = await page.locator('.peak-value').allInnerTexts();
  assert.deepEqual(peaks, doc.benchmarks.map((b) => formatBytes(Math.max(...b.runs.map((run) => run.peaks!.treeBytes!)))));
  await page.screenshot({ path: join(ARTIFACTS, 'report-three.png'), fullPage: true });
  assert.deepEqual(watch.errors, []);
  assert.deepEqual(watch.foreign, []);
  await page.close();
});
