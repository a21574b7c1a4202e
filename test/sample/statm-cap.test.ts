// maxStatmPerTick on a real tree: with a cap below the tree's size the fast thread reads statm in turn, carries
// the other readings, and says so (rssSumCarriedTicks); the sums it reaches agree with an uncapped sampler's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Sampler } from '../../src/sample/sampler.js';
import { readPageSize } from '../../src/probe/proc.js';
import { MEMFIX, MIB } from '../helpers/fixtures.js';

const start = (maxStatmPerTick: number): Promise<Sampler> =>
  Sampler.start({
    procRoot: '/proc',
    pageSizeBytes: readPageSize(),
    intervalMs: 2,
    statusIntervalMs: 100,
    pssIntervalMs: 1000,
    pssBudget: null,
    markerScanIntervalMs: 1000,
    membership: { kind: 'proc', markerEntry: 'MEMBENCH_CAP_TEST=none' },
    usageFile: null,
    memoryStatFile: null,
    memoryStatVersion: 1,
    maxStatmPerTick,
  });

test('a statm cap of 4 on 12 children: the same processes and peaks as without a cap, the carried ticks counted', async () => {
  // A parent that touches nothing, 12 children that touch 4 MiB each and hold it 1.5 s.
  const target = spawn(MEMFIX, ['tree', '12', '4', '1500'], { stdio: 'ignore' });
  const [capped, whole] = await Promise.all([start(4), start(0)]);
  try {
    const t0 = performance.timeOrigin + performance.now();
    capped.begin(target.pid!, t0);
    whole.begin(target.pid!, t0);
    await new Promise((r) => (target.exitCode === null ? target.once('exit', r) : r(null)));
    const [c, w] = await Promise.all([capped.stop(), whole.stop()]);
    assert.equal(w.rssSumCarriedTicks, 0, 'no cap: every figure read at its tick');
    // 13 processes > 4: every tick with more than 4 members carried readings, i.e. most of the run.
    assert.ok(c.rssSumCarriedTicks > c.ticks / 2 && c.rssSumCarriedTicks <= c.ticks, `carried ${c.rssSumCarriedTicks} of ${c.ticks}`);
    const children = (out: typeof c): Map<number, number> =>
      new Map(out.processes.filter((p) => p.pid !== target.pid).map((p) => [p.pid, p.maxRssBytes]));
    const [cc, wc] = [children(c), children(w)];
    assert.equal(wc.size, 12);
    assert.deepEqual([...cc.keys()].sort(), [...wc.keys()].sort(), 'the same children seen');
    // Each child holds its 4 MiB for 1.5 s, so every one is read many times over at 4 per 2 ms tick.
    for (const [pid, bytes] of cc) assert.ok(bytes >= 4 * MIB, `child ${pid}: ${bytes / MIB} MiB`);
    // Σ RSS peaks: the held state, 12 × (4 MiB + the program's ~0.5-1 MiB) + the parent, reached by both; the capped
    // sum lags by at most 3 ticks per process, not by its value, so the peaks differ by a child's jitter only.
    const peak = (out: typeof c): number => Math.max(...out.columns.fast.rssSumBytes);
    assert.ok(peak(w) >= 48 * MIB && peak(w) < 64 * MIB, `uncapped peak ${peak(w) / MIB} MiB`);
    assert.ok(Math.abs(peak(c) - peak(w)) < 2 * MIB, `capped ${peak(c) / MIB} vs uncapped ${peak(w) / MIB} MiB`);
    assert.equal(Math.max(...c.columns.fast.processCount), 13, 'the count is whole at every tick');
  } finally {
    target.kill('SIGKILL');
    await Promise.all([capped.kill(), whole.kill()]);
  }
});
