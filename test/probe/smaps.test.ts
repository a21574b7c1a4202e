// parseSmaps on /proc/PID/smaps captured on this machine (memfix fragment 20, stopped), malformed-text handling,
// and agreement with smaps_rollup read from the same stopped process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeParseError } from '../../src/probe/errors.js';
import { mappingUssBytes, parseSmaps, readProcessSmaps } from '../../src/probe/smaps.js';
import { parseSmapsRollup } from '../../src/probe/smaps-rollup.js';
import { rng } from '../analyze/synthetic.js';
import { ROOT } from '../helpers/fixtures.js';

const PROC = join(ROOT, 'test', 'fixtures', 'proc', 'root');
const PID = 7017;
const TEXT = readFileSync(join(PROC, String(PID), 'smaps'), 'utf8');
const KIB = 1024;

test('parseSmaps: every mapping of the captured process, in address order, with its path', () => {
  const maps = parseSmaps(TEXT);
  assert.equal(maps.length, 24);
  assert.deepEqual(maps[0]!.pathname, '/work/main/fixtures/bin/memfix');
  assert.equal(maps[0]!.perms, 'r--p');
  const heap = maps.find((m) => m.pathname === '[heap]')!;
  assert.equal(heap.start, '55bd1bddd000');
  assert.equal(heap.sizeBytes, 0x55bd1d301000 - 0x55bd1bddd000);
  assert.ok(heap.rssBytes > 20 * 1024 * KIB, 'the 20 MiB of small blocks live in [heap]');
  assert.equal(maps.find((m) => m.start === '7f440afd5000')!.pathname, '', 'an anonymous mapping has no path');
  assert.equal(maps[maps.length - 1]!.pathname, '[vsyscall]');
});

test('parseSmaps: sums over mappings equal smaps_rollup of the same stopped process', () => {
  const maps = parseSmaps(TEXT);
  const roll = parseSmapsRollup(readFileSync(join(PROC, String(PID), 'smaps_rollup'), 'utf8'));
  const sum = (f: (m: (typeof maps)[number]) => number): number => maps.reduce((a, m) => a + f(m), 0);
  assert.equal(
    sum((m) => m.rssBytes),
    roll.rssBytes,
  );
  assert.equal(sum(mappingUssBytes), roll.ussBytes);
  assert.equal(
    sum((m) => m.swapBytes),
    roll.swapBytes,
  );
  // smaps_rollup sums exact PSS before rounding to kB; per-mapping PSS is rounded each: within 1 KiB per mapping.
  assert.ok(Math.abs(sum((m) => m.pssBytes) - roll.pssBytes) <= maps.length * KIB);
});

test('readProcessSmaps through a fixture root: mappings plus comm; a missing pid is null', () => {
  const p = readProcessSmaps(PID, { proc: PROC })!;
  assert.equal(p.name, 'memfix');
  assert.equal(p.exePath, null, 'no exe link in the fixture tree');
  assert.equal(p.mappings.length, 24);
  assert.equal(readProcessSmaps(999_999, { proc: PROC }), null);
});

test('parseSmaps: empty text (zombie) is no mappings; paths with spaces and (deleted) are kept whole', () => {
  assert.deepEqual(parseSmaps(''), []);
  const text =
    '7f0000000000-7f0000001000 rw-s 00000000 00:01 42                         /memfd:my buffer (deleted)\nSize: 4 kB\nRss: 4 kB\nVmFlags: rd wr sh\n';
  const [m] = parseSmaps(text);
  assert.equal(m!.pathname, '/memfd:my buffer (deleted)');
  assert.equal(m!.inode, 42);
  assert.equal(m!.pssBytes, 0, 'absent fields read as 0');
});

test('parseSmaps: malformed text is a ProbeParseError naming the file and line', () => {
  const cases: [string, number, RegExp][] = [
    ['7f00-7f01 rw-p 0 00:00 0\nSize: 4 kB\nRss: x kB\n', 3, /N kB/],
    ['Size: 4 kB\n', 1, /before any mapping/],
    ['7f00-7f01 rw-p 0 00:00 0\nSize: 4 kB\n', 1, /no Rss/],
    ['7f00-7f01 rw-p 0 00:00 0\nSize: 4 kB\nRss: 4 kB\n7zz0 what\n', 4, /start-end/],
    ['7f00-7f01 rw-p 0 00:00 0\nSize: 4 kB\nRss: 4 kB\n: 3\n', 4, /Key: value/],
  ];
  for (const [text, line, why] of cases) {
    assert.throws(
      () => parseSmaps(text, '/proc/1/smaps'),
      (e: unknown) => e instanceof ProbeParseError && e.line === line && e.file === '/proc/1/smaps' && why.test(e.message),
      JSON.stringify(text),
    );
  }
});

test('parseSmaps: truncated or corrupted real text either parses or throws ProbeParseError, never anything else', () => {
  const r = rng(42);
  for (let i = 0; i < 300; i++) {
    let text = TEXT.slice(0, Math.floor(r() * TEXT.length));
    if (i % 2 === 0) {
      const at = Math.floor(r() * text.length);
      text = text.slice(0, at) + String.fromCharCode(32 + Math.floor(r() * 90)) + text.slice(at + 1);
    }
    try {
      parseSmaps(text);
    } catch (e) {
      assert.ok(e instanceof ProbeParseError, `${(e as Error).name}: ${(e as Error).message}`);
    }
  }
});
