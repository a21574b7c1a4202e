// parseSmapsRollup on /proc/PID/smaps_rollup captured on this machine, and the sampler's kibFieldBytes on the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeParseError } from '../../src/probe/errors.js';
import { parseSmapsRollup } from '../../src/probe/smaps-rollup.js';
import { kibFieldBytes, parseStatus } from '../../src/probe/status.js';
import { ROOT } from '../helpers/fixtures.js';

const PROC = join(ROOT, 'test', 'fixtures', 'proc', 'root');
const TEXT = readFileSync(join(PROC, '6683', 'smaps_rollup'), 'utf8');
const KIB = 1024;

test('parseSmapsRollup: a stopped sleep (captured): RSS, PSS, USS = Private_Clean + Private_Dirty, swap', () => {
  assert.deepEqual(parseSmapsRollup(TEXT), {
    rssBytes: 1756 * KIB,
    pssBytes: 220 * KIB,
    ussBytes: (0 + 108) * KIB,
    swapBytes: 0,
    swapPssBytes: 0,
  });
});

test('parseSmapsRollup: Rss equals VmRSS of status read from the same stopped process', () => {
  assert.equal(parseSmapsRollup(TEXT).rssBytes, parseStatus(readFileSync(join(PROC, '6683', 'status'), 'utf8')).vmRssBytes);
});

test('kibFieldBytes reads the same PSS / USS / swap the sampler derives from smaps_rollup', () => {
  const ref = parseSmapsRollup(TEXT);
  assert.equal(kibFieldBytes(TEXT, 'Rss'), ref.rssBytes);
  assert.equal(kibFieldBytes(TEXT, 'Pss'), ref.pssBytes);
  assert.equal(kibFieldBytes(TEXT, 'Private_Clean') + kibFieldBytes(TEXT, 'Private_Dirty'), ref.ussBytes);
  assert.equal(kibFieldBytes(TEXT, 'Swap'), ref.swapBytes);
  assert.equal(kibFieldBytes(TEXT, 'SwapPss'), ref.swapPssBytes);
});

test('parseSmapsRollup: older kernels without SwapPss read swap PSS as 0; a missing Pss names the file', () => {
  const old = TEXT.split('\n')
    .filter((l) => !l.startsWith('SwapPss:'))
    .join('\n');
  assert.equal(parseSmapsRollup(old).swapPssBytes, 0);
  const noPss = TEXT.split('\n')
    .filter((l) => !l.startsWith('Pss:'))
    .join('\n');
  assert.throws(
    () => parseSmapsRollup(noPss, '/proc/6683/smaps_rollup'),
    (e: unknown) => e instanceof ProbeParseError && /^cannot parse \/proc\/6683\/smaps_rollup line \d+: no Pss field$/.test(e.message),
  );
});

test('parseSmapsRollup: a garbled line names its line number', () => {
  const lines = TEXT.split('\n');
  lines[3] = 'Pss_Dirty 108 kB';
  assert.throws(
    () => parseSmapsRollup(lines.join('\n'), 'smaps_rollup'),
    (e: unknown) => e instanceof ProbeParseError && e.line === 4,
  );
});
