// Debian's chromium driven by playwright-core, as the browser tests use it: headless, no sandbox (root),
// background networking off (this machine's network is closed), a fresh profile per test file.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ROOT } from './fixtures.js';

export const CHROMIUM = '/usr/bin/chromium';
/** false when chromium is installed, else the reason to skip. */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium; CI installs it from .ci/apt-packages.txt)`;
/** Screenshots land here (git-ignored; kept by CI as artefacts). */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

export async function launchChromium(): Promise<BrowserContext> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'membench-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 900 },
    colorScheme: 'light',
  });
}
