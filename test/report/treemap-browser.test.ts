// The profile treemap in a real browser (Debian's chromium via playwright-core), from a real `membench profile
// --with v8` of fixtures/src/allocsites.mjs: boxes drawn with areas in proportion to bytes, no errors, nothing fetched.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callTree, type TreeNode } from '../../src/profile/model.js';
import type { ProfileDocument } from '../../src/document/profile.js';
import { ARTIFACTS, assertPageClean, skipWithoutChromium, withChromium } from '../helpers/browser.js';
import { ROOT, runCli } from '../helpers/fixtures.js';

const skip = skipWithoutChromium;
const dir = mkdtempSync(join(tmpdir(), 'membench-treemap-'));
const chromium = withChromium();

after(() => rmSync(dir, { recursive: true, force: true }));

/** The first node named `name` in the call tree, depth first. */
function find(node: TreeNode, name: string): TreeNode | null {
  if (node.name === name) return node;
  for (const k of node.children) {
    const hit = find(k, name);
    if (hit) return hit;
  }
  return null;
}

test('profile --html: the treemap of a v8 profile, makeJobs and makeCache boxes sized by their bytes, self-contained', {
  skip,
  timeout: 60_000,
}, async () => {
  const json = join(dir, 'v8.json');
  const html = join(dir, 'v8.html');
  const r = runCli([
    'profile',
    '--with',
    'v8',
    '--sample-interval',
    '4K',
    '--json',
    json,
    '--html',
    html,
    '--',
    process.execPath,
    join(ROOT, 'fixtures', 'src', 'allocsites.mjs'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as ProfileDocument;
  const tree = callTree(doc.stacks, 'root');
  const jobs = find(tree, 'makeJobs (allocsites.mjs)');
  const cache = find(tree, 'makeCache (allocsites.mjs)');
  assert.ok(jobs && cache, 'both sites in the profile');

  const { page, watch } = await chromium.open(html);
  assert.match(await page.title(), /^membench profile — v8: /);
  assert.match(await page.locator('footer').innerText(), /This page is self-contained: it loads nothing from the network\./);
  // Each box is a rect whose <title> starts with its node's name; its drawn area, in CSS pixels.
  const boxes = await page.$$eval('svg[aria-label="treemap of allocation sites"] rect', (rects) =>
    rects.flatMap((rect) => {
      const title = rect.querySelector('title')?.textContent;
      if (!title) return [];
      const b = rect.getBoundingClientRect();
      return [{ name: title.split('\n')[0]!, area: b.width * b.height }];
    }),
  );
  const area = (name: string): number => boxes.find((b) => b.name === name)?.area ?? 0;
  const [a, b] = [area(jobs.name), area(cache.name)];
  assert.ok(a > 1000 && b > 100, `boxes drawn: makeJobs ${a} px², makeCache ${b} px²`);
  // Siblings laid out by the squarified layout: areas in the ratio of their bytes, up to 0.1-unit rounding of the SVG.
  const ratio = a / b / (jobs.bytes / cache.bytes);
  assert.ok(Math.abs(ratio - 1) < 0.02, `area ratio ÷ bytes ratio = ${ratio}`);
  // Labelled as a leaf ("makeJobs (allocsites.mjs)", its bytes on the line below) or, when V8's sampling caught
  // allocations below it, as an inner box ("makeJobs (allocsites.mjs) · 12.0 MiB").
  const label = page.locator('svg[aria-label="treemap of allocation sites"] text', {
    hasText: /^makeJobs \(allocsites\.mjs\)( · \d+\.\d [KMG]iB)?$/,
  });
  assert.ok(await label.first().isVisible(), 'makeJobs labelled');
  // The flame graph below it: makeJobs' frame as wide as its share of the root's bytes (the top row, all sites).
  // Frames named from the page's own data (the script replaces the SVG <title>s with its own tooltip).
  const frames = await page.evaluate(() => {
    const data = JSON.parse(document.getElementById('membench-flame')!.textContent!) as { frames: { name: string }[] };
    return Array.from(document.querySelectorAll('svg[aria-label="flame graph of allocation sites"] g.fr')).map((g) => ({
      name: data.frames[Number(g.getAttribute('data-i'))]!.name,
      width: g.querySelector('rect')!.getBoundingClientRect().width,
    }));
  });
  const jobsFrame = frames.find((f) => f.name === jobs.name);
  assert.ok(jobsFrame, 'makeJobs in the flame graph');
  // Each frame is drawn 1 SVG unit narrower than its share, so neighbours stay apart: within 1 % of the width.
  const all = frames[0]!.width;
  assert.ok(Math.abs(jobsFrame.width / all - jobs.bytes / tree.bytes) < 0.01, `makeJobs frame ${jobsFrame.width} of ${all} px`);
  assert.ok(
    await page.locator('svg[aria-label="flame graph of allocation sites"] text', { hasText: /^makeJobs \(allocsites\.mjs\)$/ }).isVisible(),
    'makeJobs frame labelled',
  );
  await page.screenshot({ path: join(ARTIFACTS, 'treemap.png'), fullPage: true });
  assertPageClean(watch);
  await page.close();
});
