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
import { baselineFromString, inferBaseline, writePayloads } from './variants.js';
import { subtractBaseline, computeScans } from '../analyze/scans.js';
import { MembenchError } from '../errors.js';
import { formatSize } from '../units.js';
import type { RunBackend } from './backend.js';
import type { Interrupt } from './interrupt.js';

export interface BenchmarkOptions extends RunOptions {
  readonly runs: number;
  readonly warmup: number;
  readonly backend: BackendChoice;
  readonly ignoreFailure: boolean;
  /** Instance counts to measure each command at (--concurrency); [1] by default. */
  readonly concurrency?: readonly number[];
  /** Payload sizes in bytes fed on stdin (--payload-scan); empty = no scan. */
  readonly payloadSizes?: readonly number[];
  /** --subtract-baseline: 'infer' from the interpreter, a shell command string, or null for none. */
  readonly subtractBaseline?: 'infer' | { readonly command: string } | null;
}

interface Variant {
  readonly spec: CommandSpec;
  readonly role: 'measured' | 'baseline';
  readonly concurrency: number;
  readonly payloadBytes: number | null;
  readonly stdin: string | null;
  /** Index (in the variant list) of this command's baseline, when one is measured. */
  readonly baselineOf: number | null;
}

/** Expands commands into what is actually measured: baselines first, then commands × concurrency × payload sizes. */
function planVariants(commands: readonly CommandSpec[], opts: BenchmarkOptions, payloadFiles: Map<number, string>): Variant[] {
  const out: Variant[] = [];
  const baselineIndex = new Map<string, number>();
  const baselineFor = (spec: CommandSpec): number | null => {
    if (!opts.subtractBaseline) return null;
    const base = opts.subtractBaseline === 'infer' ? inferBaseline(spec) : baselineFromString(opts.subtractBaseline.command, spec.cwd);
    if (!base) {
      throw new MembenchError('usage', `--subtract-baseline: no known "do nothing" form for ${spec.shell ? spec.argv[2] : spec.argv[0]}`, 'give one with --baseline-cmd, e.g. --baseline-cmd "myinterp -e 0"');
    }
    const key = base.argv.join('\0');
    if (!baselineIndex.has(key)) {
      baselineIndex.set(key, out.length);
      out.push({ spec: base, role: 'baseline', concurrency: 1, payloadBytes: null, stdin: null, baselineOf: null });
    }
    return baselineIndex.get(key)!;
  };
  const measured: Variant[] = [];
  for (const spec of commands) {
    const base = baselineFor(spec);
    for (const n of opts.concurrency ?? [1]) {
      const sizes = opts.payloadSizes && opts.payloadSizes.length > 0 ? opts.payloadSizes : [null];
      for (const size of sizes) {
        const stdin = size === null ? opts.stdinFile ?? null : payloadFiles.get(size)!;
        measured.push({
          spec: { ...spec, instances: n, stdinFile: stdin, display: `${spec.display}${n > 1 ? ` ×${n}` : ''}${size !== null ? ` < ${formatSize(size)}` : ''}` },
          role: 'measured', concurrency: n, payloadBytes: size, stdin, baselineOf: base,
        });
      }
    }
  }
  return [...out, ...measured];
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
  const payloads = opts.payloadSizes && opts.payloadSizes.length > 0 ? writePayloads(opts.payloadSizes, opts.stdinFile ?? null) : null;
  try {
    return await runVariants(planVariants(commands, opts, payloads?.files ?? new Map()), backend, opts, interrupt, hooks);
  } finally {
    payloads?.remove();
  }
}

async function runVariants(
  variants: readonly Variant[], backend: RunBackend, opts: BenchmarkOptions, interrupt: Interrupt, hooks: BenchmarkHooks,
): Promise<MembenchResult> {
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
      realtime: opts.realtime === true, maxStatmPerTick: opts.maxStatmPerTick ?? 0,
    },
    benchmarks: [],
    scans: [],
  };
  let seq = 0;
  for (const [ci, variant] of variants.entries()) {
    const spec = variant.spec;
    const runs: RunResult[] = [];
    const bench: BenchmarkResult = {
      command: spec.display, role: variant.role, concurrency: variant.concurrency, payloadBytes: variant.payloadBytes, stdin: variant.stdin,
      baseline: null, argv: [...spec.argv], shell: spec.shell, cwd: spec.cwd, backend: backend.info, runs,
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
      if (variant.baselineOf !== null) bench.baseline = subtractBaseline(bench, doc.benchmarks[variant.baselineOf]!);
      doc.scans = computeScans(doc.benchmarks);
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
