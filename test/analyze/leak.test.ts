// Leak verdict on synthetic series: each shape a real program makes, with the verdict it must get.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgedUntilMs, leakVerdict, run } from '../../src/analyze/leak.js';
import { MIB, series, startup } from './synthetic.js';

const BASE = 20 * MIB;
const verdictOf = (s: ReturnType<typeof series>, exitMs = s.tMs[s.tMs.length - 1]!) => leakVerdict(s, exitMs);

test('linear growth of 50 MiB/s until exit: grows-until-exit (no steady phase), slope within 10 %; watched live: leak', () => {
  const s = series(4000, 1, (t) => startup(BASE)(t) + (t > 100 ? (50 * MIB * (t - 100)) / 1000 : 0), 256 * 1024);
  const v = verdictOf(s);
  assert.equal(v.verdict, 'grows-until-exit', v.reason);
  assert.match(v.reason, /^grew until it exited, with no steady phase to judge a leak by: 5\d\.\d MiB\/s/);
  assert.ok(Math.abs(v.slopeBytesPerSec! - 50 * MIB) < 5 * MIB, `slope ${v.slopeBytesPerSec! / MIB} MiB/s`);
  assert.ok(v.confidence!.lowBytesPerSec <= v.slopeBytesPerSec! && v.slopeBytesPerSec! <= v.confidence!.highBytesPerSec);
  // The same series from a watch that stopped while the process ran: nothing ended, it was still growing.
  const live = leakVerdict(s, 4000, { endsAtExit: false });
  assert.equal(live.verdict, 'leak', live.reason);
  assert.match(live.reason, /still growing when the observation ended/);
});

test('slow growth of 2 MiB/s over 10 s at 100 Hz under noise of ±1 MiB: noise is no cycle of use and release', () => {
  const s = series(10_000, 10, (t) => BASE + 2 * MIB * (t / 1000), MIB, 7);
  const v = verdictOf(s);
  assert.equal(v.verdict, 'grows-until-exit', v.reason);
  assert.equal(v.figures!.cycles, 0);
  assert.equal(leakVerdict(s, 10_000, { endsAtExit: false }).verdict, 'leak');
});

test('slow leak of 2 MiB/s under 10 MiB cycles of use and release every 400 ms, with noise: leak', () => {
  const s = series(10_000, 10, (t) => BASE + 2 * MIB * (t / 1000) + 10 * MIB * ((t % 400) / 400), MIB, 7);
  const v = verdictOf(s);
  assert.equal(v.verdict, 'leak', v.reason);
  assert.ok(v.figures!.cycles! >= 15, v.reason);
});

test("a batch program that frees as it exits (an interpreter's finalisation): grows-until-exit, the fall not judged", () => {
  const s = series(3600, 1, (t) => BASE + (t < 3000 ? 90 * MIB * (t / 1000) : 270 * MIB * (1 - (t - 3000) / 600)));
  const v = verdictOf(s);
  assert.equal(v.verdict, 'grows-until-exit', v.reason);
  assert.match(v.reason, /gave memory back only as it exited/);
  assert.ok(v.steadyToMs! <= 3050, String(v.steadyToMs)); // where the fall began, within M of the peak
});

test('leak under a GC sawtooth: the floor rises, so it is a leak', () => {
  const s = series(6000, 2, (t) => BASE + 10 * MIB * (t / 1000) + 40 * MIB * ((t % 300) / 300));
  const v = verdictOf(s);
  assert.equal(v.verdict, 'leak', v.reason);
});

const sawLeak = (t: number): number => BASE + (30 * MIB * t) / 1000 + 20 * MIB * ((t % 250) / 250);

test('a leak whose teardown shows in the last samples is still a leak', () => {
  const s = series(4000, 1, (t) => (t > 3980 ? 0 : sawLeak(t)));
  assert.equal(verdictOf(s, 4000).verdict, 'leak');
});

test('an exit heard late: 400 ms of an empty tree before mainExitMs are not judged (they read as "came back")', () => {
  // Leak for 4 s, then the tree is gone (Σ RSS 0) for 400 ms before the runner notices the exit.
  const s = series(4400, 1, (t) => (t > 4000 ? 0 : sawLeak(t)));
  assert.equal(judgedUntilMs(s, 4400), 4001);
  const input = {
    rss: s,
    uss: { tMs: [], bytes: [] },
    anon: { tMs: [], bytes: [] },
    processCount: { tMs: [], bytes: [] },
    mainExitMs: 4400,
    liveHeapBytes: null,
    smaps: null,
    smapsCost: { captures: 0, totalReadMs: 0 },
  };
  const v = run(input);
  assert.equal(v.verdict, 'leak', v.reason);
  // A tree that never had memory, or an exit heard in time: mainExitMs stands.
  assert.equal(judgedUntilMs({ tMs: [0, 1, 2], bytes: [0, 0, 0] }, 5), 5);
  assert.equal(judgedUntilMs({ tMs: [0, 1, 2], bytes: [1, 1, 1] }, 2), 2);
});

test('flat long runner with noise: no-leak', () => {
  const v = verdictOf(series(5000, 1, startup(200 * MIB), 512 * 1024, 3));
  assert.equal(v.verdict, 'no-leak', v.reason);
  assert.match(v.reason, /flat/);
});

for (const [period, amp] of [
  [300, 100],
  [150, 60],
  [700, 30],
] as const) {
  test(`sawtooth of ${amp} MiB every ${period} ms: no false positive`, () => {
    const v = verdictOf(series(3000, 1, (t) => startup(BASE)(t) + amp * MIB * ((t % period) / period)));
    assert.notEqual(v.verdict, 'leak', v.reason);
  });
}

test('sawtooth whose tops rise but whose troughs stay: not a leak', () => {
  const v = verdictOf(series(4000, 1, (t) => BASE + ((t % 400) / 400) * (20 * MIB + (20 * MIB * t) / 1000)));
  assert.notEqual(v.verdict, 'leak', v.reason);
});

test('staircase that frees at the end: no-leak, said as returned to baseline', () => {
  // 5 steps of 40 MiB every 300 ms, then everything freed and 800 ms more.
  const v = verdictOf(series(2300, 1, (t) => BASE + (t < 1500 ? 40 * MIB * (Math.floor(t / 300) + 1) : 0)));
  assert.equal(v.verdict, 'no-leak', v.reason);
  assert.match(v.reason, /came back/);
});

test('staircase that never frees: leak', () => {
  const v = verdictOf(series(3000, 1, (t) => BASE + 20 * MIB * (Math.floor(t / 200) + 1)));
  assert.equal(v.verdict, 'leak', v.reason);
});

test('warm-up then plateau (a bounded cache): not a leak', () => {
  const v = verdictOf(series(6000, 1, (t) => BASE + 100 * MIB * Math.min(1, t / 2500), 128 * 1024));
  assert.notEqual(v.verdict, 'leak', v.reason);
});

test('too short or too few samples: inconclusive, saying so', () => {
  for (const s of [series(600, 1, (t) => BASE + 50 * MIB * t), series(5000, 500, (t) => BASE + 50 * MIB * t), { tMs: [], bytes: [] }]) {
    const v = leakVerdict(s, 600);
    assert.equal(v.verdict, 'inconclusive');
    assert.equal(v.slopeBytesPerSec, null);
    assert.match(v.reason, /too short|nothing to judge|samples/);
  }
});

test('the reason is one sentence', () => {
  const v = verdictOf(series(4000, 1, (t) => BASE + 50 * MIB * (t / 1000)));
  assert.ok(!/\.\s/.test(v.reason.replace(/\d\.\d/g, '')), v.reason);
});

test('grew, then fell a little and held until exit: no-leak, said as a fall, not a rate against a size', () => {
  // 200 MiB over 3 s, then down 30 MiB over the last 3 s (a hash built, a list freed): what perl -e does.
  const s = series(6000, 1, (t) => BASE + (t < 3000 ? (200 * MIB * t) / 3000 : 200 * MIB - (30 * MIB * (t - 3000)) / 3000), 64 * 1024);
  const v = verdictOf(s);
  assert.equal(v.verdict, 'no-leak', v.reason);
  assert.match(v.reason, /stopped growing \(it fell at [\d.]+ MiB\/s over the last [\d.]+ s\)/);
  assert.doesNotMatch(v.reason, /MiB\/s[^,)]*, under the/);
});

test('grew, then crept up less than matters until exit: the creep is said as the bytes it adds', () => {
  const s = series(6000, 1, (t) => BASE + (t < 3000 ? (200 * MIB * t) / 3000 : 200 * MIB + (0.2 * MIB * (t - 3000)) / 1000), 64 * 1024);
  const v = verdictOf(s);
  assert.equal(v.verdict, 'no-leak', v.reason);
  const m = /over the last ([\d.]+) s adds ([\d.]+) KiB, under the ([\d.]+) MiB that would matter/.exec(v.reason);
  assert.ok(m, v.reason);
  assert.ok(Number(m[2]) / 1024 < Number(m[3]), v.reason);
});

test('too short: only the condition that failed is named (a 2 s watch at 100 ms has time enough but too few samples)', () => {
  const v = leakVerdict(
    series(2000, 100, (t) => BASE + 10 * MIB * (t / 1000)),
    2000,
  );
  assert.equal(v.verdict, 'inconclusive');
  assert.match(v.reason, /needs ≥ 20 samples\)$/);
  assert.doesNotMatch(v.reason, /≥ 1\.000 s/);
});
