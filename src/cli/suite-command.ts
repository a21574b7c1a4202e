// `membench suite [FILE…]`: resolve options and the baseline first, load the suite files, run them, report,
// export, compare with the baseline, save a baseline; pick the exit code (6: regression or expect missed).
import { interruptOnSignals } from './signals.js';
import { suiteProgress } from './progress.js';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { compareSeries, type Comparison, type CompareOptions } from '../analyze/compare.js';
import { EXIT, exitForSignal, usageError } from '../errors.js';
import type { BackendChoice } from '../run/backend.js';
import { loadSuites, resolveSuiteFiles } from '../suite/config.js';
import type { SuiteResult } from '../document/suite.js';
import { runSuite } from '../suite/runner.js';
import { seriesOfSuite } from '../suite/series.js';
import { saveBaseline, baselinePath } from '../store/baselines.js';
import { writeDocument, writeTextAtomic } from '../store/atomic.js';
import { documentText } from '../document/write.js';
import { SUITE_EXPORTERS } from '../report/suite-exporters.js';
import { suiteHtml } from '../report/suite-html.js';
import { expectFailed, formatBytesFine, perUnitName } from '../report/suite-rows.js';
import { renderComparisonTerminal, renderSuiteTerminal } from '../report/suite-terminal.js';
import { colorsFor, colorWanted } from '../report/colors.js';
import { nothingInCommon, readDocumentArg, resolveGateOptions, type RawGateOptions } from './compare-command.js';
import { checkCreatableDirectory, checkOutputs, checkReadableFile, checkWritableOutput } from './output-paths.js';
import { parseChoice, parseCount } from './parse-values.js';

export interface RawSuiteOptions extends RawGateOptions {
  runs?: string;
  jobs?: string;
  filter?: string;
  baseline?: string;
  saveBaseline?: string;
  baselineDir: string;
  backend: string;
  json?: string;
  markdown?: string;
  csv?: string;
  bmf?: string;
  ghBenchmark?: string;
  html?: string;
  showOutput?: boolean;
  color: boolean;
}

interface ResolvedSuite {
  readonly files: readonly string[];
  readonly runs: number | null;
  readonly jobs: number;
  readonly filter: RegExp | null;
  readonly backend: BackendChoice;
  readonly gate: CompareOptions;
  readonly baseline: { readonly name: string; readonly doc: SuiteResult } | null;
  readonly saveAs: string | null;
  readonly baselineDir: string;
  readonly jsonPath: string | null;
  readonly htmlPath: string | null;
  readonly exports: readonly { readonly flag: string; readonly path: string }[];
  readonly showOutput: boolean;
  readonly color: boolean;
}

const EXPORT_KEYS = { markdown: 'markdown', csv: 'csv', bmf: 'bmf', 'gh-benchmark': 'ghBenchmark' } as const;

/** Everything the user typed, checked before any benchmark runs — a missing baseline costs nothing. */
export function resolveSuiteOptions(raw: RawSuiteOptions, files: readonly string[], cwd: string): ResolvedSuite {
  let filter: RegExp | null = null;
  if (raw.filter !== undefined) {
    try {
      filter = new RegExp(raw.filter);
    } catch (e) {
      throw usageError(`--filter: ${(e as Error).message}`);
    }
  }
  const exports = SUITE_EXPORTERS.flatMap((x) => {
    const path = raw[EXPORT_KEYS[x.flag as keyof typeof EXPORT_KEYS]];
    return path ? [{ flag: x.flag, path }] : [];
  });
  const toStdout = [raw.json, raw.html, ...exports.map((e) => e.path)].filter((p) => p === '-').length;
  const suiteFiles = resolveSuiteFiles(files, cwd);
  for (const f of suiteFiles) if (existsSync(f)) checkReadableFile('suite file', f);
  // Every file this run will write, checked before the first benchmark: a bad path costs nothing.
  checkOutputs(
    [
      { flag: '--json', path: raw.json },
      ...exports.map((e) => ({ flag: `--${e.flag}`, path: e.path })),
      { flag: '--html', path: raw.html },
    ],
    [...suiteFiles, ...(raw.baseline !== undefined && existsSync(raw.baseline) ? [raw.baseline] : [])],
  );
  if (raw.saveBaseline !== undefined) {
    const path = baselinePath(raw.baselineDir, raw.saveBaseline);
    checkCreatableDirectory('--baseline-dir', raw.baselineDir);
    if (existsSync(raw.baselineDir)) checkWritableOutput('--save-baseline', path, { stdout: false });
  }
  let baseline: ResolvedSuite['baseline'] = null;
  if (raw.baseline !== undefined) {
    const d = readDocumentArg(raw.baseline, raw.baselineDir);
    if (d.document.kind !== 'suite')
      throw usageError(
        `--baseline ${raw.baseline} is a membench run document, not a suite result`,
        'give a baseline saved by membench suite',
      );
    baseline = { name: d.name, doc: d.document.doc };
  }
  return {
    files: suiteFiles,
    runs: raw.runs === undefined ? null : parseCount('--runs', raw.runs, 1, 1000),
    jobs: raw.jobs === undefined ? Math.max(1, cpus().length) : parseCount('--jobs', raw.jobs, 1, 64),
    filter,
    backend: parseChoice('--backend', raw.backend, ['auto', 'cgroup', 'proc'] as const),
    gate: resolveGateOptions(raw),
    baseline,
    saveAs: raw.saveBaseline ?? null,
    baselineDir: raw.baselineDir,
    jsonPath: raw.json ?? null,
    htmlPath: raw.html ?? null,
    exports,
    showOutput: raw.showOutput === true,
    color: colorWanted({ flag: raw.color, tty: process.stdout.isTTY === true && toStdout === 0, env: process.env }),
  };
}

export async function suiteCommand(raw: RawSuiteOptions, files: readonly string[]): Promise<number> {
  const cwd = process.cwd();
  const opts = resolveSuiteOptions(raw, files, cwd);
  const suite = await loadSuites(opts.files);
  if (opts.filter && !suite.benchmarks.some((b) => opts.filter!.test(b.name))) {
    throw usageError(`--filter ${raw.filter} matches no benchmark`, `benchmarks: ${suite.benchmarks.map((b) => b.name).join(', ')}`);
  }
  if (opts.baseline) {
    // A gate that would compare nothing is refused before anything runs (a green gate over nothing is a lie).
    const names = suite.benchmarks.filter((b) => !opts.filter || opts.filter.test(b.name)).map((b) => b.name);
    const known = opts.baseline.doc.benchmarks.map((b) => b.name);
    if (!names.some((n) => known.includes(n))) throw nothingInCommon(opts.baseline.name, 'this suite', known, names);
  }
  const { interrupt, dispose } = interruptOnSignals();
  const toStdout = [opts.jsonPath, opts.htmlPath, ...opts.exports.map((e) => e.path)].includes('-');
  const progress = await suiteProgress(process.stderr.isTTY === true && !toStdout);
  const doc = await runSuite(
    suite,
    { runs: opts.runs, jobs: opts.jobs, filter: opts.filter, backend: opts.backend, showOutput: opts.showOutput, cwd },
    interrupt,
    {
      onPlan: progress.onPlan,
      onMeasure: progress.onMeasure,
      // The JSON document is rewritten after every repeat, marked complete: false until the end.
      onUpdate: (d) => {
        if (opts.jsonPath && opts.jsonPath !== '-') writeDocument(opts.jsonPath, d);
      },
    },
  );
  progress.done();
  dispose();

  const term = toStdout ? process.stderr : process.stdout;
  const colors = colorsFor(opts.color);
  term.write(renderSuiteTerminal(doc, colors));
  if (interrupt.requested) return exitForSignal(interrupt.requested);
  if (doc.failure) {
    // Exports and baselines are for complete suites only; the partial --json says complete: false.
    process.stderr.write(
      `membench: benchmark ${JSON.stringify(doc.failure.benchmark)}${doc.failure.size === null ? '' : ` at size ${doc.failure.size}`}: ${doc.failure.message}\n`,
    );
    return /failed to start/.test(doc.failure.message) ? EXIT.FAILED_TO_START : EXIT.COMMAND_FAILED;
  }
  let comparison: Comparison | null = null;
  if (opts.baseline) {
    comparison = compareSeries(seriesOfSuite(opts.baseline.doc), seriesOfSuite(doc), opts.gate);
    term.write(renderComparisonTerminal(comparison, colors, `compared with ${opts.baseline.name}`));
  }
  if (opts.jsonPath === '-') process.stdout.write(documentText(doc));
  for (const e of opts.exports) {
    const text = SUITE_EXPORTERS.find((x) => x.flag === e.flag)!.render(doc, comparison);
    if (e.path === '-') process.stdout.write(text);
    else writeTextAtomic(e.path, text);
  }
  if (opts.htmlPath) {
    const html = suiteHtml(doc);
    if (opts.htmlPath === '-') process.stdout.write(html);
    else writeTextAtomic(opts.htmlPath, html);
  }
  if (opts.saveAs) {
    const path = saveBaseline(opts.baselineDir, opts.saveAs, doc);
    process.stderr.write(`membench: saved baseline ${opts.saveAs} (${path})\n`);
  }
  const missed = doc.benchmarks.filter(expectFailed);
  for (const b of missed) {
    process.stderr.write(
      `membench: ${b.name}: ${formatBytesFine(b.fit!.slopeBytesPerUnit)} per ${perUnitName(b.unit)} is ${b.expectVerdict} the expected ${b.expect!.perUnit.text}\n`,
    );
  }
  if (comparison && comparison.regressions > 0) {
    process.stderr.write(
      `membench: ${comparison.regressions} regression${comparison.regressions === 1 ? '' : 's'} against ${opts.baseline!.name}\n`,
    );
  }
  return missed.length > 0 || (comparison?.regressions ?? 0) > 0 ? EXIT.REGRESSION : EXIT.OK;
}
