// Every number in the diagnosis sentences is recomputed from the JSON beside it: leak reasons against the leak
// object, fragmentation evidence against its signal's figures, over every shape the synthetic series model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, type DiagnosisInput } from '../../src/analyze/index.js';
import { CONSTANTS, unexplained } from '../helpers/arithmetic.js';
import { MIB, series, startup } from './synthetic.js';

const BASE = 20 * MIB;
const SHAPES: Record<string, (t: number) => number> = {
  'linear to exit': (t) => startup(BASE)(t) + 50 * MIB * (t / 1000),
  'leak under a sawtooth': (t) => BASE + 10 * MIB * (t / 1000) + 40 * MIB * ((t % 300) / 300),
  'regular staircase with rests': (t) => BASE + 8 * MIB * Math.floor(t / 150),
  flat: startup(200 * MIB),
  sawtooth: (t) => startup(BASE)(t) + 100 * MIB * ((t % 300) / 300),
  'warm-up then plateau': (t) => BASE + 100 * MIB * Math.min(1, t / 2500),
  'staircase that frees': (t) => BASE + (t < 1500 ? 40 * MIB * (Math.floor(t / 300) + 1) : 0),
  'grows then frees as it exits': (t) => BASE + (t < 3000 ? 90 * MIB * (t / 1000) : 270 * MIB * (1 - (t - 3000) / 600)),
};

function input(rss: ReturnType<typeof series>, exitMs: number, liveHeapBytes: number | null = null): DiagnosisInput {
  const uss = { tMs: rss.tMs.filter((_, i) => i % 50 === 0), bytes: rss.bytes.filter((_, i) => i % 50 === 0).map((b) => b - MIB) };
  return {
    rss,
    uss,
    anon: rss,
    processCount: { tMs: rss.tMs, bytes: rss.tMs.map(() => 1) },
    mainExitMs: exitMs,
    liveHeapBytes,
    smaps: null,
    smapsCost: { captures: 0, totalReadMs: 0 },
  };
}

for (const [name, f] of Object.entries(SHAPES)) {
  for (const [ms, live] of [
    [4000, null],
    [1200, null],
    [4000, 40 * MIB],
  ] as const) {
    test(`numbers in the sentences add up: ${name}, ${ms} ms${live ? ', live heap known' : ''}`, () => {
      const s = series(ms, 1, f, 0);
      const d = diagnose(input(s, ms, live));
      const bad = unexplained(d.leak.reason, d.leak, CONSTANTS);
      assert.deepEqual(bad, [], `${d.leak.verdict}: ${d.leak.reason}\n${JSON.stringify(d.leak)}`);
      for (const sig of d.fragmentation.signals)
        assert.deepEqual(
          unexplained(sig.evidence, sig.figures, CONSTANTS),
          [],
          `${sig.id}: ${sig.evidence}\n${JSON.stringify(sig.figures)}`,
        );
    });
  }
}

test('the checker catches the old arithmetic: "grew by" that is not end − start, a total above the peak', () => {
  const figures = { ussStartBytes: 11.2 * MIB, ussEndBytes: 354.5 * MIB };
  assert.deepEqual(unexplained('USS grew by 490.1 MiB (11.2 MiB → 354.5 MiB)', figures), ['490.1 MiB']);
  assert.deepEqual(unexplained('USS grew by 343.3 MiB (11.2 MiB → 354.5 MiB)', figures), []);
  assert.deepEqual(unexplained('542.5 MiB in all, at 20 samples', { peakBytes: 469 * MIB }, [20]), ['542.5 MiB']);
});
