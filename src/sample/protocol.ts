// What the main thread and the sampler worker share: the worker's config, the control slots, its output.
import type { ProcessGridOutput } from './process-grid.js';
import type { SchedPolicy } from '../probe/proc.js';

/** Slots of the Int32Array over the shared control buffer. */
export const CTRL = {
  /** 0 = waiting for the root pid, 1 = sampling, 2 = stop requested. */
  STATE: 0,
  ROOT_PID: 1,
  /** Processes of the tree alive at the last tick (as the backend sees them). */
  ALIVE: 2,
  TICKS: 3,
  /**
   * Drain requests: the main thread increments it; each thread, at the end of its next pass, posts what it
   * accumulated since the last drain ({ type: 'drain', seq, out }) and empties its buffers (see Sampler.drain).
   */
  DRAIN: 4,
  /** How many extra root pids follow from EXTRA_ROOTS (concurrent instances of one command). */
  EXTRA_ROOT_COUNT: 5,
  /**
   * Roots added while sampling: the main thread posts an AddRootsMessage to the fast thread, then increments this.
   * The fast thread compares it once per tick (no syscall) and only then takes the queued messages.
   */
  ROOTS_ADDED: 6,
  EXTRA_ROOTS: 8,
  MAX_EXTRA_ROOTS: 256,
  SLOTS: 8 + 256,
} as const;
export const STATE_WAITING = 0;
export const STATE_SAMPLING = 1;
export const STATE_STOP = 2;

/** Float64 slots of the shared live buffer (latest figures, for progress display). */
export const LIVE = { TREE_BYTES: 0, RSS_SUM_BYTES: 1, START_EPOCH_MS: 2, SLOTS: 4 } as const;

/**
 * Slots of the Int32Array over the shared member list the fast thread publishes for the slow one. CHANGED[i] is set
 * (1) by the fast thread when statm of the member at PIDS[i] shows its RSS or VSZ moved (VmHWM, VmRSS and VmData
 * cannot move otherwise); CHANGES counts those flags, so the slow thread looks at CHANGED only when it moved and
 * reads /proc/PID/status of the flagged members (adaptive status reads, slow-worker.ts). WAKE is bumped and notified
 * when anything the slow thread reads may have moved (a flag, the member list, the cgroup usage; a drain or a stop):
 * between its floor and PSS deadlines, an idle slow thread sleeps on it instead of waking every status interval.
 */
export const MEMBERS = { VERSION: 0, COUNT: 1, CHANGES: 2, WAKE: 3, PIDS: 4, MAX: 4096, CHANGED: 4 + 4096, SLOTS: 4 + 2 * 4096 } as const;

/** Main thread → fast thread: more roots to follow from the next tick on (Sampler.addRoots). */
export interface AddRootsMessage {
  readonly type: 'add-roots';
  readonly pids: readonly number[];
}

export type Membership =
  | { readonly kind: 'cgroup'; readonly procsFile: string }
  | { readonly kind: 'proc'; readonly markerEntry: string }
  /** The root pids alone, no descendants (`watch` without --children). */
  | { readonly kind: 'roots' };

/** A quiet tree's membership spacing (settings.ts MEMBERSHIP_QUIET). */
export interface MembershipQuiet {
  readonly afterMs: number;
  readonly everyMs: number;
}

export interface SamplerConfig {
  readonly procRoot: string;
  readonly pageSizeBytes: number;
  readonly intervalMs: number;
  /** Every how many ticks /proc/PID/status (VmHWM, VmData) and memory.stat are read. */
  readonly statusEveryTicks: number;
  /** Every how many ticks smaps_rollup (PSS, USS, swap) is read, at least. */
  readonly pssEveryTicks: number;
  /**
   * Share of wall time the PSS tier may take (settings.ts PSS_BUDGET): smaps_rollup walks page tables (~13 µs per MiB of
   * RSS here), so after each PSS pass the next one is pushed back until its cost fits. null = fixed interval.
   */
  readonly pssBudget: number | null;
  /**
   * At most this many statm reads per tick, members taken in turn, the others' last readings carried (0 = every
   * member every tick). A statm read costs ~2.3 µs here: 100 processes at 1 kHz is ~23 % of a core on its own.
   */
  readonly maxStatmPerTick: number;
  /**
   * With no maxStatmPerTick: share of each tick the statm reads may take (settings.ts STATM_BUDGET). A big tree then
   * reads statm of as many members as fit, in turn, at their measured cost (a tree of up to AUTO_STATM_WHOLE_TREE read whole; never fewer than AUTO_STATM_MIN_READS),
   * carrying the others. Absent or null: every member every tick.
   */
  readonly statmBudget?: number | null;
  /**
   * Share of one core the status tier may take (settings.ts STATUS_BUDGET): after each pass the next one is pushed
   * back until its cost fits, up to STATUS_MAX_STRETCH × its interval. Absent or null: fixed interval.
   */
  readonly statusBudget?: number | null;
  /** cgroup backend: share of each tick the cgroup.procs re-read may take (settings.ts MEMBERSHIP_BUDGET); absent or null: every tick. */
  readonly membershipBudget?: number | null;
  /** cgroup backend: a quiet tree's cgroup.procs re-read spacing (settings.ts MEMBERSHIP_QUIET); absent or null: every tick. */
  readonly membershipQuiet?: MembershipQuiet | null;
  /** Ask for SCHED_FIFO priority 1 for the fast thread (chrt; needs root or CAP_SYS_NICE), degrading to its nice. */
  readonly realtime: boolean;
  /** proc backend: every how many ticks /proc is scanned for re-parented processes carrying the marker. */
  readonly markerScanEveryTicks: number;
  readonly membership: Membership;
  /** cgroup usage file (v1 memory.usage_in_bytes, v2 memory.current), or null on the proc backend. */
  readonly usageFile: string | null;
  readonly memoryStatFile: string | null;
  readonly memoryStatVersion: 1 | 2;
  readonly control: SharedArrayBuffer;
  readonly live: SharedArrayBuffer;
  /** The member list (see MEMBERS), written by the fast thread, read by the slow one. */
  readonly members: SharedArrayBuffer;
  /** Buckets of the per-process VmRSS grid kept by the slow thread (process-grid.ts); 0 = not kept. */
  readonly processGridBuckets: number;
  /** native/bin/sampler to run the fast tier (native-fast.ts), or null: the JavaScript FastTicker, for nativeFallbackReason. */
  readonly nativeSampler: string | null;
  readonly nativeFallbackReason: string | null;
}

/** What the slow thread learned of one process. */
export interface SlowProcess {
  pid: number;
  name: string | null;
  ppid: number | null;
  cmdline: string | null;
  vmHwmBytes: number | null;
  maxVmDataBytes: number | null;
  maxPssBytes: number | null;
  maxUssBytes: number | null;
}

/** A part of the sampler read less often than asked, from when, in words (SamplingSchema.adaptations). */
export interface Adaptation {
  readonly what: 'statm' | 'membership' | 'status' | 'pss' | 'smaps';
  /** ms since spawn when it began. */
  readonly fromMs: number;
  readonly detail: string;
}

export interface SlowOutput {
  /** The status tier stretched by its budget (empty when never). */
  adaptations: Adaptation[];
  status: SamplerColumns['status'];
  pss: SamplerColumns['pss'];
  processGrid: ProcessGridOutput | null;
  processes: SlowProcess[];
  pssTicks: number;
  /** Adaptive status reads (settings.ts STATUS_FLOOR_MS): the longest a process's status went unread; null = every pass read all. */
  statusFloorMs: number | null;
  /** /proc/PID/status and memory.stat reads made (the adaptive policy's count, for the bench). */
  statusReads: number;
  memoryStatReads: number;
  /** PSS by change (settings.ts PSS_FLOOR_MS): the longest a process's smaps_rollup went unread; null = every pass read all. */
  pssFloorMs: number | null;
  /** smaps_rollup reads made. */
  pssReads: number;
  cpuMs: number;
  readErrors: { file: string; code: string }[];
}

/** The fast thread's part of SamplerOutput (the slow tiers come from SlowOutput). */
export type FastOutput = Omit<
  SamplerOutput,
  'columns' | 'pssTicks' | 'processGrid' | 'statusFloorMs' | 'statusReads' | 'memoryStatReads' | 'pssFloorMs' | 'pssReads'
> & { fast: SamplerColumns['fast'] };

/** A fast thread's drain: rows and finished processes since the last drain, the live ones as they are now. */
export type FastChunk = Pick<FastOutput, 'fast' | 'processes' | 'ticks' | 'missedTicks'> & { livePids: number[] };
/** A slow thread's drain: its rows since the last drain; figures of every process it tracked since then. */
export type SlowChunk = Pick<SlowOutput, 'status' | 'pss' | 'processes' | 'pssTicks'>;

/** What Sampler.drain() returns: columns since the previous drain; counters (ticks, missed) are running totals. */
export interface SamplerChunk {
  columns: SamplerColumns;
  /** Processes that ended since the previous drain, and the live ones (listed in livePids) with their figures so far. */
  processes: ProcessSeen[];
  livePids: number[];
  ticks: number;
  missedTicks: number;
  pssTicks: number;
}

export interface ProcessSeen {
  pid: number;
  ppid: number | null;
  name: string;
  cmdline: string;
  firstSeenMs: number;
  lastSeenMs: number;
  maxRssBytes: number;
  vmHwmBytes: number | null;
  maxPssBytes: number | null;
  maxUssBytes: number | null;
  maxVmDataBytes: number | null;
  /**
   * Its comm as the fast thread retired it (a zombie not yet reaped, or alive at the end): its last name. The slow
   * thread's status reads (every status interval) miss a name when the process exec'd and ended in between.
   */
  nameAtEnd?: string;
}

/** A process first seen at `tMs`: nothing read of it yet but its names. */
export function newProcessSeen(pid: number, name: string, cmdline: string, tMs: number): ProcessSeen {
  return {
    pid,
    ppid: null,
    name,
    cmdline,
    firstSeenMs: tMs,
    lastSeenMs: tMs,
    maxRssBytes: 0,
    vmHwmBytes: null,
    maxPssBytes: null,
    maxUssBytes: null,
    maxVmDataBytes: null,
  };
}

/** Columns, one value per tick of their tier. NaN = not available at that tick. */
export interface SamplerColumns {
  fast: {
    tMs: Float64Array;
    treeBytes: Float64Array;
    rssSumBytes: Float64Array;
    vszSumBytes: Float64Array;
    largestRssBytes: Float64Array;
    processCount: Float64Array;
  };
  status: { tMs: Float64Array; vmDataSumBytes: Float64Array; anonBytes: Float64Array; fileBytes: Float64Array };
  pss: { tMs: Float64Array; pssSumBytes: Float64Array; ussSumBytes: Float64Array; swapSumBytes: Float64Array };
}

export interface SamplerOutput {
  /** Epoch ms of the first tick; tick times in columns are relative to startEpochMs given at begin(). */
  columns: SamplerColumns;
  processes: ProcessSeen[];
  /** Per-process VmRSS on the status tier, when asked for (SamplerOptions.processGridBuckets). */
  processGrid: ProcessGridOutput | null;
  ticks: number;
  ticksExpected: number;
  missedTicks: number;
  /** p99 of |gap between consecutive ticks − interval| (ms): a skipped slot shows as an error of a whole interval. */
  intervalErrorP99Ms: number | null;
  intervalP50Ms: number | null;
  intervalP99Ms: number | null;
  intervalMeanMs: number | null;
  /**
   * Ticks whose Σ RSS, Σ VSZ and largest RSS (fast columns) included readings carried from earlier ticks, the
   * tree having more processes than maxStatmPerTick; 0 = every figure was read at its own tick. The cgroup
   * counter (treeBytes) and processCount are read whole at every tick either way.
   */
  rssSumCarriedTicks: number;
  /** What was read less often than asked (automatic budgets), and from when; empty when nothing was. */
  adaptations: Adaptation[];
  /** cgroup backend: the quiet-tree membership policy and the ticks it skipped the cgroup.procs read; null: read every tick. */
  membershipQuiet: (MembershipQuiet & { skippedTicks: number }) | null;
  pssTicks: number;
  /** See SlowOutput. */
  statusFloorMs: number | null;
  statusReads: number;
  memoryStatReads: number;
  pssFloorMs: number | null;
  pssReads: number;
  /** CPU time of the sampler threads (fast + slow, schedstat); falls back to the whole process when unreadable. */
  cpuMs: number;
  /** CPU time of the whole membench process (all threads) over the same window. */
  processCpuMs: number;
  /** Nice value given to the sampler thread, or null when raising its priority was not permitted. */
  nice: number | null;
  /** The fast thread's scheduling policy as the kernel reported it once set up (/proc/thread-self/stat); null if unreadable. */
  schedPolicy: SchedPolicy | null;
  /** SamplerOptions.realtime asked for and not obtained: why (chrt's message, or chrt missing); null otherwise. */
  realtimeRefused: string | null;
  sampledWallMs: number;
  readErrors: { file: string; code: string }[];
  /** Which fast sampler ran the loop, and why not the native one (SamplingSchema.fastSampler). */
  fastSampler: { kind: 'native' | 'js'; fallbackReason: string | null };
}
