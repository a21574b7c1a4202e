// membench/vitest: the memory matchers for vitest — expect.extend(memoryMatchers) in a setup file, then
// `await expect(fn).toPeakLessThan('10 MiB')` and `await expect(fn).toRetainLessThan('64 KiB')`.
import type {} from 'vitest';
import type { LimitLeaksOptions, LimitMemoryOptions, MemoryLimit } from './limit.js';

export { memoryMatchers, type MatcherResult } from './matchers.js';

declare module 'vitest' {
  interface Matchers<T = any> {
    /** limitMemory: fails when the function's peak (heap used + external, or RSS) is above the limit. Await it. */
    toPeakLessThan(limit: MemoryLimit, opts?: LimitMemoryOptions): Promise<T>;
    /** limitLeaks: fails when one call leaves more than the limit reachable (median over repeats). Await it. */
    toRetainLessThan(limit: MemoryLimit, opts?: LimitLeaksOptions): Promise<T>;
  }
}
