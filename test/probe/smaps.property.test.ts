// Property tests for /proc/PID/smaps: generated mappings (header + kB fields + VmFlags) round-trip field by field;
// malformed and truncated text gives mappings or ProbeParseError(file, line), never another exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSmaps } from '../../src/probe/smaps.js';
import { FILE, check, checkMalformed, kbLine, kib, malformed, parseOrDocumentedError } from '../helpers/kernel-text.js';

const KEYS = [
  'Size',
  'KernelPageSize',
  'MMUPageSize',
  'Rss',
  'Pss',
  'Pss_Dirty',
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
const KEPT = {
  Size: 'sizeBytes',
  Rss: 'rssBytes',
  Pss: 'pssBytes',
  Shared_Clean: 'sharedCleanBytes',
  Shared_Dirty: 'sharedDirtyBytes',
  Private_Clean: 'privateCleanBytes',
  Private_Dirty: 'privateDirtyBytes',
  Anonymous: 'anonymousBytes',
  Swap: 'swapBytes',
  SwapPss: 'swapPssBytes',
} as const;

const hex = (min: number, max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9a-f]{${min},${max}}$`));
const mapping = fc.record({
  start: hex(8, 12),
  end: hex(8, 12),
  perms: fc
    .tuple(fc.constantFrom('r', '-'), fc.constantFrom('w', '-'), fc.constantFrom('x', '-'), fc.constantFrom('p', 's'))
    .map((p) => p.join('')),
  offset: hex(8, 8),
  dev: fc.tuple(hex(2, 2), hex(2, 2)).map(([a, b]) => `${a}:${b}`),
  inode: fc.integer({ min: 0, max: 2 ** 40 }),
  pathname: fc.constantFrom(
    '',
    '[heap]',
    '[stack]',
    '[vdso]',
    '[anon:v8 heap]',
    '/usr/lib/x86_64-linux-gnu/libc.so.6',
    '/tmp/a file (deleted)',
    '/memfd:x (deleted)',
  ),
  kib: fc.record(Object.fromEntries(KEYS.map((k) => [k, kib])) as Record<(typeof KEYS)[number], fc.Arbitrary<number>>),
  thp: fc.boolean(),
});
type Mapping = typeof mapping extends fc.Arbitrary<infer T> ? T : never;

// show_map_vma: the header padded to column 73 before the path ("0 " then spaces for an anonymous mapping).
const renderOne = (m: Mapping): string =>
  [
    `${`${m.start}-${m.end} ${m.perms} ${m.offset} ${m.dev} ${m.inode} `.padEnd(73)}${m.pathname}`,
    ...KEYS.map((k) => kbLine(k, m.kib[k])),
    ...(m.thp ? ['THPeligible:           0'] : []),
    'VmFlags: rd wr mr mw me ac sd ',
  ].join('\n');
const render = (ms: readonly Mapping[]): string => ms.map((m) => `${renderOne(m)}\n`).join('');
const mappings = fc.array(mapping, { maxLength: 6 });

test('smaps: generated mappings round-trip header fields and every kept kB field (× 1024), in order', () => {
  check(
    fc.property(mappings, (ms) => {
      const parsed = parseSmaps(render(ms), FILE);
      assert.equal(parsed.length, ms.length);
      parsed.forEach((p, i) => {
        const m = ms[i]!;
        assert.deepEqual(
          [p.start, p.end, p.perms, p.offset, p.dev, p.inode, p.pathname],
          [m.start, m.end, m.perms, m.offset, m.dev, m.inode, m.pathname],
        );
        for (const [key, field] of Object.entries(KEPT)) assert.equal(p[field], m.kib[key as keyof typeof KEPT] * 1024, key);
      });
    }),
  );
});

test('smaps: malformed or truncated text gives mappings or ProbeParseError naming the file and line', () => {
  checkMalformed(
    fc.property(malformed(fc.array(mapping, { minLength: 1, maxLength: 3 }).map(render)), (text) => {
      const out = parseOrDocumentedError((t) => parseSmaps(t, FILE), text);
      if ('value' in out) {
        for (const m of out.value) {
          for (const field of Object.values(KEPT))
            assert.ok(Number.isSafeInteger(m[field]) && m[field] >= 0 && m[field] % 1024 === 0, `${field} = ${m[field]}`);
          assert.ok(Number.isSafeInteger(m.inode) && m.inode >= 0);
        }
      }
    }),
  );
});
