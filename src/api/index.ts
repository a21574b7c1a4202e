// The in-process library API: what `import … from 'membench'` gives.
export * from '../result.js';
export { runBenchmarks } from '../run/benchmark.js';
export { Interrupt } from '../run/interrupt.js';
export { computeStats } from '../analyze/stats.js';
