// Allocation sites for limitMemory / limitLeaks: V8's sampling heap profiler driven through node:inspector, its
// profile read by the .heapprofile parser, and the sites (file:line:function) listed like pytest-memray does.
import type { Session } from 'node:inspector/promises';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseV8HeapProfile } from '../profile/v8.js';
import type { Frame, Stack } from '../document/profile.js';
import { formatBytes } from '../units.js';

export interface AllocationSite {
  /** file:line:function of the innermost frame in the user's code (not node's internals, not membench); line is the function's first line (V8 samples per function). */
  readonly site: string;
  /** The innermost frame when it is not the site itself (e.g. node:buffer:…:alloc), else null. */
  readonly via: string | null;
  /** The site's caller in the user's code, when there is one. */
  readonly caller: string | null;
  /** False when no frame of the stack is the user's (node's internals, membench's own bookkeeping). */
  readonly user: boolean;
  /** Sampled bytes: an estimate, each sample stands for about samplingIntervalBytes of allocation. */
  readonly bytes: number;
  readonly samples: number;
}

/** 'allocated': every sampled allocation of the call, freed or not (for peaks); 'live': only what is still reachable. */
export type SiteMode = 'allocated' | 'live';

export interface SiteProfile {
  readonly mode: SiteMode;
  readonly samplingIntervalBytes: number;
  /** Stops sampling and returns the sites, largest first. */
  stop(): Promise<AllocationSite[]>;
}

const OWN_DIR = fileURLToPath(new URL('.', import.meta.url));

/** One frame as file:line:function, the file relative to the working directory when it is inside it. */
export function frameText(f: Frame): string {
  let file = f.file ?? '(native)';
  if (file.startsWith('/')) {
    const rel = relative(process.cwd(), file);
    if (!rel.startsWith(`..${sep}`) && rel !== '..') file = rel;
  }
  return `${file}${f.line !== null ? `:${f.line}` : ''}:${f.function}`;
}

const isUserFrame = (f: Frame): boolean => f.file !== null && !f.file.startsWith('node:') && !f.file.startsWith(OWN_DIR);

/** Groups sampled stacks by their innermost user frame; sorted by bytes, then by site. */
export function allocationSites(stacks: readonly Stack[]): AllocationSite[] {
  const bySite = new Map<
    string,
    { site: string; via: string | null; caller: string | null; user: boolean; bytes: number; samples: number }
  >();
  for (const s of stacks) {
    const frames = s.frames;
    let i = frames.length - 1;
    while (i >= 0 && !isUserFrame(frames[i]!)) i--;
    const user = i >= 0;
    if (!user) i = frames.length - 1;
    const site = frameText(frames[i]!);
    const via = i === frames.length - 1 ? null : frameText(frames[frames.length - 1]!);
    let j = i - 1;
    while (j >= 0 && !isUserFrame(frames[j]!)) j--;
    const caller = j >= 0 ? frameText(frames[j]!) : null;
    const key = `${site}\n${via ?? ''}`;
    const row = bySite.get(key) ?? { site, via, caller, user, bytes: 0, samples: 0 };
    row.bytes += s.peakBytes;
    row.samples += s.allocations ?? 0;
    bySite.set(key, row);
  }
  // The user's sites first: node's internals and membench's bookkeeping during the call only follow them.
  return [...bySite.values()].sort((a, b) => Number(b.user) - Number(a.user) || b.bytes - a.bytes || a.site.localeCompare(b.site));
}

/**
 * Starts the sampling heap profiler on this isolate. Null (and the reason) when it cannot run: another session
 * already samples, or the inspector is not built in.
 */
export async function startSiteProfile(session: Session, mode: SiteMode, samplingIntervalBytes: number): Promise<SiteProfile | string> {
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: samplingIntervalBytes,
      includeObjectsCollectedByMajorGC: mode === 'allocated',
      includeObjectsCollectedByMinorGC: mode === 'allocated',
    });
  } catch (e) {
    return `the sampling heap profiler did not start: ${(e as Error).message}`;
  }
  return {
    mode,
    samplingIntervalBytes,
    async stop() {
      // stopSampling returns the profile itself: a getSamplingProfile first would cost as much again (~5 ms).
      const { profile } = await session.post('HeapProfiler.stopSampling');
      const parsed = parseV8HeapProfile(JSON.stringify(profile), 'sampling heap profile');
      return allocationSites(parsed.stacks);
    },
  };
}

/** The "List of allocations" block of a failure message: the top `top` sites, one line each. */
export function renderSites(
  sites: readonly AllocationSite[],
  mode: SiteMode,
  samplingIntervalBytes: number,
  top: number,
  note: string | null,
): string {
  const what =
    mode === 'allocated' ? 'allocated during the call, freed or not' : 'allocated during the repeats and still reachable after them';
  const head = `List of allocations (${what}; V8 sampling heap profiler, one sample per ${formatBytes(samplingIntervalBytes)} on average, so figures are estimates; file:line is where the function starts):`;
  if (note !== null) return `${head}\n    ${note}`;
  const own = sites.filter((s) => s.user);
  const others = sites.filter((s) => !s.user);
  const othersBytes = others.reduce((a, s) => a + s.bytes, 0);
  const othersLine =
    others.length > 0
      ? [
          `    (and ${formatBytes(othersBytes)} at ${others.length} site${others.length === 1 ? '' : 's'} with no frame of your code: node's internals, the measurement itself)`,
        ]
      : [];
  if (own.length === 0) {
    return [
      head,
      '    no allocation of your code was sampled: the memory is outside the V8 heap (Buffer and ArrayBuffer contents, native addons) or below the sampling interval',
      ...othersLine,
    ].join('\n');
  }
  const shown = own.slice(0, top);
  const width = Math.max(...shown.map((s) => formatBytes(s.bytes).length));
  const lines = shown.map((s) => {
    const extra = [s.via ? `via ${s.via}` : null, s.caller ? `called from ${s.caller}` : null].filter((x) => x !== null).join(', ');
    return `    ${formatBytes(s.bytes).padStart(width)}  ${s.site}${extra ? `  (${extra})` : ''}`;
  });
  const rest = own.length - shown.length;
  const restLine =
    rest > 0
      ? [`    … and ${rest} more site${rest === 1 ? '' : 's'} (${formatBytes(own.slice(top).reduce((a, s) => a + s.bytes, 0))})`]
      : [];
  return [head, ...lines, ...restLine, ...othersLine].join('\n');
}
