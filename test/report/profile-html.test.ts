// The profile page's pure parts: the icicle's d3 partition (widths in proportion to bytes, callers first, tiny
// frames folded into their caller), the bottom-up rows (self per line, function inclusive, caller trees) and
// the table rendered from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bottomUp } from '../../src/profile/bottom-up.js';
import { callTree } from '../../src/profile/model.js';
import type { Frame, Stack } from '../../src/document/profile.js';
import { icicleFrames } from '../../src/report/flamegraph-svg.js';
import { bottomUpTable } from '../../src/report/profile-html.js';

const f = (fn: string, line: number): Frame => ({ function: fn, file: 'app.c', line });
const stack = (bytes: number, ...frames: Frame[]): Stack => ({ frames, peakBytes: bytes, allocations: bytes / 1024 });
// main → index → record 8 KiB; main → index → grow 4 KiB; main → config → record 2 KiB; main → tiny 1 B.
const STACKS = [
  stack(8192, f('main', 30), f('index', 20), f('record', 10)),
  stack(4096, f('main', 30), f('index', 21), f('grow', 15)),
  stack(2048, f('main', 31), f('config', 25), f('record', 10)),
];

test("icicle: each frame's width its share of the root, callers before callees, largest first", () => {
  const frames = icicleFrames(callTree(STACKS, 'all'));
  const byPath = (path: string): (typeof frames)[number] => {
    const hit = frames.find((x) => {
      const names: string[] = [];
      for (let k = frames.indexOf(x); k >= 0; k = frames[k]!.parent) names.unshift(frames[k]!.name);
      return names.join(' > ') === path;
    });
    assert.ok(hit, path);
    return hit;
  };
  assert.deepEqual([frames[0]!.x0, frames[0]!.x1, frames[0]!.bytes], [0, 1, 14336]);
  const rec = byPath('all > main (app.c) > index (app.c) > record (app.c)');
  const grow = byPath('all > main (app.c) > index (app.c) > grow (app.c)');
  assert.ok(Math.abs(rec.x1 - rec.x0 - 8192 / 14336) < 1e-12);
  assert.ok(Math.abs((grow.x1 - grow.x0) * 2 - (rec.x1 - rec.x0)) < 1e-12, 'half the bytes, half the width');
  assert.ok(rec.x1 <= grow.x0 + 1e-12, 'the larger sibling first');
  frames.forEach((x, i) => assert.ok(x.parent < i, 'a caller comes before its callees'));
  assert.deepEqual(rec.lines, ['app.c:10 8.0 KiB']);
});

test("icicle: frames under minShare are left out, their bytes kept in the caller's width", () => {
  const frames = icicleFrames(callTree([...STACKS, stack(1, f('main', 32), f('tiny', 1))], 'all'), 1e-3);
  assert.equal(
    frames.find((x) => x.name === 'tiny (app.c)'),
    undefined,
  );
  const main = frames.find((x) => x.name === 'main (app.c)')!;
  assert.equal(main.bytes, 14337);
  assert.equal(main.x1 - main.x0, 1);
});

test('bottom-up: self per allocating line, largest first, with function inclusive bytes and caller trees', () => {
  const rows = bottomUp(STACKS);
  assert.deepEqual(
    rows.map((r) => [r.site, r.selfBytes, r.functionInclusiveBytes, r.allocations]),
    [
      ['record (app.c:10)', 10240, 10240, 10],
      ['grow (app.c:15)', 4096, 4096, 4],
    ],
  );
  const callers = rows[0]!.callers;
  assert.deepEqual(
    callers.map((c) => [c.name, c.bytes]),
    [
      ['index (app.c:20)', 8192],
      ['config (app.c:25)', 2048],
    ],
  );
  assert.deepEqual(
    callers[0]!.callers.map((c) => [c.name, c.bytes]),
    [['main (app.c:30)', 8192]],
  );
  const html = bottomUpTable(rows, 14336);
  assert.match(
    html,
    /<td class="n">10\.0 KiB<\/td><td class="n">71\.4 %<\/td><td class="n">10<\/td><td class="n">10\.0 KiB \(71\.4 %\)<\/td><td class="site"><code>record \(app\.c:10\)<\/code><details class="callers"><summary>called from 2 callers<\/summary>/,
  );
  assert.match(html, /8\.0 KiB \(57\.1 %\)<\/span> index \(app\.c:20\)/);
});
