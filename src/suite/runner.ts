// Runs a suite: every benchmark, every repeat, every size (sizes interleaved within a repeat so slow drift
// spreads over all of them), then the per-unit fit and the expect check. The document is rebuilt after every
// repeat for partial writes; a failing benchmark stops the suite and is recorded as data.
import { cpus, hostname } from 'node:os';
import { relative } from 'node:path';
import { computeStats } from '../analyze/stats.js';
import { linearFit } from '../analyze/linear-fit.js';
import { readKernelRelease } from '../probe/proc.js';
import type { BackendChoice } from '../run/backend.js';
import type { Interrupt } from '../run/interrupt.js';
import { THIS_TOOL } from '../document/kinds.js';
import type { BenchmarkDefinition, CommandDefinition, InProcessDefinition, SuiteDefinition } from './config.js';
import { measureCommandRepeat } from './command.js';
import { judgePerUnit } from './expect.js';
import { measureInProcess } from './in-process.js';
import { SUITE_KIND, SUITE_SCHEMA_VERSION, type Fit, type SuiteBenchmark, type SuiteResult } from '../document/suite.js';

export interface SuiteRunOptions {
  /** Repeats per size for every benchmark, overriding the suite files; null keeps theirs. */
  readonly runs: number | null;
  /** Only benchmarks whose name matches. */
  readonly filter: RegExp | null;
  readonly backend: BackendChoice;
  readonly showOutput: boolean;
  /** Paths in the document are written relative to this directory. */
  readonly cwd: string;
  /** In-process harness processes run at once (command benchmarks always run one at a time). */
  readonly jobs: number;
}

export interface SuiteHooks {
  /** Before each measurement (for progress). */
  readonly onMeasure?: (benchmark: string, repeat: number, runs: number, size: number | null) => void;
  /** Called once, before the first measurement, with the number planned (for a progress bar). */
  readonly onPlan?: (measurements: number) => void;
  /** After each repeat, with the whole document so far. */
  readonly onUpdate?: (doc: SuiteResult) => void;
}

/** Fit of every (size, value) point: the slope is the cost per unit of size. */
export function fitOf(b: Pick<SuiteBenchmark, 'sizes'>): Fit | null {
  const xs = b.sizes.flatMap((s) => s.valuesBytes.map(() => s.size));
  const ys = b.sizes.flatMap((s) => s.valuesBytes);
  const f = linearFit(xs, ys);
  return (
    f && {
      points: f.points,
      distinctSizes: f.distinctXs,
      slopeBytesPerUnit: f.slope,
      interceptBytes: f.intercept,
      r2: f.r2,
      r2OfMeans: f.r2OfMeans,
      residualStdDevBytes: f.residualStdDev,
      slopeStdErrBytes: f.slopeStdErr,
      slopeIntervalBytes: f.slopeInterval ? [f.slopeInterval[0], f.slopeInterval[1]] : null,
      verdict: f.verdict,
      reason: f.reason,
    }
  );
}

function emptyBenchmark(def: BenchmarkDefinition, runs: number, cwd: string): SuiteBenchmark {
  const perUnit = def.expectPerUnit;
  return {
    name: def.name,
    kind: def.kind,
    file: relative(cwd, def.file) || def.file,
    unit: def.unit,
    metric: def.kind === 'command' ? def.metric : 'retainedBytes',
    command: def.kind === 'command' ? def.template : null,
    backend: null,
    runs,
    sizes: def.sizes.map((size) => ({
      size,
      valuesBytes: [],
      stats: null,
      inProcess: def.kind === 'in-process' ? [] : null,
      command: def.kind === 'command' ? [] : null,
    })),
    fit: null,
    expect: perUnit
      ? {
          perUnit: {
            text: perUnit.text,
            minBytes: perUnit.minBytes,
            maxBytes: Number.isFinite(perUnit.maxBytes) ? perUnit.maxBytes : null,
          },
        }
      : null,
    expectVerdict: null,
  };
}

function finishBenchmark(b: SuiteBenchmark, def: BenchmarkDefinition): void {
  for (const s of b.sizes) s.stats = computeStats(s.valuesBytes);
  b.fit = fitOf(b);
  if (def.expectPerUnit) b.expectVerdict = b.fit ? judgePerUnit(def.expectPerUnit, b.fit.slopeBytesPerUnit) : 'no-fit';
}

type Failure = SuiteResult['failure'];

/**
 * Every (repeat, size) of an in-process benchmark, `opts.jobs` harness processes at a time: the figures are
 * per process (its own heap), so neighbours do not disturb them. Returns the failure that stopped it, or null.
 */
async function runInProcess(
  def: InProcessDefinition,
  b: SuiteBenchmark,
  runs: number,
  opts: SuiteRunOptions,
  interrupt: Interrupt,
  hooks: SuiteHooks,
  update: () => void,
): Promise<Failure> {
  const tasks = Array.from({ length: runs }, (_, r) => def.sizes.map((size, i) => ({ r, i, size }))).flat();
  let next = 0;
  let failure: Failure = null;
  const worker = async (): Promise<void> => {
    while (next < tasks.length && failure === null && !interrupt.requested) {
      const t = tasks[next++]!;
      hooks.onMeasure?.(def.name, t.r, runs, t.size);
      const m = await measureInProcess(def, t.size, { showOutput: opts.showOutput }, interrupt);
      if (!m.ok) {
        if (!m.interrupted) failure ??= { benchmark: def.name, size: t.size, message: m.message };
        return;
      }
      const s = b.sizes[t.i]!;
      s.inProcess!.push(m.value);
      s.valuesBytes.push(m.value.heapUsedBytes + m.value.externalBytes);
      s.stats = computeStats(s.valuesBytes);
      if (t.i === def.sizes.length - 1) update();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs) }, worker));
  return failure;
}

/** Every repeat of a command benchmark, one repeat (all sizes) at a time; the first repeat has warm-up runs. */
async function runCommands(
  def: CommandDefinition,
  b: SuiteBenchmark,
  runs: number,
  opts: SuiteRunOptions,
  interrupt: Interrupt,
  hooks: SuiteHooks,
  update: () => void,
): Promise<Failure> {
  for (let r = 0; r < runs && !interrupt.requested; r++) {
    hooks.onMeasure?.(def.name, r, runs, null);
    const m = await measureCommandRepeat(def, r === 0, { backend: opts.backend, showOutput: opts.showOutput }, interrupt);
    if (!m.ok) return m.interrupted ? null : { benchmark: def.name, size: null, message: m.message };
    b.backend = m.value.backend;
    for (const [i, rep] of m.value.perSize.entries()) {
      const s = b.sizes[i]!;
      const v = def.metric === 'treeAnonPeakBytes' ? rep.treeAnonPeakBytes : rep.treePeakBytes;
      if (v === null)
        return {
          benchmark: def.name,
          size: s.size,
          message: `${def.metric} is not measured by the ${m.value.backend} backend (use metric: 'treePeakBytes')`,
        };
      s.command!.push(rep);
      s.valuesBytes.push(v);
      s.stats = computeStats(s.valuesBytes);
    }
    update();
  }
  return null;
}

export async function runSuite(
  suite: SuiteDefinition,
  opts: SuiteRunOptions,
  interrupt: Interrupt,
  hooks: SuiteHooks = {},
): Promise<SuiteResult> {
  const doc: SuiteResult = {
    kind: SUITE_KIND,
    schemaVersion: SUITE_SCHEMA_VERSION,
    tool: THIS_TOOL,
    context: {
      startedAt: new Date().toISOString(),
      finishedAt: null,
      complete: false,
      hostname: hostname(),
      kernel: readKernelRelease(),
      nodeVersion: process.version,
      cpuCount: Math.max(1, cpus().length),
    },
    suiteFiles: suite.files.map((f) => relative(opts.cwd, f) || f),
    failure: null,
    benchmarks: [],
  };
  const update = (): void => hooks.onUpdate?.(doc);
  const chosen = suite.benchmarks.filter((x) => !opts.filter || opts.filter.test(x.name));
  // In-process: a harness per (repeat, size); command: a repeat covers every size.
  hooks.onPlan?.(chosen.reduce((n, def) => n + (opts.runs ?? def.runs) * (def.kind === 'in-process' ? def.sizes.length : 1), 0));
  for (const def of chosen) {
    const runs = opts.runs ?? def.runs;
    const b = emptyBenchmark(def, runs, opts.cwd);
    doc.benchmarks.push(b);
    const failure =
      def.kind === 'in-process'
        ? await runInProcess(def, b, runs, opts, interrupt, hooks, update)
        : await runCommands(def, b, runs, opts, interrupt, hooks, update);
    finishBenchmark(b, def);
    if (failure !== null || interrupt.requested) {
      doc.failure = failure;
      break;
    }
  }
  doc.context.finishedAt = new Date().toISOString();
  doc.context.complete = doc.failure === null && !interrupt.requested;
  update();
  return doc;
}
