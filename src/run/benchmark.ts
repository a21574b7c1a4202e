// All commands × (warm-up + measured runs), in order; the result document is rebuilt after every run so a
// crash, OOM or Ctrl-C in run 7 leaves runs 1–6 on disk (hyperfine's scheduler does the same).
import { cpus, hostname } from 'node:os';
import type { BenchmarkResult, MembenchResult, RunResult } from '../result.js';
import { SCHEMA_VERSION } from '../result.js';
import { summarize } from '../analyze/summary.js';
import { readKernelRelease } from '../probe/proc.js';
import { VERSION } from '../version.js';
import { resolveBackend, type BackendChoice } from './backend.js';
import { machineLayout } from './cgroup.js';
import { runOnce, type CommandSpec, type RunOptions } from './run-once.js';
import type { Interrupt } from './interrupt.js';

export interface BenchmarkOptions extends RunOptions {
  readonly runs: number;
  readonly warmup: number;
  readonly backend: BackendChoice;
  readonly ignoreFailure: boolean;
}

export interface BenchmarkHooks {
  /** Called before each run starts (for progress). */
  readonly onRunStart?: (commandIndex: number, run: number, total: number, warmup: boolean) => void;
  /** Called after each run with the whole document so far (for partial writes). */
  readonly onUpdate?: (doc: MembenchResult) => void;
}

export async function runBenchmarks(
  commands: readonly CommandSpec[], opts: BenchmarkOptions, interrupt: Interrupt, hooks: BenchmarkHooks = {},
): Promise<MembenchResult> {
  const backend = resolveBackend(opts.backend, opts.procRoot, opts.limits);
  const doc: MembenchResult = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'membench', version: VERSION },
    context: {
      startedAt: new Date().toISOString(),
      finishedAt: null,
      complete: false,
      hostname: hostname(),
      kernel: readKernelRelease({ proc: opts.procRoot }),
      nodeVersion: process.version,
      cpuCount: Math.max(1, cpus().length),
      pageSizeBytes: opts.pageSizeBytes,
      cgroupLayout: machineLayout(opts.procRoot),
    },
    options: {
      runs: opts.runs, warmup: opts.warmup, intervalMs: opts.intervalMs, pssIntervalMs: opts.pssIntervalMs,
      timeoutMs: opts.timeoutMs, backend: opts.backend, survivors: opts.survivors, ignoreFailure: opts.ignoreFailure,
    },
    benchmarks: [],
  };
  let seq = 0;
  for (const [ci, spec] of commands.entries()) {
    const runs: RunResult[] = [];
    const bench: BenchmarkResult = {
      command: spec.display, argv: [...spec.argv], shell: spec.shell, cwd: spec.cwd, backend: backend.info, runs,
      summary: summarize(runs, opts.ignoreFailure),
    };
    doc.benchmarks.push(bench);
    const total = opts.warmup + opts.runs;
    for (let i = 0; i < total && !interrupt.requested; i++) {
      const warmup = i < opts.warmup;
      hooks.onRunStart?.(ci, i, total, warmup);
      seq++;
      const run = await runOnce(spec, backend, opts, `membench-${process.pid}-${seq}`, warmup ? i : i - opts.warmup, warmup, interrupt);
      runs.push(run);
      bench.summary = summarize(runs, opts.ignoreFailure);
      hooks.onUpdate?.(doc);
      // A command that cannot start will not start on the next run either.
      if (run.outcome.state === 'failed-to-start') break;
    }
    if (interrupt.requested) break;
  }
  doc.context.finishedAt = new Date().toISOString();
  doc.context.complete = !interrupt.requested;
  hooks.onUpdate?.(doc);
  return doc;
}
