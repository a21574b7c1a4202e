// `membench report A.json [B.json …] [--html FILE]`: check every result document first, then print them as the
// terminal report (as run and suite print it), or render them as one HTML page.
import { basename } from 'node:path';
import { EXIT, usageError } from '../errors.js';
import { htmlReport, writeHtmlFile, type ReportSource } from '../report/html.js';
import { suitesHtml } from '../report/suite-html.js';
import { formatBytes } from '../report/units.js';
import { readDocumentText, readResultDocument, type ResultDocument } from '../document/read.js';
import { checkOutputs } from './output-paths.js';
import { renderTerminal } from '../report/terminal.js';
import { renderSuiteTerminal } from '../report/suite-terminal.js';
import { colorsFor, colorWanted } from '../report/colors.js';

export interface RawReportOptions {
  html?: string;
  verbose?: boolean;
  color?: boolean;
  chart?: boolean;
}

const readDocumentFile = (path: string): ResultDocument => readResultDocument(readDocumentText(path, 'document'), path);

export async function reportCommand(raw: RawReportOptions, files: readonly string[]): Promise<number> {
  if (files.length === 0) throw usageError('no result documents given', 'write: membench report A.json [B.json …] --html report.html');
  if (!raw.html) return terminalReport(raw, files);
  const out = raw.html;
  checkOutputs([{ flag: '--html', path: out }], files);
  // Every input is checked before anything is written: a bad file never leaves an empty or half page behind.
  // Run documents (membench run --json) and suite documents (membench suite --json) are told apart by `kind`.
  const docs = files.map((f) => ({ file: f, document: readDocumentFile(f) }));
  const suites = docs.flatMap((d) => (d.document.kind === 'suite' ? [{ file: d.file, doc: d.document.doc }] : []));
  const runs = docs.flatMap((d) => (d.document.kind === 'run' ? [{ file: d.file, doc: d.document.doc }] : []));
  if (suites.length > 0 && runs.length > 0) {
    throw usageError(
      `${suites.map((d) => d.file).join(', ')} ${suites.length === 1 ? 'is a suite result' : 'are suite results'} and ${runs.map((d) => d.file).join(', ')} run results; one page shows one kind`,
      'write them to two pages: membench report RUN.json --html run.html; membench report SUITE.json --html suite.html',
    );
  }
  let html: string;
  let what: string;
  if (suites.length > 0) {
    const sources = suites.map((d) => ({ doc: d.doc, name: basename(d.file) }));
    html = suitesHtml(sources);
    const n = sources.reduce((k, s) => k + s.doc.benchmarks.length, 0);
    what = `${n} suite benchmark${n === 1 ? '' : 's'}${sources.length > 1 ? ` from ${sources.length} documents` : ''}`;
  } else {
    const sources: ReportSource[] = runs.map((d) => ({ name: basename(d.file), doc: d.doc }));
    html = htmlReport(sources);
    const commands = sources.reduce((n, s) => n + s.doc.benchmarks.length, 0);
    what = `${commands} command${commands === 1 ? '' : 's'} from ${sources.length} document${sources.length === 1 ? '' : 's'}`;
  }
  if (out === '-') {
    process.stdout.write(html);
  } else {
    writeHtmlFile(out, html);
    process.stderr.write(`membench: wrote ${out} (${formatBytes(Buffer.byteLength(html))}, ${what})\n`);
  }
  return EXIT.OK;
}

/** Without --html: each document as the command that wrote it printed it (-v: the full report), a title per file when several. */
function terminalReport(raw: RawReportOptions, files: readonly string[]): number {
  const docs = files.map((f) => ({ file: f, document: readDocumentFile(f) }));
  const c = colorsFor(colorWanted({ flag: raw.color !== false, tty: process.stdout.isTTY === true, env: process.env }));
  const parts = docs.map(({ file, document }) => {
    const body =
      document.kind === 'suite'
        ? renderSuiteTerminal(document.doc, c)
        : renderTerminal(document.doc, c, { verbose: raw.verbose === true, chart: raw.chart !== false });
    return docs.length > 1 ? `${c.bold(`== ${file}`)}\n${body}` : body;
  });
  process.stdout.write(parts.join('\n'));
  return EXIT.OK;
}
