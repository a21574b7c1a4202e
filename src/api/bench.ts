// What a suite file is made of: bench() for in-process benchmarks, plain objects for commands, defineSuite()
// for the whole file. These only shape and type the definitions; `membench suite` validates and runs them.

import type { SizeFunction } from '../suite/config.js';

export type { SizeFunction };

export interface ExpectSpec {
  /**
   * Acceptable cost per unit of size (the fitted slope): "1..2 KiB", "10 KiB..50 KiB", "<= 2 KiB",
   * ">= 1 B", or [minBytes, maxBytes]. Outside it, `membench suite` exits 6.
   */
  readonly perUnit?: string | readonly [number, number];
}

export interface CommonBenchOptions {
  /** Sizes to run, e.g. [10, 50, 100, 200]; each size is a fresh process. */
  readonly sizes: readonly number[];
  /** Name of one unit of size, for reports: "job", "client", "byte". Default "unit". */
  readonly unit?: string;
  readonly expect?: ExpectSpec;
  /** Repeats per size (overrides the suite's `runs`). */
  readonly runs?: number;
}

export interface InProcessBenchOptions extends CommonBenchOptions {
  /** Call the function once (result dropped) before measuring, so lazy initialisation is not counted. Default false. */
  readonly warmup?: boolean;
}

export interface InProcessBenchmark extends InProcessBenchOptions {
  readonly name: string;
  readonly fn: SizeFunction;
}

export interface CommandBenchmark extends CommonBenchOptions {
  readonly name: string;
  /** A shell command with {n} where the size goes ("/usr/bin/python3 jobs.py {n}"), or argv exec'd without a shell. */
  readonly cmd: string | readonly string[];
  /** Which tree figure is the benchmark's value. Default treePeakBytes (the cgroup's peak counter when available). */
  readonly metric?: 'treePeakBytes' | 'treeAnonPeakBytes';
  /** Working directory; default the suite file's directory. */
  readonly cwd?: string;
}

export type BenchmarkSpec = InProcessBenchmark | CommandBenchmark;

export interface SuiteConfig {
  readonly name?: string;
  /** Repeats per size. Default 5. */
  readonly runs?: number;
  /** Per process (one size, one repeat): killed and reported after this long. Default 60000. */
  readonly timeoutMs?: number;
  readonly benchmarks: readonly BenchmarkSpec[];
}

/**
 * An in-process benchmark: `fn(n)` runs in a fresh `node --expose-gc` process per size and repeat; the memory
 * it leaves reachable through its return value (V8 heap + external, after a full collection) is the result.
 *
 *   export default defineSuite({ benchmarks: [
 *     bench('job creation', (n) => makeJobs(n), { sizes: [10, 50, 100, 200], unit: 'job', expect: { perUnit: '1..2 KiB' } }),
 *   ] });
 */
export function bench(name: string, fn: SizeFunction, options: InProcessBenchOptions): InProcessBenchmark {
  return { ...options, name, fn };
}

/** Identity, for editor completion and type checking of a suite file's default export. */
export function defineSuite<T extends SuiteConfig>(config: T): T {
  return config;
}
