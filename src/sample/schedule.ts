// The fast sampler thread's schedule: after a tick, which slot comes next and which slots are given up.

/**
 * How a late tick is judged. window: slot j is missed only when its whole interval [j·I, (j+1)·I) passed without
 * a tick starting, so a tick that starts late but inside its own interval is kept (what the C floor does too).
 * strict, the rule before: a slot was given up as soon as its time had come before the previous tick ended,
 * which counted a wake-up 0.9 ms late plus a 0.1 ms tick as a missed slot although the next one could still start
 * inside its interval.
 */
export type MissRule = 'window' | 'strict';

/**
 * The slot to tick next after the tick of `slot` ended `elapsedMs` after slot 0's time; the slots in between
 * (result − slot − 1) are missed. Never behind slot + 1; ticks are never bunched to catch up.
 */
export function nextSlot(slot: number, elapsedMs: number, intervalMs: number, rule: MissRule = 'window'): number {
  const current = Math.floor(elapsedMs / intervalMs);
  return Math.max(slot + 1, rule === 'window' ? current : current + 1);
}
