// membench/jest: the memory matchers for jest — expect.extend(memoryMatchers) in a setup file, then
// `await expect(fn).toPeakLessThan('10 MiB')` and `await expect(fn).toRetainLessThan('64 KiB')`.
import type {} from 'expect';
import type { LimitLeaksOptions, LimitMemoryOptions, MemoryLimit } from './limit.js';

export { memoryMatchers, type MatcherResult } from './matchers.js';

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** limitMemory: fails when the function's peak (heap used + external, or RSS) is above the limit. Await it. */
    toPeakLessThan(limit: MemoryLimit, opts?: LimitMemoryOptions): Promise<R>;
    /** limitLeaks: fails when one call leaves more than the limit reachable (median over repeats). Await it. */
    toRetainLessThan(limit: MemoryLimit, opts?: LimitLeaksOptions): Promise<R>;
  }
}
