// --pprof: membench's gzipped profile.proto read back with protobufjs (not membench's writer) against the
// published field numbers (test/fixtures/pprof-subset.proto): stacks leaf first, values per sample type, sums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { profileDocument, type ParsedProfile } from '../../src/profile/model.js';
import { toPprof } from '../../src/profile/pprof.js';
import { ROOT, runCli } from '../helpers/fixtures.js';

const root = protobuf.loadSync(join(ROOT, 'test', 'fixtures', 'pprof-subset.proto'));
const ProfileType = root.lookupType('perftools.profiles.Profile');

interface Decoded {
  sampleType: { type: number; unit: number }[];
  sample: { locationId: number[]; value: number[] }[];
  location: { id: number; line: { functionId: number; line: number }[] }[];
  function: { id: number; name: number; filename: number }[];
  stringTable: string[];
  comment: number[];
  defaultSampleType: number;
}

function decode(gz: Uint8Array): Decoded {
  assert.equal(gz[0], 0x1f, 'gzipped');
  const msg = ProfileType.decode(gunzipSync(gz));
  return ProfileType.toObject(msg, { longs: Number, defaults: true, arrays: true }) as unknown as Decoded;
}

/** Each sample as "outer;…;leaf" of function names (file:line), with its values. */
function stacks(d: Decoded): Map<string, number[]> {
  const s = (i: number): string => d.stringTable[i]!;
  const loc = new Map(d.location.map((l) => [l.id, l]));
  const fn = new Map(d.function.map((f) => [f.id, f]));
  const out = new Map<string, number[]>();
  for (const smp of d.sample) {
    const names = smp.locationId.map((id) => {
      const line = loc.get(id)!.line[0]!;
      const f = fn.get(line.functionId)!;
      return `${s(f.name)}${s(f.filename) ? ` ${s(f.filename)}:${line.line}` : ''}`;
    });
    out.set(names.reverse().join(';'), smp.value);
  }
  return out;
}

const HEAPTRACK: ParsedProfile = {
  profiler: 'heaptrack',
  command: './a',
  measures: 'bytes at the peak',
  peakAt: null,
  timeline: null,
  notes: [],
  stacks: [
    {
      frames: [
        { function: 'main', file: 'a.c', line: 20 },
        { function: 'make_jobs', file: 'a.c', line: 8 },
      ],
      peakBytes: 10 * 1048576,
      allocations: 10240,
    },
    {
      frames: [
        { function: 'main', file: 'a.c', line: 21 },
        { function: 'make_cache', file: 'a.c', line: 12 },
      ],
      peakBytes: 4 * 1048576,
      allocations: 64,
    },
    {
      frames: [
        { function: 'main', file: 'a.c', line: 22 },
        { function: '???', file: '/usr/lib/libx.so', line: null },
      ],
      peakBytes: 0,
      allocations: 7,
    },
  ],
};

test('heaptrack document: alloc_objects and inuse_space per stack, leaf first, default inuse_space', () => {
  const doc = profileDocument(HEAPTRACK, 'x', '0.0.0');
  const d = decode(toPprof(doc));
  assert.deepEqual(
    d.sampleType.map((t) => `${d.stringTable[t.type]}/${d.stringTable[t.unit]}`),
    ['alloc_objects/count', 'inuse_space/bytes'],
  );
  assert.equal(d.stringTable[d.defaultSampleType], 'inuse_space');
  assert.equal(d.stringTable[0], '');
  const s = stacks(d);
  assert.deepEqual(s.get('main a.c:20;make_jobs a.c:8'), [10240, 10 * 1048576]);
  assert.deepEqual(s.get('main a.c:21;make_cache a.c:12'), [64, 4 * 1048576]);
  assert.deepEqual(s.get('main a.c:22;??? /usr/lib/libx.so:0'), [7, 0]);
  assert.equal(
    [...s.values()].reduce((n, v) => n + v[1]!, 0),
    doc.peakBytes,
  );
  // One Function per function and file, one Location per line: main has three locations, one function.
  assert.equal(d.function.filter((f) => d.stringTable[f.name] === 'main').length, 1);
  assert.equal(d.location.length, 6);
  assert.match(d.stringTable[d.comment[0]!]!, /^membench 0\.0\.0, heaptrack: bytes at the peak/);
});

test('profile import --pprof: a massif file written as profile.proto, bytes only (massif has no counts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'membench-pprof-'));
  const massif = join(dir, 'massif.out.1');
  writeFileSync(
    massif,
    'desc: x\ncmd: ./a\ntime_unit: i\n#-----------\nsnapshot=0\n#-----------\ntime=0\nmem_heap_B=5000\nmem_heap_extra_B=8\nmem_stacks_B=0\nheap_tree=peak\n' +
      'n2: 5000 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n n1: 3000 0x1: f (a.c:3)\n  n0: 3000 0x2: main (a.c:9)\n n0: 2000 0x3: g (a.c:5)\n',
  );
  const out = join(dir, 'massif.pb.gz');
  const r = runCli(['profile', 'import', massif, '--pprof', out, '--no-chart']);
  assert.equal(r.status, 0, r.stderr);
  const d = decode(readFileSync(out));
  assert.deepEqual(
    d.sampleType.map((t) => d.stringTable[t.type]),
    ['inuse_space'],
  );
  const s = stacks(d);
  assert.deepEqual(s.get('main a.c:9;f a.c:3'), [3000]);
  assert.deepEqual(s.get('g a.c:5'), [2000]);
  assert.equal(runCli(['profile', 'diff', massif, massif, '--pprof', out]).status, 2);
});
