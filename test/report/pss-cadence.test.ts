// How often PSS was read, in words (run-rows.ts pssCadence): "every 50.0 ms" when every pass read every process (and
// in documents older than PSS by change), "when memory moved (…)" with sampling.pssFloorMs; the short-run note and the
// legend of the verbose report say the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pssCadence } from '../../src/report/run-rows.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { NO_COLORS } from '../../src/report/colors.js';
import { syntheticBenchmark, syntheticDoc, syntheticRun } from '../helpers/result-doc.js';
import { unwrap } from '../helpers/fixtures.js';

test('pssCadence: by change with a floor, every interval without one, every interval for older documents', () => {
  assert.equal(pssCadence({ pssIntervalMs: 50, pssFloorMs: 1000 }), 'when memory moved (≥ 50.0 ms apart, at least every 1.000 s)');
  assert.equal(pssCadence({ pssIntervalMs: 50, pssFloorMs: null }), 'every 50.0 ms');
  assert.equal(pssCadence({ pssIntervalMs: 200 }), 'every 200.0 ms');
});

test('a short run read PSS twice: the note says how often PSS is read, with no nested brackets', () => {
  // 20 points 2 ms apart: a 40 ms run, under 3 PSS intervals, read twice (every 10th point).
  const run = syntheticRun(0, 40 * 1024 * 1024, { points: 20 });
  const byChange = { ...run, sampling: { ...run.sampling!, pssFloorMs: 1000 } };
  const text = unwrap(renderTerminal(syntheticDoc([syntheticBenchmark('memfix hold 40 1', [byChange])]), NO_COLORS, { verbose: true }));
  assert.match(
    text,
    /Σ PSS\/USS were read 2 times in run 1, which lasted 40\.0 ms: their peaks may be well below the true ones — PSS is read when memory moved \(≥ 50\.0 ms apart, at least every 1\.000 s\)/,
  );
  assert.match(text, /PSS\/USS\/swap when memory moved \(≥ 50\.0 ms apart, at least every 1\.000 s\), anon\/VmData every 10\.0 ms/);
  // With the status floor too (a document of this version): both tiers by change.
  const both = { ...byChange, sampling: { ...byChange.sampling, statusFloorMs: 1000 } };
  const text2 = unwrap(renderTerminal(syntheticDoc([syntheticBenchmark('memfix hold 40 1', [both])]), NO_COLORS, { verbose: true }));
  assert.match(text2, /anon\/VmData when memory moved \(≥ 10\.0 ms apart, at least every 1\.000 s\); other figures/);
  // An older document (no pssFloorMs): every pass read every process.
  const old = unwrap(renderTerminal(syntheticDoc([syntheticBenchmark('memfix hold 40 1', [run])]), NO_COLORS, { verbose: true }));
  assert.match(old, /which lasted 40\.0 ms: their peaks may be well below the true ones — PSS is read every 50\.0 ms/);
});
