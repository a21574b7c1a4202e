// Plain-text tables and goal marks for the bench's report (rows first, then rendering).

const width = (s: string): number => [...s].length;

/** First column left-aligned, the others right-aligned; a rule under the header. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string {
  const all = [header, ...rows];
  const w = header.map((_, c) => Math.max(...all.map((r) => width(r[c] ?? ''))));
  const line = (r: readonly string[]): string =>
    indent +
    r
      .map((cell, c) => (c === 0 ? cell + ' '.repeat(w[c]! - width(cell)) : ' '.repeat(w[c]! - width(cell)) + cell))
      .join('   ')
      .trimEnd();
  return [line(header), indent + w.map((n) => '─'.repeat(n)).join('───'), ...rows.map(line)].join('\n');
}

export interface Goal {
  readonly label: string;
  readonly ok: (v: number) => boolean;
}

export const GOALS = {
  ticksKept: { label: '≥ 99 %', ok: (v: number) => v >= 0.99 },
  intervalErrorP99: { label: '≤ 0.5 ms', ok: (v: number) => v <= 0.5 },
  cpu: { label: '≤ 3 %', ok: (v: number) => v <= 3 },
  /** Issue 20, big trees at default settings: membench's CPU as % of a core, and ticks kept for the tree-level figures. */
  bigTreeCpu: { label: '≤ 25 %', ok: (v: number) => v <= 25 },
  bigTreeTicksKept: { label: '≥ 95 %', ok: (v: number) => v >= 0.95 },
} as const satisfies Record<string, Goal>;

export const mark = (v: number | null | undefined, goal: Goal): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '' : goal.ok(v) ? ' ✔' : ' ✘';

export const dash = '—';
export const fixed = (v: number | null | undefined, digits: number, unit = ''): string =>
  v === null || v === undefined || !Number.isFinite(v) ? dash : `${v.toFixed(digits)}${unit}`;
export const pct = (ratio: number | null | undefined, digits = 1): string =>
  fixed(ratio === null || ratio === undefined ? null : ratio * 100, digits, ' %');
