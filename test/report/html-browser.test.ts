// The HTML report in a real browser (Debian's chromium via playwright-core), made from real membench runs of
/// <reference lib="dom" />
// The DOM's types for the callbacks page.evaluate runs in the browser; the project is typed for Node only (tsconfig lib).
// fixtures/bin/memfix: plots drawn, axes labelled with units, peak text exact, no errors, nothing fetched.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, assertPageClean, pagesOf, skipWithoutChromium, withChromium, type PageWatch } from '../helpers/browser.js';
import type { MembenchResult } from '../../src/result.js';
import { formatBytes } from '../../src/report/units.js';
import { MEMFIX, MIB, runCliOk } from '../helpers/fixtures.js';

const skip = skipWithoutChromium;
const dir = mkdtempSync(join(tmpdir(), 'membench-browser-'));
const chromium = withChromium();

after(() => rmSync(dir, { recursive: true, force: true }));

/** Opens a report watched for errors and foreign requests, once its charts exist. */
async function open(html: string): Promise<{ page: Page; watch: PageWatch }> {
  const opened = await chromium.open(html);
  await opened.page.waitForFunction(() => (window as unknown as { membenchCharts?: unknown[] }).membenchCharts !== undefined);
  return opened;
}

/** Per plot canvas: size, and how many distinct colours it holds (1 = blank). */
function canvasStats(page: Page): Promise<{ w: number; h: number; colours: number; inked: number }[]> {
  return page.$$eval('.plot canvas', (canvases) =>
    canvases.map((c) => {
      const cv = c as HTMLCanvasElement;
      const px = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      const seen = new Set<number>();
      let inked = 0;
      for (let i = 0; i < px.length; i += 4) {
        seen.add(((px[i]! << 24) | (px[i + 1]! << 16) | (px[i + 2]! << 8) | px[i + 3]!) >>> 0);
        if (px[i + 3]! > 0) inked++;
      }
      return { w: cv.width, h: cv.height, colours: seen.size, inked };
    }),
  );
}

test('one command, two runs: drawn plot with labelled axes, exact peak, live legend, no errors, nothing fetched', {
  skip,
  timeout: 60_000,
}, async () => {
  const {
    doc,
    written: runHtml,
    reported: html,
  } = pagesOf<MembenchResult>(['run', '-r', '2', '--', MEMFIX, 'hold', '50', '300'], dir, 'one');

  for (const file of [html, runHtml]) {
    const { page, watch } = await open(file);
    const stats = await canvasStats(page);
    assert.equal(stats.length, 1, 'one plot canvas');
    assert.ok(stats[0]!.w > 300 && stats[0]!.h > 200, `canvas ${stats[0]!.w}×${stats[0]!.h}`);
    assert.ok(
      stats[0]!.colours > 10 && stats[0]!.inked > 5000,
      `canvas drawn: ${stats[0]!.colours} colours, ${stats[0]!.inked} inked pixels`,
    );

    const axes = await page.evaluate(() =>
      (window as unknown as { membenchCharts: { axes: { label?: string }[] }[] }).membenchCharts.map((u) => u.axes.map((a) => a.label)),
    );
    assert.deepEqual(axes, [['time since start (s)', 'memory (MiB)']]);
    assert.match(await page.locator('figcaption').first().innerText(), /Memory \(MiB, y\) over time since the command started \(s, x\)/);

    const treePeak = Math.max(...doc.benchmarks[0]!.runs.map((run) => run.peaks!.memoryBytes!));
    const peak = page.locator('.peak-value');
    assert.equal(await peak.innerText(), formatBytes(treePeak));
    assert.equal(await peak.getAttribute('data-peak-bytes'), String(treePeak));
    assert.match(await page.locator('p.peak').innerText(), new RegExp(`${treePeak.toLocaleString('en-US')} bytes`));
    assert.match(await page.locator('.context').innerText(), /All 2 runs exited 0\./);

    assertPageClean(watch);
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
    const xRange = (): Promise<number[]> =>
      page.evaluate(() => {
        const u = (window as unknown as { membenchCharts: { scales: Record<string, { min?: number; max?: number }> }[] })
          .membenchCharts[0]!;
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
    assertPageClean(watch, ' after interaction');
    await page.close();
  }
  assert.ok(statSync(join(ARTIFACTS, 'report-single.png')).size > 10_000);
});

test('three commands: comparison bars and one plot per command', { skip, timeout: 60_000 }, async () => {
  const json = join(dir, 'three.json');
  runCliOk(['run', '-r', '1', '--json', json, `${MEMFIX} hold 20 200`, `${MEMFIX} hold 50 200`, `${MEMFIX} tree 3 20 200`]);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as MembenchResult;
  const html = join(dir, 'three.html');
  runCliOk(['report', json, '--html', html]);
  const { page, watch } = await open(html);
  const stats = await canvasStats(page);
  // One time chart per command, and a per-process chart for each whose tree had more than one process
  // (through /bin/sh -c the shell stays as a parent here).
  const perProcess = doc.benchmarks.filter((b) => (b.runs[0]!.processSeries?.processes.length ?? 0) > 1).length;
  assert.equal(stats.length, 3 + perProcess);
  for (const s of stats) assert.ok(s.colours > 10, 'each plot drawn');
  for (const id of ['c1', 'c2', 'c3']) assert.equal(await page.locator(`#plot-${id} canvas`).count(), 1, `time chart of ${id}`);
  assert.equal(await page.locator('svg.bars g.bar').count(), 3);
  const texts = await page.locator('svg.bars text.value').allTextContents();
  doc.benchmarks.forEach((b, i) =>
    assert.match(texts[i]!, new RegExp(`^median ${formatBytes(b.summary.metrics.memoryPeakBytes!.median).replace('.', '\\.')} ·`)),
  );
  const peaks = await page.locator('.peak-value').allInnerTexts();
  assert.deepEqual(
    peaks,
    doc.benchmarks.map((b) => formatBytes(Math.max(...b.runs.map((run) => run.peaks!.memoryBytes!)))),
  );
  await page.screenshot({ path: join(ARTIFACTS, 'report-three.png'), fullPage: true });
  assertPageClean(watch);
  await page.close();
});

test('a tree of 4 × 50 MiB: per-process lines with pid and name, breakdown drawn, cursor and zoom synced', {
  skip,
  timeout: 60_000,
}, async () => {
  const json = join(dir, 'tree.json');
  const html = join(dir, 'tree.html');
  runCliOk(['run', '-r', '1', '--json', json, '--html', html, '--', MEMFIX, 'tree', '4', '50', '300']);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as MembenchResult;
  const run = doc.benchmarks[0]!.runs[0]!;
  const series = run.processSeries!.processes;
  const { page, watch } = await open(html);

  // per-process chart: drawn, one legend row per process naming its pid and name, highest value as in the JSON
  const stats = await canvasStats(page);
  assert.equal(stats.length, 2, 'the time chart and the per-process chart');
  assert.ok(stats[1]!.colours > 10 && stats[1]!.inked > 3000, `per-process chart drawn: ${stats[1]!.colours} colours`);
  const legend = page.locator('table.legend[data-chart="c1p"] tbody tr');
  assert.equal(await legend.count(), series.length);
  const rows = await legend.allInnerTexts();
  series.forEach((s, i) => {
    const mib = s.peakBytes / MIB;
    assert.match(rows[i]!, new RegExp(`^pid ${s.pid} memfix\\s+${mib.toFixed(mib < 10 ? 2 : 1).replace('.', '\\.')} MiB`));
  });
  const children = run.processes.filter((p) => series.slice(0, 4).some((s) => s.pid === p.pid));
  assert.equal(children.length, 4);
  for (const s of series.slice(0, 4))
    assert.ok(s.peakBytes >= 50 * MIB && s.peakBytes <= 56 * MIB, `child ${s.pid}: ${s.peakBytes / MIB} MiB`);
  assert.equal(await page.locator('table.processes tbody tr').count(), series.length);

  // breakdown: a stacked bar whose widest segment is the anonymous memory the children touched, in words too
  assert.equal(await page.locator('svg.breakdown').count(), 2, 'largest process and the tree summed');
  const widest = await page.$$eval('svg.breakdown', (svgs) =>
    svgs.map((svg) => {
      const segs = Array.from(svg.querySelectorAll('g.seg')).map((g) => ({
        kind: g.getAttribute('data-kind'),
        w: Number(g.querySelector('rect')!.getAttribute('width')),
      }));
      return segs.sort((a, b) => b.w - a.w)[0]!.kind;
    }),
  );
  assert.deepEqual(widest, ['anon', 'anon']);
  const words = await page.locator('p.breakdown-words').allInnerTexts();
  assert.match(words[0]!, /^Near the peak \(read at .+\), memfix \(pid \d+\) held \d+\.\d MiB resident: \d+ % anonymous mmap/);
  assert.match(await page.locator('p.leak').innerText(), /^Leak verdict: (a leak|no leak|inconclusive) — /);
  assert.equal(await page.locator('ul.signals li').count(), run.diagnosis!.fragmentation.signals.length);

  // one cursor for every time chart: pointing at the first moves the second's legend to the same time;
  // the tooltip shows exact values in the chart under the pointer only
  const charts = page.locator('.u-over');
  await charts.nth(0).scrollIntoViewIfNeeded();
  const mainBox = (await charts.nth(0).boundingBox())!;
  await page.mouse.move(mainBox.x + mainBox.width * 0.5, mainBox.y + mainBox.height * 0.5);
  await page.locator('#plot-c1 .tip:not([hidden])').waitFor({ timeout: 5000 });
  const at = await page.locator('table.legend .at').allInnerTexts();
  assert.match(at[0]!, /^at \d+\.\d{3} s$/);
  // Each legend names the time of its own nearest point: per-process points lie one status read apart, at most.
  const tOf = (text: string): number => Number(/at (\d+\.\d+) s/.exec(text)![1]);
  const ps = run.processSeries!.tMs;
  const maxGapS = Math.max(...ps.slice(1).map((t, i) => t - ps[i]!)) / 1000;
  assert.ok(
    Math.abs(tOf(at[1]!) - tOf(at[0]!)) <= maxGapS + 0.001,
    `per-process legend ${at[1]} follows ${at[0]} (points ≤ ${maxGapS} s apart)`,
  );
  assert.equal(await page.locator('#plot-c1p .tip:not([hidden])').count(), 0, 'no tooltip in the other chart');
  assert.match(await page.locator('#plot-c1 .tip').innerText(), /^t = \d+\.\d{3} s\n.+: \d+\.\d+ MiB/);
  await page.screenshot({ path: join(ARTIFACTS, 'report-tree-hover.png') });
  // a tooltip over the per-process chart lists the processes alive then, with exact values
  await charts.nth(1).scrollIntoViewIfNeeded();
  const procBox = (await charts.nth(1).boundingBox())!;
  await page.mouse.move(procBox.x + procBox.width * 0.6, procBox.y + procBox.height * 0.5);
  await page.locator('#plot-c1p .tip:not([hidden])').waitFor({ timeout: 5000 });
  assert.match(await page.locator('#plot-c1p .tip').innerText(), /^t = \d+\.\d{3} s\n(pid \d+ memfix: \d+\.\d+ MiB\n?)+$/);
  // zoom on one, both zoom
  const xRanges = (): Promise<number[][]> =>
    page.evaluate(() =>
      (window as unknown as { membenchCharts: { scales: Record<string, { min?: number; max?: number }> }[] }).membenchCharts.map((u) => [
        u.scales.x!.min!,
        u.scales.x!.max!,
      ]),
    );
  await charts.nth(0).scrollIntoViewIfNeeded();
  const box = (await charts.nth(0).boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + 30);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + 30, { steps: 4 });
  await page.mouse.up();
  const [z0, z1] = await xRanges();
  assert.ok(
    z0![0]! > 0 && Math.abs(z0![0]! - z1![0]!) < 1e-9 && Math.abs(z0![1]! - z1![1]!) < 1e-9,
    `both zoomed alike: ${JSON.stringify([z0, z1])}`,
  );
  await page.mouse.dblclick(box.x + box.width * 0.5, box.y + 30);
  const [f0, f1] = await xRanges();
  assert.ok(f0![0] === 0 && f1![0] === 0, `both back to the start: ${JSON.stringify([f0, f1])}`);
  await page.mouse.move(1, 1);
  await page.screenshot({ path: join(ARTIFACTS, 'report-tree.png'), fullPage: true });
  assertPageClean(watch);
  await page.close();
});

// Instance 2 exits 3; the others touch 10 MiB and hold it 300 ms. -i counts the run (and exits 0) anyway.
const SECOND_FAILS = `case $MEMBENCH_INSTANCE in 2) exec ${MEMFIX} exit 3;; *) exec ${MEMFIX} hold 10 300;; esac`;

test('--concurrency 3, instance 2 exits 3: the run table names that instance, its pid and its outcome', {
  skip,
  timeout: 60_000,
}, async () => {
  const { doc, written, reported } = pagesOf<MembenchResult>(
    ['run', '-r', '1', '-i', '--concurrency', '3', '--', '/bin/sh', '-c', SECOND_FAILS],
    dir,
    'instances',
  );
  const inst = doc.benchmarks[0]!.runs[0]!.instances!;
  assert.deepEqual(
    inst.map((i) => [i.instance, i.outcome]),
    [
      [1, { state: 'exited', exitCode: 0 }],
      [2, { state: 'exited', exitCode: 3 }],
      [3, { state: 'exited', exitCode: 0 }],
    ],
  );
  for (const file of [written, reported]) {
    const { page, watch } = await open(file);
    const row = page.locator('table.runs tbody tr').first();
    assert.equal(await row.getAttribute('class'), 'bad');
    assert.deepEqual(await row.locator('ul.instances li').allInnerTexts(), [
      `instance 2/3 (pid ${inst[1]!.pid}): exited with code 3`,
      'the other 2 instances exited 0',
    ]);
    assert.ok(await row.locator('ul.instances').isVisible(), 'the list is shown');
    await page.screenshot({ path: join(ARTIFACTS, 'report-instances.png'), fullPage: true });
    assertPageClean(watch);
    await page.close();
  }
});
