// `membench run`: resolve options once, run the benchmarks, hand the document to the reporters, pick the exit code.
import { interruptOnSignals } from './signals.js';
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, MembenchError, usageError } from '../errors.js';
import type { MembenchResult } from '../result.js';
import { runBenchmarks, type BenchmarkOptions } from '../run/benchmark.js';
import type { CommandSpec } from '../run/run-once.js';
import { runCounts } from '../analyze/summary.js';
import { readPageSize } from '../probe/proc.js';
import { renderJson, writeJsonFile } from '../report/json.js';
import { htmlReport, writeHtmlFile } from '../report/html.js';
import { colorsFor, renderTerminal } from '../report/terminal.js';
import { parseChoice, parseCount, parseCpuFraction, parseCpuList, parseDurationMs, parseList, parseSizeBytes } from './parse-values.js';
import { availableParallelism } from 'node:os';
import { processLimits, type LimitsRequest } from '../run/limits.js';
import { findInPath } from '../run/launch.js';
import { expandAllocators } from '../run/allocators.js';

const DEFAULT_PSS_INTERVAL_MS = 50;
const DEFAULT_PSS_BUDGET = 0.02;

export interface RawRunOptions {
  runs: string;
  warmup: string;
  interval: string;
  pssInterval?: string;
  timeout?: string;
  backend: string;
  survivors: string;
  json?: string;
  html?: string;
  ignoreFailure?: boolean;
  showOutput?: boolean;
  cwd?: string;
  timelinePoints: string;
  color: boolean;
  chart?: boolean;
  memoryLimit?: string;
  cpuQuota?: string;
  cpuset?: string;
  rlimitAs?: string;
  rlimitData?: string;
  aslr: boolean;
  bestEffort?: boolean;
  stdin?: string;
  subtractBaseline?: boolean;
  baselineCmd?: string;
  concurrency?: string;
  payloadScan?: string;
  allocator?: string;
  realtime?: boolean;
  maxStatmPerTick?: string;
}

export interface ResolvedRun {
  readonly commands: readonly CommandSpec[];
  readonly bench: BenchmarkOptions;
  readonly jsonPath: string | null;
  readonly htmlPath: string | null;
  readonly color: boolean;
  /** Chart of memory over time under each command's figures (--no-chart turns it off). */
  readonly chart: boolean;
}

/** Validates everything the user typed, once, into a readonly options object. */
export function resolveRunOptions(raw: RawRunOptions, shellCommands: readonly string[], execArgv: readonly string[] | null): ResolvedRun {
  const intervalMs = parseDurationMs('--interval', raw.interval);
  if (intervalMs < 1 || intervalMs > 100) throw usageError(`--interval ${raw.interval} is outside 1ms…100ms`, 'membench samples at 10 Hz to 1 kHz');
  // Without --pss-interval the PSS tier starts at 50 ms and stretches to stay within 2 % of a core.
  const pssIntervalMs = raw.pssInterval === undefined ? Math.max(intervalMs, DEFAULT_PSS_INTERVAL_MS) : parseDurationMs('--pss-interval', raw.pssInterval);
  if (pssIntervalMs < intervalMs) throw usageError(`--pss-interval ${raw.pssInterval} is shorter than --interval ${raw.interval}`, 'the PSS tier is sampled on ticks of the fast tier');
  const pssBudget = raw.pssInterval === undefined ? DEFAULT_PSS_BUDGET : null;
  const cwd = resolve(raw.cwd ?? process.cwd());
  try {
    if (!statSync(cwd).isDirectory()) throw new Error('not a directory');
    accessSync(cwd, constants.R_OK | constants.X_OK);
  } catch (e) {
    throw new MembenchError('failed-to-start', `--cwd ${cwd} is not a readable directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'give an existing directory you can enter');
  }
  if (execArgv !== null && shellCommands.length > 0) {
    throw usageError(`give either shell commands or one command after "--", not both (got ${JSON.stringify(shellCommands[0])} before "--")`);
  }
  let commands: CommandSpec[];
  if (execArgv !== null) {
    if (execArgv.length === 0 || execArgv[0] === '') throw usageError('no command after "--"', 'write: membench run -- program args…');
    commands = [{ display: execArgv.join(' '), argv: execArgv, shell: false, cwd }];
  } else {
    if (shellCommands.length === 0) throw usageError('no command to measure', 'write: membench run -- program args…  or  membench run "shell command"');
    const empty = shellCommands.findIndex((c) => c.trim() === '');
    if (empty >= 0) throw usageError(`command ${empty + 1} is empty`);
    commands = shellCommands.map((c) => ({ display: c, argv: ['/bin/sh', '-c', c], shell: true, cwd }));
  }
  if (raw.allocator !== undefined) commands = expandAllocators(commands, raw.allocator, process.env.LD_PRELOAD);
  if (raw.html === '-' || raw.html === '') throw usageError('--html needs a file name', 'the page is written to a file; --json - is the stdout form');
  const noColor = 'NO_COLOR' in process.env && process.env.NO_COLOR !== '';
  const cpuCount = Math.max(1, availableParallelism());
  const limits: LimitsRequest = {
    memoryBytes: raw.memoryLimit !== undefined ? parseSizeBytes('--memory-limit', raw.memoryLimit) : null,
    cpuFraction: raw.cpuQuota !== undefined ? parseCpuFraction('--cpu-quota', raw.cpuQuota, cpuCount) : null,
    cpus: raw.cpuset !== undefined ? parseCpuList('--cpuset', raw.cpuset, cpuCount) : null,
    rlimitAsBytes: raw.rlimitAs !== undefined ? parseSizeBytes('--rlimit-as', raw.rlimitAs) : null,
    rlimitDataBytes: raw.rlimitData !== undefined ? parseSizeBytes('--rlimit-data', raw.rlimitData) : null,
    noAslr: raw.aslr === false,
    bestEffort: raw.bestEffort === true,
  };
  const setarchPath = limits.noAslr ? findInPath('setarch') : null;
  let stdinFile: string | null = null;
  if (raw.stdin !== undefined) {
    stdinFile = resolve(raw.stdin);
    try {
      accessSync(stdinFile, constants.R_OK);
      if (statSync(stdinFile).isDirectory()) throw new Error('is a directory');
    } catch (e) {
      throw usageError(`--stdin ${raw.stdin} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'give a readable file');
    }
  }
  return {
    commands,
    jsonPath: raw.json ?? null,
    htmlPath: raw.html ?? null,
    color: raw.color && !noColor && process.stdout.isTTY === true,
    chart: raw.chart !== false,
    bench: {
      runs: parseCount('--runs', raw.runs, 1, 100_000),
      warmup: parseCount('--warmup', raw.warmup, 0, 100_000),
      intervalMs,
      pssIntervalMs,
      pssBudget,
      statusIntervalMs: Math.max(intervalMs, Math.min(10, pssIntervalMs)),
      timeoutMs: raw.timeout !== undefined ? parseDurationMs('--timeout', raw.timeout) : null,
      backend: parseChoice('--backend', raw.backend, ['auto', 'cgroup', 'proc'] as const),
      survivors: parseChoice('--survivors', raw.survivors, ['wait', 'kill'] as const),
      ignoreFailure: raw.ignoreFailure === true,
      showOutput: raw.showOutput === true,
      timelinePoints: parseCount('--timeline-points', raw.timelinePoints, 2, 10_000_000),
      procRoot: '/proc',
      pageSizeBytes: readPageSize(),
      concurrency: raw.concurrency !== undefined ? parseList('--concurrency', raw.concurrency, (t) => parseCount('--concurrency', t, 1, 256)) : [1],
      payloadSizes: raw.payloadScan !== undefined ? parseList('--payload-scan', raw.payloadScan, (t) => parseSizeBytes('--payload-scan', t)) : [],
      subtractBaseline: raw.baselineCmd !== undefined ? { command: raw.baselineCmd } : raw.subtractBaseline ? 'infer' : null,
      limits,
      processLimits: processLimits(limits, setarchPath),
      setarchPath,
      stdinFile,
      realtime: raw.realtime === true,
      maxStatmPerTick: raw.maxStatmPerTick !== undefined ? parseCount('--max-statm-per-tick', raw.maxStatmPerTick, 1, 1_000_000) : 0,
    },
  };
}

/** Progress on stderr, only when it is a terminal. */
function progressReporter(enabled: boolean, commands: readonly CommandSpec[]): { onRunStart?: (ci: number, i: number, total: number, warmup: boolean) => void; done: () => void } {
  if (!enabled) return { done: () => undefined };
  return {
    onRunStart: (ci, i, total, warmup) => {
      const what = commands[ci]!.display.slice(0, 40);
      process.stderr.write(`\r\x1b[2K${warmup ? 'warm-up' : 'run'} ${i + 1}/${total} of command ${ci + 1}/${commands.length}: ${what}`);
    },
    done: () => process.stderr.write('\r\x1b[2K'),
  };
}

export function exitCodeFor(doc: MembenchResult, interruptSignal: string | null, ignoreFailure: boolean): number {
  if (interruptSignal) return interruptSignal === 'SIGTERM' ? 143 : EXIT.INTERRUPTED;
  const runs = doc.benchmarks.flatMap((b) => b.runs);
  if (runs.some((r) => r.outcome.state === 'failed-to-start')) return EXIT.FAILED_TO_START;
  if (!ignoreFailure && runs.some((r) => !r.warmup && !runCounts(r, false))) return EXIT.COMMAND_FAILED;
  return EXIT.OK;
}

export async function runCommand(raw: RawRunOptions, shellCommands: readonly string[], execArgv: readonly string[] | null): Promise<number> {
  const opts = resolveRunOptions(raw, shellCommands, execArgv);
  const { interrupt, dispose } = interruptOnSignals();
  const toStdout = opts.jsonPath === '-';
  const progress = progressReporter(process.stderr.isTTY === true && !toStdout, opts.commands);
  const doc = await runBenchmarks(opts.commands, opts.bench, interrupt, {
    onRunStart: progress.onRunStart,
    onUpdate: (d) => {
      if (opts.jsonPath && !toStdout) writeJsonFile(opts.jsonPath, d);
      if (opts.htmlPath) writeHtmlFile(opts.htmlPath, htmlReport([{ name: null, doc: d }]));
    },
  });
  progress.done();
  dispose();
  const onlyFailedToStart = doc.benchmarks.every((b) => b.runs.length > 0 && b.runs.every((r) => r.outcome.state === 'failed-to-start'));
  if (onlyFailedToStart && doc.benchmarks.length === 1) {
    const o = doc.benchmarks[0]!.runs[0]!.outcome;
    process.stderr.write(`membench: ${o.state === 'failed-to-start' ? o.message : 'failed to start'}\n`);
  } else {
    (toStdout ? process.stderr : process.stdout).write(renderTerminal(doc, colorsFor(opts.color), { chart: opts.chart }));
  }
  if (toStdout) process.stdout.write(renderJson(doc));
  return exitCodeFor(doc, interrupt.requested, opts.bench.ignoreFailure);
}
