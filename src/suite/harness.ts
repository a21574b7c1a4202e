// The child process of one in-process measurement (node --expose-gc harness.js JOB): load the suite file, run
// the benchmark's function for size n, keep its return value alive, and report memory deltas as JSON on fd 3.
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { readPeakRssBytes, resetPeakRss } from '../probe/self.js';
import { snapshot } from './memory-snapshot.js';
import { findBenchmarkFunction } from './load-module.js';

import { REPORT_FD, type HarnessJob, type HarnessReport } from './protocol.js';

// Module scope: what the function returned stays reachable through here until the process exits.
// biome-ignore lint/correctness/noUnusedVariables: written, never read, on purpose: it only holds the value alive
let kept: unknown;

function send(report: HarnessReport): void {
  writeSync(REPORT_FD, `${JSON.stringify(report)}\n`);
}

/** First stack frame outside node's internals and membench: where in the user's code it threw. */
function whereThrown(e: unknown): string | null {
  const stack = (e as Error)?.stack;
  if (typeof stack !== 'string') return null;
  const frame = stack
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .find((l) => l.startsWith('at ') && !l.includes('node:') && !/\/dist\/src\/(suite|api)\//.test(l));
  return frame
    ? frame
        .replace(/^at /, '')
        .replace(/^.*\((.*)\)$/, '$1')
        .replace(/^file:\/\//, '')
    : null;
}

const messageOf = (e: unknown): string =>
  (e instanceof Error ? `${e.name}: ${e.message}` : `threw ${JSON.stringify(e) ?? String(e)}`).split('\n')[0]!;

/** Lets work queued by loading (module loader promises, stream set-up) finish before the first snapshot. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
}

async function main(job: HarnessJob): Promise<number> {
  let fn: (n: number) => unknown;
  try {
    // The parent validated the suite; the child only finds the function again (no zod: a faster start).
    fn = await findBenchmarkFunction(job.file, job.benchmark);
  } catch (e) {
    send({ ok: false, phase: 'load', message: messageOf(e), where: null });
    return 1;
  }
  const gc = typeof (globalThis as { gc?: unknown }).gc === 'function';
  try {
    if (job.warmup) await fn(job.size);
    await settle();
    // Everything the measurement itself calls runs once first, so its compiled code is not counted.
    snapshot('warm', gc);
    resetPeakRss();
    readPeakRssBytes();
    const before = snapshot('before', gc);
    const peakReset = resetPeakRss();
    const t0 = performance.now();
    kept = await fn(job.size);
    const durationMs = performance.now() - t0;
    // Read the high-water mark before the collection below, which could fault in pages of its own.
    const peak = peakReset ? readPeakRssBytes() : null;
    const after = snapshot('after', gc);
    send({
      ok: true,
      heapUsedBytes: after.heapUsedBytes - before.heapUsedBytes,
      externalBytes: after.externalBytes - before.externalBytes,
      arrayBuffersBytes: after.arrayBuffersBytes - before.arrayBuffersBytes,
      rssBytes: after.rssBytes - before.rssBytes,
      peakRssBytes: peak === null ? null : peak - before.rssBytes,
      durationMs,
      gc,
    });
    return 0;
  } catch (e) {
    send({ ok: false, phase: 'run', message: messageOf(e), where: whereThrown(e) });
    return 1;
  }
}

// Only as the entry point: importing this module (for its types, say) must not start a measurement.
const arg = process.argv[2];
if (arg !== undefined && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(JSON.parse(arg) as HarnessJob).then(
    (code) => process.exit(code),
    (e: unknown) => {
      send({ ok: false, phase: 'run', message: messageOf(e), where: whereThrown(e) });
      process.exit(1);
    },
  );
}
