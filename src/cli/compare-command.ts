// `membench compare BASE CURRENT`: two suite documents (files or saved baseline names), or two `run --json`
// documents, compared row by row with the noise-aware test; exit 6 when anything regressed.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { compareSeries, type Comparison, type CompareOptions, type Series } from '../analyze/compare.js';
import { EXIT, usageError, type MembenchError } from '../errors.js';
import { baselinePath, loadBaseline } from '../store/baselines.js';
import { writeJsonAtomic, writeTextAtomic } from '../store/atomic.js';
import { readDocumentText, readResultDocument, type ResultDocument } from '../document/read.js';
import { runDocumentMetric, seriesOfRunDocument, seriesOfSuite } from '../suite/series.js';
import { comparisonMarkdown } from '../report/markdown.js';
import { renderComparisonTerminal } from '../report/suite-terminal.js';
import { colorsFor, colorWanted } from '../report/colors.js';
import { checkOutputs } from './output-paths.js';
import { parseSizeBytes } from './parse-values.js';
import { COMPARISON_KIND, THIS_TOOL } from '../document/kinds.js';

export interface RawGateOptions {
  threshold: string;
  alpha: string;
  minDiff: string;
}

export function resolveGateOptions(raw: RawGateOptions): CompareOptions {
  const t = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(raw.threshold);
  if (!t) throw usageError(`--threshold: "${raw.threshold}" is not a percentage`, 'write e.g. 10% (a bare number is a percentage too)');
  const thresholdRatio = Number(t[1]) / 100;
  const alpha = Number(raw.alpha);
  if (!/^\s*\d*\.?\d+\s*$/.test(raw.alpha) || !(alpha > 0 && alpha <= 0.5))
    throw usageError(`--alpha: "${raw.alpha}" is not a significance level`, 'give a number in (0, 0.5], e.g. 0.05');
  const minDiff = /^\s*0+\s*$/.test(raw.minDiff) ? 0 : parseSizeBytes('--min-diff', raw.minDiff);
  return { thresholdRatio, alpha, minDiff };
}

export interface RawCompareOptions extends RawGateOptions {
  baselineDir: string;
  json?: string;
  markdown?: string;
  color: boolean;
}

/** A path when it names a file (or ends in .json), otherwise a saved baseline's name. */
export function readDocumentArg(arg: string, baselineDir: string): { name: string; document: ResultDocument } {
  if (existsSync(arg) || arg.endsWith('.json') || arg.includes('/')) {
    const path = resolve(arg);
    return { name: arg, document: readResultDocument(readDocumentText(path, 'document'), arg) };
  }
  baselinePath(baselineDir, arg);
  return { name: `baseline ${arg}`, document: { kind: 'suite', doc: loadBaseline(baselineDir, arg) } };
}

export function comparisonDocument(baseline: string, current: string, c: Comparison): unknown {
  return { kind: COMPARISON_KIND, schemaVersion: 1, tool: THIS_TOOL, baseline, current, ...c };
}

const listed = (names: readonly string[]): string =>
  names.length === 0 ? 'nothing' : names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;

/**
 * A gate that compares nothing must not pass: two documents with no benchmark in common are a usage error (exit 2),
 * in one line that names what each side holds.
 */
export function nothingInCommon(
  baseline: string,
  current: string,
  baselineBenchmarks: readonly string[],
  currentBenchmarks: readonly string[],
): MembenchError {
  const names = (xs: readonly string[]): string => listed([...new Set(xs)].map((x) => JSON.stringify(x)));
  const shared = [...new Set(currentBenchmarks)].filter((x) => baselineBenchmarks.includes(x));
  if (shared.length > 0) {
    return usageError(
      `${current} and ${baseline} share ${names(shared)} but no size of it: nothing compared`,
      'measure the same sizes on both sides',
    );
  }
  return usageError(
    `${current} and ${baseline} have no benchmark in common: nothing compared`,
    `${baseline} has ${names(baselineBenchmarks)}; ${current} has ${names(currentBenchmarks)}`,
  );
}

/** Both documents are runs of one command each, and the commands differ: the pair to compare, else null. */
export function singleCommandPair(a: ResultDocument, b: ResultDocument): { baseline: string; current: string } | null {
  if (a.kind !== 'run' || b.kind !== 'run' || a.doc.benchmarks.length !== 1 || b.doc.benchmarks.length !== 1) return null;
  const [x, y] = [a.doc.benchmarks[0]!.command, b.doc.benchmarks[0]!.command];
  return x === y ? null : { baseline: x, current: y };
}

export async function compareCommand(raw: RawCompareOptions, args: readonly string[]): Promise<number> {
  if (args.length !== 2)
    throw usageError(
      `compare needs two documents, got ${args.length}`,
      'write: membench compare BASELINE.json CURRENT.json (or a saved baseline name)',
    );
  const gate = resolveGateOptions(raw);
  checkOutputs(
    [
      { flag: '--json', path: raw.json },
      { flag: '--markdown', path: raw.markdown },
    ],
    args.filter((f) => existsSync(f)),
  );
  const [a, b] = [readDocumentArg(args[0]!, raw.baselineDir), readDocumentArg(args[1]!, raw.baselineDir)];
  if (a.document.kind !== b.document.kind) {
    throw usageError(
      `${a.name} is a ${a.document.kind} document but ${b.name} is a ${b.document.kind} document`,
      'compare suite results with suite results, run results with run results',
    );
  }
  // Run documents: the headline peak when both sides have it, else (a document older than the headline) the tree peak.
  const metric = [a.document, b.document].every((d) => d.kind === 'run' && runDocumentMetric(d.doc) === 'memoryPeakBytes')
    ? 'memoryPeakBytes'
    : 'treePeakBytes';
  const series = (d: ResultDocument): Series[] => (d.kind === 'suite' ? seriesOfSuite(d.doc) : seriesOfRunDocument(d.doc, metric));
  const pair = singleCommandPair(a.document, b.document);
  // Two run documents of one command each, different commands (a variant against another): compared as a pair,
  // the row named "baseline's command → current's".
  const relabel = (xs: Series[]): Series[] => (pair ? xs.map((x) => ({ ...x, benchmark: `${pair.baseline} → ${pair.current}` })) : xs);
  const [sa, sb] = [relabel(series(a.document)), relabel(series(b.document))];
  if (pair)
    process.stderr.write(
      `membench: note: ${a.name} and ${b.name} measured different commands; comparing ${b.name}'s ${JSON.stringify(pair.current)} with ${a.name}'s ${JSON.stringify(pair.baseline)}\n`,
    );
  const cmp = compareSeries(sa, sb, gate);
  if (cmp.rows.length === 0)
    throw nothingInCommon(
      a.name,
      b.name,
      sa.map((x) => x.benchmark),
      sb.map((x) => x.benchmark),
    );
  const toStdout = raw.json === '-' || raw.markdown === '-';
  const term = renderComparisonTerminal(
    cmp,
    colorsFor(colorWanted({ flag: raw.color, tty: process.stdout.isTTY === true && !toStdout, env: process.env })),
    `${b.name} compared with ${a.name}`,
  );
  for (const d of [a, b]) {
    if (d.document.kind === 'suite' && !d.document.doc.context.complete)
      process.stderr.write(`membench: note: ${d.name} is partial (its suite did not complete)\n`);
  }
  (toStdout ? process.stderr : process.stdout).write(term);
  if (raw.json) {
    const doc = comparisonDocument(a.name, b.name, cmp);
    if (raw.json === '-') process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else writeJsonAtomic(raw.json, doc);
  }
  if (raw.markdown) {
    const md = comparisonMarkdown(cmp, `Memory: ${b.name} compared with ${a.name}`);
    if (raw.markdown === '-') process.stdout.write(md);
    else writeTextAtomic(raw.markdown, md);
  }
  return cmp.regressions > 0 ? EXIT.REGRESSION : EXIT.OK;
}
