// The in-process library API: what `import … from 'membench'` gives.
export * from '../result.js';
export { runBenchmarks } from '../run/benchmark.js';
export { Interrupt } from '../run/interrupt.js';
export { computeStats } from '../analyze/stats.js';
export {
  bench,
  defineSuite,
  type SuiteConfig,
  type BenchmarkSpec,
  type InProcessBenchmark,
  type CommandBenchmark,
  type SizeFunction,
} from './bench.js';
export { memoryMarks, type MemoryMarks, type MemorySnapshot, type MemoryDelta } from './marks.js';
export { linearFit, type LinearFit } from '../analyze/linear-fit.js';
export { compareSeries, type Comparison, type Series } from '../analyze/compare.js';
export { loadSuites } from '../suite/config.js';
export { runSuite } from '../suite/runner.js';
export type { SuiteResult } from '../document/suite.js';
export {
  limitMemory,
  limitLeaks,
  parseLimit,
  type MemoryLimit,
  type LimitMemoryOptions,
  type LimitLeaksOptions,
  type MemoryLimitResult,
  type LeakLimitResult,
  type MemoryLimitError,
  type AllocationSite,
} from './limit.js';
