// Terminal section of the diagnosis: leak verdict (with agreement across runs), fragmentation evidence,
// the per-mapping breakdown near the peak, and the timeline chart. Builds rows, then renders them.
import type { BenchmarkResult, Breakdown, BreakdownGroup } from '../result.js';
import type { Colors } from './colors.js';
import { renderChart } from './chart.js';
import { formatBytes, formatMs } from './units.js';
import { shownRun, verdictOf } from './run-rows.js';
import { labelledTable } from './text-table.js';

export interface DiagnosisRenderOptions {
  readonly chart: boolean;
  /** Groups shown per breakdown table; the rest are summed into one row. */
  readonly maxGroups?: number;
}

const MAX_NAME = 26;
const clip = (s: string): string => (s.length <= MAX_NAME ? s : `${s.slice(0, MAX_NAME - 1)}…`);

/** The colour a verdict is painted in, in every terminal view. */
export function verdictColor(c: Colors, verdict: string): (s: string) => string {
  return verdict === 'leak' ? c.red : verdict === 'no-leak' ? c.green : c.yellow;
}

function leakLine(b: BenchmarkResult, c: Colors): string | null {
  const v = verdictOf(b);
  if (!v) return null;
  const agree = v.of > 1 ? ` (${v.agree}/${v.of} runs)` : '';
  return `  ${c.bold('memory:')} ${verdictColor(c, v.verdict)(v.words)}${agree} — ${v.reason}`;
}

interface TableRow {
  readonly label: string;
  readonly cells: readonly string[];
}

/** Rows of one breakdown table: the largest groups, then the rest summed, then the total. */
export function breakdownRows(groups: readonly BreakdownGroup[], maxGroups: number): TableRow[] {
  const cells = (g: Pick<BreakdownGroup, 'rssBytes' | 'pssBytes' | 'ussBytes' | 'swapBytes' | 'sizeBytes'>): string[] =>
    [g.rssBytes, g.pssBytes, g.ussBytes, g.swapBytes, g.sizeBytes].map((v) => formatBytes(v));
  const sum = (gs: readonly BreakdownGroup[]) => ({
    rssBytes: gs.reduce((a, g) => a + g.rssBytes, 0),
    pssBytes: gs.reduce((a, g) => a + g.pssBytes, 0),
    ussBytes: gs.reduce((a, g) => a + g.ussBytes, 0),
    swapBytes: gs.reduce((a, g) => a + g.swapBytes, 0),
    sizeBytes: gs.reduce((a, g) => a + g.sizeBytes, 0),
  });
  const shown = groups.slice(0, maxGroups);
  const rest = groups.slice(maxGroups);
  const label = (g: BreakdownGroup): string =>
    clip(g.kind === 'library' ? `${g.name} (lib)` : g.kind === 'binary' ? `${g.name} (binary)` : g.name);
  const rows: TableRow[] = shown.map((g) => ({ label: label(g), cells: cells(g) }));
  if (rest.length > 0) rows.push({ label: `${rest.length} more`, cells: cells(sum(rest)) });
  rows.push({ label: 'total', cells: cells(sum(groups)) });
  return rows;
}

function renderRows(title: string, rows: readonly TableRow[], c: Colors): string[] {
  return [`  ${title}`, ...labelledTable(['', 'RSS', 'PSS', 'USS', 'swap', 'size'], rows, c, '    ')];
}

function breakdownLines(bd: Breakdown, maxGroups: number, c: Colors): string[] {
  const at = `at ${formatMs(bd.atMs)}${bd.treeBytes !== null ? `, tree ${formatBytes(bd.treeBytes)}` : ''}`;
  const cost = c.dim(
    `  (smaps read ${bd.captures}× during the run, ${formatMs(bd.totalReadMs)} in all${bd.unreadable ? `; ${bd.unreadable} process${bd.unreadable === 1 ? '' : 'es'} unreadable` : ''})`,
  );
  const out: string[] = [];
  const lp = bd.largestProcess;
  if (lp)
    out.push(
      ...renderRows(
        `${c.bold('breakdown')} of ${lp.name} (pid ${lp.pid}), the largest process at that moment, ${at}:`,
        breakdownRows(lp.groups, maxGroups),
        c,
      ),
    );
  if (bd.processCount > 1 || !lp)
    out.push(
      ...renderRows(
        `${c.bold('breakdown')} summed over the tree's ${bd.processCount} processes (Σ RSS counts shared pages once per process):`,
        breakdownRows(bd.tree.groups, maxGroups),
        c,
      ),
    );
  out.push(cost);
  return out;
}

/** Lines of the diagnosis section of one command (empty when no run has a diagnosis or a timeline). */
export function renderDiagnosis(b: BenchmarkResult, c: Colors, opts: DiagnosisRenderOptions): string[] {
  const run = shownRun(b);
  if (!run) return [];
  const out: string[] = [];
  const measured = b.runs.filter((r) => !r.warmup).length;
  if (run.diagnosis) {
    out.push(c.dim(`  diagnosis of run ${run.index + 1}${measured > 1 ? ` of ${measured}` : ''}:`));
    const leak = leakLine(b, c);
    if (leak) out.push(leak);
    const seen = run.diagnosis.fragmentation.signals.filter((s) => s.observed === true);
    const unknown = run.diagnosis.fragmentation.signals.filter((s) => s.observed === null).length;
    if (seen.length === 0) {
      out.push(
        `  ${c.bold('fragmentation:')} no evidence seen${unknown > 0 ? ` (${unknown} of ${run.diagnosis.fragmentation.signals.length} signals cannot be judged from outside the process: see the JSON)` : ''}`,
      );
    } else for (const s of seen) out.push(`  ${c.bold('fragmentation evidence:')} ${s.evidence}`);
    if (run.diagnosis.breakdown) out.push(...breakdownLines(run.diagnosis.breakdown, opts.maxGroups ?? 8, c));
  }
  if (opts.chart && run.timeline) {
    // 78 columns plus the 2 of indentation: the section stays within 80.
    const chart = renderChart(run.timeline, c, { width: 78 });
    if (chart.length > 0) out.push('', ...chart.map((l) => `  ${l}`));
  }
  return out;
}
