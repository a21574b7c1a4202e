// The profile page in a real browser (Debian's chromium via playwright-core), from real profiles of fixtures with
// planted sites: fixtures/src/flamesites.c under massif (exact bytes: new_record 8 MiB + 2 MiB from two callers,
// grow_table 4 MiB), holdsites.py under --with python and peaksites.mjs under --with v8. Frames as wide as their
// bytes, zoom, search with the matched share, tooltips, the bottom-up table and the treemap's labelled leaves.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { siteRows } from '../../src/profile/model.js';
import type { ProfileDocument } from '../../src/document/profile.js';
import type { FlameData } from '../../src/report/flamegraph-client.js';
import { ARTIFACTS, assertPageClean, skipWithoutChromium, withChromium } from '../helpers/browser.js';
import { MIB, ROOT, runCli } from '../helpers/fixtures.js';

const skip = skipWithoutChromium;
const dir = mkdtempSync(join(tmpdir(), 'membench-profile-html-'));
const chromium = withChromium();
after(() => rmSync(dir, { recursive: true, force: true }));

function profile(name: string, args: readonly string[]): { doc: ProfileDocument; html: string } {
  const json = join(dir, `${name}.json`);
  const html = join(dir, `${name}.html`);
  const r = runCli(['profile', '--json', json, '--html', html, ...args], { timeoutMs: 300_000 });
  assert.equal(r.status, 0, `membench profile ${args.join(' ')} failed: ${r.stderr}`);
  return { doc: JSON.parse(readFileSync(json, 'utf8')) as ProfileDocument, html };
}

const FLAMESITES_C = join(ROOT, 'fixtures', 'src', 'flamesites.c');
/** The 1-based line of flamesites.c that holds `code`: where massif's file:line must point. */
const lineOf = (code: string): number =>
  readFileSync(FLAMESITES_C, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(code)) + 1;

interface Drawn {
  readonly i: number;
  readonly name: string;
  readonly depth: number;
  readonly parent: number;
  readonly width: number;
  readonly shown: boolean;
}

/** Every frame of the page's icicle with its name (from the page's own data) and drawn width in CSS pixels. */
async function drawnFrames(page: Page): Promise<Drawn[]> {
  return page.evaluate(() => {
    const data = JSON.parse(document.getElementById('membench-flame')!.textContent!) as FlameData;
    return Array.from(document.querySelectorAll('svg.icicle g.fr')).map((g) => {
      const i = Number(g.getAttribute('data-i'));
      const f = data.frames[i]!;
      return {
        i,
        name: f.name,
        depth: f.depth,
        parent: f.parent,
        width: g.querySelector('rect')!.getBoundingClientRect().width,
        shown: g.getAttribute('display') !== 'none',
      };
    });
  });
}

/** The frame named `name` whose caller is named `caller`. */
function frame(frames: readonly Drawn[], name: string, caller: string): Drawn {
  const f = frames.find((x) => x.name === name && frames[x.parent]?.name === caller);
  assert.ok(f, `a frame ${name} under ${caller}`);
  return f;
}

test('flame graph of a massif profile: widths in proportion to bytes, zoom, search, tooltip, bottom-up, treemap', {
  skip,
  timeout: 120_000,
}, async () => {
  // Built here with -g so massif names file:line (fixtures/bin has no debug info).
  const bin = join(dir, 'flamesites');
  execFileSync('cc', ['-O2', '-g', '-o', bin, FLAMESITES_C]);
  const line = {
    newRecord: lineOf('void *p = malloc(KIB);'),
    growTable: lineOf('table[i] = malloc(64 * KIB)'),
    fromIndex: lineOf('i < 8192; i++) new_record()'),
    fromConfig: lineOf('i < 2048; i++) new_record()'),
  };
  const { doc, html } = profile('flamesites', ['--with', 'massif', '--', bin]);
  // massif at the exact peak: the planted 14 MiB and nothing else (the C runtime allocates nothing before main).
  assert.equal(doc.peakBytes, 14 * MIB);

  const { page, watch } = await chromium.open(html);
  const frames = await drawnFrames(page);
  const all = frames[0]!;
  const nrIndex = frame(frames, 'new_record (flamesites.c)', 'build_index (flamesites.c)');
  const grow = frame(frames, 'grow_table (flamesites.c)', 'build_index (flamesites.c)');
  const nrConfig = frame(frames, 'new_record (flamesites.c)', 'load_config (flamesites.c)');
  // 8 MiB beside 4 MiB: twice as wide. Each frame is drawn 1 viewBox unit (of 1200) narrower than its share so
  // neighbours stay apart, which moves a ratio of ~600 units by < 0.3 %; 1 % covers it.
  assert.ok(Math.abs(nrIndex.width / grow.width - 2) < 0.02, `new_record ${nrIndex.width} px, grow_table ${grow.width} px`);
  assert.ok(Math.abs(nrIndex.width / all.width - 8 / 14) < 0.01, `new_record ${nrIndex.width} of ${all.width} px`);
  assert.ok(Math.abs(nrConfig.width / all.width - 2 / 14) < 0.01, `new_record under load_config ${nrConfig.width} of ${all.width} px`);
  await page.screenshot({ path: join(ARTIFACTS, 'profile-flame-massif.png'), fullPage: true });

  // Hover: the tooltip gives the frame's bytes and its share of all.
  await page.locator(`svg.icicle g.fr[data-i="${grow.i}"]`).hover();
  const tip = await page.locator('#flame-tip').innerText();
  assert.match(tip, /^grow_table \(flamesites\.c\)\n4\.0 MiB at the peak, inclusive: 28\.6 % of all\n4\.0 MiB self/);
  assert.ok(tip.includes(`at flamesites.c:${line.growTable} 4.0 MiB`), tip);

  // Zoom into build_index (12 MiB): it fills the width, grow_table is 4/12 of it, load_config's branch is gone.
  const build = frames.find((f) => f.name === 'build_index (flamesites.c)')!;
  await page.locator(`svg.icicle g.fr[data-i="${build.i}"]`).click();
  const zoomed = await drawnFrames(page);
  assert.ok(Math.abs(zoomed[build.i]!.width / zoomed[0]!.width - 1) < 0.01, 'build_index fills the width');
  assert.ok(
    Math.abs(zoomed[grow.i]!.width / zoomed[0]!.width - 4 / 12) < 0.01,
    `grow_table ${zoomed[grow.i]!.width} of ${zoomed[0]!.width}`,
  );
  assert.equal(zoomed[nrConfig.i]!.shown, false, 'the other branch is hidden');
  assert.match(await page.locator('#flame-zoom').innerText(), /^Zoomed into build_index \(flamesites\.c\): 12\.0 MiB, 85\.7 % of all\./);
  await page.mouse.move(0, 0); // the tooltip away from the picture
  await page.locator('#flame').screenshot({ path: join(ARTIFACTS, 'profile-flame-massif-zoomed.png') });
  await page.locator('#flame-reset').click();
  const back = await drawnFrames(page);
  assert.ok(Math.abs(back[grow.i]!.width - grow.width) < 0.5 && back[nrConfig.i]!.shown, 'Reset restores the whole view');

  // Search: both new_record frames highlighted, their bytes summed once each: 10 of 14 MiB.
  await page.fill('#flame-search', 'new_rec');
  assert.equal(await page.locator('svg.icicle g.fr.match').count(), 2);
  const expected = siteRows(doc.stacks, 'inclusive').find((r) => r.site === 'new_record (flamesites.c)')!.peakBytes / doc.peakBytes;
  assert.equal((expected * 100).toFixed(1), '71.4');
  assert.equal(await page.locator('#flame-status').innerText(), '2 frames match "new_rec": 10.0 MiB, 71.4 % of all sites at the peak');
  // A caller and its callee both matching count once: "flamesites" matches every frame but the root.
  await page.fill('#flame-search', 'flamesites');
  assert.match(await page.locator('#flame-status').innerText(), /^6 frames match "flamesites": 14\.0 MiB, 100\.0 % of all/);
  await page.fill('#flame-search', 'new_rec');
  await page.locator('#flame').screenshot({ path: join(ARTIFACTS, 'profile-flame-massif-search.png') });

  // Bottom-up: the biggest planted site first, with its line, and its two callers when expanded.
  const firstRow = page.locator('table.bottom-up tbody tr').first();
  assert.match(
    await firstRow.innerText(),
    new RegExp(`^10\\.0 MiB\\s+71\\.4 %\\s+10\\.0 MiB \\(71\\.4 %\\)\\s+new_record \\(flamesites\\.c:${line.newRecord}\\)`),
  );
  await firstRow.locator('summary').first().click();
  const callers = await firstRow.locator('details.callers > ul > li').allInnerTexts();
  assert.deepEqual(
    callers.map((c) => c.split('\n')[0]),
    [`8.0 MiB (57.1 %) build_index (flamesites.c:${line.fromIndex})`, `2.0 MiB (14.3 %) load_config (flamesites.c:${line.fromConfig})`],
  );
  assert.match(
    await page.locator('table.bottom-up tbody tr').nth(1).innerText(),
    new RegExp(`^4\\.0 MiB\\s+28\\.6 %.*grow_table \\(flamesites\\.c:${line.growTable}\\)`),
  );

  // Treemap: the leaves carry their names and bytes.
  const leaves = await page.locator('svg.treemap g.leaf text').allTextContents();
  assert.ok(leaves.includes('new_record (flamesites.c)') && leaves.includes('grow_table (flamesites.c)'), leaves.join(' | '));
  assert.ok(leaves.includes(`4.0 MiB · 28.6 % · flamesites.c:${line.growTable}`), leaves.join(' | '));
  await page.screenshot({ path: join(ARTIFACTS, 'profile-flame-massif-expanded.png'), fullPage: true });
  assertPageClean(watch);
  await page.close();
});

test('python and v8 pages: the bottom-up table starts with the biggest planted site', { skip, timeout: 240_000 }, async () => {
  const py = profile('python', ['--with', 'python', '--', 'python3', join(ROOT, 'fixtures', 'src', 'holdsites.py')]);
  const v8 = profile('v8', [
    '--with',
    'v8',
    '--sample-interval',
    '4K',
    '--',
    process.execPath,
    join(ROOT, 'fixtures', 'src', 'peaksites.mjs'),
  ]);
  // holdsites.py: make_table's dict (~24 MiB of str keys, ints and the table) above make_blobs' 19.7 MiB of bytes;
  // peaksites.mjs: makeBatch's 16 MiB of arrays, dropped before exit.
  for (const [name, { doc, html }, site] of [
    ['python', py, /^make_table \(holdsites\.py:17\)$/],
    ['v8', v8, /^makeBatch \(peaksites\.mjs:\d+\)$/],
  ] as const) {
    const top = siteRows(doc.stacks, 'self', { byLine: true })[0]!;
    assert.match(top.site, site, `${name}: biggest self site in the document`);
    const { page, watch } = await chromium.open(html);
    const first = await page.locator('table.bottom-up tbody tr').first().locator('td.site code').innerText();
    assert.equal(first, top.site);
    const frames = await drawnFrames(page);
    const fn = top.site.replace(/:\d+\)$/, ')');
    // Its outermost frames (a frame under another of the same name is already inside that one's width).
    const nested = (f: Drawn): boolean => {
      for (let k = f.parent; k >= 0; k = frames[k]!.parent) if (frames[k]!.name === fn) return true;
      return false;
    };
    const drawn = frames.filter((f) => f.name === fn && f.shown && !nested(f)).reduce((s, f) => s + f.width, 0);
    const bytes = siteRows(doc.stacks, 'inclusive').find((r) => r.site === fn)!.peakBytes;
    assert.ok(Math.abs(drawn / frames[0]!.width - bytes / doc.peakBytes) < 0.01, `${name}: ${fn} drawn ${drawn} of ${frames[0]!.width} px`);
    await page.screenshot({ path: join(ARTIFACTS, `profile-flame-${name}.png`), fullPage: true });
    assertPageClean(watch);
    await page.close();
  }
});
