// Adaptive status reads (slow-worker.ts, STATUS_FLOOR_MS): /proc/PID/status is read after statm shows a new RSS
// high or a new VSZ, and at the floor rate otherwise. A held process is read a few times, not at every pass; a
// process whose memory spikes and falls back still gets its exact VmHWM and VmData peak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Sampler } from '../../src/sample/sampler.js';
import { STATUS_FLOOR_MS } from '../../src/sample/settings.js';
import { readPageSize } from '../../src/probe/proc.js';
import { MEMFIX, MIB } from '../helpers/fixtures.js';

const start = (): Promise<Sampler> =>
  Sampler.start({
    procRoot: '/proc',
    pageSizeBytes: readPageSize(),
    intervalMs: 1,
    statusIntervalMs: 10,
    pssIntervalMs: 1000,
    pssBudget: null,
    markerScanIntervalMs: 1000,
    membership: { kind: 'roots' },
    usageFile: null,
    memoryStatFile: null,
    memoryStatVersion: 1,
  });

async function sample(argv: readonly string[]): Promise<Awaited<ReturnType<Sampler['stop']>>> {
  // The sampler's threads first: a target spawned before them could be done touching before the first tick.
  const sampler = await start();
  const target = spawn(MEMFIX, argv, { stdio: 'ignore' });
  try {
    sampler.begin(target.pid!, performance.timeOrigin + performance.now());
    await new Promise((r) => target.once('exit', r));
    return await sampler.stop();
  } finally {
    target.kill('SIGKILL');
    await sampler.kill();
  }
}

test('a held process: status read at its changes and at the floor rate, not at every 10 ms pass', async () => {
  // 20 MiB touched (~0.1–0.5 s here, new highs: read at each pass meanwhile), then 1.5 s flat.
  const out = await sample(['hold', '20', '1500']);
  assert.equal(out.statusFloorMs, STATUS_FLOOR_MS);
  // Read at every 10 ms pass, as before, it would be read ~200 times over the ~2 s. Flat for 1.5 s: ~8 reads at the
  // floor; the touch phase adds one per pass while it lasts (≤ 50 at 0.5 s). Half the fixed count fails if the
  // change flags or the floor are ignored.
  const everyPass = out.sampledWallMs / 10;
  assert.ok(everyPass > 150, `sampled ${out.sampledWallMs} ms`);
  assert.ok(out.statusReads < everyPass / 2, `${out.statusReads} status reads in ${out.sampledWallMs} ms`);
  // The floor: ~7 reads over 1.5 s flat (at least 200 ms apart); half of that allows for a loaded machine.
  assert.ok(out.statusReads >= 1500 / STATUS_FLOOR_MS / 2, `${out.statusReads} status reads: the floor rate reads a flat process too`);
  const p = out.processes[0]!;
  assert.ok(p.vmHwmBytes !== null && p.vmHwmBytes >= 20 * MIB && p.vmHwmBytes < 24 * MIB, `VmHWM ${p.vmHwmBytes}`);
});

test('memory that rises and falls back: VmHWM exact, the VmData peak caught', async () => {
  // Three steps of 20 MiB held 150 ms each, then all unmapped and 600 ms at ~0.
  const out = await sample(['stairfree', '3', '20', '150', '600']);
  const p = out.processes[0]!;
  // VmHWM is the kernel's mark: ≥ the 60 MiB touched (+ the binary's few hundred KiB), whenever it is read.
  assert.ok(p.vmHwmBytes !== null && p.vmHwmBytes >= 60 * MIB && p.vmHwmBytes < 64 * MIB, `VmHWM ${p.vmHwmBytes! / MIB} MiB`);
  // VmData held 60 MiB for 150 ms, then fell back: read because statm's VSZ moved (a pass every 10 ms).
  assert.ok(p.maxVmDataBytes !== null && p.maxVmDataBytes >= 60 * MIB, `max VmData ${p.maxVmDataBytes! / MIB} MiB`);
  assert.ok(out.statusReads < out.sampledWallMs / 10, `${out.statusReads} reads in ${out.sampledWallMs} ms`);
});
