// Property tests for machine-wide files: /proc/meminfo, /proc/buddyinfo, /proc/pressure/memory, /proc/slabinfo.
// Generated text round-trips to the right numbers; malformed and truncated text gives a record or
// ProbeParseError(file, line), never another exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { freePages, parseBuddyinfo, unusableIndex } from '../../src/probe/buddyinfo.js';
import { parseMeminfo } from '../../src/probe/meminfo.js';
import { parsePressure } from '../../src/probe/pressure.js';
import { parseSlabinfo } from '../../src/probe/slabinfo.js';
import { FILE, check, checkMalformed, kib, malformed, pad8, parseOrDocumentedError } from '../helpers/kernel-text.js';

// --- meminfo: "Key:" padded to 16 columns, "%8lu kB"; HugePages_* are plain counts.
const KB_KEYS = [
  'MemTotal',
  'MemFree',
  'MemAvailable',
  'Buffers',
  'Cached',
  'SwapCached',
  'Active',
  'Inactive',
  'Active(anon)',
  'Inactive(anon)',
  'Active(file)',
  'Unevictable',
  'Mlocked',
  'SwapTotal',
  'SwapFree',
  'Dirty',
  'AnonPages',
  'Shmem',
  'KReclaimable',
  'Slab',
  'SUnreclaim',
  'KernelStack',
  'PageTables',
  'SecPageTables',
  'CommitLimit',
  'Committed_AS',
  'VmallocTotal',
  'Percpu',
  'ShmemPmdMapped',
  'FileHugePages',
  'Hugepagesize',
  'Hugetlb',
  'DirectMap4k',
  'DirectMap2M',
];
const COUNT_KEYS = ['HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp'];
const meminfo = fc.record({
  kb: fc.tuple(...KB_KEYS.map(() => kib)),
  counts: fc.tuple(...COUNT_KEYS.map(() => fc.integer({ min: 0, max: 1 << 20 }))),
});
type MeminfoGen = typeof meminfo extends fc.Arbitrary<infer T> ? T : never;
const label = (k: string): string => `${k}:${' '.repeat(Math.max(1, 15 - k.length))}`;
const renderMeminfo = (m: MeminfoGen): string =>
  [
    ...KB_KEYS.map((k, i) => `${label(k)}${pad8(m.kb[i]!)} kB`),
    ...COUNT_KEYS.map((k, i) => `${label(k)}${String(m.counts[i]).padStart(6)}`),
    '',
  ].join('\n');

test('meminfo: generated text round-trips kB fields to bytes and HugePages_* as counts', () => {
  check(
    fc.property(meminfo, (m) => {
      const parsed = parseMeminfo(renderMeminfo(m), FILE);
      KB_KEYS.forEach((k, i) => {
        assert.equal(parsed.get(k), m.kb[i]! * 1024, k);
      });
      COUNT_KEYS.forEach((k, i) => {
        assert.equal(parsed.get(k), m.counts[i], k);
      });
      assert.equal(parsed.size, KB_KEYS.length + COUNT_KEYS.length);
    }),
  );
});

test('meminfo: malformed or truncated text gives non-negative integers or ProbeParseError(file, line)', () => {
  checkMalformed(
    fc.property(malformed(meminfo.map(renderMeminfo)), (text) => {
      const out = parseOrDocumentedError((t) => parseMeminfo(t, FILE), text);
      if ('value' in out) for (const [k, v] of out.value) assert.ok(Number.isSafeInteger(v) && v >= 0, `${k} = ${v}`);
    }),
  );
});

// --- buddyinfo: "Node %d, zone %8s " then "%6lu " per order (11 orders on x86-64).
const zone = fc.record({
  node: fc.integer({ min: 0, max: 63 }),
  zone: fc.constantFrom('DMA', 'DMA32', 'Normal', 'Movable', 'HighMem'),
  freeBlocks: fc.array(fc.integer({ min: 0, max: 2 ** 30 }), { minLength: 1, maxLength: 14 }),
});
type Zone = typeof zone extends fc.Arbitrary<infer T> ? T : never;
const renderBuddy = (zs: readonly Zone[]): string =>
  zs.map((z) => `Node ${z.node}, zone ${z.zone.padStart(8)} ${z.freeBlocks.map((n) => `${String(n).padStart(6)} `).join('')}\n`).join('');

test('buddyinfo: generated zones round-trip; free pages and the unusable index follow from the blocks', () => {
  check(
    fc.property(fc.array(zone, { maxLength: 6 }), fc.nat({ max: 13 }), (zs, order) => {
      const parsed = parseBuddyinfo(renderBuddy(zs), FILE);
      assert.deepEqual(
        parsed,
        zs.map((z) => ({ ...z })),
      );
      for (const z of parsed) {
        const total = z.freeBlocks.reduce((s, n, k) => s + n * 2 ** k, 0);
        assert.equal(freePages(z), total);
        const u = unusableIndex(z, order);
        if (total === 0) assert.equal(u, null);
        else assert.ok(u !== null && u >= 0 && u <= 1, `unusable index ${u}`);
      }
    }),
  );
});

test('buddyinfo: malformed or truncated text gives zones or ProbeParseError(file, line)', () => {
  checkMalformed(
    fc.property(malformed(fc.array(zone, { minLength: 1, maxLength: 4 }).map(renderBuddy)), (text) => {
      const out = parseOrDocumentedError((t) => parseBuddyinfo(t, FILE), text);
      if ('value' in out)
        for (const z of out.value) assert.ok(z.freeBlocks.length > 0 && z.freeBlocks.every((n) => Number.isSafeInteger(n) && n >= 0));
    }),
  );
});

// --- pressure: "some avg10=%lu.%02lu avg60=… avg300=… total=%llu", then "full …" (absent on some kernels).
const psiLine = fc.record({
  avg10: fc.integer({ min: 0, max: 10000 }),
  avg60: fc.integer({ min: 0, max: 10000 }),
  avg300: fc.integer({ min: 0, max: 10000 }),
  totalUs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
});
type PsiLine = typeof psiLine extends fc.Arbitrary<infer T> ? T : never;
const pct = (hundredths: number): string => `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
const renderPsi = (kind: string, l: PsiLine): string =>
  `${kind} avg10=${pct(l.avg10)} avg60=${pct(l.avg60)} avg300=${pct(l.avg300)} total=${l.totalUs}\n`;
const pressure = fc.record({ some: psiLine, full: fc.option(psiLine) });
const renderPressure = (p: { some: PsiLine; full: PsiLine | null }): string =>
  renderPsi('some', p.some) + (p.full ? renderPsi('full', p.full) : '');

test('pressure: generated text round-trips percentages (2 decimals) and total µs; no "full" line → null', () => {
  check(
    fc.property(pressure, (p) => {
      const parsed = parsePressure(renderPressure(p), FILE);
      const expect = (l: PsiLine) => ({ avg10: l.avg10 / 100, avg60: l.avg60 / 100, avg300: l.avg300 / 100, totalUs: l.totalUs });
      assert.deepEqual(parsed, { some: expect(p.some), full: p.full ? expect(p.full) : null });
    }),
  );
});

test('pressure: malformed or truncated text gives a record or ProbeParseError(file, line)', () => {
  checkMalformed(
    fc.property(malformed(pressure.map(renderPressure)), (text) => {
      const out = parseOrDocumentedError((t) => parsePressure(t, FILE), text);
      if ('value' in out) assert.ok(Number.isFinite(out.value.some.avg10) && Number.isSafeInteger(out.value.some.totalUs));
    }),
  );
});

// --- slabinfo 2.1: "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu".
const cache = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9_:()-]{0,23}$/),
  active: fc.integer({ min: 0, max: 2 ** 32 }),
  objects: fc.integer({ min: 0, max: 2 ** 32 }),
  size: fc.integer({ min: 8, max: 1 << 22 }),
  perSlab: fc.integer({ min: 1, max: 512 }),
  pages: fc.constantFrom(1, 2, 4, 8),
  activeSlabs: fc.integer({ min: 0, max: 2 ** 30 }),
  slabs: fc.integer({ min: 0, max: 2 ** 30 }),
});
type Cache = typeof cache extends fc.Arbitrary<infer T> ? T : never;
const HEADER =
  'slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n';
const renderSlab = (cs: readonly Cache[]): string =>
  HEADER +
  cs
    .map(
      (c) =>
        `${c.name.padEnd(17)} ${String(c.active).padStart(6)} ${String(c.objects).padStart(6)} ${String(c.size).padStart(6)} ${String(c.perSlab).padStart(4)} ${String(c.pages).padStart(4)} : tunables    0    0    0 : slabdata ${String(c.activeSlabs).padStart(6)} ${String(c.slabs).padStart(6)}      0\n`,
    )
    .join('');

test('slabinfo: generated caches round-trip name, objects, object size, pages per slab and slabs', () => {
  check(
    fc.property(fc.array(cache, { maxLength: 8 }), (cs) => {
      assert.deepEqual(
        parseSlabinfo(renderSlab(cs), FILE),
        cs.map((c) => ({
          name: c.name,
          activeObjects: c.active,
          objects: c.objects,
          objectSizeBytes: c.size,
          pagesPerSlab: c.pages,
          slabs: c.slabs,
        })),
      );
    }),
  );
});

test('slabinfo: malformed or truncated text gives caches or ProbeParseError(file, line)', () => {
  checkMalformed(
    fc.property(malformed(fc.array(cache, { minLength: 1, maxLength: 4 }).map(renderSlab)), (text) => {
      const out = parseOrDocumentedError((t) => parseSlabinfo(t, FILE), text);
      if ('value' in out) for (const c of out.value) assert.ok(Number.isSafeInteger(c.slabs) && Number.isSafeInteger(c.objectSizeBytes));
    }),
  );
});
