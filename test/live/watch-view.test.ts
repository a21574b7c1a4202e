// The watch live view, without a terminal: sparkline scaling, the per-second ring, rows and their rendering
// (NO_COLOR: no escape codes; colours on: the verdict is painted; every line fits the width).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorsFor, NO_COLORS } from '../../src/report/colors.js';
import { RecentMax, renderWatchView, sparkline, watchViewRows, type WatchLiveState } from '../../src/live/watch-view.js';
import type { LeakVerdict } from '../../src/result.js';

const MIB = 1024 * 1024;

test('sparkline: lowest ▁, highest █, linear between; NaN is a gap; flat is all ▁', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7].map((v) => v * MIB)), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([10, NaN, 20]), '▁ █');
  assert.equal(sparkline([5, 5, 5]), '▁▁▁');
  assert.equal(sparkline([NaN, NaN]), '  ');
  assert.equal(sparkline([]), '');
});

test('RecentMax keeps the maximum of each second, the last N seconds only, gaps as NaN', () => {
  const r = new RecentMax(4);
  assert.deepEqual(r.series(), []);
  for (let t = 0; t < 2000; t += 100) r.push(t, t); // seconds 0 and 1
  r.push(4500, 7); // second 4: seconds 2 and 3 had no sample
  const s = r.series(); // seconds 1..4
  assert.equal(s.length, 4);
  assert.equal(s[0], 1900);
  assert.ok(Number.isNaN(s[1]!) && Number.isNaN(s[2]!));
  assert.equal(s[3], 7);
  r.push(100, 1e12); // older than the window: ignored
  assert.equal(Math.max(...r.series().filter(Number.isFinite)), 1900);
  r.push(60_000, 3); // far ahead: the whole window is new
  assert.deepEqual(
    r.series().map((v) => (Number.isNaN(v) ? null : v)),
    [null, null, null, 3],
  );
});

const leak: LeakVerdict = {
  verdict: 'leak',
  slopeBytesPerSec: 2 * MIB,
  confidence: null,
  reason: 'memory grew steadily at 2.0 MiB/s',
  steadyFromMs: 1000,
  steadyToMs: 5000,
  baselineBytes: MIB,
  endLowBytes: 9 * MIB,
};
const state = (over: Partial<WatchLiveState> = {}): WatchLiveState => ({
  pid: 4242,
  command: 'memfix leak 2 60000',
  elapsedMs: 6500,
  currentBytes: 12 * MIB,
  processes: 1,
  peakBytes: 12.5 * MIB,
  recent: [1, 2, 3, 4, 5, 6, 7, 8].map((v) => v * MIB),
  rollup: { pssBytes: 11 * MIB, ussBytes: 10 * MIB, swapBytes: 0, ageMs: 300 },
  leak,
  leakAgeMs: 400,
  leakFirstSeenMs: 4100,
  ...over,
});

test('the view shows current, peak, the sparkline with its range, PSS/USS/swap and the running verdict', () => {
  const text = renderWatchView(watchViewRows(state()), NO_COLORS, 200);
  const lines = text.split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0]!, /^pid 4242 +memfix leak 2 60000 · 6\.500 s · 1 process$/);
  assert.match(lines[1]!, /Σ RSS +12\.0 MiB now {2}peak 12\.5 MiB$/);
  assert.match(lines[2]!, /last 8 s +▁▂▃▄▅▆▇█ {2}1\.0 MiB … 8\.0 MiB$/);
  assert.match(lines[3]!, /PSS +11\.0 MiB {2}USS 10\.0 MiB {2}swap 0 B {2}\(300\.0 ms ago\)$/);
  assert.match(lines[4]!, /memory +leak — memory grew steadily at 2\.0 MiB\/s \(400\.0 ms ago\); first said leak at 4\.100 s$/);
  assert.ok(!text.includes('\x1b'), 'NO_COLOR: no escape codes');
});

test('a name watch is labelled with the name and counts the processes that joined later', () => {
  const first = (over: Partial<WatchLiveState>): string => renderWatchView(watchViewRows(state(over)), NO_COLORS, 200).split('\n')[0]!;
  assert.match(
    first({ followed: { name: 'worker', lateJoins: 3 }, processes: 2 }),
    /^--name worker +6\.500 s · 2 processes · 3 joined later$/,
  );
  assert.match(first({ followed: { name: 'worker', lateJoins: 0 } }), /^--name worker +6\.500 s · 1 process$/);
});

test('before the first smaps_rollup pass and the first verdict, the view says so', () => {
  const text = renderWatchView(
    watchViewRows(state({ rollup: null, leak: null, leakAgeMs: null, leakFirstSeenMs: null, recent: [] })),
    NO_COLORS,
    200,
  );
  assert.match(text, /PSS +not read yet/);
  assert.match(text, /memory +leak not judged yet/);
  assert.match(text, /last 0 s +no samples yet/);
});

test('with colours the verdict is painted (red for leak, green for no-leak); lines are clipped to the width', () => {
  const c = colorsFor(true);
  assert.ok(renderWatchView(watchViewRows(state()), c, 200).includes(c.red('leak')));
  const noLeak = { ...leak, verdict: 'no-leak' as const, reason: 'flat' };
  assert.ok(renderWatchView(watchViewRows(state({ leak: noLeak })), c, 200).includes(c.green('no leak')));
  const narrow = renderWatchView(watchViewRows(state({ command: 'x'.repeat(300) })), NO_COLORS, 40);
  for (const line of narrow.split('\n')) assert.ok([...line].length <= 40, `${[...line].length}: ${line}`);
  assert.match(narrow.split('\n')[0]!, /…$/);
});
