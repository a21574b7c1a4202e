// The sampler's interval policy in one place: from what a run, a suite or a watch asks, every tier's interval,
// the PSS budget, and the tick counts the worker threads go by.

/** Share of one core the PSS tier may take when its interval is not fixed (see SamplerConfig.pssBudget). */
export const PSS_BUDGET = 0.02;
/**
 * Share of each fast tick the per-process statm reads of a big tree may take before they are read in turn (carried):
 * ~2.5 µs a read here, so about 8 processes at 1 ms; a bigger tree reads that many per tick and carries the others
 * (fast-ticker.ts, native/sampler.c). 2 %, not 5 %: the tree figure is the cgroup counter read whole every tick, and a
 * tree of 2000 cost 12 % of a core in the native helper at 5 % (issue 20: ≤ 25 % for the whole tool).
 */
export const STATM_BUDGET = 0.02;
/**
 * A tree of more processes than this is big: the automatic budgets below (statm, membership, status, PSS past 10×,
 * smaps captures) apply only then, so a normal tree is sampled as asked, every figure at its tier's interval.
 */
export const BIG_TREE_PROCESSES = 32;
/** Share of each fast tick the cgroup.procs re-read may take (cgroup backend): a big group is re-read every few ticks. */
export const MEMBERSHIP_BUDGET = 0.02;
/**
 * A quiet tree's membership (cgroup backend): once no member's statm, the cgroup usage or the member list has moved for
 * `afterMs`, cgroup.procs (which finds new processes) is re-read every `everyMs` instead of every tick, and at every
 * tick again as soon as anything moves. It was ~6 % of the native helper's CPU on an idle 6-process tree (issue 20);
 * a fork in a quiet tree is seen up to `everyMs` late (its VmHWM, read when it is found, still holds its peak), and a
 * process that ends is seen at the next tick by its own statm read, as before.
 */
export const MEMBERSHIP_QUIET = { afterMs: 200, everyMs: 4 } as const;
/** Share of the main thread the smaps capture (per-mapping breakdown near the peak) may take: a big tree's capture is spaced out. */
export const SMAPS_CAPTURE_BUDGET = 0.02;
/** Share of one core the status tier (status ×N + memory.stat) may take; a huge tree stretches its interval to stay within. */
export const STATUS_BUDGET = 0.02;
/**
 * Adaptive status reads: /proc/PID/status of a process is read at the status pass after statm showed its RSS or VSZ
 * moved (VmHWM, VmRSS and VmData cannot move otherwise; an exec moves VSZ), and at least this often for the rest (a rise
 * and fall between two statm reads that left statm where it was: VmHWM never falls, so a late read still has it);
 * memory.stat when the cgroup usage moved, and at least this often. 1 Hz, as the PSS floor: each wake-up of the slow
 * thread costs ~0.1–0.2 ms of CPU on a small VM, and at 5 Hz the floors were a third of its cost on a held tree.
 */
export const STATUS_FLOOR_MS = 1000;
/**
 * PSS by change: a process's smaps_rollup (PSS, USS, swap) is re-read at the PSS pass after its statm or VmRSS moved
 * (and, in a tree of at most BIG_TREE_PROCESSES, after the membership or the cgroup usage moved: fork, exit and
 * copy-on-write move shares without moving statm), and at least this often for the rest (pages shared with processes
 * outside the tree changing hands). 1 Hz.
 */
export const PSS_FLOOR_MS = 1000;
/**
 * A big tree's PSS tier stretches to this many times its interval at most (20 s at 50 ms): a pass over 2000 processes
 * costs ~170 ms here, 8 s of a 2 % budget.
 */
export const PSS_MAX_STRETCH = 400;
/** The status tier stretches to this many times its interval at most (a huge tree thins it, never silences it). */
export const STATUS_MAX_STRETCH = 100;

/** run: the PSS tier starts here and stretches to stay within PSS_BUDGET. */
export const RUN_PSS_INTERVAL_MS = 50;
/** run: the status tier (VmHWM, VmSwap) at 100 Hz at most, and never slower than the PSS tier. */
export const RUN_STATUS_INTERVAL_MS = 10;
/** run: the /proc marker scan (new processes of the tree) at 20 Hz at most. */
export const RUN_MARKER_SCAN_MS = 50;
/** suite: 1 ms keeps the proc backend's sampled peak close (the cgroup peak counter is exact at any interval). */
export const SUITE_INTERVAL_MS = 1;
/** watch: an attached process is watched for long; its slow tiers run at 20 Hz, 2 Hz and 1 Hz at most. */
export const WATCH_STATUS_INTERVAL_MS = 50;
export const WATCH_PSS_INTERVAL_MS = 500;
export const WATCH_MARKER_SCAN_MS = 1000;

/** Every interval one sampler goes by, in ms of wall time. */
export interface SamplerSettings {
  readonly intervalMs: number;
  readonly statusIntervalMs: number;
  readonly pssIntervalMs: number;
  /** Share of wall time the PSS tier may take; null when the user fixed its interval (--pss-interval). */
  readonly pssBudget: number | null;
  readonly markerScanIntervalMs: number;
}

export type SamplerRequest =
  /** `membench run`: --interval, and --pss-interval when given (null: the default, stretched by the budget). */
  | { readonly use: 'run'; readonly intervalMs: number; readonly pssIntervalMs: number | null }
  /** A suite's command benchmarks: fixed settings. */
  | { readonly use: 'suite' }
  /** `membench watch`: --interval. */
  | { readonly use: 'watch'; readonly intervalMs: number };

/** The settings for one use; no tier runs faster than the fast tier. */
export function samplerSettings(r: SamplerRequest): SamplerSettings {
  switch (r.use) {
    case 'run': {
      const pssIntervalMs = r.pssIntervalMs ?? Math.max(r.intervalMs, RUN_PSS_INTERVAL_MS);
      return {
        intervalMs: r.intervalMs,
        statusIntervalMs: Math.max(r.intervalMs, Math.min(RUN_STATUS_INTERVAL_MS, pssIntervalMs)),
        pssIntervalMs,
        pssBudget: r.pssIntervalMs === null ? PSS_BUDGET : null,
        markerScanIntervalMs: Math.max(RUN_MARKER_SCAN_MS, r.intervalMs),
      };
    }
    case 'suite':
      return samplerSettings({ use: 'run', intervalMs: SUITE_INTERVAL_MS, pssIntervalMs: null });
    case 'watch':
      return {
        intervalMs: r.intervalMs,
        statusIntervalMs: Math.max(r.intervalMs, WATCH_STATUS_INTERVAL_MS),
        pssIntervalMs: Math.max(r.intervalMs, WATCH_PSS_INTERVAL_MS),
        pssBudget: PSS_BUDGET,
        markerScanIntervalMs: Math.max(WATCH_MARKER_SCAN_MS, r.intervalMs),
      };
  }
}

/** The settings alone, out of a wider options object (so they are not copied field by field). */
export function settingsOf(o: SamplerSettings): SamplerSettings {
  const { intervalMs, statusIntervalMs, pssIntervalMs, pssBudget, markerScanIntervalMs } = o;
  return { intervalMs, statusIntervalMs, pssIntervalMs, pssBudget, markerScanIntervalMs };
}

/** Every how many fast ticks each slower tier runs: the nearest whole number, at least every tick. */
export interface TickCounts {
  readonly statusEveryTicks: number;
  readonly pssEveryTicks: number;
  readonly markerScanEveryTicks: number;
}

export function tickCounts(s: SamplerSettings): TickCounts {
  const every = (ms: number): number => Math.max(1, Math.round(ms / s.intervalMs));
  return {
    statusEveryTicks: every(s.statusIntervalMs),
    pssEveryTicks: every(s.pssIntervalMs),
    markerScanEveryTicks: every(s.markerScanIntervalMs),
  };
}
