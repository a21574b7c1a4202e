// memoryMarks(): named snapshots of this process's memory (V8 heap, external, array buffers, RSS), each taken
// after a full garbage collection, and the deltas between them — the in-process half of membench.
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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

export interface MemoryMarksOptions {
  /** Run a full garbage collection before each snapshot, so the heap holds only live objects. Default true. */
  readonly gc?: boolean;
}

export interface MemoryMarks {
  /** Collects garbage (unless gc: false), then records a snapshot under `label`. */
  mark(label: string): MemorySnapshot;
  /** to − from for two recorded labels (the latest mark of each label). */
  delta(from: string, to: string): MemoryDelta;
  /** Deltas between consecutive marks, in order. */
  deltas(): MemoryDelta[];
  snapshots(): readonly MemorySnapshot[];
  /** False when no collector could be reached: deltas then include garbage not yet collected. */
  readonly gcAvailable: boolean;
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

/** VmHWM from /proc/self/status, in bytes; null off Linux. */
export function readPeakRssBytes(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0: write 5 to /proc/self/clear_refs); false when not possible. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export function snapshot(label: string, gc = true): MemorySnapshot {
  if (gc) collectGarbage();
  const m = process.memoryUsage();
  return {
    label, atMs: performance.now(), heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external,
    arrayBuffersBytes: m.arrayBuffers, rssBytes: m.rss, peakRssBytes: readPeakRssBytes(),
  };
}

export function deltaOf(a: MemorySnapshot, b: MemorySnapshot): MemoryDelta {
  const heapUsedBytes = b.heapUsedBytes - a.heapUsedBytes;
  const externalBytes = b.externalBytes - a.externalBytes;
  return {
    from: a.label, to: b.label, heapUsedBytes, externalBytes, arrayBuffersBytes: b.arrayBuffersBytes - a.arrayBuffersBytes,
    rssBytes: b.rssBytes - a.rssBytes, retainedBytes: heapUsedBytes + externalBytes, ms: b.atMs - a.atMs,
  };
}

/**
 * Named memory snapshots of this process:
 *
 *   const marks = memoryMarks();
 *   marks.mark('start');
 *   const jobs = makeJobs(100);
 *   marks.mark('100 jobs');
 *   console.log(marks.delta('start', '100 jobs').retainedBytes);
 *
 * Keep what you measure alive until after the mark (here `jobs`), or the collection frees it first.
 */
export function memoryMarks(opts: MemoryMarksOptions = {}): MemoryMarks {
  const useGc = opts.gc ?? true;
  const gcAvailable = useGc && garbageCollector() !== null;
  const taken: MemorySnapshot[] = [];
  const find = (label: string): MemorySnapshot => {
    const s = [...taken].reverse().find((t) => t.label === label);
    if (!s) throw new RangeError(`no mark named ${JSON.stringify(label)} (marks: ${taken.map((t) => JSON.stringify(t.label)).join(', ') || 'none yet'})`);
    return s;
  };
  return {
    gcAvailable,
    mark(label) {
      const s = snapshot(label, useGc);
      taken.push(s);
      return s;
    },
    delta: (from, to) => deltaOf(find(from), find(to)),
    deltas: () => taken.slice(1).map((s, i) => deltaOf(taken[i]!, s)),
    snapshots: () => [...taken],
  };
}
