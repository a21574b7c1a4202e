// From one run's sampler columns to the figures of a RunResult: peaks, final values, the timeline.
import type { SamplerColumns, ProcessSeen } from '../sample/protocol.js';
import type { Peaks, Timeline } from '../result.js';
import { maxFinite } from './stats.js';

const intOrNull = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : Math.round(v));

export interface PeakInputs {
  readonly columns: SamplerColumns;
  readonly processes: readonly ProcessSeen[];
  /** The cgroup's own peak counter (v1 memory.max_usage_in_bytes, v2 memory.peak), when there is one. */
  readonly cgroupPeakBytes: number | null;
}

/** Largest single-process peak of one process: the kernel's VmHWM when read, never below what was sampled. */
export const processPeakBytes = (p: ProcessSeen): number => Math.max(p.vmHwmBytes ?? 0, p.maxRssBytes);

export function computePeaks({ columns, processes, cgroupPeakBytes }: PeakInputs): Peaks {
  const { fast, status, pss } = columns;
  const sampledTree = maxFinite(fast.treeBytes);
  let treeBytes: number | null;
  let treeSource: Peaks['treeSource'];
  if (cgroupPeakBytes !== null) {
    // The counter is exact; a sampled usage can never legitimately exceed it, but take the max defensively.
    treeBytes = Math.max(cgroupPeakBytes, sampledTree ?? 0);
    treeSource = 'cgroup-peak-counter';
  } else if (sampledTree !== null) {
    treeBytes = sampledTree;
    treeSource = 'sampled-cgroup-usage';
  } else {
    treeBytes = maxFinite(fast.rssSumBytes);
    treeSource = 'sampled-rss-sum';
  }
  let largest: ProcessSeen | null = null;
  for (const p of processes) if (!largest || processPeakBytes(p) > processPeakBytes(largest)) largest = p;
  return {
    treeBytes: intOrNull(treeBytes),
    treeSource,
    treeAnonBytes: intOrNull(maxFinite(status.anonBytes)),
    treeFileBytes: intOrNull(maxFinite(status.fileBytes)),
    rssSumBytes: Math.round(maxFinite(fast.rssSumBytes) ?? 0),
    pssSumBytes: intOrNull(maxFinite(pss.pssSumBytes)),
    ussSumBytes: intOrNull(maxFinite(pss.ussSumBytes)),
    swapSumBytes: intOrNull(maxFinite(pss.swapSumBytes)),
    vmDataSumBytes: intOrNull(maxFinite(status.vmDataSumBytes)),
    vszSumBytes: Math.round(maxFinite(fast.vszSumBytes) ?? 0),
    largestProcessBytes: largest ? processPeakBytes(largest) : 0,
    largestProcessPid: largest?.pid ?? null,
    largestProcessName: largest?.name ?? null,
    processCount: Math.round(maxFinite(fast.processCount) ?? 0),
  };
}

/** Index of the last row with t ≤ atMs, or -1. */
function lastAtOrBefore(t: Float64Array, atMs: number): number {
  let lo = 0;
  let hi = t.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! <= atMs) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** The last sample taken while the main command was alive (at or before its exit). */
export function computeFinal(columns: SamplerColumns, mainExitMs: number): { atMs: number | null; treeBytes: number | null; rssSumBytes: number | null; pssSumBytes: number | null } {
  const i = lastAtOrBefore(columns.fast.tMs, mainExitMs);
  const j = lastAtOrBefore(columns.pss.tMs, mainExitMs);
  if (i < 0) return { atMs: null, treeBytes: null, rssSumBytes: null, pssSumBytes: null };
  return {
    atMs: columns.fast.tMs[i]!,
    treeBytes: intOrNull(columns.fast.treeBytes[i]!),
    rssSumBytes: intOrNull(columns.fast.rssSumBytes[i]!),
    pssSumBytes: j < 0 ? null : intOrNull(columns.pss.pssSumBytes[j]!),
  };
}

/**
 * The fast tier as a timeline of at most maxPoints points. When there are more ticks, consecutive ticks are
 * merged into equal buckets and each point keeps the bucket's first time and the bucket's MAXIMUM of every
 * column, so no peak is lost by downsampling. PSS/USS points fall into the bucket of their tick.
 */
export function buildTimeline(columns: SamplerColumns, maxPoints: number): Timeline {
  const { fast, pss } = columns;
  const n = fast.tMs.length;
  const buckets = Math.min(n, Math.max(1, maxPoints));
  const per = n / buckets;
  const tl: Timeline = { downsampled: n > buckets, tMs: [], treeBytes: [], rssSumBytes: [], pssSumBytes: [], ussSumBytes: [], processCount: [] };
  if (n === 0) return tl;
  const bucketOf = (t: number): number => {
    const row = lastAtOrBefore(fast.tMs, t);
    return Math.min(buckets - 1, Math.floor(Math.max(0, row) / per));
  };
  const pssMax = new Array<number | null>(buckets).fill(null);
  const ussMax = new Array<number | null>(buckets).fill(null);
  for (let k = 0; k < pss.tMs.length; k++) {
    const b = bucketOf(pss.tMs[k]!);
    const p = pss.pssSumBytes[k]!;
    const u = pss.ussSumBytes[k]!;
    if (Number.isFinite(p)) pssMax[b] = Math.max(pssMax[b] ?? 0, Math.round(p));
    if (Number.isFinite(u)) ussMax[b] = Math.max(ussMax[b] ?? 0, Math.round(u));
  }
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * per);
    const to = Math.max(from + 1, Math.floor((b + 1) * per));
    let tree = -Infinity;
    let rss = 0;
    let count = 0;
    for (let i = from; i < to && i < n; i++) {
      if (fast.treeBytes[i]! > tree) tree = fast.treeBytes[i]!;
      rss = Math.max(rss, fast.rssSumBytes[i]!);
      count = Math.max(count, fast.processCount[i]!);
    }
    tl.tMs.push(Math.round(fast.tMs[from]! * 1000) / 1000);
    tl.treeBytes.push(tree === -Infinity ? null : Math.round(tree));
    tl.rssSumBytes.push(Math.round(rss));
    tl.pssSumBytes.push(pssMax[b]!);
    tl.ussSumBytes.push(ussMax[b]!);
    tl.processCount.push(count);
  }
  return tl;
}
