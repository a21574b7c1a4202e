// Fragmentation signals on synthetic series: each says what it saw, with figures, and null when it cannot tell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anonNotReturned, heapDominates, rssAboveLiveHeap, run, ussGrowingSteadyWork } from '../../src/analyze/fragmentation.js';
import type { DiagnosisInput } from '../../src/analyze/input.js';
import { leakVerdict } from '../../src/analyze/leak.js';
import { MIB, series } from './synthetic.js';

/** A process-count series (not rounded to pages as byte series are). */
const counts = (f: (t: number) => number) => {
  const tMs = Array.from({ length: 61 }, (_, i) => i * 50);
  return { tMs, bytes: tMs.map(f) };
};
const ONE = counts(() => 1);
const FLAT_RSS = series(3000, 1, () => 52 * MIB);

test('USS growing with the same processes throughout: observed, with its growth', () => {
  const s = ussGrowingSteadyWork(
    series(3000, 50, (t) => 50 * MIB + 20 * MIB * (t / 1000)),
    series(3000, 1, (t) => 52 * MIB + 20 * MIB * (t / 1000)),
    ONE,
    3000,
  );
  assert.equal(s.observed, true, s.evidence);
  assert.ok(Math.abs(s.figures.trendGrowthBytes! - 20 * MIB * 2.35) < 4 * MIB, String(s.figures.trendGrowthBytes));
  // "went from a to b (d)": d is b − a, not the trend's slope × time.
  const went = s.figures.ussEndBytes! - s.figures.ussStartBytes!;
  assert.ok(Math.abs(went - (20 * MIB * (s.figures.toMs! - s.figures.fromMs!)) / 1000) < MIB, String(went));
  assert.match(s.evidence, /USS went from .* with the same 1 process throughout/);
});

test('USS flat: not observed; processes coming and going: not measurable (null)', () => {
  assert.equal(
    ussGrowingSteadyWork(
      series(3000, 50, () => 50 * MIB),
      FLAT_RSS,
      ONE,
      3000,
    ).observed,
    false,
  );
  const s = ussGrowingSteadyWork(
    series(3000, 50, (t) => 50 * MIB + 20 * MIB * (t / 1000)),
    FLAT_RSS,
    counts((t) => (t < 2000 ? 1 : 3)),
    3000,
  );
  assert.equal(s.observed, null);
  assert.match(s.evidence, /not steady/);
  assert.equal(ussGrowingSteadyWork({ tMs: [], bytes: [] }, FLAT_RSS, ONE, 3000).observed, null);
});

test('memory held after its peak: no evidence without the live heap, observed against a small one; given back: not observed; peak at the very end: null', () => {
  const hold = series(3000, 1, (t) => (t < 200 ? (t / 200) * 100 * MIB : 100 * MIB));
  const held = anonNotReturned(hold, 'Σ RSS', 3000);
  assert.equal(held.observed, null, held.evidence);
  assert.match(held.evidence, /looks the same from outside whether it is live data or freed blocks/);
  assert.equal(anonNotReturned(hold, 'Σ RSS', 3000, 30 * MIB).observed, true);
  assert.equal(anonNotReturned(hold, 'Σ RSS', 3000, 90 * MIB).observed, false);
  const freed = anonNotReturned(
    series(3000, 1, (t) => (t < 1000 ? 100 * MIB : 10 * MIB)),
    'Σ RSS',
    3000,
  );
  assert.equal(freed.observed, false, freed.evidence);
  const growing = anonNotReturned(
    series(3000, 1, (t) => (t / 1000) * 30 * MIB),
    'Σ RSS',
    3000,
  );
  assert.equal(growing.observed, null, growing.evidence);
  assert.equal(
    anonNotReturned(
      series(3000, 1, () => MIB),
      'Σ RSS',
      3000,
    ).observed,
    null,
    'too small to say',
  );
});

test('heap share: stated, never evidence on its own (live blocks look the same); false when small; unknown without a capture', () => {
  const big = heapDominates({ pid: 1, name: 'x', rssBytes: 100 * MIB, heapRssBytes: 90 * MIB });
  assert.equal(big.observed, null);
  assert.match(
    big.evidence,
    /holds 90\.0 MiB of x \(pid 1\)'s 100\.0 MiB RSS \(90 %\) near the peak: whether those blocks are live or freed and kept cannot be seen from outside/,
  );
  assert.equal(heapDominates({ pid: 1, name: 'x', rssBytes: 100 * MIB, heapRssBytes: 10 * MIB }).observed, false);
  assert.equal(heapDominates(null).observed, null);
});

test('RSS vs live heap: only when the live heap is known', () => {
  assert.equal(rssAboveLiveHeap(300 * MIB, null).observed, null);
  const s = rssAboveLiveHeap(300 * MIB, 100 * MIB);
  assert.equal(s.observed, true);
  assert.equal(s.figures.ratio, 3);
  assert.equal(rssAboveLiveHeap(110 * MIB, 100 * MIB).observed, false);
});

test('USS read slowly from a 300 ms sawtooth: aliasing can fake a ramp, Σ RSS read every tick does not follow: not observed', () => {
  const saw = (t: number): number => 20 * MIB + 100 * MIB * ((t % 300) / 300);
  const rss = series(3000, 1, saw);
  for (const [step, phase] of [
    [50, 0],
    [50, 140],
    [301, 0],
    [303, 100],
  ] as const) {
    // Readings every `step` ms; 301–303 ms against a 300 ms period walk slowly up the tooth (stroboscopic).
    const s = ussGrowingSteadyWork(
      series(3000, step, (t) => saw(t + phase)),
      rss,
      ONE,
      3000,
    );
    assert.equal(s.observed, false, s.evidence);
  }
});

test('a batch program reading its input for 0.6 s (sort): the leak verdict cannot judge it, so USS growth is no evidence', () => {
  // Σ RSS and USS climb 10 → 70 MiB as the input is read, one process throughout: on its own the USS signal sees
  // "growth under steady work"; the leak verdict says the run is too short to judge, so nothing says the work was steady.
  const rss = series(600, 1, (t) => 10 * MIB + 100 * MIB * (t / 1000));
  const input: DiagnosisInput = {
    rss,
    uss: series(600, 50, (t) => 9 * MIB + 100 * MIB * (t / 1000)),
    anon: { tMs: [], bytes: [] },
    processCount: { tMs: rss.tMs, bytes: rss.tMs.map(() => 1) },
    mainExitMs: 600,
    liveHeapBytes: null,
    smaps: null,
    smapsCost: { captures: 0, totalReadMs: 0 },
  };
  const alone = ussGrowingSteadyWork(input.uss, input.rss, input.processCount, input.mainExitMs);
  assert.equal(alone.observed, true, alone.evidence);
  const leak = leakVerdict(input.rss, input.mainExitMs);
  assert.equal(leak.verdict, 'inconclusive', leak.reason);
  const uss = run(input, null, leak).signals.find((x) => x.id === 'uss-growing-steady-work')!;
  assert.equal(uss.observed, null, uss.evidence);
  assert.match(uss.evidence, /could not judge this run/);
});
