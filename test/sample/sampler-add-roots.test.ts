// Sampler.addRoots: a root added while sampling joins at a later tick, with its descendants and the slow tiers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Sampler } from '../../src/sample/sampler.js';
import { readPageSize } from '../../src/probe/proc.js';
import { MEMFIX, MIB } from '../helpers/fixtures.js';

test('a root added while sampling is followed from then on, its children too; adding a followed pid again changes nothing', async () => {
  const first = spawn(MEMFIX, ['hold', '2', '20000'], { stdio: 'ignore' });
  const sampler = await Sampler.start({
    procRoot: '/proc',
    pageSizeBytes: readPageSize(),
    intervalMs: 10,
    statusIntervalMs: 50,
    pssIntervalMs: 200,
    pssBudget: null,
    markerScanIntervalMs: 1000,
    membership: { kind: 'proc', markerEntry: 'MEMBENCH_ADD_ROOTS_TEST=none' },
    usageFile: null,
    memoryStatFile: null,
    memoryStatVersion: 1,
  });
  const startEpochMs = performance.timeOrigin + performance.now();
  sampler.begin(first.pid!, startEpochMs);
  try {
    await sampler.waitTicks(5);
    // A parent touching nothing and 2 children of 6 MiB each (memfix tree), started after sampling began.
    const late = spawn(MEMFIX, ['tree', '2', '6', '1500'], { stdio: 'ignore' });
    const lateExited = new Promise((r) => late.once('exit', r));
    const addedAtMs = performance.timeOrigin + performance.now() - startEpochMs;
    sampler.addRoots([late.pid!, first.pid!]);
    await lateExited;
    const out = await sampler.stop();
    const byPid = new Map(out.processes.map((p) => [p.pid, p]));
    assert.equal(out.processes.filter((p) => p.pid === first.pid).length, 1, 'a pid already followed is not added twice');
    const root = byPid.get(late.pid!);
    assert.ok(root, `the added root is in processes: ${[...byPid.keys()].join(', ')}`);
    assert.ok(root.firstSeenMs >= addedAtMs, `joined at ${root.firstSeenMs} ms, added at ${addedAtMs} ms`);
    const children = out.processes.filter((p) => p.ppid === late.pid);
    assert.equal(children.length, 2, JSON.stringify(out.processes));
    for (const c of children) {
      // memfix touches exactly 6 MiB; its program, libc and stack add ~1.2 MiB (measured), so < 2 MiB over.
      assert.ok(c.vmHwmBytes !== null && c.vmHwmBytes >= 6 * MIB && c.vmHwmBytes < 8 * MIB, `child VmHWM ${c.vmHwmBytes! / MIB} MiB`);
      assert.ok(c.maxRssBytes >= 6 * MIB, `child RSS seen by the fast thread: ${c.maxRssBytes / MIB} MiB`);
    }
  } finally {
    first.kill('SIGKILL');
    await sampler.kill();
  }
});
