// From one run's sampler columns to the figures of a RunResult: peaks, final values, the timeline.
import type { SamplerColumns, ProcessSeen } from '../sample/protocol.js';
import type { Final, Peaks, Timeline } from '../result.js';
import { maxFinite } from './stats.js';

const intOrNull = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : Math.round(v));

export interface PeakInputs {
  readonly columns: SamplerColumns;
  readonly processes: readonly ProcessSeen[];
  /** The cgroup's own peak counter (v1 memory.max_usage_in_bytes, v2 memory.peak), when there is one. */
  readonly cgroupPeakBytes: number | null;
  /** The native reaper's exit accounting (wait4 ru_maxrss), when the run had one. */
  readonly reaped?: ReapedMaxima | null;
}

/** The largest ru_maxrss of the processes a reaper waited for (src/run/reaper.ts). */
export interface ReapedMaxima {
  readonly maxRssBytes: number;
  /** The reaped process it was reported for (it or a descendant it waited for had that peak); null from RUSAGE_CHILDREN alone. */
  readonly pid: number | null;
  /** Every reaper saw its whole tree gone: no process of the run escaped the accounting. */
  readonly complete: boolean;
  /** reapedSlackBytes of the machine; 1 MiB when absent. */
  readonly slackBytes?: number;
}

/**
 * How far a sampled VmHWM or RSS may lie above the reaper's ru_maxrss of the same process and still be the same peak.
 * The kernel keeps RSS in per-CPU counters (batches of max(32, 2 × CPUs) pages each); the exit accounting takes their
 * approximate sum, status and statm read them summed (a VmHWM read 0.1 MiB above the ru_maxrss of the same process was
 * seen here). So: CPUs × batch pages, at least 1 MiB.
 */
export function reapedSlackBytes(cpus: number, pageSizeBytes: number): number {
  const n = Math.max(1, Math.round(cpus));
  return Math.max(1 << 20, n * Math.max(32, 2 * n) * pageSizeBytes);
}

/** Largest single-process peak of one process: the kernel's VmHWM when read, never below what was sampled. */
export const processPeakBytes = (p: ProcessSeen): number => Math.max(p.vmHwmBytes ?? 0, p.maxRssBytes);

/** p is a descendant of ancestor by the parents seen (PPid of status); false when the chain breaks (a parent unseen). */
function descendsFrom(p: ProcessSeen, ancestor: number, processes: readonly ProcessSeen[]): boolean {
  const byPid = new Map(processes.map((q) => [q.pid, q]));
  let at: ProcessSeen | undefined = p;
  for (let hops = 0; at && hops < processes.length; hops++) {
    if (at.ppid === ancestor) return true;
    at = at.ppid === null ? undefined : byPid.get(at.ppid);
  }
  return false;
}

export function computePeaks({ columns, processes, cgroupPeakBytes, reaped = null }: PeakInputs): Peaks {
  const { fast, status, pss } = columns;
  const processCount = Math.round(maxFinite(fast.processCount) ?? 0);
  // A command that ended before the first tick left no sample: its per-process sums are unknown, not 0.
  const seen = processCount > 0;
  const sampled = (col: Float64Array): number | null => (seen ? intOrNull(maxFinite(col)) : null);
  const sampledTree = maxFinite(fast.treeBytes);
  const rssSum = sampled(fast.rssSumBytes);
  const pssSum = sampled(pss.pssSumBytes);
  const anon = intOrNull(maxFinite(status.anonBytes));
  let treeBytes: number | null;
  let treeSource: Peaks['treeSource'];
  let treeNoCache: number | null;
  if (cgroupPeakBytes !== null || sampledTree !== null) {
    // The counter is exact; a sampled usage can never legitimately exceed it, but take the max defensively.
    treeBytes = cgroupPeakBytes !== null ? Math.max(cgroupPeakBytes, sampledTree ?? 0) : sampledTree;
    treeSource = cgroupPeakBytes !== null ? 'cgroup-peak-counter' : 'sampled-cgroup-usage';
    treeNoCache = treeWithoutCache(columns, treeBytes!, anon);
  } else {
    // No cgroup: Σ RSS would count every shared page once per process (201 forked sharers of 10 MiB: 354 MiB for
    // 31 MiB of PSS), so the tree is Σ PSS. Σ RSS stands in only for one process, which shares with nobody in the tree.
    treeBytes = pssSum ?? (processCount <= 1 ? rssSum : null);
    treeSource = pssSum !== null ? 'sampled-pss-sum' : 'sampled-rss-sum';
    treeNoCache = treeBytes;
  }
  let largest: ProcessSeen | null = null;
  for (const p of processes) if (!largest || processPeakBytes(p) > processPeakBytes(largest)) largest = p;
  const sampledLargest = largest ? processPeakBytes(largest) : null;
  // ru_maxrss of a waited-for process is the largest VmHWM of it and of the descendants it waited for: it covers every
  // reading of them, up to the slack of the kernel's per-CPU RSS counters (reapedSlackBytes). A sampled figure further
  // above it is a process the reaper did not wait for (one whose parent ignored SIGCHLD is reaped unaccounted).
  const covered = reaped !== null && reaped.maxRssBytes > 0 && (sampledLargest ?? 0) - reaped.maxRssBytes <= (reaped.slackBytes ?? 1 << 20);
  const largestBytes = reaped !== null && reaped.maxRssBytes > (sampledLargest ?? 0) ? reaped.maxRssBytes : sampledLargest;
  let largestPid = largest?.pid ?? null;
  let largestName = largest?.name ?? null;
  let reapedVia: { pid: number; name: string | null } | null = null;
  if (reaped !== null && reaped.maxRssBytes > (sampledLargest ?? 0)) {
    largestPid = reaped.pid;
    const own = processes.find((p) => p.pid === reaped.pid);
    largestName = own?.name ?? null;
    // `sh -c 'gcc …'`: sh's ru_maxrss is cc1's, which gcc waited for. When the reaped process's own VmHWM stayed far
    // below its ru_maxrss, the peak is a descendant's: the largest one seen is named when its own reading is that peak
    // (within the counters' slack), and the reaped process as the one whose accounting gave it.
    const slack = reaped.slackBytes ?? 1 << 20;
    if (own && reaped.pid !== null && reaped.maxRssBytes - processPeakBytes(own) > slack) {
      reapedVia = { pid: reaped.pid, name: own.name };
      const cand = largest !== null && largest.pid !== reaped.pid && descendsFrom(largest, reaped.pid, processes) ? largest : null;
      if (cand && reaped.maxRssBytes - processPeakBytes(cand) <= slack) {
        largestPid = cand.pid;
        largestName = cand.name;
      } else {
        largestPid = null;
        largestName = null;
      }
    }
  }
  const treeNoCacheInt = intOrNull(treeNoCache);
  const exactTree = treeSource === 'cgroup-peak-counter';
  const exactLargest = covered && reaped.complete;
  const memorySource: Peaks['memorySource'] =
    treeNoCacheInt === null && largestBytes === null ? null : (largestBytes ?? -1) > (treeNoCacheInt ?? -1) ? 'largest-process' : 'tree';
  return {
    memoryBytes: memorySource === null ? null : memorySource === 'tree' ? treeNoCacheInt : largestBytes,
    memorySource,
    treeNoCacheBytes: treeNoCacheInt,
    treeBytes: intOrNull(treeBytes),
    treeSource,
    treeAnonBytes: anon,
    treeFileBytes: intOrNull(maxFinite(status.fileBytes)),
    rssSumBytes: rssSum,
    pssSumBytes: pssSum,
    ussSumBytes: sampled(pss.ussSumBytes),
    swapSumBytes: sampled(pss.swapSumBytes),
    vmDataSumBytes: sampled(status.vmDataSumBytes),
    vszSumBytes: sampled(fast.vszSumBytes),
    largestProcessBytes: largestBytes,
    largestProcessPid: largestPid,
    largestProcessName: largestName,
    largestProcessSource: covered ? 'reaped-rusage' : 'sampled-vmhwm',
    reapedMaxRssBytes: reaped === null ? null : reaped.maxRssBytes,
    ...(reapedVia !== null && covered ? { largestProcessReapedVia: reapedVia } : {}),
    exact: { tree: exactTree, largestProcess: exactLargest, memory: exactTree && exactLargest && treeNoCacheInt === intOrNull(treeBytes) },
    processCount,
  };
}

/**
 * The cgroup's peak without page cache: peak − (page cache charged at the status reading nearest the highest sampled
 * usage), kept within [the sampled anonymous peak, peak]. A file the command writes (sort's output) is charged to
 * it as cache; that is the kernel's bookkeeping, not the command's footprint (MEASURING.md, "Peaks").
 */
function treeWithoutCache(columns: SamplerColumns, peakBytes: number, anonPeak: number | null): number {
  const { fast, status } = columns;
  let at = -1;
  for (let i = 0; i < fast.treeBytes.length; i++)
    if (Number.isFinite(fast.treeBytes[i]!) && (at < 0 || fast.treeBytes[i]! > fast.treeBytes[at]!)) at = i;
  let file: number | null = null;
  if (at >= 0 && status.tMs.length > 0) {
    const t = fast.tMs[at]!;
    let best = -1;
    for (let k = 0; k < status.tMs.length; k++) {
      if (!Number.isFinite(status.fileBytes[k]!)) continue;
      if (best < 0 || Math.abs(status.tMs[k]! - t) < Math.abs(status.tMs[best]! - t)) best = k;
    }
    if (best >= 0) file = status.fileBytes[best]!;
  }
  const without = file === null ? peakBytes : peakBytes - file;
  return Math.min(peakBytes, Math.max(without, anonPeak ?? 0));
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

/**
 * How old a PSS reading may be and still stand for the tree's PSS: 1.5 PSS intervals when every pass read every
 * process; with PSS by change (pssFloorMs), a pass follows any move within a few ms, so a reading stands until the
 * floor's next one (floor + half an interval).
 */
export function pssFreshMs(pssIntervalMs: number, pssFloorMs: number | null): number {
  return pssFloorMs === null ? 1.5 * pssIntervalMs : pssFloorMs + 0.5 * pssIntervalMs;
}

/**
 * The memory of the tree at its last tick while the work was alive: the last tick at or before the main exit whose
 * Σ RSS is above 0 (the tick that sees the main process as a zombie reads 0 from its statm, and the runner hears of
 * the exit a little after). Every fast figure comes from that tick; Σ PSS from the last PSS reading at or before it,
 * kept only when at most pssFreshMs older (else null: a stale PSS is no "final"; see pssFreshMs).
 */
export function computeFinal(columns: SamplerColumns, mainExitMs: number, pssFreshMs: number): Final {
  const { fast, pss } = columns;
  let i = lastAtOrBefore(fast.tMs, mainExitMs);
  while (i >= 0 && !(fast.rssSumBytes[i]! > 0)) i--;
  if (i < 0) return { atMs: null, treeBytes: null, rssSumBytes: null, pssSumBytes: null, pssAtMs: null };
  const atMs = fast.tMs[i]!;
  let j = lastAtOrBefore(pss.tMs, atMs);
  while (j >= 0 && !Number.isFinite(pss.pssSumBytes[j]!)) j--;
  const fresh = j >= 0 && atMs - pss.tMs[j]! <= pssFreshMs;
  return {
    atMs: Math.round(atMs * 1000) / 1000,
    treeBytes: intOrNull(fast.treeBytes[i]!),
    rssSumBytes: intOrNull(fast.rssSumBytes[i]!),
    pssSumBytes: fresh ? intOrNull(pss.pssSumBytes[j]!) : null,
    pssAtMs: fresh ? Math.round(pss.tMs[j]! * 1000) / 1000 : null,
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
  const tl: Timeline = {
    downsampled: n > buckets,
    tMs: [],
    treeBytes: [],
    rssSumBytes: [],
    pssSumBytes: [],
    ussSumBytes: [],
    processCount: [],
  };
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
