// Snapshots of this process's memory (V8 heap, external, array buffers, RSS, VmHWM), each taken after the most
// thorough garbage collection V8 offers, and the delta between two: what the in-process harness and memoryMarks read.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readPeakRssBytes } from '../probe/self.js';

export interface MemorySnapshot {
  readonly label: string;
  /** performance.now() when the snapshot was taken (after the collection). */
  readonly atMs: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  /** Memory of C++ objects bound to JS objects, array buffers included. */
  readonly externalBytes: number;
  readonly arrayBuffersBytes: number;
  readonly rssBytes: number;
  /** VmHWM: the process's resident high-water mark (Linux), null where /proc is not readable. */
  readonly peakRssBytes: number | null;
}

export interface MemoryDelta {
  readonly from: string;
  readonly to: string;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  readonly arrayBuffersBytes: number;
  readonly rssBytes: number;
  /** heapUsed + external: what JS kept alive between the marks (arrayBuffers is already part of external). */
  readonly retainedBytes: number;
  readonly ms: number;
}

let cachedGc: (() => void) | null | undefined;

/**
 * A function running a full, synchronous garbage collection: `globalThis.gc` under --expose-gc, otherwise the
 * flag set at run time and the `gc` of a fresh context taken; null if neither works.
 */
export function garbageCollector(): (() => void) | null {
  if (cachedGc !== undefined) return cachedGc;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') {
    cachedGc = exposed as () => void;
    return cachedGc;
  }
  try {
    setFlagsFromString('--expose-gc');
    const fromContext: unknown = runInNewContext('gc');
    cachedGc = typeof fromContext === 'function' ? (fromContext as () => void) : null;
  } catch {
    cachedGc = null;
  }
  return cachedGc;
}

/**
 * The most thorough collection V8 offers: gc({ flavor: 'last-resort' }) repeats full collections until
 * nothing more is freed and finishes sweeping, so heapUsed counts live objects only. A plain gc() can leave
 * pages unswept, and their garbage counted (seen as 100–150 KiB steps that made a linear cost look stepped).
 * Older V8s ignore the options and run one ordinary full collection per call.
 */
export function collectGarbage(): boolean {
  const gc = garbageCollector() as ((options?: { type: string; execution: string; flavor: string }) => void) | null;
  if (!gc) return false;
  for (let i = 0; i < 2; i++) gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return true;
}

export function snapshot(label: string, gc = true): MemorySnapshot {
  if (gc) collectGarbage();
  const m = process.memoryUsage();
  return {
    label,
    atMs: performance.now(),
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    externalBytes: m.external,
    arrayBuffersBytes: m.arrayBuffers,
    rssBytes: m.rss,
    peakRssBytes: readPeakRssBytes(),
  };
}

export function deltaOf(a: MemorySnapshot, b: MemorySnapshot): MemoryDelta {
  const heapUsedBytes = b.heapUsedBytes - a.heapUsedBytes;
  const externalBytes = b.externalBytes - a.externalBytes;
  return {
    from: a.label,
    to: b.label,
    heapUsedBytes,
    externalBytes,
    arrayBuffersBytes: b.arrayBuffersBytes - a.arrayBuffersBytes,
    rssBytes: b.rssBytes - a.rssBytes,
    retainedBytes: heapUsedBytes + externalBytes,
    ms: b.atMs - a.atMs,
  };
}
