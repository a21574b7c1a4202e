// Leak verdict: does the tree's resident memory keep growing in a steady phase and never come back?
// Theil–Sen slope after start-up, a return-to-baseline test, a rising-floor test against sawtooths, and cycles of
// use and release as the sign of repeated work, without which growth that lasts until exit is no leak.
import type { LeakVerdict } from '../result.js';
import type { DiagnosisInput } from './input.js';
import { extent, quantile, segmentQuantiles, theilSen, window, type Series } from './trend.js';
import { formatBytes, formatMs, formatPercent, MIB } from '../units.js';

export const name = 'leak';
export const description =
  'leak verdict: robust slope of resident memory after start-up, whether it returns to its baseline, and whether growth happens over repeated work or only until exit';

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
/** Repeated work: at least this many cycles of use and release, none further apart than a third of the steady part. */
export const MIN_CYCLES = 4;
const MAX_CYCLE_GAP_FRACTION = 1 / 3;
/**
 * A rest: Σ RSS unchanged for ≥ REST_MS (an idle pause between rounds of work; a busy program's memory moves).
 * Rises between rests count as rounds of repeated work only when regular: the upper quartile of their sizes, and of
 * the intervals between them, at most REGULAR × the lower quartile (a request loop; a batch program's steps vary).
 */
export const REST_MS = 50;
/** Rises between rests are a weaker sign than releases (a batch program's reads pause too): twice as many needed. */
export const MIN_RISES = 2 * MIN_CYCLES;
const REGULAR = 1.5;
/** Cycles of use and release are repeated work when their sizes' quartile ratio is at most this (doubling gives ~4). */
const CYCLE_ALIKE = 2;
/** A fall counts as a release when it is this many times the typical sample-to-sample change (noise) or more. */
const NOISE_FACTOR = 4;
/** Memory given back before exit that then stays down this long (and ≥ a tenth of the steady part) came back; less is teardown. */
const HELD_MIN_MS = 200;

export interface LeakOptions {
  /**
   * The series ends because the program exited (a run, a watch that saw the target exit), not because the
   * observation stopped while it was still running (a live watch or serve). Only an exit lets growth be
   * "until exit". Default true.
   */
  readonly endsAtExit?: boolean;
}

const rate = (bytesPerSec: number): string => `${formatBytes(bytesPerSec)}/s`;
const secs = (ms: number): string => formatMs(ms);
const round = (v: number): number => Math.round(v);
const roundMs = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * Verdict over the tree's Σ RSS series. Let D be the time up to the main command's exit minus a tail
 * (max(50 ms, 2 % D)); the steady part is [0.2·D, D]. When the series ends at an exit and, after its peak, only
 * goes down to the end without settling for ≥ max(200 ms, T/10), that fall is the program freeing as it exits
 * (an interpreter's finalisation) and the steady part ends where that fall began. With s the Theil–Sen slope of the steady
 * part and [lo, hi] its 95 % rank interval, T its duration, base the 10th percentile of its first fifth, endLow the
 * 10th percentile of its last third, peak its maximum, M = max(1 MiB, 5 % of base as it was before the fall at the
 * exit was cut) and cycles the falls of
 * ≥ max(M, 4 × median |Δ|) each followed by a rise as large (hysteresis: noise counts none):
 *   too short (T < 1 s or < 20 samples)           → inconclusive
 *   peak − base ≥ M and endLow − base ≤ max(M/2, 0.2·(peak − base)) → no-leak (returned to baseline)
 *   hi·T < M                                      → no-leak (flat, or no upward trend)
 *   series ends at an exit, peak − base ≥ M and the late half's slope × T/2 < M → no-leak (grew, then held until exit)
 *   lo ≤ 0                                        → inconclusive (growth not significant)
 *   floor slope (Theil–Sen of 6 segment 10th percentiles) < s/2 → inconclusive (sawtooth or phases)
 *   the late half's slope < s/2, the series not ending at an exit → inconclusive (a warm-up or a bounded cache, so far)
 *   repeated work, spread with no gap (nor from either end) over T/3: ≥ 4 cycles whose release sizes are alike
 *   (quartile ratio ≤ 2: a table that doubles releases twice as much each time), or ≥ 8 rises after rests of
 *   ≥ 50 ms (Σ RSS unchanged) whose sizes and intervals are regular (quartile ratio ≤ 1.5) → leak
 *   the series ends at an exit                    → grows-until-exit (no steady phase to judge a leak by)
 *   otherwise (still growing when observation ended) → leak
 */
export function leakVerdict(rss: Series, mainExitMs: number, o: LeakOptions = {}): LeakVerdict {
  const endsAtExit = o.endsAtExit ?? true;
  const tail = Math.max(TAIL_MIN_MS, TAIL_FRACTION * mainExitMs);
  const all = window(rss, 0, mainExitMs - tail);
  const n = all.tMs.length;
  const none = { slopeBytesPerSec: null, confidence: null, steadyFromMs: null, steadyToMs: null, baselineBytes: null, endLowBytes: null };
  if (n < 2)
    return {
      verdict: 'inconclusive',
      reason: `only ${n} sample${n === 1 ? '' : 's'} before the command exited: nothing to judge`,
      ...none,
      figures: { samples: n },
    };
  const t0 = all.tMs[0]!;
  const from = t0 + STARTUP_FRACTION * (all.tMs[n - 1]! - t0);
  let steady = window(all, from, all.tMs[n - 1]!);
  const base0 = quantile(window(steady, from, from + (all.tMs[n - 1]! - from) / 5).bytes, LOW_Q) ?? 0;
  const material = Math.max(MATERIAL_MIB * MIB, MATERIAL_FRACTION * base0);
  const releasedAt = endsAtExit ? releaseAtExit(steady, material, Math.max(HELD_MIN_MS, (all.tMs[n - 1]! - from) / 10)) : null;
  if (releasedAt !== null) steady = window(steady, from, releasedAt);
  const tEnd = steady.tMs.length > 0 ? steady.tMs[steady.tMs.length - 1]! : from;
  const T = tEnd - from;
  const gaveBack = releasedAt === null ? '' : ', then gave memory back only as it exited (not judged)';
  if (T < MIN_STEADY_MS || steady.tMs.length < MIN_SAMPLES) {
    return {
      verdict: 'inconclusive',
      reason: `after start-up (the first ${formatPercent(STARTUP_FRACTION, 0)} of the run) ${secs(T)} with ${steady.tMs.length} samples were left to judge${gaveBack}: too short to tell a leak from start-up (needs ${[
        T < MIN_STEADY_MS ? `≥ ${secs(MIN_STEADY_MS)}` : null,
        steady.tMs.length < MIN_SAMPLES ? `≥ ${MIN_SAMPLES} samples` : null,
      ]
        .filter((x) => x !== null)
        .join(' and ')})`,
      ...none,
      steadyFromMs: roundMs(from),
      steadyToMs: roundMs(tEnd),
      figures: { steadySamples: steady.tMs.length },
    };
  }
  const fit = theilSen(steady)!;
  const s = fit.slopeBytesPerSec;
  // Rounded to whole bytes once, so the sentences quote exactly the figures written beside them.
  const base = round(quantile(window(steady, from, from + T / 5).bytes, LOW_Q)!);
  const endLow = round(quantile(window(steady, tEnd - T / 3, tEnd).bytes, LOW_Q)!);
  const peak = round(extent(steady.bytes)!.max);
  const sec = T / 1000;
  const figures = {
    slopeBytesPerSec: round(s),
    confidence: { level: fit.level, lowBytesPerSec: round(fit.lowBytesPerSec), highBytesPerSec: round(fit.highBytesPerSec) },
    steadyFromMs: roundMs(from),
    steadyToMs: roundMs(tEnd),
    baselineBytes: round(base),
    endLowBytes: round(endLow),
  };
  const extra: Record<string, number | null> = { steadySamples: steady.tMs.length, peakBytes: peak, materialBytes: round(material) };
  const ci = `95 % CI ${rate(figures.confidence.lowBytesPerSec)} … ${rate(figures.confidence.highBytesPerSec)}`;
  const rise = peak - base;
  const over = `the ${secs(figures.steadyToMs - figures.steadyFromMs)} after start-up`;
  if (rise >= material && endLow - base <= Math.max(material / 2, 0.2 * rise)) {
    return {
      verdict: 'no-leak',
      reason: `memory rose to ${formatBytes(peak)}, ${formatBytes(peak - base)} above its baseline of ${formatBytes(base)}, but came back to ${formatBytes(endLow)} by the end: it is freed`,
      ...figures,
      figures: extra,
    };
  }
  if (fit.highBytesPerSec * sec < material) {
    const shape = rise < material ? 'stayed flat' : 'showed no upward trend';
    return {
      verdict: 'no-leak',
      reason: `memory ${shape} over ${over}: ${rate(figures.slopeBytesPerSec)} (${ci}) adds under the ${formatBytes(extra.materialBytes)} that would matter over that time`,
      ...figures,
      figures: extra,
    };
  }
  const lateFrom = from + T / 2;
  const late = theilSen(window(steady, lateFrom, tEnd));
  extra.lateFromMs = roundMs(lateFrom);
  extra.lateSlopeBytesPerSec = late === null ? null : round(late.slopeBytesPerSec);
  // Grew, then held level until the exit: the last half added less than matters. Said before the slope's
  // significance, which a rise-then-plateau often lacks (the pairs across the plateau have slope 0).
  if (endsAtExit && rise >= material && late !== null && (Math.max(0, late.slopeBytesPerSec) * (tEnd - lateFrom)) / 1000 < material) {
    const lastPart = secs(figures.steadyToMs - extra.lateFromMs);
    extra.lateGrowthBytes = round((Math.max(0, extra.lateSlopeBytesPerSec!) * (figures.steadyToMs - extra.lateFromMs)) / 1000);
    const after =
      extra.lateSlopeBytesPerSec! < 0
        ? `then stopped growing (it fell at ${rate(-extra.lateSlopeBytesPerSec!)} over the last ${lastPart})`
        : extra.lateSlopeBytesPerSec === 0
          ? `then held level over the last ${lastPart}`
          : `then levelled off (${rate(extra.lateSlopeBytesPerSec!)} over the last ${lastPart} adds ${formatBytes(extra.lateGrowthBytes)}, under the ${formatBytes(extra.materialBytes)} that would matter)`;
    return {
      verdict: 'no-leak',
      reason: `memory grew to ${formatBytes(peak)} ${after} and did not climb again before it exited: what the program needed, not a leak`,
      ...figures,
      figures: extra,
    };
  }
  if (fit.lowBytesPerSec <= 0) {
    return {
      verdict: 'inconclusive',
      reason: `memory ended ${formatBytes(endLow - base)} above its baseline of ${formatBytes(base)} but the slope over ${over}, ${rate(figures.slopeBytesPerSec)}, is not significant (${ci} includes zero)`,
      ...figures,
      figures: extra,
    };
  }
  const floors = theilSen(segmentQuantiles(steady, from, tEnd, FLOOR_SEGMENTS, LOW_Q));
  extra.floorSlopeBytesPerSec = floors === null ? null : round(floors.slopeBytesPerSec);
  if (floors === null || floors.slopeBytesPerSec < s / 2) {
    return {
      verdict: 'inconclusive',
      reason: `memory rose at ${rate(figures.slopeBytesPerSec)} on average but its low points rose only ${rate(extra.floorSlopeBytesPerSec ?? 0)}: a sawtooth or phases, not a steady leak`,
      ...figures,
      figures: extra,
    };
  }
  // Slowing down is not levelling off: at an exit, growth that still added M in the last half grew until exit.
  if (!endsAtExit && (late === null || late.slopeBytesPerSec < s / 2)) {
    return {
      verdict: 'inconclusive',
      reason: `memory grew at ${rate(figures.slopeBytesPerSec)} then levelled off (${rate(extra.lateSlopeBytesPerSec ?? 0)} in the last ${secs(figures.steadyToMs - extra.lateFromMs)}): a warm-up, a bounded cache or phases, not a leak so far`,
      ...figures,
      figures: extra,
    };
  }
  // Repeated work shows as cycles of use and release, or as rises between rests (a request, then idle, again).
  const c = releaseCycles(steady, Math.max(material, NOISE_FACTOR * typicalStep(steady)));
  const cycles = c.tMs;
  // Repeated work releases like amounts each time; a growing table that doubles (python's dict, a vector) releases
  // its old copy at each resize, each twice the last: growth, not rounds of work.
  extra.cycleSizeSpread = quartileRatio(c.bytes);
  const cyclesAlike = extra.cycleSizeSpread !== null && extra.cycleSizeSpread <= CYCLE_ALIKE;
  const r = risesBetweenRests(steady, REST_MS);
  const rounds = r.tMs;
  extra.riseSizeSpread = quartileRatio(r.bytes);
  extra.riseIntervalSpread = quartileRatio(rounds.slice(1).map((t, i) => t - rounds[i]!));
  const regular =
    extra.riseSizeSpread !== null &&
    extra.riseIntervalSpread !== null &&
    extra.riseSizeSpread <= REGULAR &&
    extra.riseIntervalSpread <= REGULAR;
  extra.maxGapMs = roundMs(MAX_CYCLE_GAP_FRACTION * T);
  const spread = (ts: readonly number[], min: number): boolean => ts.length >= min && largestGap([from, ...ts, tEnd]) <= extra.maxGapMs!;
  extra.cycles = cycles.length;
  extra.cycleGapMs = roundMs(largestGap([from, ...cycles, tEnd]));
  extra.risesBetweenRests = rounds.length;
  extra.riseGapMs = roundMs(largestGap([from, ...rounds, tEnd]));
  const climb = `from a baseline of ${formatBytes(base)} to ${formatBytes(endLow)} (${formatBytes(endLow - base)} more)`;
  const repeated =
    spread(cycles, MIN_CYCLES) && cyclesAlike
      ? `${cycles.length} cycles of use and release`
      : spread(rounds, MIN_RISES) && regular
        ? `${rounds.length} rises of like size at like intervals, each after a rest of ≥ ${secs(REST_MS)}`
        : null;
  if (repeated !== null) {
    return {
      verdict: 'leak',
      reason: `memory kept climbing over repeated work (${repeated}, none more than ${secs(extra.maxGapMs)} apart), where it should stay level: ${rate(figures.slopeBytesPerSec)} (${ci}) over ${over}, ${climb}, never back to its baseline`,
      ...figures,
      figures: extra,
    };
  }
  if (endsAtExit) {
    return {
      verdict: 'grows-until-exit',
      reason: `grew until it exited, with no steady phase to judge a leak by: ${rate(figures.slopeBytesPerSec)} (${ci}) over ${over}, ${climb}, up to ${formatBytes(peak)}, with no rounds of repeated work seen (${cycles.length} cycle${cycles.length === 1 ? '' : 's'} of use and release${cycles.length >= MIN_CYCLES && !cyclesAlike ? ' of unlike sizes' : ''}, ${rounds.length} rise${rounds.length === 1 ? '' : 's'} after a rest${rounds.length >= MIN_RISES && !regular ? ', not regular' : ''}; a leak needs ≥ ${MIN_CYCLES} cycles of like size or ≥ ${MIN_RISES} regular rises, spread over the run)${gaveBack}`,
      ...figures,
      figures: extra,
    };
  }
  return {
    verdict: 'leak',
    reason: `memory grew steadily at ${rate(figures.slopeBytesPerSec)} (${ci}) over ${over}, ${climb}, and was still growing when the observation ended`,
    ...figures,
    figures: extra,
  };
}

/**
 * Cycles of use and release: the times of falls of at least `drop` below the running high, each fall counted only
 * once the series has risen `drop` above its low since the previous fall (hysteresis: noise under `drop` counts none),
 * and the size of each release (the high before it less the low it reached).
 */
export function releaseCycles(s: Series, drop: number): { tMs: number[]; bytes: number[] } {
  const falls: number[] = [];
  const sizes: number[] = [];
  let hi = -Infinity;
  let lo = Infinity;
  let falling = false;
  for (let i = 0; i < s.tMs.length; i++) {
    const v = s.bytes[i]!;
    if (!falling) {
      if (v > hi) hi = v;
      else if (hi - v >= drop) {
        falling = true;
        lo = v;
        falls.push(s.tMs[i]!);
      }
    } else if (v < lo) lo = v;
    else if (v - lo >= drop) {
      falling = false;
      sizes.push(hi - lo);
      hi = v;
    }
  }
  if (falling) sizes.push(hi - lo);
  return { tMs: falls, bytes: sizes };
}

/**
 * Rounds of work between rests: a rest is a stretch of ≥ `restMs` over which the series does not change; returns the
 * start of each rest whose level is above the previous rest's (memory rose in between and stayed), and the rise.
 */
export function risesBetweenRests(s: Series, restMs: number): { tMs: number[]; bytes: number[] } {
  const rises: number[] = [];
  const sizes: number[] = [];
  let prev: number | null = null;
  const n = s.tMs.length;
  for (let a = 0; a < n; ) {
    const level = s.bytes[a]!;
    let b = a;
    while (b + 1 < n && s.bytes[b + 1] === level) b++;
    if (s.tMs[b]! - s.tMs[a]! >= restMs) {
      if (prev !== null && level > prev) {
        rises.push(s.tMs[a]!);
        sizes.push(level - prev);
      }
      prev = level;
    }
    a = b + 1;
  }
  return { tMs: rises, bytes: sizes };
}

/** Upper over lower quartile (2 decimals): 1 for values all alike; null with fewer than 2 or a lower quartile of 0. */
function quartileRatio(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const lo = quantile(xs, 0.25)!;
  return lo > 0 ? Math.round((quantile(xs, 0.75)! / lo) * 100) / 100 : null;
}

/** Median |Δ| between consecutive samples: how much the series moves by itself from one reading to the next. */
function typicalStep(s: Series): number {
  const d: number[] = [];
  for (let i = 1; i < s.bytes.length; i++) d.push(Math.abs(s.bytes[i]! - s.bytes[i - 1]!));
  return quantile(d, 0.5) ?? 0;
}

function largestGap(ts: readonly number[]): number {
  let g = 0;
  for (let i = 1; i < ts.length; i++) g = Math.max(g, ts[i]! - ts[i - 1]!);
  return g;
}

/**
 * When the series, after its peak, only goes down (never rising `tol` above its low since) and ends at least `tol`
 * below the peak without having settled there for `heldMs`, the fall is the program freeing as it exits: returns
 * when it began (the last time memory stood within `tol` of the peak). null when there is no such fall, or memory came back and stayed (judged as returned).
 */
export function releaseAtExit(s: Series, tol: number, heldMs: number): number | null {
  const n = s.tMs.length;
  if (n < 3) return null;
  let p = 0;
  for (let i = 1; i < n; i++) if (s.bytes[i]! > s.bytes[p]!) p = i;
  const peak = s.bytes[p]!;
  let lo = peak;
  for (let i = p + 1; i < n; i++) {
    const v = s.bytes[i]!;
    if (v < lo) lo = v;
    else if (v - lo > tol) return null;
  }
  const last = s.bytes[n - 1]!;
  if (peak - last < tol) return null;
  let k = n - 1;
  while (k > p && Math.abs(s.bytes[k]! - last) <= tol) k--;
  if (s.tMs[n - 1]! - s.tMs[k + 1]! >= heldMs) return null;
  // The fall starts where memory last stood within `tol` of its peak: a plateau before it is judged, not cut.
  let q = n - 1;
  while (q > p && s.bytes[q]! < peak - tol) q--;
  return s.tMs[q]!;
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
