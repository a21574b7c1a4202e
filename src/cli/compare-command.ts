// `membench compare BASE CURRENT`: two suite documents (files or saved baseline names), or two `run --json`
// documents, compared row by row with the noise-aware test; exit 6 when anything regressed.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { DEFAULT_COMPARE_OPTIONS, compareSeries, type Comparison, type CompareOptions } from '../analyze/compare.js';
import { EXIT, usageError } from '../errors.js';
import { DEFAULT_BASELINE_DIR, baselinePath, loadBaseline } from '../store/baselines.js';
import { writeJsonAtomic, writeTextAtomic } from '../store/atomic.js';
import { parseAnyDocument, readText, type AnyDocument } from '../suite/document.js';
import { seriesOfRunDocument, seriesOfSuite } from '../suite/series.js';
import { comparisonMarkdown } from '../report/markdown.js';
import { renderComparisonTerminal } from '../report/suite-terminal.js';
import { colorsFor } from '../report/terminal.js';
import { parseSizeBytes } from './parse-values.js';

export const GATE_HELP_EPILOG = `
The regression test (per benchmark and size, and per unit of the fitted slope):
  a row REGRESSED when its median grew by at least --threshold (and --min-diff) AND the growth is
  significant at --alpha: one-sided Welch t-test over the repeats (≥ 2 on each side), or, with a single
  value on a side, current and baseline ranges that do not overlap; fitted slopes use t = Δ/√(SE₁²+SE₂²).

Exit codes:
  0    no regression (and, for suite, every expect range met)
  1    a benchmark failed: threw, crashed, or its command failed
  2    usage error: bad flag or value, suite file that does not load, missing baseline, schema mismatch
  3    a command could not be started
  6    regression found (or, for suite, a per-unit cost outside its expect range)
  130  interrupted by Ctrl-C (143 for SIGTERM)
`;

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
  if (!/^\s*\d*\.?\d+\s*$/.test(raw.alpha) || !(alpha > 0 && alpha <= 0.5)) throw usageError(`--alpha: "${raw.alpha}" is not a significance level`, 'give a number in (0, 0.5], e.g. 0.05');
  const minDiff = /^\s*0+\s*$/.test(raw.minDiff) ? 0 : parseSizeBytes('--min-diff', raw.minDiff);
  return { thresholdRatio, alpha, minDiff };
}

export const DEFAULT_GATE = {
  threshold: `${DEFAULT_COMPARE_OPTIONS.thresholdRatio * 100}%`, alpha: String(DEFAULT_COMPARE_OPTIONS.alpha), minDiff: String(DEFAULT_COMPARE_OPTIONS.minDiff),
} as const;

export interface RawCompareOptions extends RawGateOptions {
  baselineDir: string;
  json?: string;
  markdown?: string;
  color: boolean;
}

/** A path when it names a file (or ends in .json), otherwise a saved baseline's name. */
export function readDocumentArg(arg: string, baselineDir: string): { name: string; document: AnyDocument } {
  if (existsSync(arg) || arg.endsWith('.json') || arg.includes('/')) {
    const path = resolve(arg);
    return { name: arg, document: parseAnyDocument(readText(path, 'document'), arg) };
  }
  baselinePath(baselineDir, arg);
  return { name: `baseline ${arg}`, document: { kind: 'suite', doc: loadBaseline(baselineDir, arg) } };
}

export function comparisonDocument(baseline: string, current: string, c: Comparison): unknown {
  return { kind: 'membench-comparison', schemaVersion: 1, baseline, current, ...c };
}

export async function compareCommand(raw: RawCompareOptions, args: readonly string[]): Promise<number> {
  if (args.length !== 2) throw usageError(`compare needs two documents, got ${args.length}`, 'write: membench compare BASELINE.json CURRENT.json (or a saved baseline name)');
  const gate = resolveGateOptions(raw);
  if ([raw.json, raw.markdown].filter((o) => o === '-').length > 1) throw usageError('only one of --json and --markdown can go to stdout ("-")');
  const [a, b] = [readDocumentArg(args[0]!, raw.baselineDir), readDocumentArg(args[1]!, raw.baselineDir)];
  if (a.document.kind !== b.document.kind) {
    throw usageError(`${a.name} is a ${a.document.kind} document but ${b.name} is a ${b.document.kind} document`, 'compare suite results with suite results, run results with run results');
  }
  const series = (d: AnyDocument): ReturnType<typeof seriesOfSuite> => (d.kind === 'suite' ? seriesOfSuite(d.doc) : seriesOfRunDocument(d.doc));
  const cmp = compareSeries(series(a.document), series(b.document), gate);
  const noColor = 'NO_COLOR' in process.env && process.env.NO_COLOR !== '';
  const toStdout = raw.json === '-' || raw.markdown === '-';
  const term = renderComparisonTerminal(cmp, colorsFor(raw.color && !noColor && process.stdout.isTTY === true && !toStdout), `${b.name} compared with ${a.name}`);
  for (const d of [a, b]) {
    if (d.document.kind === 'suite' && !d.document.doc.context.complete) process.stderr.write(`membench: note: ${d.name} is partial (its suite did not complete)\n`);
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


/** Declares `membench compare` on the program. */
export function addCompareCommand(program: Command): void {
  program
    .command('compare')
    .description('compare two suite results (or two run results): the CI gate, exit 6 on a regression')
    .usage('[options] BASELINE CURRENT   (files, or names of saved baselines)')
    .option('--threshold <percent>', 'smallest growth that counts as a regression', DEFAULT_GATE.threshold)
    .option('--alpha <p>', 'significance level of the regression test', DEFAULT_GATE.alpha)
    .option('--min-diff <size>', 'smallest growth in bytes that counts (e.g. 4K)', DEFAULT_GATE.minDiff)
    .option('--baseline-dir <dir>', 'where saved baselines live', DEFAULT_BASELINE_DIR)
    .option('--json <file>', 'write the comparison as JSON ("-" for stdout)')
    .option('--markdown <file>', 'write the comparison as Markdown ("-" for stdout, e.g. >> $GITHUB_STEP_SUMMARY)')
    .option('--no-color', 'no colours (NO_COLOR is respected too)')
    .argument('[documents...]')
    .addHelpText('after', GATE_HELP_EPILOG)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .action(async () => undefined);
}
