// Markdown for pull-request comments and $GITHUB_STEP_SUMMARY: the suite's tables and fits, and the comparison.
import type { Comparison } from '../analyze/compare.js';
import type { SuiteResult } from '../document/suite.js';
import {
  benchmarkHeading,
  comparisonExtras,
  comparisonSummary,
  comparisonTable,
  expectLine,
  fitLine,
  sizeTable,
  type SuiteExporter,
  type Table,
} from './suite-rows.js';

const cell = (s: string): string => s.replaceAll('|', '\\|');

export function markdownTable(t: Table): string {
  const head = `| ${t.header.map(cell).join(' | ')} |`;
  const rule = `|${t.align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`;
  return [head, rule, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

export function comparisonMarkdown(c: Comparison, title = 'Memory: compared with the baseline'): string {
  const verdict = c.regressions > 0 ? `**${c.regressions} regression${c.regressions === 1 ? '' : 's'}**` : 'no regression';
  const rows = c.rows.length > 0 ? markdownTable(comparisonTable(c)) : '_nothing in common to compare_';
  return [`## ${title}: ${verdict}`, '', rows, '', comparisonSummary(c), ...comparisonExtras(c).map((l) => `\n${l}`), ''].join('\n');
}

export function suiteMarkdown(doc: SuiteResult, comparison: Comparison | null): string {
  const parts: string[] = [];
  if (comparison) parts.push(comparisonMarkdown(comparison));
  parts.push('## Memory benchmarks', '');
  for (const b of doc.benchmarks) {
    parts.push(`### ${cell(benchmarkHeading(b))}`, '', markdownTable(sizeTable(b)), '', `Fit: ${fitLine(b)}`, '');
    const e = expectLine(b);
    if (e) parts.push(`Expectation: ${e}`, '');
  }
  if (doc.failure) parts.push(`**Stopped**: ${doc.failure.benchmark}: ${doc.failure.message}`, '');
  parts.push(
    `_membench ${doc.tool.version} · ${doc.context.hostname} · Linux ${doc.context.kernel} · Node ${doc.context.nodeVersion}_`,
    '',
  );
  return parts.join('\n');
}

export const exporter: SuiteExporter = {
  flag: 'markdown',
  describe: 'Markdown tables (PR comments, $GITHUB_STEP_SUMMARY)',
  render: suiteMarkdown,
};
