// What the diagnosis analyses read: one run's memory series and its smaps capture, built from the sampler's
// full-resolution columns (during a run) or from a stored timeline (re-analysis of a saved document).
import type { SamplerColumns } from '../sample/protocol.js';
import type { Timeline } from '../result.js';
import type { TreeSmaps } from '../probe/smaps.js';
import { finiteSeries, type Series } from './trend.js';

export interface DiagnosisInput {
  /** Σ RSS of the tree over time: excludes page cache (unlike a cgroup's charge) and is there on both backends. */
  readonly rss: Series;
  /** Σ USS (smaps_rollup tier); empty when that tier was not read. */
  readonly uss: Series;
  /** The cgroup's anonymous charge (v1 total_rss, v2 anon); empty on the proc backend. */
  readonly anon: Series;
  readonly processCount: Series;
  /** When the main command exited, ms since spawn: later samples show the tree being torn down. */
  readonly mainExitMs: number;
  /** Live heap as the program's runtime reports it, when someone knows it; membench alone does not. */
  readonly liveHeapBytes: number | null;
  /** smaps of the tree's processes, read once near the peak; null when none could be read. */
  readonly smaps: TreeSmaps | null;
  /** How many smaps captures the run took and the time they cost, all told. */
  readonly smapsCost: { readonly captures: number; readonly totalReadMs: number };
}

export function inputFromColumns(
  columns: SamplerColumns,
  mainExitMs: number,
  smaps: TreeSmaps | null,
  smapsCost: DiagnosisInput['smapsCost'] = { captures: 0, totalReadMs: 0 },
): DiagnosisInput {
  return {
    rss: finiteSeries(columns.fast.tMs, columns.fast.rssSumBytes),
    uss: finiteSeries(columns.pss.tMs, columns.pss.ussSumBytes),
    anon: finiteSeries(columns.status.tMs, columns.status.anonBytes),
    processCount: finiteSeries(columns.fast.tMs, columns.fast.processCount),
    mainExitMs,
    liveHeapBytes: null,
    smaps,
    smapsCost,
  };
}

/** From a stored (possibly downsampled: bucket maxima) timeline; no anon series and no smaps there. */
export function inputFromTimeline(timeline: Timeline, mainExitMs: number): DiagnosisInput {
  return {
    rss: finiteSeries(timeline.tMs, timeline.rssSumBytes),
    uss: finiteSeries(timeline.tMs, timeline.ussSumBytes),
    anon: { tMs: [], bytes: [] },
    processCount: finiteSeries(timeline.tMs, timeline.processCount),
    mainExitMs,
    liveHeapBytes: null,
    smaps: null,
    smapsCost: { captures: 0, totalReadMs: 0 },
  };
}
