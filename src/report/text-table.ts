// Plain-text tables for the terminal, laid out by cli-table3 without borders: each column padded to its widest cell
// (display width: colour escapes not counted, wide characters as two), two spaces apart, no trailing blanks.
import Table from 'cli-table3';
import type { Colors } from './colors.js';

export type Align = 'l' | 'r';

export interface TextTableOptions {
  /** Per column; a column not given is left-aligned. */
  readonly align?: readonly Align[];
  /** Written before every line. */
  readonly indent?: string;
  /** Colours a cell before layout (row −1 is the header, the first row given); the layout ignores its escapes. */
  readonly paint?: (row: number, col: number, s: string) => string;
}

const NO_BORDER = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** The rows (the header first, when there is one) as lines. */
export function textTable(rows: readonly (readonly string[])[], opts: TextTableOptions = {}): string[] {
  if (rows.length === 0) return [];
  const columns = Math.max(...rows.map((r) => r.length));
  const table = new Table({
    chars: NO_BORDER,
    style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
    colAligns: Array.from({ length: columns }, (_, c) => (opts.align?.[c] === 'r' ? 'right' : 'left')),
  });
  const paint = opts.paint;
  table.push(...rows.map((r, ri) => (paint ? r.map((s, c) => paint(ri - 1, c, s)) : [...r])));
  const indent = opts.indent ?? '';
  return table
    .toString()
    .split('\n')
    .map((l) => `${indent}${l}`.trimEnd());
}

/** Rows of a label (left) and figures (right-aligned) under a dimmed header. */
export function labelledTable(
  header: readonly string[],
  rows: readonly { readonly label: string; readonly cells: readonly string[] }[],
  c: Colors,
  indent = '',
): string[] {
  const [head = '', ...body] = textTable([header, ...rows.map((r) => [r.label, ...r.cells])], {
    align: header.map((_, i) => (i === 0 ? 'l' : 'r')),
    indent,
  });
  return [c.dim(head), ...body];
}
