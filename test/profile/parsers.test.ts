// Profile parsers: captured massif / heaptrack / V8 text read into stacks, and property tests that feed them
// mutated and truncated input (seeded mulberry32, so a failure reproduces from the case number it prints):
// each either returns a well-typed profile or throws ProfileParseError naming the file and a real line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  heaptrackProfile,
  parseCollapsedStacks,
  parseHeaptrackModules,
  parseHeaptrackTimeline,
  withModules,
} from '../../src/profile/heaptrack.js';
import { parseMassif, parseMassifLabel } from '../../src/profile/massif.js';
import { ProfileParseError, callTree, profileDocument, siteRows, unsymbolizedFrame, type ParsedProfile } from '../../src/profile/model.js';
import { StackSchema, type ProfileDocument, type Stack } from '../../src/document/profile.js';
import { parseV8HeapProfile } from '../../src/profile/v8.js';
import { diffProfiles, exceedsGate } from '../../src/profile/diff.js';
import { treemapBoxes } from '../../src/report/treemap-html.js';
import { mulberry32, type Rng } from '../helpers/prng.js';

const MASSIF = `desc: --time-unit=ms
cmd: ./allocsites plant
time_unit: ms
#-----------
snapshot=0
#-----------
time=0
mem_heap_B=0
mem_heap_extra_B=0
mem_stacks_B=0
heap_tree=empty
#-----------
snapshot=1
#-----------
time=12
mem_heap_B=5000
mem_heap_extra_B=40
mem_stacks_B=0
heap_tree=detailed
n1: 5000 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
 n1: 5000 0x10925D: make_jobs (allocsites.c:15)
  n0: 5000 0x1090A5: main (allocsites.c:27)
#-----------
snapshot=2
#-----------
time=20
mem_heap_B=9000
mem_heap_extra_B=72
mem_stacks_B=0
heap_tree=peak
n3: 9000 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
 n2: 6000 0x10925D: make_jobs (allocsites.c:15)
  n0: 5000 0x1090A5: main (allocsites.c:27)
  n0: 1000 0x1090B5: main (allocsites.c:29)
 n1: 2900 0x4E2A9C: operator new(unsigned long) (in /usr/lib/libstdc++.so.6)
  n0: 2900 0x1092A5: ??? (in /tmp/allocsites)
 n0: 100 in 3 places, all below massif's threshold (1.00%)
#-----------
snapshot=3
#-----------
time=25
mem_heap_B=0
mem_heap_extra_B=0
mem_stacks_B=0
heap_tree=empty
`;

const HEAPTRACK_PEAK =
  'main;make_jobs; 10485760\nmain;make_cache; 4194304\n0x7f62fdb0ab9f (rtld.c);_dl_init (dl-init.c);0x7f62fd6a57b9; 72704\n';
const HEAPTRACK_ALLOCS =
  'main;make_jobs; 10240\nmain;make_cache; 64\n0x7f62fdb0ab9f (rtld.c);_dl_init (dl-init.c);0x7f62fd6a57b9; 1\nmain;puts; 1\n';
const HEAPTRACK_MASSIF = `#-----------
snapshot=0
#-----------
time=0.012
mem_heap_B=3874816
mem_heap_extra_B=0
mem_stacks_B=0
heap_tree=empty
#-----------
snapshot=1
#-----------
time=0.9
mem_heap_B=14752768
mem_heap_extra_B=0
mem_stacks_B=0
heap_tree=empty
desc: heaptrack
cmd: ./allocsites
time_unit: s
`;

const HEAPTRACK_DATA = `v 10400 3
X ./allocsites
I 1000 5e298f
a 400 9
a 10000 b
c 63b
+ 0
+ 0
+ 1
R 76b
c 645
- 0
+ 1
- 1
- 1
c 650
- 0
`;

const frame = (functionName: string, url: string, lineNumber: number) => ({
  functionName,
  scriptId: '1',
  url,
  lineNumber,
  columnNumber: 0,
});
const V8 = JSON.stringify(
  {
    head: {
      callFrame: frame('(root)', '', -1),
      selfSize: 0,
      id: 1,
      children: [
        {
          callFrame: frame('', 'file:///app/a.mjs', 0),
          selfSize: 64,
          id: 2,
          children: [
            { callFrame: frame('makeJobs', 'file:///app/a.mjs', 5), selfSize: 16_000_000, id: 3, children: [] },
            { callFrame: frame('makeCache', 'file:///app/a.mjs', 6), selfSize: 4_000_000, id: 4, children: [] },
          ],
        },
      ],
    },
    samples: [
      { size: 8208, nodeId: 3, ordinal: 1 },
      { size: 8208, nodeId: 3, ordinal: 2 },
      { size: 65552, nodeId: 4, ordinal: 3 },
    ],
  },
  null,
  1,
);

test('massif labels: with debug info, without, unknown function, below threshold', () => {
  assert.deepEqual(parseMassifLabel('0x10925D: make_jobs (allocsites.c:15)'), { function: 'make_jobs', file: 'allocsites.c', line: 15 });
  assert.deepEqual(parseMassifLabel('0x10925D: make_jobs (in /tmp/allocsites)'), {
    function: 'make_jobs',
    file: '/tmp/allocsites',
    line: null,
  });
  assert.deepEqual(parseMassifLabel('0x4E2A9C: operator new(unsigned long) (in /usr/lib/libstdc++.so.6)'), {
    function: 'operator new(unsigned long)',
    file: '/usr/lib/libstdc++.so.6',
    line: null,
  });
  assert.equal(parseMassifLabel("in 1 place, below massif's threshold (1.00%)").function, '(below threshold)');
});

test('massif: the peak snapshot becomes stacks (outermost first), snapshots the timeline', () => {
  const p = parseMassif(MASSIF, 'massif.out');
  assert.equal(p.command, './allocsites plant');
  assert.equal(p.peakAt, 20);
  assert.deepEqual(p.timeline?.heapBytes, [0, 5000, 9000, 0]);
  assert.equal(p.timeline?.unit, 'ms');
  const doc = profileDocument(p, 'massif.out', 'test');
  assert.equal(doc.peakBytes, 9000);
  assert.deepEqual(
    doc.stacks.map((s) => [s.frames.map((f) => f.function).join(';'), s.peakBytes]),
    [
      ['main;make_jobs', 5000],
      ['???;operator new(unsigned long)', 2900],
      ['main;make_jobs', 1000],
      ['(below threshold)', 100],
    ],
  );
  assert.deepEqual(
    siteRows(doc.stacks, 'self').map((r) => [r.site, r.peakBytes]),
    [
      ['make_jobs (allocsites.c)', 6000],
      ['operator new(unsigned long) (libstdc++.so.6)', 2900],
      ['(below threshold)', 100],
    ],
  );
  const main = siteRows(doc.stacks, 'inclusive').find((r) => r.site === 'main (allocsites.c)');
  assert.equal(main?.peakBytes, 6000);
  const tree = callTree(doc.stacks, 'all');
  assert.equal(tree.bytes, 9000);
  assert.equal(tree.children[0]?.name, 'main (allocsites.c)');
});

test('heaptrack: peak bytes and allocation counts joined per stack; trailer header read; seconds become ms', () => {
  const p = heaptrackProfile(HEAPTRACK_PEAK, HEAPTRACK_ALLOCS, HEAPTRACK_MASSIF, 'ht.zst');
  const doc = profileDocument(p, 'ht.zst', 'test');
  assert.equal(doc.peakBytes, 10485760 + 4194304 + 72704);
  const jobs = doc.stacks.find((s) => s.frames.at(-1)?.function === 'make_jobs');
  assert.deepEqual([jobs?.peakBytes, jobs?.allocations], [10485760, 10240]);
  assert.deepEqual(doc.stacks.find((s) => s.frames.at(-1)?.function === 'puts')?.peakBytes, 0);
  assert.deepEqual(doc.timeline?.t, [12, 900]);
  assert.equal(doc.peakAt, 900);
  assert.deepEqual(parseCollapsedStacks('a (x.c);b; 5\n', 'f').get('a (x.c);b')?.frames[0], { function: 'a', file: 'x.c', line: null });
});

test('heaptrack data: live bytes per timestamp interval keep the exact peak and when it was', () => {
  const { timeline, peakAt } = parseHeaptrackTimeline(HEAPTRACK_DATA, 'ht.zst');
  assert.deepEqual(timeline.t, [0x63b, 0x645, 0x650]);
  // by 0x645: 1 KiB + 1 KiB + 64 KiB live; then −1 KiB, +64 KiB: 129 KiB at most before 0x650.
  assert.deepEqual(timeline.heapBytes, [0, 2048 + 65536, 1024 + 2 * 65536]);
  assert.equal(peakAt, 0x650);
  assert.throws(() => parseHeaptrackTimeline('a 10 1\n+ 5\n', 'ht.zst'), /ht\.zst line 2: expected "\+ INDEX"/);
});

test('v8: selfSize per node becomes a stack; samples count; file:// stripped; lines 1-based', () => {
  const doc = profileDocument(parseV8HeapProfile(V8, 'x.heapprofile'), 'x.heapprofile', 'test');
  assert.equal(doc.peakBytes, 20_000_064);
  const top = doc.stacks[0]!;
  assert.deepEqual(top.frames.at(-1), { function: 'makeJobs', file: '/app/a.mjs', line: 6 });
  assert.equal(top.allocations, 2);
  assert.equal(doc.stacks.length, 3);
});

test('diff: a planted site shows as new, the gate trips above the ratio', () => {
  const before = profileDocument(parseMassif(MASSIF, 'a'), 'a', 't');
  const planted = MASSIF.replace('n3: 9000 (heap', 'n4: 12000 (heap')
    .replace('mem_heap_B=9000', 'mem_heap_B=12000')
    .replace(
      ' n0: 100 in 3 places',
      ' n1: 3000 0x1: make_extra (allocsites.c:20)\n  n0: 3000 0x2: main (allocsites.c:30)\n n0: 100 in 3 places',
    );
  const after = profileDocument(parseMassif(planted, 'b'), 'b', 't');
  const d = diffProfiles(before, after);
  assert.equal(d.deltaBytes, 3000);
  assert.deepEqual(d.sites[0], { site: 'make_extra (allocsites.c)', beforeBytes: 0, afterBytes: 3000, deltaBytes: 3000, change: 'new' });
  assert.equal(exceedsGate(d, 0.1), true);
  assert.equal(exceedsGate(d, 0.5), false);
});

test("treemap (d3-hierarchy squarify): sibling leaves' areas in the ratio of their bytes, inside the box", () => {
  const leaf = (fn: string, bytes: number): Stack => ({
    frames: [
      { function: 'main', file: 'a.c', line: 1 },
      { function: fn, file: 'a.c', line: 2 },
    ],
    peakBytes: bytes,
    allocations: null,
  });
  const values = [50, 25, 12, 8, 5];
  const root = callTree(
    values.map((v, i) => leaf(`f${i}`, v * 1000)),
    'all',
  );
  const boxes = treemapBoxes(root, { x: 0, y: 0, w: 300, h: 200 });
  const area = (name: string): number => {
    const b = boxes.find((x) => x.label === name)!;
    assert.ok(b.x >= -1e-9 && b.y >= -1e-9 && b.x + b.w <= 300 + 1e-6 && b.y + b.h <= 200 + 1e-6);
    assert.ok(b.leaf, `${name} is a leaf`);
    return b.w * b.h;
  };
  values.forEach((v, i) => assert.ok(Math.abs(area(`f${i} (a.c)`) / area('f0 (a.c)') - v / 50) < 1e-9));
});

test('unsymbolized frames: module+offset when the base is known, the same for two ASLR layouts; else ??? in the module', () => {
  // One program run twice: the same two sites at different load addresses.
  const run = (base: number): ParsedProfile => {
    const ip = (off: number): string => `0x${(base + off).toString(16)}`;
    return heaptrackProfile(`main;${ip(0x11ed)}; 10485760\nmain;${ip(0x1275)}; 4194304\nmain;${ip(0x201a2b)}; 1024\n`, '', MASSIF, 'x');
  };
  const named = (base: number, withBases: boolean): ProfileDocument => {
    const p = run(base);
    const modules = new Map<string, string>();
    for (const off of [0x11ed, 0x1275]) modules.set(`0x${(base + off).toString(16)}`, '/opt/app/bin/app');
    modules.set(`0x${(base + 0x201a2b).toString(16)}`, '/lib/x86_64-linux-gnu/libfoo.so.1.2');
    const bases = withBases ? { '/opt/app/bin/app': base, '/usr/lib/x86_64-linux-gnu/libfoo.so.1.2': base + 0x200000 } : null;
    return profileDocument({ ...p, stacks: withModules(p.stacks, modules, bases) }, 'x', '0');
  };
  const a = named(0x55df52212000, true);
  const b = named(0x5612aa401000, true);
  assert.deepEqual(
    siteRows(a.stacks, 'self').map((r) => r.site),
    ['app+0x11ed', 'app+0x1275', 'libfoo.so.1.2+0x1a2b'],
  );
  const d = diffProfiles(a, b);
  assert.deepEqual(
    d.sites.map((s) => s.change),
    ['same', 'same', 'same'],
  );
  // Without the bases (an imported file): one entry per module, never an address.
  const c = named(0x55df52212000, false);
  assert.deepEqual(
    siteRows(c.stacks, 'self').map((r) => r.site),
    ['??? (app)', '??? (libfoo.so.1.2)'],
  );
  assert.deepEqual(
    diffProfiles(c, named(0x5612aa401000, false)).sites.map((s) => s.change),
    ['same', 'same'],
  );
  // massif's labels with the valgrind process's bases; a base by file name when the path differs.
  assert.deepEqual(parseMassifLabel('0x1091ED: ??? (in /tmp/x/flamesites)', { '/tmp/x/flamesites': 0x108000 }), {
    function: 'flamesites+0x11ed',
    file: '/tmp/x/flamesites',
    line: null,
  });
  assert.deepEqual(unsymbolizedFrame('0x7f00000001a0', '/lib/libz.so.1', { '/usr/lib/libz.so.1': 0x7f0000000000 }), {
    function: 'libz.so.1+0x1a0',
    file: '/lib/libz.so.1',
    line: null,
  });
  assert.deepEqual(parseMassifLabel('0x1091ED: ??? (in /tmp/x/flamesites)'), { function: '???', file: '/tmp/x/flamesites', line: null });
});

// ---- property tests ----
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const JUNK = [
  '',
  ' ',
  '-1',
  'x',
  '1e99',
  '99999999999999999999',
  'n',
  ':',
  '(',
  ')',
  '{',
  '}',
  '"',
  ';',
  ' 5',
  '\t',
  'NaN',
  'null',
  '[]',
  '0x',
];

/** One random edit: drop, duplicate or swap lines, truncate, or splice junk into a line. */
function mutate(text: string, rng: Rng): string {
  const lines = text.split('\n');
  const i = Math.floor(rng() * lines.length);
  switch (Math.floor(rng() * 6)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, lines[i] ?? '');
      break;
    case 2: {
      const j = Math.floor(rng() * lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      break;
    }
    case 3:
      return text.slice(0, Math.floor(rng() * text.length));
    case 4: {
      const l = lines[i] ?? '';
      const at = Math.floor(rng() * (l.length + 1));
      lines[i] = l.slice(0, at) + pick(rng, JUNK) + l.slice(at + Math.floor(rng() * 3));
      break;
    }
    default:
      lines[i] = (lines[i] ?? '').replace(/\d+/, pick(rng, JUNK));
  }
  return lines.join('\n');
}

function checkProperty(
  name: string,
  seed: number,
  base: string,
  parse: (text: string, file: string) => ParsedProfile,
  lineKnown: boolean,
): void {
  const rng = mulberry32(seed);
  let parsed = 0;
  let rejected = 0;
  for (let k = 0; k < 400; k++) {
    let text = base;
    const edits = 1 + Math.floor(rng() * 3);
    for (let e = 0; e < edits; e++) text = mutate(text, rng);
    const where = `${name} case ${k} (seed ${seed})`;
    try {
      const p = parse(text, '/fixture/profile-under-test');
      for (const s of p.stacks) assert.ok(StackSchema.safeParse(s).success, `${where}: bad stack ${JSON.stringify(s)}`);
      if (p.timeline)
        for (const b of p.timeline.heapBytes) assert.ok(Number.isSafeInteger(b) && b >= 0, `${where}: bad timeline bytes ${b}`);
      parsed++;
    } catch (e) {
      assert.ok(e instanceof ProfileParseError, `${where}: threw ${String(e)} instead of ProfileParseError\n${text}`);
      assert.ok(e.message.includes('/fixture/profile-under-test'), `${where}: message does not name the file: ${e.message}`);
      if (lineKnown || e.line !== null) {
        const lines = text.split('\n').length;
        assert.ok(
          e.line !== null && e.line >= 1 && e.line <= lines,
          `${where}: line ${e.line} is not a line of the ${lines}-line input: ${e.message}`,
        );
      } else {
        assert.ok(e.path?.startsWith('$'), `${where}: neither line nor JSON path: ${e.message}`);
      }
      rejected++;
    }
  }
  assert.ok(
    parsed > 0 && rejected > 0,
    `${name}: the generator should both keep and break the input (parsed ${parsed}, rejected ${rejected})`,
  );
}

test('property: massif text, mutated, parses or fails naming file and line', () => {
  checkProperty('massif', 0x6d617373, MASSIF, parseMassif, true);
  checkProperty('massif (heaptrack -M)', 0x68747261, HEAPTRACK_MASSIF, parseMassif, true);
});

test('property: heaptrack collapsed stacks, mutated, parse or fail naming file and line', () => {
  checkProperty('heaptrack', 0x636f6c6c, HEAPTRACK_ALLOCS, (t, f) => heaptrackProfile(t, t, HEAPTRACK_MASSIF, f), true);
});

test('property: heaptrack data, mutated, parses or fails naming file and line', () => {
  checkProperty(
    'heaptrack data',
    0x64617461,
    HEAPTRACK_DATA,
    (t, f) => {
      const { timeline, peakAt } = parseHeaptrackTimeline(t, f);
      return { profiler: 'heaptrack', command: null, measures: '', stacks: [], peakAt, timeline, notes: [] };
    },
    true,
  );
});

test('property: V8 .heapprofile, mutated, parses or fails naming file and line (syntax) or JSON path (structure)', () => {
  checkProperty('v8', 0x76386870, V8, parseV8HeapProfile, false);
});

test('diff: unsymbolized frames are grouped by module, so ASLR-moved addresses are not "gone"/"new"', () => {
  const doc = (addr: string) =>
    profileDocument(
      {
        profiler: 'heaptrack',
        command: null,
        measures: 'm',
        peakAt: null,
        timeline: null,
        notes: [],
        stacks: [
          {
            frames: [
              { function: 'main', file: 'a.c', line: 3 },
              { function: addr, file: '/usr/lib/libfoo.so', line: null },
            ],
            peakBytes: 4096,
            allocations: 1,
          },
          {
            frames: [
              { function: 'main', file: 'a.c', line: 4 },
              { function: addr, file: null, line: null },
            ],
            peakBytes: 100,
            allocations: 1,
          },
        ],
      },
      'x',
      '0',
    );
  const d = diffProfiles(doc('0x7f49aa001000'), doc('0x7f4dbb001000'));
  assert.deepEqual(
    d.sites.map((s) => [s.site, s.change]),
    [
      ['??? (libfoo.so)', 'same'],
      ['??? (unknown module)', 'same'],
    ],
  );
  // heaptrack's flame-graph lines name unsymbolized frames by address; its data file names their module.
  const modules = parseHeaptrackModules('s d /usr/bin/sort\ni 55ac377ce580 1\n');
  assert.deepEqual(
    withModules([{ frames: [{ function: '0x55ac377ce580', file: null, line: null }], peakBytes: 1, allocations: null }], modules)[0]!
      .frames,
    [{ function: '???', file: '/usr/bin/sort', line: null }],
  );
});

test('self sites keep their line: two mallocs of one function are two sites', () => {
  const stacks = [
    { frames: [{ function: 'frag', file: '/src/frag.c', line: 8 }], peakBytes: 375, allocations: null },
    { frames: [{ function: 'frag', file: '/src/frag.c', line: 5 }], peakBytes: 5, allocations: null },
  ];
  assert.deepEqual(
    siteRows(stacks, 'self', { byLine: true }).map((r) => [r.site, r.peakBytes]),
    [
      ['frag (frag.c:8)', 375],
      ['frag (frag.c:5)', 5],
    ],
  );
  assert.deepEqual(
    siteRows(stacks, 'inclusive').map((r) => [r.site, r.peakBytes]),
    [['frag (frag.c)', 380]],
  );
});
