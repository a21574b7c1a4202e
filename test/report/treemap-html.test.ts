// Treemap of a profile: the leaves (allocating functions) are labelled even under deep call chains, because
// single-callee chains share one box instead of nesting a header per frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callTree, profileDocument } from '../../src/profile/model.js';
import type { Frame } from '../../src/document/profile.js';
import { renderProfileHtml } from '../../src/report/profile-html.js';
import { treemapBoxes } from '../../src/report/treemap-html.js';

const chain = (n: number): Frame[] => Array.from({ length: n }, (_, i) => ({ function: `f${i}`, file: 'a.c', line: i + 1 }));
const doc = profileDocument(
  {
    profiler: 'massif',
    command: null,
    measures: 'm',
    peakAt: null,
    timeline: null,
    notes: [],
    stacks: [
      { frames: [...chain(14), { function: 'make_jobs', file: 'a.c', line: 40 }], peakBytes: 10 << 20, allocations: null },
      { frames: [...chain(14), { function: 'make_cache', file: 'a.c', line: 50 }], peakBytes: 4 << 20, allocations: null },
    ],
  },
  'x',
  '0',
);

test('a 14-frame chain above two leaves: three boxes below the root, both leaves labelled with their bytes', () => {
  const boxes = treemapBoxes(callTree(doc.stacks, 'all'), { x: 0, y: 0, w: 1200, h: 700 });
  // root, the folded chain f0…f13, and the two leaves: before folding, 16 nested boxes ate the leaves' room.
  assert.equal(boxes.length, 4);
  assert.equal(
    boxes[1]!.label,
    'f13 (a.c) ‹ f12 (a.c) ‹ f11 (a.c) ‹ f10 (a.c) ‹ f9 (a.c) ‹ f8 (a.c) ‹ f7 (a.c) ‹ f6 (a.c) ‹ f5 (a.c) ‹ f4 (a.c) ‹ f3 (a.c) ‹ f2 (a.c) ‹ f1 (a.c) ‹ f0 (a.c)',
  );
  assert.deepEqual(
    boxes.filter((b) => b.leaf).map((b) => b.label),
    ['make_jobs (a.c)', 'make_cache (a.c)'],
  );
  // Each leaf box carries its name, then its bytes, share and allocating line.
  const html = renderProfileHtml(doc);
  assert.match(
    html,
    /<text class="leaf" [^>]*>make_jobs \(a\.c\)<\/text><text class="leaf size" [^>]*>10\.0 MiB · 71\.4 % · a\.c:40<\/text>/,
  );
  assert.match(
    html,
    /<text class="leaf" [^>]*>make_cache \(a\.c\)<\/text><text class="leaf size" [^>]*>4\.0 MiB · 28\.6 % · a\.c:50<\/text>/,
  );
});
