// Leak verdict: does the tree's resident memory keep growing after start-up and never come back?
// Theil–Sen slope over the steady part, a return-to-baseline test, and a rising-floor test against sawtooths.
import type { LeakVerdict } from '../result.js';
import type { DiagnosisInput } from './input.js';
import { extent, quantile, segmentQuantiles, theilSen, window, type Series } from './trend.js';
import { formatBytes, formatMs } from '../units.js';

export const name = 'leak';
export const description = 'leak verdict: robust slope of resident memory after start-up, and whether it ever returns to its baseline';

const MIB = 1024 * 1024;
/** Start-up (loading, imports, first allocations) is the first fifth of the run; it is never judged. */
export const STARTUP_FRACTION = 0.2;
/** Samples this close to the main command's exit may show its address space being torn down. */
const TAIL_MIN_MS = 50;
const TAIL_FRACTION = 0.02;
/** The steady part must last this long and hold this many samples for any verdict but inconclusive. */
export const MIN_STEADY_MS = 1000;
export const MIN_SAMPLES = 20;
/** Growth over the steady part that matters: at least 1 MiB and 5 % of the baseline. */
const MATERIAL_MIB = 1;
const MATERIAL_FRACTION = 0.05;
/** Floors (10th percentiles) of this many segments must rise with the slope for a leak (a sawtooth's do not). */
const FLOOR_SEGMENTS = 6;
const LOW_Q = 0.1;

const rate = (bytesPerSec: number): string => `${formatBytes(bytesPerSec)}/s`;
const secs = (ms: number): string => formatMs(ms);
const round = (v: number): number => Math.round(v);

/**
 * Verdict over the tree's Σ RSS series. Let D be the time up to the main command's exit minus a tail
 * (max(50 ms, 2 % D)); the steady part is [0.2·D, D]. With s the Theil–Sen slope of the steady part and
 * [lo, hi] its 95 % rank interval, T the steady duration, base the 10th percentile of its first fifth,
 * endLow the 10th percentile of its last third, peak its maximum and M = max(1 MiB, 5 % base):
 *   too short (T < 1 s or < 20 samples)           → inconclusive
 *   peak − base ≥ M and endLow − base ≤ max(M/2, 0.2·(peak − base)) → no-leak (returned to baseline)
 *   hi·T < M                                      → no-leak (flat, or no upward trend)
 *   lo ≤ 0                                        → inconclusive (growth not significant)
 *   floor slope (Theil–Sen of 6 segment 10th percentiles) < s/2, or the late half's slope < s/2
 *                                                 → inconclusive (sawtooth, phases or a plateau)
 *   otherwise                                     → leak
 */
export function leakVerdict(rss: Series, mainExitMs: number): LeakVerdict {
  const tail = Math.max(TAIL_MIN_MS, TAIL_FRACTION * mainExitMs);
  const all = window(rss, 0, mainExitMs - tail);
  const n = all.tMs.length;
  const none = { slopeBytesPerSec: null, confidence: null, steadyFromMs: null, steadyToMs: null, baselineBytes: null, endLowBytes: null };
  if (n < 2) return { verdict: 'inconclusive', reason: `only ${n} sample${n === 1 ? '' : 's'} before the command exited: nothing to judge`, ...none };
  const t0 = all.tMs[0]!;
  const tEnd = all.tMs[n - 1]!;
  const from = t0 + STARTUP_FRACTION * (tEnd - t0);
  const steady = window(all, from, tEnd);
  const T = tEnd - from;
  if (T < MIN_STEADY_MS || steady.tMs.length < MIN_SAMPLES) {
    const needMs = MIN_STEADY_MS / (1 - STARTUP_FRACTION) + tail;
    return {
      verdict: 'inconclusive',
      reason: `the run lasted ${secs(mainExitMs)} with ${steady.tMs.length} samples after start-up: too short to tell a leak from start-up (needs ≥ ${secs(needMs)} and ≥ ${MIN_SAMPLES} samples)`,
      ...none,
    };
  }
  const fit = theilSen(steady)!;
  const s = fit.slopeBytesPerSec;
  const base = quantile(window(steady, from, from + T / 5).bytes, LOW_Q)!;
  const endLow = quantile(window(steady, tEnd - T / 3, tEnd).bytes, LOW_Q)!;
  const peak = extent(steady.bytes)!.max;
  const material = Math.max(MATERIAL_MIB * MIB, MATERIAL_FRACTION * base);
  const sec = T / 1000;
  const figures = {
    slopeBytesPerSec: round(s),
    confidence: { level: fit.level, lowBytesPerSec: round(fit.lowBytesPerSec), highBytesPerSec: round(fit.highBytesPerSec) },
    steadyFromMs: Math.round(from * 1000) / 1000,
    steadyToMs: Math.round(tEnd * 1000) / 1000,
    baselineBytes: round(base),
    endLowBytes: round(endLow),
  };
  const ci = `95 % CI ${rate(fit.lowBytesPerSec)} … ${rate(fit.highBytesPerSec)}`;
  const rise = peak - base;
  if (rise >= material && endLow - base <= Math.max(material / 2, 0.2 * rise)) {
    return { verdict: 'no-leak', reason: `memory rose up to ${formatBytes(rise)} above its baseline of ${formatBytes(base)} but came back to ${formatBytes(endLow)} by the end: it is freed`, ...figures };
  }
  if (fit.highBytesPerSec * sec < material) {
    const shape = rise < material ? 'stayed flat' : 'showed no upward trend';
    return { verdict: 'no-leak', reason: `memory ${shape} after start-up: ${rate(s)} (${ci}) adds under ${formatBytes(material)} over the ${secs(T)} judged`, ...figures };
  }
  if (fit.lowBytesPerSec <= 0) {
    return { verdict: 'inconclusive', reason: `memory ended ${formatBytes(endLow - base)} above its baseline but the slope after start-up, ${rate(s)}, is not significant (${ci} includes zero)`, ...figures };
  }
  const floors = theilSen(segmentQuantiles(steady, from, tEnd, FLOOR_SEGMENTS, LOW_Q));
  if (floors === null || floors.slopeBytesPerSec < s / 2) {
    return { verdict: 'inconclusive', reason: `memory rose at ${rate(s)} on average but its low points rose only ${rate(floors?.slopeBytesPerSec ?? 0)}: a sawtooth or phases, not a steady leak`, ...figures };
  }
  const late = theilSen(window(steady, from + T / 2, tEnd));
  if (late === null || late.slopeBytesPerSec < s / 2) {
    return { verdict: 'inconclusive', reason: `memory grew at ${rate(s)} then levelled off (${rate(late?.slopeBytesPerSec ?? 0)} in the last ${secs(T / 2)}): a warm-up or a bounded cache, not a leak so far`, ...figures };
  }
  return {
    verdict: 'leak',
    reason: `memory grew steadily at ${rate(s)} (${ci}) for ${secs(T)} after start-up, ${formatBytes(s * sec)} in all, and never came back to its baseline of ${formatBytes(base)}`,
    ...figures,
  };
}

/**
 * Where the judged series ends: the main command's exit, or just after the last sample with memory in the tree
 * when that comes first. On a loaded machine the runner may hear of the exit late, and the samples of an
 * already empty tree (Σ RSS 0) would otherwise read as "memory came back".
 */
export function judgedUntilMs(rss: Series, mainExitMs: number): number {
  for (let i = rss.tMs.length - 1; i >= 0; i--) if (rss.bytes[i]! > 0) return Math.min(mainExitMs, rss.tMs[i]! + 1);
  return mainExitMs;
}

/** The analysis as the diagnosis runs it. */
export function run(input: DiagnosisInput): LeakVerdict {
  return leakVerdict(input.rss, judgedUntilMs(input.rss, input.mainExitMs));
}
