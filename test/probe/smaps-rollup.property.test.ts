// Property tests for /proc/PID/smaps_rollup: generated text round-trips RSS, PSS, USS (private clean + dirty) and
// swap in bytes; malformed and truncated text gives a record or ProbeParseError(file, line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSmapsRollup } from '../../src/probe/smaps-rollup.js';
import { FILE, check, checkMalformed, kbLine, kib, malformed, parseOrDocumentedError } from '../helpers/kernel-text.js';

const KEYS = [
  'Rss',
  'Pss',
  'Pss_Dirty',
  'Pss_Anon',
  'Pss_File',
  'Pss_Shmem',
  'Shared_Clean',
  'Shared_Dirty',
  'Private_Clean',
  'Private_Dirty',
  'Referenced',
  'Anonymous',
  'KSM',
  'LazyFree',
  'AnonHugePages',
  'ShmemPmdMapped',
  'FilePmdMapped',
  'Shared_Hugetlb',
  'Private_Hugetlb',
  'Swap',
  'SwapPss',
  'Locked',
] as const;
type Rollup = Record<(typeof KEYS)[number], number>;
const rollup = fc.record(Object.fromEntries(KEYS.map((k) => [k, kib])) as Record<(typeof KEYS)[number], fc.Arbitrary<number>>);

// The kernel pads "Key:" to 16 columns and right-aligns the value in 8 (wider values print whole).
const render = (r: Rollup): string =>
  ['55bcea305000-7ffd1c3f2000 ---p 00000000 00:00 0                          [rollup]', ...KEYS.map((k) => kbLine(k, r[k])), ''].join('\n');

test('smaps_rollup: generated text round-trips rss, pss, uss = Private_Clean + Private_Dirty, swap, swapPss', () => {
  check(
    fc.property(rollup, (r) => {
      assert.deepEqual(parseSmapsRollup(render(r), FILE), {
        rssBytes: r.Rss * 1024,
        pssBytes: r.Pss * 1024,
        ussBytes: (r.Private_Clean + r.Private_Dirty) * 1024,
        swapBytes: r.Swap * 1024,
        swapPssBytes: r.SwapPss * 1024,
      });
    }),
  );
});

test('smaps_rollup: malformed or truncated text gives a record or ProbeParseError naming the file and line', () => {
  checkMalformed(
    fc.property(malformed(rollup.map(render)), (text) => {
      const out = parseOrDocumentedError((t) => parseSmapsRollup(t, FILE), text);
      if ('value' in out) {
        for (const [k, v] of Object.entries(out.value)) assert.ok(Number.isSafeInteger(v) && v >= 0 && v % 1024 === 0, `${k} = ${v}`);
      }
    }),
  );
});
