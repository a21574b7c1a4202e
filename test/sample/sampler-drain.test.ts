// Sampler.drain on a real process tree: chunks follow each other without a lost or repeated tick, the columns
// restart empty, children that ended are handed over once with their peaks, and stop() returns the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Sampler } from '../../src/sample/sampler.js';
import { readPageSize } from '../../src/probe/proc.js';
import { MEMFIX, MIB } from '../helpers/fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('drained chunks tile the run: every tick once, children with their peaks, the remainder at stop()', async () => {
  // A parent that touches nothing and 3 children of 8 MiB each that live 1.2 s.
  const target = spawn(MEMFIX, ['tree', '3', '8', '1200'], { stdio: 'ignore' });
  const intervalMs = 20;
  const sampler = await Sampler.start({
    procRoot: '/proc',
    pageSizeBytes: readPageSize(),
    intervalMs,
    statusIntervalMs: 50,
    pssIntervalMs: 200,
    pssBudget: null,
    markerScanIntervalMs: 1000,
    membership: { kind: 'proc', markerEntry: 'MEMBENCH_DRAIN_TEST=none' },
    usageFile: null,
    memoryStatFile: null,
    memoryStatVersion: 1,
  });
  sampler.begin(target.pid!, performance.timeOrigin + performance.now());
  try {
    const chunks = [];
    for (let i = 0; i < 4; i++) {
      await sleep(500);
      chunks.push(await sampler.drain());
    }
    await new Promise((r) => (target.exitCode === null ? target.once('exit', r) : r(null)));
    const rest = await sampler.stop();
    const times = [...chunks.map((c) => c.columns.fast.tMs), rest.columns.fast.tMs].flatMap((a) => [...a]);
    assert.equal(times.length, rest.ticks, 'every tick in exactly one chunk');
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!, `tick times increase across chunks (at ${i})`);
    for (const c of chunks)
      assert.ok(c.columns.fast.tMs.length > 0 && c.columns.fast.tMs.length < rest.ticks, 'each chunk holds its own rows only');
    assert.ok(
      chunks.some((c) => c.columns.pss.tMs.length > 0),
      'the slow tier is drained too',
    );
    // Peak of Σ RSS over the chunks: the 3 children at 8 MiB each (+ ~1 MiB of program per process).
    const peak = Math.max(...chunks.flatMap((c) => [...c.columns.fast.rssSumBytes]));
    assert.ok(peak >= 24 * MIB && peak < 30 * MIB, `peak ${peak / MIB} MiB`);
    // The children: seen live in early chunks; once ended they are no longer live, and their peak is kept.
    const children = new Set(chunks.flatMap((c) => c.processes.filter((p) => p.pid !== target.pid).map((p) => p.pid)));
    assert.equal(children.size, 3);
    const last = chunks.at(-1)!;
    assert.ok(!last.livePids.some((pid) => children.has(pid)), 'ended children are not live in the last chunk');
    for (const pid of children) {
      const best = Math.max(
        ...chunks.flatMap((c) => c.processes.filter((p) => p.pid === pid).map((p) => Math.max(p.maxRssBytes, p.vmHwmBytes ?? 0))),
      );
      assert.ok(best >= 8 * MIB, `child ${pid} peak ${best / MIB} MiB`);
    }
    assert.ok(
      rest.processes.every((p) => !children.has(p.pid)),
      'children handed over in a chunk are not repeated at stop()',
    );
  } finally {
    target.kill('SIGKILL');
    await sampler.kill();
  }
});

test('without drain, stop() returns every tick (what membench run relies on)', async () => {
  const target = spawn(MEMFIX, ['hold', '5', '800'], { stdio: 'ignore' });
  const sampler = await Sampler.start({
    procRoot: '/proc',
    pageSizeBytes: readPageSize(),
    intervalMs: 10,
    statusIntervalMs: 50,
    pssIntervalMs: 200,
    pssBudget: null,
    markerScanIntervalMs: 1000,
    membership: { kind: 'roots' },
    usageFile: null,
    memoryStatFile: null,
    memoryStatVersion: 1,
  });
  sampler.begin(target.pid!, performance.timeOrigin + performance.now());
  await new Promise((r) => target.once('exit', r));
  const out = await sampler.stop();
  assert.equal(out.columns.fast.tMs.length, out.ticks);
  assert.ok(out.ticks > 30);
  assert.equal(out.processes.length, 1);
  assert.ok(out.processes[0]!.maxRssBytes >= 5 * MIB);
});
