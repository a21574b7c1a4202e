// Terminal renderers of the live views (top, system, watch): build rows, then lay them out in columns (text-table.ts).
import { formatBytes } from '../report/units.js';
import { textTable } from '../report/text-table.js';
import { wrap } from '../report/wrap.js';
import type { TopSnapshot } from './top.js';

/** Right-aligns every column but the last, which is left-aligned (commands are long). */
export function table(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  return textTable(rows, { align: Array.from({ length: columns - 1 }, () => 'r' as const) }).join('\n');
}

const clip = (s: string, n: number): string => ([...s].length > n ? `${[...s].slice(0, n - 1).join('')}…` : s);

/** Why processes were unreadable, e.g. "EACCES" or "EACCES 30, EPERM 3". */
const reasons = (t: TopSnapshot): string => {
  const n = new Map<string, number>();
  for (const u of t.unreadable) n.set(u.reason, (n.get(u.reason) ?? 0) + 1);
  return n.size === 1 ? [...n.keys()][0]! : [...n].map(([r, k]) => `${r} ${k}`).join(', ');
};

/**
 * The advice for processes that could not be read, or null when there is none to give: only a user who is not
 * root is told to run as root (root itself is refused only by a security module, which root cannot fix here).
 */
export function unreadableHint(t: TopSnapshot, isRoot: boolean): string | null {
  if (t.unreadable.length === 0 || isRoot) return null;
  const n = t.unreadable.length;
  return `${n} process${n === 1 ? '' : 'es'} could not be read (${reasons(t)}): run as root (or with CAP_SYS_PTRACE) to see other users' processes`;
}

/** `hint`: add unreadableHint's line when it applies (a caller repeating passes on a pipe gives it once). */
export function renderTop(t: TopSnapshot, commandWidth = 80, hint: { readonly isRoot: boolean } | null = null): string {
  const rows: string[][] = [['PID', 'PSS', 'USS', 'RSS', 'SWAP', 'COMMAND']];
  for (const p of t.processes)
    rows.push([
      String(p.pid),
      formatBytes(p.pssBytes),
      formatBytes(p.ussBytes),
      formatBytes(p.rssBytes),
      formatBytes(p.swapBytes),
      clip(p.command, commandWidth),
    ]);
  rows.push([
    'total',
    formatBytes(t.totals.pssBytes),
    formatBytes(t.totals.ussBytes),
    formatBytes(t.totals.rssBytes),
    formatBytes(t.totals.swapBytes),
    `${t.totals.processes} process${t.totals.processes === 1 ? '' : 'es'}`,
  ]);
  const lines = [table(rows)];
  const notes: string[] = [`sorted by ${t.sortedBy.toUpperCase()}; read in ${t.scanMs.toFixed(0)} ms`];
  if (t.omitted > 0) notes.push(`${t.omitted} more not shown (--limit)`);
  if (t.kernelThreads > 0) notes.push(`${t.kernelThreads} kernel threads (no user memory)`);
  lines.push(notes.join('; '));
  lines.push(
    ...wrap('RSS counts shared pages in every process that maps them; the PSS total does not (USS: pages of that process alone).', 80, 4),
  );
  if (t.unreadable.length > 0) {
    const n = t.unreadable.length;
    const shown = t.unreadable
      .slice(0, 5)
      .map((u) => `${u.name} (pid ${u.pid})`)
      .join(', ');
    lines.push(
      ...wrap(
        `unreadable: ${n} process${n === 1 ? '' : 'es'} (${reasons(t)}), not in the totals: ${shown}${n > 5 ? ` and ${n - 5} more` : ''}`,
        80,
        4,
      ),
    );
    const advice = hint === null ? null : unreadableHint(t, hint.isRoot);
    if (advice !== null) lines.push(...wrap(advice, 80, 4));
  }
  return `${lines.join('\n')}\n`;
}
