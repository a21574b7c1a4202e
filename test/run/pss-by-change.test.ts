// PSS by change (slow-worker.ts, settings.ts PSS_FLOOR_MS): a process's smaps_rollup is re-read after its memory moved,
// after a process of a small tree joined or left (fork and exit move shares without moving statm), and at least every
// second. A held process is read a few times, not at every pass; a fork's sharing is seen at once, not after the floor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MembenchResult, RunResult } from '../../src/result.js';
import { PSS_FLOOR_MS } from '../../src/sample/settings.js';
import { MEMFIX, MIB, ROOT, runCliOk } from '../helpers/fixtures.js';

const FORKSHARE = join(ROOT, 'fixtures', 'src', 'forkshare.py');
const dir = mkdtempSync(join(tmpdir(), 'membench-pss-change-'));
let seq = 0;

function measure(backend: 'cgroup' | 'proc', argv: readonly string[], runs = 1): RunResult[] {
  const out = join(dir, `r${seq++}.json`);
  runCliOk([
    'run',
    '--runs',
    String(runs),
    '--backend',
    backend,
    '--pss-interval',
    '50ms',
    '--json',
    out,
    '--style',
    'none',
    '--',
    ...argv,
  ]);
  return (JSON.parse(readFileSync(out, 'utf8')) as MembenchResult).benchmarks[0]!.runs;
}

for (const backend of ['cgroup', 'proc'] as const) {
  test(`${backend}: a held process's PSS is read when it moved and at the 1 s floor, not at every 50 ms pass`, () => {
    // 20 MiB touched (a few passes while it climbs), then 2.5 s flat.
    const [run] = measure(backend, [MEMFIX, 'hold', '20', '2500']);
    const s = run!.sampling!;
    assert.equal(s.pssFloorMs, PSS_FLOOR_MS);
    // Every 50 ms pass reading every process would be ≥ 50 reads over the ~2.6 s. Flat for 2.5 s: ~3 reads at the
    // floor, plus one per pass while the touch lasts (~0.1 s: 2–3). A third of the every-pass count fails if the floor
    // or the change test is ignored, with room for a loaded machine stretching the touch.
    const everyPass = run!.wallMs / 50;
    assert.ok(everyPass >= 50, `wall ${run!.wallMs} ms`);
    assert.ok(s.pssReads !== undefined && s.pssReads < everyPass / 3, `${s.pssReads} smaps_rollup reads in ${run!.wallMs} ms`);
    // The floor still reads a flat process: 2.5 s flat is ≥ 2 floors.
    assert.ok(s.pssReads >= 2, `${s.pssReads} smaps_rollup reads: the floor reads a flat process too`);
    // The carried figure is the held one: 20 MiB private + memfix's own few hundred KiB (+ the cgroup wrapper's).
    const pss = run!.peaks!.pssSumBytes!;
    assert.ok(pss >= 20 * MIB && pss <= 23 * MIB, `Σ PSS peak ${(pss / MIB).toFixed(2)} MiB not in [20, 23]`);
  });

  test(`${backend}: a fork shares the parent's pages: Σ PSS re-read at once, not inflated by the parent's pre-fork PSS`, () => {
    // The parent holds 20 MiB + python (~30 MiB PSS alone) for 0.4 s, then 4 children share it copy-on-write: the shares
    // are split, Σ PSS stays ~34 MiB (the children's own pages added). Had the parent's PSS been carried from before
    // the fork until its 1 s floor, the children's shares would add ~24 MiB: ~58 MiB (measured with the membership
    // trigger switched off). A read during the fork itself was seen up to 47.6 MiB before this change (1 of 6 runs):
    // the bound sits between.
    const runs = measure(backend, ['python3', FORKSHARE], 2);
    for (const run of runs) {
      const pss = run.peaks!.pssSumBytes!;
      assert.ok(pss >= 20 * MIB && pss < 52 * MIB, `run ${run.index + 1}: Σ PSS peak ${(pss / MIB).toFixed(2)} MiB not in [20, 52)`);
      // The parent and its 4 children (a pyenv shim adds its own bash processes before them).
      const pythons = run.processes.filter((p) => p.name === 'python3').length;
      assert.equal(pythons, 5, `run ${run.index + 1}: ${run.processes.map((p) => p.name).join(', ')}`);
    }
  });
}
