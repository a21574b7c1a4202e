// Fragmentation signals: evidence, each with its figures, that memory is held by the allocator rather than by
// live data. From outside a process nothing proves fragmentation; these say what was seen, not a verdict.
import type { FragmentationSignal, LeakVerdict } from '../result.js';
import type { DiagnosisInput } from './input.js';
import { STARTUP_FRACTION } from './leak.js';
import { extent, quantile, theilSen, window, type Series } from './trend.js';
import { formatBytes, formatMs, formatPercent, MIB } from '../units.js';

export const name = 'fragmentation';
export const description =
  'fragmentation signals as evidence: USS growing under steady work, memory not returned after its peak, heap share, RSS vs live heap';

const TAIL_MS = 50;
/** Below this, memory figures are the program's own text and libraries: nothing to say about its allocator. */
const MIN_INTERESTING = 4 * MIB;

function judged(s: Series, mainExitMs: number): Series {
  return window(s, 0, mainExitMs - Math.max(TAIL_MS, 0.02 * mainExitMs));
}

/** USS slope × duration over the steady part, with its low points rising too, when the tree kept the same processes throughout. */
export function ussGrowingSteadyWork(uss: Series, rss: Series, processCount: Series, mainExitMs: number): FragmentationSignal {
  const id = 'uss-growing-steady-work' as const;
  const all = judged(uss, mainExitMs);
  const n = all.tMs.length;
  if (n < 5)
    return {
      id,
      observed: null,
      evidence: `USS was read ${n} time${n === 1 ? '' : 's'} before the command exited: too few to see a trend`,
      figures: { ussSamples: n },
    };
  const t0 = all.tMs[0]!;
  const tEnd = all.tMs[n - 1]!;
  const from = t0 + STARTUP_FRACTION * (tEnd - t0);
  const steady = window(all, from, tEnd);
  const counts = extent(window(processCount, from, tEnd).bytes) ?? { min: 0, max: 0 };
  const lo = counts.min;
  const hi = counts.max;
  const fit = theilSen(steady);
  if (fit === null)
    return {
      id,
      observed: null,
      evidence: 'too few USS readings after start-up to see a trend',
      figures: { ussSamples: steady.tMs.length },
    };
  if (lo !== hi) {
    return {
      id,
      observed: null,
      evidence: `the tree went from ${lo} to ${hi} processes after start-up: work was not steady, so USS growth says nothing about the allocator`,
      figures: { processesMin: lo, processesMax: hi },
    };
  }
  const start = Math.round(steady.bytes[0]!);
  const end = Math.round(steady.bytes[steady.bytes.length - 1]!);
  // The trend (slope × time) decides; the sentences quote the readings themselves, so "went from a to b" adds up.
  const growth = (fit.slopeBytesPerSec * (tEnd - from)) / 1000;
  // USS is read on a slow tier: a faster cycle (a sawtooth) read stroboscopically looks like a ramp. The low points
  // must rise too, and so must those of Σ RSS, which is read every tick.
  const lowRise = lowPointsRise(steady, from, tEnd, 0.1);
  // Every tooth of a cycle reaches its trough, so over windows of whole cycles the minimum is the floor.
  const rssLowRise = lowPointsRise(window(rss, from, tEnd), from, tEnd, 0);
  const threshold = Math.max(MIN_INTERESTING, 0.1 * start);
  const observed = growth >= threshold && lowRise >= threshold && rssLowRise >= threshold / 2;
  const figures = {
    fromMs: Math.round(from),
    toMs: Math.round(tEnd),
    ussStartBytes: start,
    ussEndBytes: end,
    trendGrowthBytes: Math.round(growth),
    lowPointsRiseBytes: Math.round(lowRise),
    rssLowPointsRiseBytes: Math.round(rssLowRise),
    slopeBytesPerSec: Math.round(fit.slopeBytesPerSec),
    processes: lo,
    ussSamples: steady.tMs.length,
  };
  const what = `with the same ${lo} process${lo === 1 ? '' : 'es'} throughout`;
  const over = `over the ${formatMs(figures.toMs - figures.fromMs)} after start-up`;
  const went = `USS went from ${formatBytes(start)} to ${formatBytes(end)} (${formatBytes(end - start)})`;
  const trend = `a trend of ${formatBytes(figures.trendGrowthBytes)}`;
  if (observed)
    return {
      id,
      observed,
      evidence: `${went}, ${trend}, ${over} ${what}, its low points rising ${formatBytes(figures.lowPointsRiseBytes)}, while the work stayed steady`,
      figures,
    };
  if (growth < threshold) return { id, observed, evidence: `${went}, ${trend}, ${over} ${what}: no growth that matters`, figures };
  if (lowRise < threshold)
    return {
      id,
      observed,
      evidence: `${went}, ${trend}, ${over} ${what}, but its low points rose only ${formatBytes(figures.lowPointsRiseBytes)}: it comes back down`,
      figures,
    };
  return {
    id,
    observed,
    evidence: `USS readings (${figures.ussSamples} after start-up) showed ${trend}, but Σ RSS, read every tick, did not (its low points rose ${formatBytes(figures.rssLowPointsRiseBytes)}): the readings alias a faster cycle`,
    figures,
  };
}

/** q-quantile of the last third of [from, to] minus that of its first fifth: how much the floor rose. */
function lowPointsRise(s: Series, from: number, to: number, q: number): number {
  const T = to - from;
  const end = quantile(window(s, to - T / 3, to).bytes, q);
  const start = quantile(window(s, from, from + T / 5).bytes, q);
  return end === null || start === null ? 0 : end - start;
}

/**
 * After the peak, did resident memory come down? Memory that stays ≥ 90 % of the peak for ≥ 20 % of the run is
 * evidence only when the runtime says how much of it is live (≥ 1.5 × the live heap → observed); from outside,
 * live data kept to the end looks the same, so without that figure the signal is null (not measurable).
 */
export function anonNotReturned(
  series: Series,
  what: string,
  mainExitMs: number,
  liveHeapBytes: number | null = null,
): FragmentationSignal {
  const id = 'anon-not-returned' as const;
  const all = judged(series, mainExitMs);
  const n = all.tMs.length;
  if (n < 5) return { id, observed: null, evidence: `${what} was read ${n} time${n === 1 ? '' : 's'}: too few`, figures: { samples: n } };
  let at = 0;
  for (let i = 1; i < n; i++) if (all.bytes[i]! > all.bytes[at]!) at = i;
  const peak = all.bytes[at]!;
  const tPeak = all.tMs[at]!;
  const tEnd = all.tMs[n - 1]!;
  const after = all.bytes.slice(at + 1);
  const remaining = tEnd - tPeak;
  const figures = {
    peakBytes: Math.round(peak),
    peakAtMs: Math.round(tPeak),
    endMs: Math.round(tEnd),
    afterPeakMs: Math.round(tEnd) - Math.round(tPeak),
    lowAfterPeakBytes: null as number | null,
    liveHeapBytes,
  };
  const peakText = formatBytes(figures.peakBytes);
  if (peak < MIN_INTERESTING)
    return { id, observed: null, evidence: `${what} peaked at ${peakText}: too little to tell the allocator's behaviour`, figures };
  if (remaining < 0.2 * tEnd || after.length < 3) {
    return {
      id,
      observed: null,
      evidence: `${what} peaked near the end (${peakText} at ${formatMs(figures.peakAtMs)} of ${formatMs(figures.endMs)}): no time after the peak to see memory returned`,
      figures,
    };
  }
  const low = Math.round(quantile(after, 0.1)!);
  figures.lowAfterPeakBytes = low;
  const held = `after peaking at ${peakText} at ${formatMs(figures.peakAtMs)}, ${what} stayed at ≥ ${formatBytes(low)} (${formatPercent(low / figures.peakBytes, 0)}) for the remaining ${formatMs(figures.afterPeakMs)}`;
  if (low < 0.9 * peak)
    return {
      id,
      observed: false,
      evidence: `after peaking at ${peakText} at ${formatMs(figures.peakAtMs)}, ${what} came down to ${formatBytes(low)} (${formatPercent(low / figures.peakBytes, 0)}): freed memory was returned`,
      figures,
    };
  if (liveHeapBytes === null || liveHeapBytes <= 0) {
    return {
      id,
      observed: null,
      evidence: `${held}: held memory, which looks the same from outside whether it is live data or freed blocks the allocator kept, so no evidence of fragmentation without the runtime's live-heap figure`,
      figures,
    };
  }
  const observed = low >= 1.5 * liveHeapBytes;
  return {
    id,
    observed,
    evidence: `${held}, against a live heap of ${formatBytes(liveHeapBytes)}${observed ? ': the allocator kept freed memory' : ': most of it is live data'}`,
    figures,
  };
}

/** The largest process of the smaps capture and its [heap] RSS (from the breakdown). */
export interface LargestProcessHeap {
  readonly pid: number;
  readonly name: string;
  readonly rssBytes: number;
  readonly heapRssBytes: number;
}

/** Share of the largest process's RSS in [heap], the C allocator's brk arena, near the peak. */
export function heapDominates(largest: LargestProcessHeap | null): FragmentationSignal {
  const id = 'heap-dominates' as const;
  if (largest === null) return { id, observed: null, evidence: 'no smaps capture: the heap share is not known', figures: {} };
  const share = largest.rssBytes > 0 ? largest.heapRssBytes / largest.rssBytes : 0;
  const figures = {
    pid: largest.pid,
    heapRssBytes: largest.heapRssBytes,
    processRssBytes: largest.rssBytes,
    share: Math.round(share * 1000) / 1000,
  };
  const dominates = largest.heapRssBytes >= MIN_INTERESTING && share >= 0.5;
  const where = `${largest.name} (pid ${largest.pid})`;
  // A big [heap] is where fragmentation would show, but live small blocks look the same from outside: it is only
  // evidence beside the runtime's live-heap figure (rss-above-live-heap). So: null (cannot tell), never true.
  return dominates
    ? {
        id,
        observed: null,
        evidence: `[heap] (brk: where the C allocator puts small blocks) holds ${formatBytes(largest.heapRssBytes)} of ${where}'s ${formatBytes(largest.rssBytes)} RSS (${formatPercent(share, 0)}) near the peak: whether those blocks are live or freed and kept cannot be seen from outside`,
        figures,
      }
    : {
        id,
        observed: false,
        evidence: `[heap] holds ${formatBytes(largest.heapRssBytes)} of ${where}'s ${formatBytes(largest.rssBytes)} RSS (${formatPercent(share, 0)}) near the peak`,
        figures,
      };
}

/** RSS ≥ 1.5 × the live heap the runtime reports: memory the allocator holds beyond live data. */
export function rssAboveLiveHeap(peakRssBytes: number | null, liveHeapBytes: number | null): FragmentationSignal {
  const id = 'rss-above-live-heap' as const;
  if (liveHeapBytes === null || peakRssBytes === null || liveHeapBytes <= 0) {
    return {
      id,
      observed: null,
      evidence: "live heap not known: membench sees processes from outside, and needs the runtime's own heap figure for this",
      figures: { liveHeapBytes },
    };
  }
  const ratio = peakRssBytes / liveHeapBytes;
  const figures = { rssBytes: peakRssBytes, liveHeapBytes, ratio: Math.round(ratio * 100) / 100 };
  return {
    id,
    observed: ratio >= 1.5,
    evidence: `RSS ${formatBytes(peakRssBytes)} is ${ratio.toFixed(2)}× the live heap of ${formatBytes(liveHeapBytes)}`,
    figures,
  };
}

export interface FragmentationReport {
  readonly signals: FragmentationSignal[];
}

/**
 * USS growth is evidence only while the working set is steady: growth the leak verdict saw (a leak, growth until exit,
 * a warm-up that levelled) is the program's data, and says nothing about the allocator. A verdict that could not judge
 * the run (too short, a slope not significant, phases) did not find it steady either: `sort` of a 40 MB file, 0.5 s of
 * reading its input, was "fragmentation evidence ... while the work stayed steady" before. Why the work was not (or is
 * not known to be) steady; null when the verdict found nothing against it, or there is no verdict.
 */
function unsteadyWork(leak: LeakVerdict | null): { readonly why: string; readonly figures: Record<string, number | null> } | null {
  if (leak === null) return null;
  if (leak.verdict === 'leak' || leak.verdict === 'grows-until-exit' || leak.figures?.lateSlopeBytesPerSec != null)
    return {
      why: `the tree's memory grew (leak verdict: ${leak.verdict}), so the work was not steady`,
      figures: { leakSlopeBytesPerSec: leak.slopeBytesPerSec },
    };
  if (leak.verdict === 'inconclusive')
    return { why: 'the leak verdict could not judge this run, so it is not known whether the work was steady', figures: {} };
  return null;
}

/** The analysis as the diagnosis runs it. `largest` and `leak` come from the breakdown and leak verdict of the same run. */
export function run(
  input: DiagnosisInput,
  largest: LargestProcessHeap | null = null,
  leak: LeakVerdict | null = null,
): FragmentationReport {
  const useAnon = input.anon.tMs.length >= 5;
  const peakRss = extent(input.rss.bytes)?.max ?? null;
  const unsteady = unsteadyWork(leak);
  const uss: FragmentationSignal =
    unsteady === null
      ? ussGrowingSteadyWork(input.uss, input.rss, input.processCount, input.mainExitMs)
      : {
          id: 'uss-growing-steady-work',
          observed: null,
          evidence: `${unsteady.why}: USS growth says nothing about fragmentation here`,
          figures: unsteady.figures,
        };
  return {
    signals: [
      uss,
      anonNotReturned(useAnon ? input.anon : input.rss, useAnon ? 'the anonymous charge' : 'Σ RSS', input.mainExitMs, input.liveHeapBytes),
      heapDominates(largest),
      rssAboveLiveHeap(peakRss, input.liveHeapBytes),
    ],
  };
}
