// A sampler thread sleeps in Atomics.wait and so never returns to its event loop, where V8 runs the tasks that
// finish a full GC (incremental marking's last step, the memory reducer); without them a full GC waits for an
// allocation to hit V8's limit. The same allocation, two workers at once: the one that turns its loop (LoopTurn)
// gets a full GC while it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';

const run = (turns: boolean): Promise<{ majorsInLoop: number; majorsAfter: number }> =>
  new Promise((resolve, reject) => {
    const w = new Worker(new URL('./loop-turn-worker.js', import.meta.url), { workerData: { ms: 6000, turns } });
    w.once('message', (m) => {
      resolve(m as { majorsInLoop: number; majorsAfter: number });
      void w.terminate();
    });
    w.once('error', reject);
  });

test('a thread sleeping in Atomics.wait gets full GCs while it runs when it turns its loop (LoopTurn)', async (t) => {
  const [turning, sleeping] = await Promise.all([run(true), run(false)]);
  t.diagnostic(
    `full GCs during 6 s of allocation: with LoopTurn ${turning.majorsInLoop}, without ${sleeping.majorsInLoop} (+${sleeping.majorsAfter} once its loop ran at the end)`,
  );
  assert.ok(turning.majorsInLoop >= 1, `no full GC in 6 s with LoopTurn: ${JSON.stringify(turning)}`);
});
