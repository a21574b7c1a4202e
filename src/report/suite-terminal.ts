// The terminal view of a suite: per benchmark a table of sizes, the per-unit fit and the expect check; then the
// comparison with a baseline when there is one. Rows come from suite-rows.ts.
import type { Comparison } from '../analyze/compare.js';
import type { SuiteResult } from '../document/suite.js';
import type { Colors } from './colors.js';
import {
  benchmarkHeading,
  comparisonExtras,
  comparisonSummary,
  comparisonTable,
  expectFailed,
  expectLine,
  fitLine,
  sizeTable,
  type Table,
} from './suite-rows.js';
import { wrap } from './wrap.js';
import { textTable } from './text-table.js';

/** A Table as terminal lines; `paint` colours a cell, row −1 being the header. */
const renderTextTable = (t: Table, indent: string, paint?: (row: number, col: number, s: string) => string): string[] =>
  textTable([t.header, ...t.rows], { align: t.align, indent, paint });

export function renderSuiteTerminal(doc: SuiteResult, c: Colors): string {
  const out: string[] = [];
  for (const b of doc.benchmarks) {
    out.push(c.bold(benchmarkHeading(b)));
    out.push(...renderTextTable(sizeTable(b), '    '));
    out.push(`  ${c.cyan('fit')}    ${fitLine(b)}`);
    const e = expectLine(b);
    if (e) out.push(`  ${expectFailed(b) ? c.red(e) : c.green(e)}`);
    if (b.backend) out.push(c.dim(`  measured with the ${b.backend} backend`));
    out.push('');
  }
  if (doc.failure)
    out.push(
      c.red(`stopped: ${doc.failure.benchmark}${doc.failure.size === null ? '' : ` at size ${doc.failure.size}`}: ${doc.failure.message}`),
      '',
    );
  return `${out.join('\n')}\n`;
}

export function renderComparisonTerminal(cmp: Comparison, c: Colors, title = 'compared with the baseline'): string {
  const table = comparisonTable(cmp);
  const verdictCol = table.header.length - 1;
  const paint = (row: number, col: number, s: string): string => {
    if (row < 0) return c.dim(s);
    if (col !== verdictCol) return s;
    const v = cmp.rows[row]!.verdict;
    return v === 'regressed' ? c.red(s) : v === 'improved' ? c.green(s) : v === 'incomparable' ? c.yellow(s) : s;
  };
  const lines = [
    c.bold(title),
    ...renderTextTable(table, '  ', paint),
    ...wrap(`  ${comparisonSummary(cmp)}`),
    ...comparisonExtras(cmp).flatMap((l) => wrap(`  ${l}`).map(c.yellow)),
  ];
  return `${lines.join('\n')}\n`;
}
