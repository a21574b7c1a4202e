// Machine-wide probe parsers on files captured from a real machine (test/fixtures/sysroot) and on broken text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ProbeParseError } from '../../src/probe/errors.js';
import { parseMeminfo, readMeminfo } from '../../src/probe/meminfo.js';
import { freePages, parseBuddyinfo, readBuddyinfo, unusableIndex } from '../../src/probe/buddyinfo.js';
import { parseSlabinfo, readSlabinfo, slabBytes } from '../../src/probe/slabinfo.js';
import { parsePressure, readMemoryPressure } from '../../src/probe/pressure.js';
import { readVmTunables } from '../../src/probe/vm-tunables.js';
import { ROOT } from '../helpers/fixtures.js';

const SYSROOT = { proc: join(ROOT, 'test', 'fixtures', 'sysroot', 'proc') };
const KIB = 1024;

test('meminfo: kB lines in bytes, HugePages_* as counts, names with parentheses', () => {
  const m = readMeminfo(SYSROOT);
  assert.equal(m.get('MemTotal'), 24684092 * KIB);
  assert.equal(m.get('Active(anon)'), 1668 * KIB);
  assert.equal(m.get('HugePages_Total'), 0);
  assert.equal(m.get('Hugepagesize'), 2048 * KIB);
  assert.throws(
    () => parseMeminfo('MemTotal: 10 kB\nMemFree 5 kB\n'),
    (e: unknown) => e instanceof ProbeParseError && e.line === 2,
  );
  assert.throws(() => parseMeminfo('Cached: 10 kB\n'), /no MemTotal/);
});

test('buddyinfo: zones and free blocks by order; unusable free space index', () => {
  const zones = readBuddyinfo(SYSROOT);
  assert.deepEqual(
    zones.map((z) => z.zone),
    ['DMA', 'DMA32', 'Normal'],
  );
  assert.deepEqual(zones[0]!.freeBlocks, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3]);
  assert.equal(freePages(zones[0]!), 256 + 512 + 3 * 1024);
  // Two order-0 pages and one order-2 block: 2 of 6 free pages are unusable for order ≥ 1, 6 of 6 for order 3.
  const [z] = parseBuddyinfo('Node 0, zone   Normal      2      0      1      0\n');
  assert.equal(unusableIndex(z!, 0), 0);
  assert.equal(unusableIndex(z!, 1), 2 / 6);
  assert.equal(unusableIndex(z!, 3), 1);
  assert.equal(unusableIndex(parseBuddyinfo('Node 0, zone DMA 0 0\n')[0]!, 1), null);
  assert.throws(() => parseBuddyinfo('Node 0, zone Normal 1 x 3\n'), /line 1: expected a non-negative integer for order 1/);
  assert.throws(() => parseBuddyinfo('Zone Normal 1 2\n'), ProbeParseError);
});

test('slabinfo: every cache of version 2.1, sized in pages', () => {
  const caches = readSlabinfo(SYSROOT)!;
  assert.ok(caches.length > 100);
  const bio = caches.find((c) => c.name === 'bio-312')!;
  assert.ok(bio.objectSizeBytes === 320 && bio.pagesPerSlab === 1);
  assert.equal(slabBytes({ ...bio, slabs: 3 }, 4096), 3 * 4096);
  assert.equal(readSlabinfo({ proc: '/nonexistent' }), null);
  assert.throws(() => parseSlabinfo('slabinfo - version: 1.1\n'), /version: 2/);
  assert.throws(
    () => parseSlabinfo('slabinfo - version: 2.1\n# name\nfoo 1 2 3\n'),
    (e: unknown) => e instanceof ProbeParseError && e.line === 3,
  );
});

test('pressure: some and full lines; full is optional; PSI missing → null', () => {
  const p = readMemoryPressure(SYSROOT)!;
  assert.equal(p.some.totalUs, 7697);
  assert.equal(p.full!.avg300, 0);
  const only = parsePressure('some avg10=12.50 avg60=3.00 avg300=0.25 total=99\n');
  assert.deepEqual(only, { some: { avg10: 12.5, avg60: 3, avg300: 0.25, totalUs: 99 }, full: null });
  assert.equal(readMemoryPressure({ proc: '/nonexistent' }), null);
  assert.throws(() => parsePressure('some avg10=x\n'), ProbeParseError);
});

test('vm tunables: captured values, unreadable → null', () => {
  assert.deepEqual(readVmTunables(SYSROOT), { swappiness: 60, minFreeBytes: 67584 * KIB, overcommitMemory: 0, overcommitRatio: 50 });
  assert.deepEqual(readVmTunables({ proc: '/nonexistent' }), {
    swappiness: null,
    minFreeBytes: null,
    overcommitMemory: null,
    overcommitRatio: null,
  });
});
