// Terminal renderers of the live views (top, system, watch): build rows, then pad them into columns.
import { formatBytes } from '../report/units.js';
import type { TopSnapshot } from './top.js';

/** Right-aligns every column but the last, which is left as is (commands are long). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

const clip = (s: string, n: number): string => ([...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s);

export function renderTop(t: TopSnapshot, commandWidth = 80): string {
  const rows: string[][] = [['PID', 'PSS', 'USS', 'RSS', 'SWAP', 'COMMAND']];
  for (const p of t.processes) rows.push([String(p.pid), formatBytes(p.pssBytes), formatBytes(p.ussBytes), formatBytes(p.rssBytes), formatBytes(p.swapBytes), clip(p.command, commandWidth)]);
  rows.push(['total', formatBytes(t.totals.pssBytes), formatBytes(t.totals.ussBytes), formatBytes(t.totals.rssBytes), formatBytes(t.totals.swapBytes), `${t.totals.processes} processes`]);
  const lines = [table(rows)];
  const notes: string[] = [`sorted by ${t.sortedBy.toUpperCase()}; read in ${t.scanMs.toFixed(0)} ms`];
  if (t.omitted > 0) notes.push(`${t.omitted} more not shown (--limit)`);
  if (t.kernelThreads > 0) notes.push(`${t.kernelThreads} kernel threads (no user memory)`);
  lines.push(notes.join('; '));
  lines.push('RSS counts shared pages in every process that maps them; the PSS total does not (USS: pages of that process alone).');
  if (t.unreadable.length > 0) {
    const shown = t.unreadable.slice(0, 20).map((u) => `${u.pid} (${u.name}, ${u.reason})`).join(', ');
    lines.push(`unreadable: ${t.unreadable.length} process${t.unreadable.length === 1 ? '' : 'es'}, not in the totals — ${shown}${t.unreadable.length > 20 ? ', …' : ''} (run as root or with CAP_SYS_PTRACE to read them)`);
  }
  return `${lines.join('\n')}\n`;
}
