// The memory matchers shared by the vitest and jest adapters: toPeakLessThan (limitMemory) and toRetainLessThan
// (limitLeaks), in the { pass, message } shape both runners' expect.extend take. No runner is imported here.
import {
  limitLeaks,
  limitMemory,
  type LeakLimitResult,
  type LimitLeaksOptions,
  type LimitMemoryOptions,
  type MemoryLimit,
  type MemoryLimitError,
  type MemoryLimitResult,
} from './limit.js';
import { formatBytes } from '../units.js';

/** The part of vitest's and jest's matcher context used here. */
interface MatcherContext {
  readonly isNot?: boolean;
}

export interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

function callable(received: unknown, matcher: string): () => unknown {
  if (typeof received !== 'function') throw new TypeError(`${matcher}: expect() needs the function to measure, got ${typeof received}`);
  return received as () => unknown;
}

async function judge(
  run: () => Promise<MemoryLimitResult | LeakLimitResult>,
  passedText: (r: MemoryLimitResult | LeakLimitResult) => string,
): Promise<MatcherResult> {
  try {
    const r = await run();
    return { pass: true, message: () => passedText(r) };
  } catch (e) {
    const m = (e as Partial<MemoryLimitError>).measurement;
    if (m === undefined) throw e;
    return { pass: false, message: () => (e as Error).message };
  }
}

export const memoryMatchers = {
  /** expect(fn).toPeakLessThan('10 MiB', opts?): limitMemory — fails when fn's peak is above the limit. */
  async toPeakLessThan(this: MatcherContext, received: unknown, limit: MemoryLimit, opts?: LimitMemoryOptions): Promise<MatcherResult> {
    const fn = callable(received, 'toPeakLessThan');
    return judge(
      () => limitMemory(limit, fn, opts),
      (r) =>
        `limitMemory: expected a peak above ${formatBytes(r.limitBytes)} (.not), got ${formatBytes((r as MemoryLimitResult).peakBytes)}`,
    );
  },
  /** expect(fn).toRetainLessThan('64 KiB', opts?): limitLeaks — fails when one call of fn leaves more reachable. */
  async toRetainLessThan(this: MatcherContext, received: unknown, limit: MemoryLimit, opts?: LimitLeaksOptions): Promise<MatcherResult> {
    const fn = callable(received, 'toRetainLessThan');
    return judge(
      () => limitLeaks(limit, fn, opts),
      (r) =>
        `limitLeaks: expected more than ${formatBytes(r.limitBytes)} left reachable per call (.not), got ${formatBytes((r as LeakLimitResult).leakedBytes)}`,
    );
  },
};
