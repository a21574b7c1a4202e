// limitMemory / limitLeaks: memory as an assertion inside any test runner (pytest-memray's limit_memory and
// limit_leaks for JavaScript). Figures from V8 (heap used + external) around full collections, sites from the
// sampling heap profiler; a failure throws node's AssertionError naming the limit, the figure and the sites.
import { AssertionError } from 'node:assert';
import { Session } from 'node:inspector/promises';
import { GCProfiler } from 'node:v8';
import { parseSizeBytes } from '../cli/parse-values.js';
import { formatBytes, formatMs } from '../units.js';
import { collectGarbage, readPeakRssBytes, resetPeakRss } from './marks.js';
import { renderSites, startSiteProfile, type AllocationSite, type SiteMode, type SiteProfile } from './limit-sites.js';

export type { AllocationSite } from './limit-sites.js';

/** A limit as bytes or as text: "10 MiB", "64 KiB", "512K", "1G" (K/M/G are powers of 1024). */
export type MemoryLimit = number | string;

export interface SiteOptions {
  /** Allocation sites for the failure message: false turns the profiler off (and its cost). Default true. */
  readonly sites?: boolean;
  /** Sites listed in a failure message. Default 5. */
  readonly topSites?: number;
  /** Mean bytes between samples of the sampling heap profiler. Default 16384. */
  readonly samplingIntervalBytes?: number;
}

export interface LimitMemoryOptions extends SiteOptions {
  /**
   * 'heap' (default): peak of V8 heap used + external (Buffers, ArrayBuffers) during the call, over the level after
   * a full collection before it. 'rss': peak resident set (VmHWM) over the RSS before it — counts memory outside
   * V8's accounting (native addons, allocator slack) and everything else the process touches; Linux only.
   */
  readonly measure?: 'heap' | 'rss';
}

export interface LimitLeaksOptions extends SiteOptions {
  /** Calls before measuring, results dropped: lazy initialisation and compiled code are not counted. Default 1. */
  readonly warmups?: number;
  /** Measured calls; the verdict is on their median. Default 3. */
  readonly repeats?: number;
}

export interface MemoryLimitResult {
  readonly kind: 'limitMemory';
  readonly measure: 'heap' | 'rss';
  readonly limitBytes: number;
  /** The judged figure: peak over the level before the call (heap: heap used + external; rss: VmHWM − RSS). */
  readonly peakBytes: number;
  /** heap: V8 heap used at the peak over before (garbage not yet collected included); null for rss. */
  readonly peakHeapUsedBytes: number | null;
  /** heap: external memory at the peak over before; null for rss. */
  readonly peakExternalBytes: number | null;
  /** heap used + external after the call and a full collection, over before (what the call left reachable). */
  readonly retainedBytes: number;
  /** Garbage collections V8 ran during the call (each one a point where the peak was read). */
  readonly gcCount: number;
  readonly durationMs: number;
  readonly passed: boolean;
  /** Largest first; empty when sites were off or none was sampled. */
  readonly sites: readonly AllocationSite[];
}

export interface LeakLimitResult {
  readonly kind: 'limitLeaks';
  readonly limitBytes: number;
  /** The judged figure: median of retainedPerRepeatBytes (a lazy cache filled in one repeat does not move it). */
  readonly leakedBytes: number;
  /** heap used + external after each measured call and a full collection, over the level before it. */
  readonly retainedPerRepeatBytes: readonly number[];
  readonly warmups: number;
  readonly repeats: number;
  readonly durationMs: number;
  readonly passed: boolean;
  readonly sites: readonly AllocationSite[];
}

/** The AssertionError a failed limit throws; `measurement` is the whole result. */
export interface MemoryLimitError extends AssertionError {
  readonly measurement: MemoryLimitResult | LeakLimitResult;
}

const DEFAULT_SAMPLING_BYTES = 16 * 1024;
const DEFAULT_TOP_SITES = 5;

export function parseLimit(limit: MemoryLimit, what = 'limit'): number {
  if (typeof limit === 'number') {
    if (!Number.isFinite(limit) || limit <= 0) throw new RangeError(`${what}: ${limit} is not a number of bytes above zero`);
    return Math.round(limit);
  }
  try {
    return parseSizeBytes(what, limit);
  } catch (e) {
    throw new RangeError(`${(e as Error).message} (write e.g. "10 MiB", "64 KiB" or a number of bytes)`);
  }
}

function positiveInt(name: string, v: number | undefined, dflt: number, min: number): number {
  const n = v ?? dflt;
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${name}: ${n} is not a whole number ≥ ${min}`);
  return n;
}

/** A full collection: the one marks.ts reaches (--expose-gc set at run time), else the inspector's. */
export async function fullCollection(session: Session, collect: () => boolean = collectGarbage): Promise<void> {
  if (!collect()) {
    await session.post('HeapProfiler.collectGarbage');
    await session.post('HeapProfiler.collectGarbage');
  }
}

let machineryWarm = false;

/** Runs once what a measurement calls, so first-use costs (the gc context, compiled code) are not counted. */
async function warmMachinery(session: Session): Promise<void> {
  if (machineryWarm) return;
  const g = new GCProfiler();
  g.start();
  await fullCollection(session);
  process.memoryUsage();
  readPeakRssBytes();
  g.stop();
  machineryWarm = true;
}

const level = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

interface Sites {
  readonly profile: SiteProfile | null;
  readonly note: string | null;
}

async function startSites(session: Session, opts: SiteOptions, mode: SiteMode): Promise<Sites> {
  if (opts.sites === false) return { profile: null, note: 'sites: off (the sites: false option)' };
  const interval = positiveInt('samplingIntervalBytes', opts.samplingIntervalBytes, DEFAULT_SAMPLING_BYTES, 1);
  const p = await startSiteProfile(session, mode, interval);
  return typeof p === 'string' ? { profile: null, note: p } : { profile: p, note: null };
}

function fail(message: string, measurement: MemoryLimitResult | LeakLimitResult, stackStart: (...args: never[]) => unknown): never {
  const e = new AssertionError({
    message,
    actual: 'peakBytes' in measurement ? measurement.peakBytes : measurement.leakedBytes,
    expected: measurement.limitBytes,
    operator: '<=',
    stackStartFn: stackStart,
  });
  Object.defineProperty(e, 'measurement', { value: measurement, enumerable: false });
  throw e;
}

function sitesBlock(sites: Sites, list: readonly AllocationSite[], mode: SiteMode, opts: SiteOptions): string {
  return renderSites(
    list,
    mode,
    sites.profile?.samplingIntervalBytes ?? DEFAULT_SAMPLING_BYTES,
    positiveInt('topSites', opts.topSites, DEFAULT_TOP_SITES, 1),
    sites.note,
  );
}

/**
 * Runs `fn` once and fails (AssertionError) when the memory it needed at its peak is above `limit`:
 *
 *   await limitMemory('10 MiB', async () => { await importCsv(rows) });
 *
 * heap (default): the peak of V8 heap used + external between the full collection before the call and its end,
 * read before every collection V8 runs during the call and at its end — heap used only grows between
 * collections, so this is the exact peak of heap used, garbage not yet collected included. Returns the figures.
 */
export async function limitMemory(limit: MemoryLimit, fn: () => unknown, opts: LimitMemoryOptions = {}): Promise<MemoryLimitResult> {
  const limitBytes = parseLimit(limit);
  const measure = opts.measure ?? 'heap';
  if (measure !== 'heap' && measure !== 'rss') throw new RangeError(`measure: "${String(measure)}" is not 'heap' or 'rss'`);
  const session = new Session();
  session.connect();
  try {
    await warmMachinery(session);
    const sites = await startSites(session, opts, 'allocated');
    const gcs = new GCProfiler();
    await fullCollection(session);
    if (measure === 'rss' && !resetPeakRss())
      throw new Error("limitMemory measure: 'rss' needs /proc/self/clear_refs (Linux ≥ 4.0) to reset the peak: use measure: 'heap' here");
    const before = process.memoryUsage();
    const base = before.heapUsed + before.external;
    gcs.start();
    const t0 = performance.now();
    await fn();
    const durationMs = performance.now() - t0;
    const peakRss = measure === 'rss' ? readPeakRssBytes() : null;
    const end = process.memoryUsage();
    const stats = gcs.stop()?.statistics ?? [];
    let peakHeap = end.heapUsed;
    let peakExternal = end.external;
    for (const s of stats) {
      const h = s.beforeGC.heapStatistics as { usedHeapSize: number; externalMemory: number };
      if (h.usedHeapSize + h.externalMemory > peakHeap + peakExternal) {
        peakHeap = h.usedHeapSize;
        peakExternal = h.externalMemory;
      }
    }
    const list = sites.profile ? await sites.profile.stop() : [];
    await fullCollection(session);
    const retainedBytes = level() - base;
    const peakBytes = measure === 'rss' ? (peakRss ?? 0) - before.rss : peakHeap + peakExternal - base;
    const result: MemoryLimitResult = {
      kind: 'limitMemory',
      measure,
      limitBytes,
      peakBytes,
      peakHeapUsedBytes: measure === 'heap' ? peakHeap - before.heapUsed : null,
      peakExternalBytes: measure === 'heap' ? peakExternal - before.external : null,
      retainedBytes,
      gcCount: stats.length,
      durationMs,
      passed: peakBytes <= limitBytes,
      sites: list,
    };
    if (!result.passed) {
      const what =
        measure === 'heap'
          ? `V8 heap used ${formatBytes(result.peakHeapUsedBytes)} (garbage not yet collected included) + external ${formatBytes(result.peakExternalBytes)}, over the level after a full collection before the call; read at ${stats.length} collection${stats.length === 1 ? '' : 's'} and at the end`
          : 'resident set high-water mark (VmHWM) over the RSS before the call';
      fail(
        `limitMemory: peak ${formatBytes(peakBytes)} is above the limit of ${formatBytes(limitBytes)} (${what}; the call took ${formatMs(durationMs)})\n${sitesBlock(sites, list, 'allocated', opts)}`,
        result,
        limitMemory,
      );
    }
    return result;
  } finally {
    session.disconnect();
  }
}

/** Median of a non-empty list (mean of the middle two for an even count), rounded to a byte. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return Math.round(s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
}

/**
 * Calls `fn` warmups + repeats times and fails (AssertionError) when what one call leaves reachable — heap used +
 * external after a full collection, over the level before it, median over the repeats — is above `limit`:
 *
 *   await limitLeaks('64 KiB', () => server.handle(request), { warmups: 1, repeats: 3 });
 *
 * What `fn` returns is dropped; keep nothing from it in the test, or it counts.
 */
export async function limitLeaks(limit: MemoryLimit, fn: () => unknown, opts: LimitLeaksOptions = {}): Promise<LeakLimitResult> {
  const limitBytes = parseLimit(limit);
  const warmups = positiveInt('warmups', opts.warmups, 1, 0);
  const repeats = positiveInt('repeats', opts.repeats, 3, 1);
  const session = new Session();
  session.connect();
  try {
    await warmMachinery(session);
    for (let i = 0; i < warmups; i++) await fn();
    const sites = await startSites(session, opts, 'live');
    const t0 = performance.now();
    await fullCollection(session);
    let prev = level();
    const retainedPerRepeatBytes: number[] = [];
    for (let i = 0; i < repeats; i++) {
      await fn();
      await fullCollection(session);
      const now = level();
      retainedPerRepeatBytes.push(now - prev);
      prev = now;
    }
    const durationMs = performance.now() - t0;
    const list = sites.profile ? await sites.profile.stop() : [];
    const leakedBytes = median(retainedPerRepeatBytes);
    const result: LeakLimitResult = {
      kind: 'limitLeaks',
      limitBytes,
      leakedBytes,
      retainedPerRepeatBytes,
      warmups,
      repeats,
      durationMs,
      passed: leakedBytes <= limitBytes,
      sites: list,
    };
    if (!result.passed) {
      const each = retainedPerRepeatBytes.map((b) => formatBytes(b)).join(', ');
      fail(
        `limitLeaks: ${formatBytes(leakedBytes)} left reachable per call is above the limit of ${formatBytes(limitBytes)} (median of ${repeats} repeat${repeats === 1 ? '' : 's'}: ${each}; V8 heap used + external after full collections, after ${warmups} warm-up call${warmups === 1 ? '' : 's'})\n${sitesBlock(sites, list, 'live', opts)}`,
        result,
        limitLeaks,
      );
    }
    return result;
  } finally {
    session.disconnect();
  }
}
