// memoryMarks(): named snapshots of this process's memory (V8 heap, external, array buffers, RSS), each taken
// after a full garbage collection, and the deltas between them — the in-process half of membench.
import { deltaOf, garbageCollector, snapshot, type MemoryDelta, type MemorySnapshot } from '../suite/memory-snapshot.js';

export { readPeakRssBytes, resetPeakRss } from '../probe/self.js';
export { collectGarbage, deltaOf, garbageCollector, snapshot, type MemoryDelta, type MemorySnapshot } from '../suite/memory-snapshot.js';

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
    if (!s)
      throw new RangeError(
        `no mark named ${JSON.stringify(label)} (marks: ${taken.map((t) => JSON.stringify(t.label)).join(', ') || 'none yet'})`,
      );
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
