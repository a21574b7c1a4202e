// After the main command: what to do with survivors, then wait until the sampler sees the whole tree gone
// (killing it again and again once it is to die), with safety nets for a sampler that stalls or counts ghosts.
import type { RunResult } from '../result.js';

export type SurvivorAction = RunResult['survivors']['action'];

/** The tree is over once this many consecutive sampler ticks saw no process alive. */
export const EMPTY_TICKS_TO_END = 2;
/** Poll the sampler at its interval, but at least every 20 ms and at most every 1 ms. */
export const POLL_MIN_MS = 1;
export const POLL_MAX_MS = 20;
/** A sampler whose tick count has not moved for this long has stopped: the run ends without it. */
export const SAMPLER_STALL_MS = 5000;
/** Processes counted alive none of which exists any more, for this long: the tree is over. */
export const PHANTOM_GRACE_MS = 1000;
/** Once the tree is to die, kill it again this often: a process forked while the last kill ran must not escape. */
export const REKILL_EVERY_MS = 100;

export const SAMPLER_STALLED_NOTE = `the sampler stopped ticking for ${SAMPLER_STALL_MS / 1000} s; the run was ended without it`;

/** What the wait reads of the sampler. */
export interface TreeCounts {
  readonly ticks: number;
  readonly alive: number;
  readonly memberPids: readonly number[];
}

/** A monotonic clock in ms and a sleep: performance.now and setTimeout, or a fake in tests. */
export interface WaitClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: WaitClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/**
 * Survivors (processes of the tree alive once the main command has gone): killed with --survivors kill, or when
 * membench stopped the run (timeout, Ctrl-C); else waited for.
 */
export function survivorAction(survivors: number, policy: 'wait' | 'kill', stopped: boolean): { action: SurvivorAction; killNow: boolean } {
  if (survivors === 0) return { action: 'none', killNow: false };
  if (policy === 'kill' && !stopped) return { action: 'killed', killNow: true };
  return { action: stopped ? 'killed' : 'waited-for', killNow: false };
}

export interface TreeWaitInput {
  readonly sampler: TreeCounts;
  readonly intervalMs: number;
  readonly action: SurvivorAction;
  /** True once membench has stopped the run (timeout, Ctrl-C); read at every poll. */
  readonly stopped: () => boolean;
  readonly killAll: () => void;
  readonly pidAlive: (pid: number) => boolean;
  readonly clock?: WaitClock;
}

export interface TreeWaitResult {
  /** The survivor action, turned to 'killed' when a stop came while they were waited for. */
  readonly action: SurvivorAction;
  /** Why the wait ended without the sampler's word, or null. */
  readonly samplerProblem: string | null;
}

/** Waits for the whole tree; bounded by the timeout or an interrupt (both of which kill it) and the safety nets. */
export async function waitForTree(w: TreeWaitInput): Promise<TreeWaitResult> {
  const clock = w.clock ?? REAL_CLOCK;
  const { sampler } = w;
  const pollMs = Math.max(POLL_MIN_MS, Math.min(POLL_MAX_MS, w.intervalMs));
  let action = w.action;
  let emptyTicks = 0;
  let lastKill = clock.now();
  let lastTicks = sampler.ticks;
  let lastProgress = clock.now();
  let phantomSince: number | null = null;
  while (emptyTicks < EMPTY_TICKS_TO_END) {
    const before = sampler.ticks;
    await clock.sleep(pollMs);
    const now = clock.now();
    if (sampler.ticks !== lastTicks) {
      lastTicks = sampler.ticks;
      lastProgress = now;
    } else if (now - lastProgress > SAMPLER_STALL_MS) {
      return { action, samplerProblem: SAMPLER_STALLED_NOTE };
    }
    if (sampler.alive > 0 && sampler.memberPids.every((p) => !w.pidAlive(p))) {
      phantomSince ??= now;
      if (now - phantomSince > PHANTOM_GRACE_MS) break;
    } else phantomSince = null;
    const stopped = w.stopped();
    if (stopped && action === 'waited-for') action = 'killed';
    if ((stopped || action === 'killed') && clock.now() - lastKill > REKILL_EVERY_MS) {
      w.killAll();
      lastKill = clock.now();
    }
    if (sampler.ticks === before) continue;
    emptyTicks = sampler.alive === 0 ? emptyTicks + 1 : 0;
  }
  return { action, samplerProblem: null };
}
