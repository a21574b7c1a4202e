// Debian's chromium driven by playwright-core, as the browser tests use it: headless, no sandbox (root),
// background networking off (this machine's network is closed), a fresh profile per test file.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, runCliOk } from './fixtures.js';

export const CHROMIUM = '/usr/bin/chromium';
/** false when chromium is installed, else the reason to skip. */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install chromium; CI installs it from .ci/apt-packages.txt)`;
/** Screenshots land here (git-ignored; kept by CI as artefacts). */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

async function launchChromium(profileDir: string): Promise<BrowserContext> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 900 },
    colorScheme: 'light',
  });
}

/** What a page did that a self-contained report must never do. */
export interface PageWatch {
  /** console.error messages and uncaught exceptions */
  readonly errors: string[];
  /** every request to anything but file: and data: */
  readonly foreign: string[];
}

export interface Chromium {
  /** A new page in the file's browser, watched from before it loads, then navigated to a local file. */
  open(file: string): Promise<{ page: Page; watch: PageWatch }>;
}

/**
 * For one test file: launches chromium before its tests and closes it (and deletes its profile) after them,
 * through node:test's before/after hooks. Nothing is launched when chromium is missing (the tests skip).
 */
export function withChromium(): Chromium {
  let context: BrowserContext | undefined;
  let profileDir: string | undefined;
  before(async () => {
    if (skipWithoutChromium) return;
    profileDir = mkdtempSync(join(tmpdir(), 'membench-chromium-'));
    context = await launchChromium(profileDir);
  });
  after(async () => {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });
  return {
    async open(file) {
      if (!context)
        throw new Error(
          'chromium was not launched: call withChromium() at the top level of the test file and skip its tests with skipWithoutChromium',
        );
      const page = await context.newPage();
      const watch: PageWatch = { errors: [], foreign: [] };
      page.on('console', (m) => {
        if (m.type() === 'error') watch.errors.push(m.text());
      });
      page.on('pageerror', (e) => watch.errors.push(e.message));
      page.on('request', (r) => {
        if (!/^(file|data):/.test(r.url())) watch.foreign.push(r.url());
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      return { page, watch };
    },
  };
}

/** Fails unless the page logged no error and fetched nothing beyond file: and data: (so far). */
export function assertPageClean(watch: PageWatch, when = ''): void {
  assert.deepEqual(watch.errors, [], `no console errors${when}`);
  assert.deepEqual(watch.foreign, [], `no requests beyond file: and data:${when}`);
}

/**
 * The two ways to a page: `membench <args> --json J --html W` writes one while measuring, then
 * `membench report J --html R` renders the same document again. Returns the document and both files.
 */
export function pagesOf<Doc>(args: readonly string[], dir: string, name: string): { doc: Doc; written: string; reported: string } {
  const json = join(dir, `${name}.json`);
  const written = join(dir, `${name}-written.html`);
  runCliOk([...args.slice(0, 1), '--json', json, '--html', written, ...args.slice(1)]);
  const reported = join(dir, `${name}-report.html`);
  runCliOk(['report', json, '--html', reported]);
  return { doc: JSON.parse(readFileSync(json, 'utf8')) as Doc, written, reported };
}
