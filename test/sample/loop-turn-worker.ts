// Worker for loop-turn.test.ts: allocates objects that outlive a few scavenges (so they reach old space) while it
// sleeps in Atomics.wait like a sampler thread, turning its event loop with LoopTurn or not, and reports the
// full (major) GCs V8 finished while the loop ran.
import { parentPort, workerData } from 'node:worker_threads';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { LoopTurn } from '../../src/sample/io.js';

const { ms, turns } = workerData as { ms: number; turns: boolean };
const majors: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors.push(e.startTime);
}).observe({ entryTypes: ['gc'] });
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const ring: unknown[] = new Array(20_000);
const loop = new LoopTurn(200);
let i = 0;
const t0 = performance.now();
while (performance.now() - t0 < ms) {
  for (let j = 0; j < 300; j++, i++) ring[i % ring.length] = { a: i, b: `x${i}`, c: [i, i + 1] };
  if (turns && loop.due()) await loop.turn();
  Atomics.wait(sleeper, 0, 0, 1);
}
const end = performance.now();
await new Promise((r) => setTimeout(r, 100)); // the observer delivers on the loop
parentPort!.postMessage({ majorsInLoop: majors.filter((t) => t < end).length, majorsAfter: majors.filter((t) => t >= end).length });
