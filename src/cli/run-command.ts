// `membench run`: resolve options once, run the benchmarks, hand the document to the reporters, pick the exit code.
import { interruptOnSignals } from './signals.js';
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, exitForSignal, MembenchError, usageError } from '../errors.js';
import type { MembenchResult } from '../result.js';
import { notFoundThroughShell, runBenchmarks, type BenchmarkOptions, type CommandHooks } from '../run/benchmark.js';
import type { CommandSpec } from '../run/run-once.js';
import { runCounts } from '../analyze/summary.js';
import { readPageSize } from '../probe/proc.js';
import { writeTextAtomic } from '../store/atomic.js';
import { RUN_EXPORTERS, type RunExporter, type RunExportFlag } from '../report/run-exporters.js';
import { failuresOf } from '../report/run-rows.js';
import { checkOutputs } from './output-paths.js';
import { progressReporter } from './progress.js';
import { parse as parseShellWords } from 'shell-quote';
import { htmlReport, writeHtmlFile } from '../report/html.js';
import { colorsFor, colorWanted } from '../report/colors.js';
import { renderTerminal } from '../report/terminal.js';
import { parseChoice, parseCount, parseCpuFraction, parseCpuList, parseDurationMs, parseList, parseSizeBytes } from './parse-values.js';
import { availableParallelism } from 'node:os';
import { processLimits, type LimitsRequest } from '../run/limits.js';
import { findInPath } from '../run/launch.js';
import { expandAllocators } from '../run/allocators.js';
import { samplerSettings } from '../sample/settings.js';

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
  verbose?: boolean;
  commandName?: string[];
  prepare?: string[];
  setup?: string[];
  cleanup?: string[];
  parameterScan?: string[];
  parameterStepSize?: string;
  parameterList?: string[];
  shell?: string;
  N?: boolean;
  style?: string;
  exportJson?: string;
  exportMarkdown?: string;
  exportCsv?: string;
}

export interface ResolvedRun {
  readonly commands: readonly CommandSpec[];
  readonly bench: BenchmarkOptions;
  /** Each export asked for (--export-json/--json, --export-markdown, --export-csv) and its file, "-" for stdout. */
  readonly exports: readonly RunExport[];
  readonly htmlPath: string | null;
  readonly color: boolean;
  /** Chart of memory over time under each command's figures (--no-chart turns it off; shown with --verbose). */
  readonly chart: boolean;
  readonly verbose: boolean;
  /** --style: progress bar on a terminal; none = no terminal report at all. */
  readonly progress: boolean;
  readonly report: boolean;
}

const STYLES = ['full', 'basic', 'nocolor', 'color', 'none'] as const;

export interface RunExport {
  readonly exporter: RunExporter;
  /** The flag as the user gave it: --json is --export-json's alias. */
  readonly option: string;
  readonly path: string;
}

/** The exports asked for, in RUN_EXPORTERS' order: each exporter's --export-FLAG value, as commander names it. */
function runExports(raw: RawRunOptions): RunExport[] {
  const given: Record<RunExportFlag, string | undefined> = {
    json: raw.exportJson ?? raw.json,
    markdown: raw.exportMarkdown,
    csv: raw.exportCsv,
  };
  return RUN_EXPORTERS.flatMap((exporter) => {
    const path = given[exporter.flag];
    const option = exporter.flag === 'json' && raw.exportJson === undefined ? '--json' : `--export-${exporter.flag}`;
    return path === undefined ? [] : [{ exporter, option, path }];
  });
}

/** A command as it can be pasted back into a shell: words with shell syntax in single quotes, as people write them. */
export const displayArgv = (argv: readonly string[]): string =>
  argv.map((a) => (/^[\w/.,:=@%+-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');

/** --parameter-scan NAME MIN MAX [-D STEP] / --parameter-list NAME a,b,c → the name and its values (as text). */
function parameterValues(raw: RawRunOptions, extra: string[]): { name: string; values: string[] } | null {
  if (raw.parameterScan && raw.parameterList) throw usageError('give --parameter-scan or --parameter-list, not both');
  if (raw.parameterScan) {
    // commander's variadic option takes every word after -P; the words past NAME MIN MAX are commands.
    const [name, min, max, ...rest] = raw.parameterScan;
    extra.push(...rest);
    if (!name || min === undefined || max === undefined) throw usageError('--parameter-scan needs NAME MIN MAX', 'e.g. -P n 1 8');
    const lo = Number(min);
    const hi = Number(max);
    const step = raw.parameterStepSize !== undefined ? Number(raw.parameterStepSize) : 1;
    if (!Number.isFinite(lo) || !Number.isFinite(hi))
      throw usageError(`--parameter-scan ${name} ${min} ${max}: MIN and MAX must be numbers`);
    if (!(step > 0)) throw usageError(`--parameter-step-size ${raw.parameterStepSize} must be a number above 0`);
    if (hi < lo) throw usageError(`--parameter-scan ${name} ${min} ${max}: MAX is below MIN`);
    const count = Math.floor((hi - lo) / step + 1e-9) + 1;
    if (count > 1000) throw usageError(`--parameter-scan would make ${count} benchmarks`, 'use a larger -D step (at most 1000 values)');
    const digits = (String(step).split('.')[1] ?? '').length;
    return { name, values: Array.from({ length: count }, (_, i) => String(Number((lo + i * step).toFixed(digits)))) };
  }
  if (raw.parameterList) {
    const [name, list, ...rest] = raw.parameterList;
    extra.push(...rest);
    if (!name || list === undefined) throw usageError('--parameter-list needs NAME and a comma-separated list', 'e.g. -L n 10,100,1000');
    const values = list.split(',');
    if (values.some((v) => v === '')) throw usageError(`--parameter-list ${name} ${list}: an empty value`);
    return { name, values };
  }
  if (raw.parameterStepSize !== undefined) throw usageError('-D/--parameter-step-size goes with --parameter-scan');
  return null;
}

/** One value per command: a single value applies to all; otherwise exactly one per command. */
function perCommand(flag: string, values: readonly string[] | undefined, n: number): (string | null)[] {
  const v = values ?? [];
  if (v.length === 0) return Array.from({ length: n }, () => null);
  if (v.length === 1) return Array.from({ length: n }, () => v[0]!);
  if (v.length !== n) throw usageError(`${flag} given ${v.length} times for ${n} commands`, 'give it once (for all) or once per command');
  return [...v];
}

/** Validates everything the user typed, once, into a readonly options object. */
export function resolveRunOptions(raw: RawRunOptions, shellCommands: readonly string[], execArgv: readonly string[] | null): ResolvedRun {
  const intervalMs = parseDurationMs('--interval', raw.interval);
  if (intervalMs < 1 || intervalMs > 100)
    throw usageError(`--interval ${raw.interval} is outside 1ms…100ms`, 'membench samples at 10 Hz to 1 kHz');
  const pssIntervalMs = raw.pssInterval === undefined ? null : parseDurationMs('--pss-interval', raw.pssInterval);
  if (pssIntervalMs !== null && pssIntervalMs < intervalMs)
    throw usageError(
      `--pss-interval ${raw.pssInterval} is shorter than --interval ${raw.interval}`,
      'the PSS tier is sampled on ticks of the fast tier',
    );
  const cwd = resolve(raw.cwd ?? process.cwd());
  try {
    if (!statSync(cwd).isDirectory()) throw new Error('not a directory');
    accessSync(cwd, constants.R_OK | constants.X_OK);
  } catch (e) {
    throw new MembenchError(
      'failed-to-start',
      `--cwd ${cwd} is not a readable directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      'give an existing directory you can enter',
    );
  }
  if (execArgv !== null && shellCommands.length > 0) {
    throw usageError(
      `give either shell commands or one command after "--", not both (got ${JSON.stringify(shellCommands[0])} before "--")`,
    );
  }
  const extra: string[] = [];
  const param = parameterValues(raw, extra);
  const quoted = [...extra, ...shellCommands];
  if (execArgv !== null && quoted.length > 0) {
    throw usageError(`give either shell commands or one command after "--", not both (got ${JSON.stringify(quoted[0])} before "--")`);
  }
  const shell = raw.N ? 'none' : (raw.shell ?? '/bin/sh');
  if (raw.N && raw.shell !== undefined && raw.shell !== 'none')
    throw usageError(`-N means --shell=none, but --shell ${raw.shell} was given too`);
  let commands: CommandSpec[];
  if (execArgv !== null) {
    if (execArgv.length === 0 || execArgv[0] === '') throw usageError('no command after "--"', 'write: membench run -- program args…');
    commands = [{ display: displayArgv(execArgv), argv: execArgv, shell: false, cwd }];
  } else {
    if (quoted.length === 0)
      throw usageError('no command to measure', 'write: membench run -- program args…  or  membench run "shell command"');
    const empty = quoted.findIndex((c) => c.trim() === '');
    if (empty >= 0) throw usageError(`command ${empty + 1} is empty`);
    commands = quoted.map((c) => commandOf(c, shell, cwd));
  }
  const names = raw.commandName ?? [];
  if (names.length > commands.length)
    throw usageError(
      `${names.length} --command-name for ${commands.length} command${commands.length === 1 ? '' : 's'}`,
      execArgv !== null && execArgv.length > 1
        ? 'everything after -- is one command and its arguments; to compare commands, drop the -- and quote each: membench run -n A -n B "cmd a" "cmd b"'
        : 'give at most one name per command, in order',
    );
  commands = commands.map((c, i) => (names[i] !== undefined ? { ...c, display: names[i]! } : c));
  const around = ((): CommandHooks[] => {
    const setup = perCommand('--setup', raw.setup, commands.length);
    const prepare = perCommand('--prepare', raw.prepare, commands.length);
    const cleanup = perCommand('--cleanup', raw.cleanup, commands.length);
    return commands.map((_, i) => ({ setup: setup[i]!, prepare: prepare[i]!, cleanup: cleanup[i]! }));
  })();
  if (param) {
    // Each command once per value, {name} replaced everywhere (its hooks follow the command it came from).
    const token = `{${param.name}}`;
    if (!commands.some((c) => c.argv.some((a) => a.includes(token))))
      throw usageError(`no command contains ${token}`, `write ${token} where the value goes`);
    const expanded: CommandSpec[] = [];
    const hooks: CommandHooks[] = [];
    commands.forEach((c, i) => {
      for (const value of param.values) {
        const sub = (x: string): string => x.replaceAll(token, value);
        expanded.push({
          ...c,
          argv: c.argv.map(sub),
          display: sub(c.display),
          parameter: { name: param.name, value, template: c.display },
        });
        const h = around[i]!;
        hooks.push({ setup: h.setup && sub(h.setup), prepare: h.prepare && sub(h.prepare), cleanup: h.cleanup && sub(h.cleanup) });
      }
    });
    commands = expanded;
    around.splice(0, around.length, ...hooks);
  }
  if (raw.allocator !== undefined) commands = expandAllocators(commands, raw.allocator, process.env.LD_PRELOAD);
  if (raw.html === '-' || raw.html === '')
    throw usageError('--html needs a file name', 'the page is written to a file; --json - is the stdout form');
  if (raw.json !== undefined && raw.exportJson !== undefined && raw.json !== raw.exportJson)
    throw usageError('--json is an alias of --export-json: give one of them');
  const exports = runExports(raw);
  // Every file is checked before the first run: a result that cannot be saved is not measured.
  checkOutputs(
    [...exports.map((e) => ({ flag: e.option, path: e.path })), { flag: '--html', path: raw.html, stdout: false }],
    raw.stdin ? [raw.stdin] : [],
  );
  const style = parseChoice('--style', raw.style ?? 'full', STYLES);
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
      throw usageError(
        `--stdin ${raw.stdin} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        'give a readable file',
      );
    }
  }
  return {
    commands,
    exports,
    htmlPath: raw.html ?? null,
    color: colorWanted({
      flag: raw.color && style !== 'basic' && style !== 'nocolor',
      tty: process.stdout.isTTY === true || style === 'color',
      env: process.env,
    }),
    chart: raw.chart !== false,
    verbose: raw.verbose === true,
    progress: style === 'full' || style === 'nocolor',
    report: style !== 'none',
    bench: {
      runs: parseCount('--runs', raw.runs, 1, 100_000),
      warmup: parseCount('--warmup', raw.warmup, 0, 100_000),
      ...samplerSettings({ use: 'run', intervalMs, pssIntervalMs }),
      timeoutMs: raw.timeout !== undefined ? parseDurationMs('--timeout', raw.timeout) : null,
      backend: parseChoice('--backend', raw.backend, ['auto', 'cgroup', 'proc'] as const),
      survivors: parseChoice('--survivors', raw.survivors, ['wait', 'kill'] as const),
      ignoreFailure: raw.ignoreFailure === true,
      showOutput: raw.showOutput === true,
      timelinePoints: parseCount('--timeline-points', raw.timelinePoints, 2, 10_000_000),
      procRoot: '/proc',
      pageSizeBytes: readPageSize(),
      concurrency:
        raw.concurrency !== undefined ? parseList('--concurrency', raw.concurrency, (t) => parseCount('--concurrency', t, 1, 256)) : [1],
      payloadSizes:
        raw.payloadScan !== undefined ? parseList('--payload-scan', raw.payloadScan, (t) => parseSizeBytes('--payload-scan', t)) : [],
      subtractBaseline: raw.baselineCmd !== undefined ? { command: raw.baselineCmd } : raw.subtractBaseline ? 'infer' : null,
      limits,
      processLimits: processLimits(limits, setarchPath),
      setarchPath,
      stdinFile,
      realtime: raw.realtime === true,
      maxStatmPerTick: raw.maxStatmPerTick !== undefined ? parseCount('--max-statm-per-tick', raw.maxStatmPerTick, 1, 1_000_000) : 0,
      hooks: around,
    },
  };
}

/** A quoted command: by the shell asked for, or split into words and exec'd directly with --shell=none / -N. */
function commandOf(text: string, shell: string, cwd: string): CommandSpec {
  if (shell !== 'none') return { display: text, argv: [shell, '-c', text], shell: true, cwd };
  const words = parseShellWords(text);
  if (words.some((w) => typeof w !== 'string')) {
    throw usageError(
      `${JSON.stringify(text)} uses shell syntax (a pipe, redirection or glob) but --shell=none runs no shell`,
      'drop -N/--shell=none, or write the command without it',
    );
  }
  return { display: text, argv: words as string[], shell: false, cwd };
}

export function exitCodeFor(doc: MembenchResult, interruptSignal: string | null, ignoreFailure: boolean): number {
  if (interruptSignal) return exitForSignal(interruptSignal);
  const runs = doc.benchmarks.flatMap((b) => b.runs);
  if (runs.some((r) => r.outcome.state === 'failed-to-start')) return EXIT.FAILED_TO_START;
  // The shell's "not found" (127) on a command's first run: it is not run again, and it is not a measurement.
  if (doc.benchmarks.some((b) => b.runs.length === 1 && notFoundThroughShell(b.runs[0]!))) return EXIT.FAILED_TO_START;
  if (!ignoreFailure && runs.some((r) => !r.warmup && !runCounts(r, false))) return EXIT.COMMAND_FAILED;
  return EXIT.OK;
}

/** Failed runs said on stderr, one line each with the end of what the command wrote there. */
function failureLines(doc: MembenchResult): string[] {
  const out: string[] = [];
  doc.benchmarks.forEach((b, i) => {
    for (const f of failuresOf(b)) {
      const where = doc.benchmarks.length > 1 ? `benchmark ${i + 1} (${b.command}), ${f.label}` : `${b.command}: ${f.label}`;
      out.push(`membench: ${where}: ${f.text}`);
      for (const l of f.stderrTail.split('\n').filter((x) => x.trim() !== '')) out.push(`  stderr: ${l.slice(0, 200)}`);
    }
  });
  return out;
}

export async function runCommand(
  raw: RawRunOptions,
  shellCommands: readonly string[],
  execArgv: readonly string[] | null,
): Promise<number> {
  const opts = resolveRunOptions(raw, shellCommands, execArgv);
  const { interrupt, dispose } = interruptOnSignals();
  const toStdout = opts.exports.some((e) => e.path === '-');
  const progress = await progressReporter(opts.progress && process.stderr.isTTY === true);
  const write = (d: MembenchResult): void => {
    for (const e of opts.exports) if (e.path !== '-') writeTextAtomic(e.path, e.exporter.render(d));
    if (opts.htmlPath) writeHtmlFile(opts.htmlPath, htmlReport([{ name: null, doc: d }]));
  };
  let doc: MembenchResult;
  try {
    doc = await runBenchmarks(opts.commands, opts.bench, interrupt, {
      onPlan: progress.onPlan,
      onRunStart: progress.onRunStart,
      onUpdate: write,
    });
  } finally {
    progress.done();
    dispose();
  }
  const onlyFailedToStart = doc.benchmarks.every((b) => b.runs.length > 0 && b.runs.every((r) => r.outcome.state === 'failed-to-start'));
  if (onlyFailedToStart && doc.benchmarks.length === 1) {
    const o = doc.benchmarks[0]!.runs[0]!.outcome;
    process.stderr.write(`membench: ${o.state === 'failed-to-start' ? o.message : 'failed to start'}\n`);
  } else {
    if (opts.report)
      (toStdout ? process.stderr : process.stdout).write(
        renderTerminal(doc, colorsFor(opts.color), { chart: opts.chart, verbose: opts.verbose }),
      );
    // Failures go to stderr too, for when the report is piped or written elsewhere; not when the report was
    // just shown on the same terminal (or on stderr itself), where they would be said twice.
    const shownHere = opts.report && (toStdout || (process.stdout.isTTY === true && process.stderr.isTTY === true));
    const failed = shownHere ? [] : failureLines(doc);
    if (failed.length > 0) process.stderr.write(`${failed.join('\n')}\n`);
  }
  for (const e of opts.exports) if (e.path === '-') process.stdout.write(e.exporter.render(doc));
  return exitCodeFor(doc, interrupt.requested, opts.bench.ignoreFailure);
}
