// /proc/PID/maps: mappings parsed, each file's load address (its mapping at file offset 0), and malformed or
// truncated lines skipped rather than misread (generated with fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { moduleBases, parseMaps } from '../../src/probe/maps.js';

const MAPS = `00108000-00109000 r--p 00000000 fe:00 2180699                            /tmp/pv/flamesites-stripped
00109000-0010a000 r-xp 00001000 fe:00 2180699                            /tmp/pv/flamesites-stripped
0010b000-0010d000 rw-p 00002000 fe:00 2180699                            /tmp/pv/flamesites-stripped
55d0c3000000-55d0c3021000 rw-p 00000000 00:00 0                          [heap]
7f1a2b000000-7f1a2b028000 r--p 00000000 fe:00 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6
7f1a2b028000-7f1a2b1bd000 r-xp 00028000 fe:00 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6
7f1a2c000000-7f1a2c001000 rw-p 00000000 00:00 0
7ffd1e000000-7ffd1e021000 rw-p 00000000 00:00 0                          [stack]
7f1a2d000000-7f1a2d001000 r--p 00000000 fe:00 99                         /tmp/gone.so (deleted)
`;

test("maps: file mappings with their offsets; each file's base is its mapping at offset 0", () => {
  const maps = parseMaps(MAPS);
  assert.equal(maps.length, 9);
  assert.deepEqual(maps[1], { start: 0x109000, end: 0x10a000, perms: 'r-xp', offset: 0x1000, path: '/tmp/pv/flamesites-stripped' });
  assert.equal(maps[3]!.path, null, '[heap] is not a file');
  assert.deepEqual(moduleBases(maps), {
    '/tmp/pv/flamesites-stripped': 0x108000,
    '/usr/lib/x86_64-linux-gnu/libc.so.6': 0x7f1a2b000000,
    '/tmp/gone.so': 0x7f1a2d000000,
  });
});

test('maps: generated lines round-trip; any line cut short or with junk spliced in is skipped or read as written', () => {
  const hex = fc.bigInt({ min: 0n, max: (1n << 47n) - 1n });
  const line = fc.record({
    start: hex,
    len: fc.integer({ min: 1, max: 1 << 20 }),
    off: fc.integer({ min: 0, max: 1 << 30 }),
    path: fc.constantFrom('/usr/lib/a.so', '/bin/x y', '', '[vdso]'),
  });
  fc.assert(
    fc.property(fc.array(line, { maxLength: 20 }), fc.nat(), fc.string(), (lines, cut, junk) => {
      const text = lines
        .map(
          (l) =>
            `${l.start.toString(16)}-${(l.start + BigInt(l.len)).toString(16)} r-xp ${l.off.toString(16).padStart(8, '0')} fe:00 7 ${l.path}`,
        )
        .join('\n');
      const maps = parseMaps(text);
      assert.equal(maps.length, lines.length);
      maps.forEach((m, i) => {
        assert.equal(m.start, Number(lines[i]!.start));
        assert.equal(m.offset, lines[i]!.off);
        assert.equal(m.path, lines[i]!.path.startsWith('/') ? lines[i]!.path : null);
      });
      // Mangled: whatever parses has sane numbers.
      const bad = text.slice(0, cut % (text.length + 1)) + junk + text.slice(cut % (text.length + 1));
      for (const m of parseMaps(bad)) assert.ok(Number.isSafeInteger(m.start) && Number.isSafeInteger(m.offset) && m.end >= 0);
    }),
    { seed: 19, numRuns: 300 },
  );
});
