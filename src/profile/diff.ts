// Two profiles compared site by site (self bytes at the peak, grouped by function and file), with a gate on the
// growth of the total peak for CI: `membench profile diff A B --fail-above 10%`.
import { siteRows } from './model.js';
import type { ProfileDocument } from '../document/profile.js';

export interface SiteDiff {
  readonly site: string;
  readonly beforeBytes: number;
  readonly afterBytes: number;
  readonly deltaBytes: number;
  readonly change: 'new' | 'gone' | 'grew' | 'shrank' | 'same';
}

export interface ProfileDiff {
  readonly before: { readonly source: string; readonly profiler: string; readonly peakBytes: number };
  readonly after: { readonly source: string; readonly profiler: string; readonly peakBytes: number };
  readonly deltaBytes: number;
  /** (after − before) / before; null when before is 0. */
  readonly deltaRatio: number | null;
  /** Sorted by |delta|, largest first. */
  readonly sites: readonly SiteDiff[];
  readonly notes: readonly string[];
}

export function diffProfiles(before: ProfileDocument, after: ProfileDocument): ProfileDiff {
  const a = new Map(siteRows(before.stacks, 'self').map((r) => [r.site, r.peakBytes]));
  const b = new Map(siteRows(after.stacks, 'self').map((r) => [r.site, r.peakBytes]));
  const sites: SiteDiff[] = [...new Set([...a.keys(), ...b.keys()])].map((site) => {
    const x = a.get(site) ?? 0;
    const y = b.get(site) ?? 0;
    const change = !a.has(site) ? 'new' : !b.has(site) ? 'gone' : y > x ? 'grew' : y < x ? 'shrank' : 'same';
    return { site, beforeBytes: x, afterBytes: y, deltaBytes: y - x, change };
  });
  sites.sort((p, q) => Math.abs(q.deltaBytes) - Math.abs(p.deltaBytes) || p.site.localeCompare(q.site));
  const notes: string[] = [];
  if (before.profiler !== after.profiler)
    notes.push(`different profilers (${before.profiler} vs ${after.profiler}) measure different things; sites may not line up`);
  const deltaBytes = after.peakBytes - before.peakBytes;
  return {
    before: { source: before.source, profiler: before.profiler, peakBytes: before.peakBytes },
    after: { source: after.source, profiler: after.profiler, peakBytes: after.peakBytes },
    deltaBytes,
    deltaRatio: before.peakBytes > 0 ? deltaBytes / before.peakBytes : null,
    sites,
    notes,
  };
}

/** The gate: the total peak grew by more than `ratio` of the before peak (any growth from 0 fails). */
export function exceedsGate(d: ProfileDiff, ratio: number): boolean {
  return d.deltaRatio === null ? d.deltaBytes > 0 : d.deltaRatio > ratio;
}
