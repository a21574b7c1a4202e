// All commands × (warm-up + measured runs), in order; the result document is rebuilt after every run so a
// crash, OOM or Ctrl-C in run 7 leaves runs 1–6 on disk (hyperfine's scheduler does the same).
import { spawnSync } from 'node:child_process';
import { cpus, hostname } from 'node:os';
import type { BenchmarkResult, MembenchResult, RunResult } from '../result.js';
import { RUN_KIND, SCHEMA_VERSION } from '../result.js';
import { summarize } from '../analyze/summary.js';
import { readKernelRelease } from '../probe/proc.js';
import { THIS_TOOL } from '../document/kinds.js';
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
  /** hyperfine's --setup / --prepare / --cleanup, per command (index = command); never measured. */
  readonly hooks?: readonly CommandHooks[];
}

/** Shell commands run around one command's runs: setup once before, prepare before each run, cleanup once after. */
export interface CommandHooks {
  readonly setup: string | null;
  readonly prepare: string | null;
  readonly cleanup: string | null;
}

/** Runs a --setup/--prepare/--cleanup command by /bin/sh in the command's cwd; a failure stops the benchmarks. */
function runHook(flag: string, command: string | null, cwd: string): void {
  if (command === null) return;
  const r = spawnSync('/bin/sh', ['-c', command], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status === 0) return;
  const tail = (r.stderr ?? '').trim().split('\n').slice(-1)[0] ?? '';
  const how = r.status !== null ? `exited with code ${r.status}` : `was killed by ${r.signal}`;
  throw new MembenchError(
    'command-failed',
    `${flag} ${JSON.stringify(command)} ${how}${tail ? `: ${tail}` : ''}`,
    `fix it, or run it by hand first; the runs so far are written`,
  );
}

/** The shell's "command not found" (127): the same on every run, so one run says all. */
export const notFoundThroughShell = (r: RunResult): boolean => r.outcome.state === 'exited' && r.outcome.exitCode === 127;

interface Variant {
  readonly spec: CommandSpec;
  readonly role: 'measured' | 'baseline';
  readonly concurrency: number;
  readonly payloadBytes: number | null;
  readonly stdin: string | null;
  /** Index (in the variant list) of this command's baseline, when one is measured. */
  readonly baselineOf: number | null;
  /** Index of the user's command it comes from (null for a baseline). */
  readonly commandIndex: number | null;
}

/** Expands commands into what is actually measured: baselines first, then commands × concurrency × payload sizes. */
function planVariants(commands: readonly CommandSpec[], opts: BenchmarkOptions, payloadFiles: Map<number, string>): Variant[] {
  const out: Variant[] = [];
  const baselineIndex = new Map<string, number>();
  const baselineFor = (spec: CommandSpec): number | null => {
    if (!opts.subtractBaseline) return null;
    const base = opts.subtractBaseline === 'infer' ? inferBaseline(spec) : baselineFromString(opts.subtractBaseline.command, spec.cwd);
    if (!base) {
      throw new MembenchError(
        'usage',
        `--subtract-baseline: no known "do nothing" form for ${spec.shell ? spec.argv[2] : spec.argv[0]}`,
        'give one with --baseline-cmd, e.g. --baseline-cmd "myinterp -e 0"',
      );
    }
    const key = base.argv.join('\0');
    if (!baselineIndex.has(key)) {
      baselineIndex.set(key, out.length);
      out.push({ spec: base, role: 'baseline', concurrency: 1, payloadBytes: null, stdin: null, baselineOf: null, commandIndex: null });
    }
    return baselineIndex.get(key)!;
  };
  const measured: Variant[] = [];
  for (const [commandIndex, spec] of commands.entries()) {
    const base = baselineFor(spec);
    for (const n of opts.concurrency ?? [1]) {
      const sizes = opts.payloadSizes && opts.payloadSizes.length > 0 ? opts.payloadSizes : [null];
      for (const size of sizes) {
        const stdin = size === null ? (opts.stdinFile ?? null) : payloadFiles.get(size)!;
        measured.push({
          spec: {
            ...spec,
            instances: n,
            stdinFile: stdin,
            display: `${spec.display}${n > 1 ? ` ×${n}` : ''}${size !== null ? ` < ${formatSize(size)}` : ''}`,
          },
          role: 'measured',
          concurrency: n,
          payloadBytes: size,
          stdin,
          baselineOf: base,
          commandIndex,
        });
      }
    }
  }
  return [...out, ...measured];
}

export interface BenchmarkHooks {
  /** Called before each run starts (for progress). */
  /** commandIndex counts what is measured (baselines and scan points included); command is its display. */
  readonly onRunStart?: (commandIndex: number, run: number, total: number, warmup: boolean, command: string) => void;
  /** Called after each run with the whole document so far (for partial writes). */
  readonly onUpdate?: (doc: MembenchResult) => void;
  /** Called once, before the first run, with the number of runs planned (for a progress bar). */
  readonly onPlan?: (totalRuns: number) => void;
}

export async function runBenchmarks(
  commands: readonly CommandSpec[],
  opts: BenchmarkOptions,
  interrupt: Interrupt,
  hooks: BenchmarkHooks = {},
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
  variants: readonly Variant[],
  backend: RunBackend,
  opts: BenchmarkOptions,
  interrupt: Interrupt,
  hooks: BenchmarkHooks,
): Promise<MembenchResult> {
  const doc: MembenchResult = {
    kind: RUN_KIND,
    schemaVersion: SCHEMA_VERSION,
    tool: THIS_TOOL,
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
      runs: opts.runs,
      warmup: opts.warmup,
      intervalMs: opts.intervalMs,
      pssIntervalMs: opts.pssIntervalMs,
      timeoutMs: opts.timeoutMs,
      backend: opts.backend,
      survivors: opts.survivors,
      ignoreFailure: opts.ignoreFailure,
      realtime: opts.realtime === true,
      maxStatmPerTick: opts.maxStatmPerTick ?? 0,
    },
    benchmarks: [],
    scans: [],
  };
  hooks.onPlan?.(variants.length * (opts.warmup + opts.runs));
  try {
    await runAll(variants, backend, opts, interrupt, hooks, doc);
  } catch (e) {
    // A failed --setup/--prepare/--cleanup: what was measured so far is written, marked incomplete, then the error.
    doc.context.finishedAt = new Date().toISOString();
    hooks.onUpdate?.(doc);
    throw e;
  }
  doc.context.finishedAt = new Date().toISOString();
  doc.context.complete = !interrupt.requested;
  hooks.onUpdate?.(doc);
  return doc;
}

async function runAll(
  variants: readonly Variant[],
  backend: RunBackend,
  opts: BenchmarkOptions,
  interrupt: Interrupt,
  hooks: BenchmarkHooks,
  doc: MembenchResult,
): Promise<void> {
  let seq = 0;
  for (const [ci, variant] of variants.entries()) {
    const spec = variant.spec;
    const runs: RunResult[] = [];
    const bench: BenchmarkResult = {
      command: spec.display,
      role: variant.role,
      concurrency: variant.concurrency,
      payloadBytes: variant.payloadBytes,
      stdin: variant.stdin,
      ...(spec.parameter ? { parameter: { ...spec.parameter } } : {}),
      baseline: null,
      argv: [...spec.argv],
      shell: spec.shell,
      cwd: spec.cwd,
      backend: backend.info,
      runs,
      summary: summarize(runs, opts.ignoreFailure),
    };
    doc.benchmarks.push(bench);
    const total = opts.warmup + opts.runs;
    const around = variant.commandIndex !== null ? (opts.hooks?.[variant.commandIndex] ?? null) : null;
    runHook('--setup', around?.setup ?? null, spec.cwd);
    for (let i = 0; i < total && !interrupt.requested; i++) {
      const warmup = i < opts.warmup;
      runHook('--prepare', around?.prepare ?? null, spec.cwd);
      hooks.onRunStart?.(ci, i, total, warmup, spec.display);
      seq++;
      const run = await runOnce(spec, backend, opts, `membench-${process.pid}-${seq}`, warmup ? i : i - opts.warmup, warmup, interrupt);
      runs.push(run);
      bench.summary = summarize(runs, opts.ignoreFailure);
      if (variant.baselineOf !== null) bench.baseline = subtractBaseline(bench, doc.benchmarks[variant.baselineOf]!);
      doc.scans = computeScans(doc.benchmarks);
      hooks.onUpdate?.(doc);
      // A command that cannot start will not start on the next run either (nor one the shell did not find).
      if (run.outcome.state === 'failed-to-start' || notFoundThroughShell(run)) break;
    }
    runHook('--cleanup', around?.cleanup ?? null, spec.cwd);
    if (interrupt.requested) break;
  }
}
