// /proc/buddyinfo: free blocks per order (2^order pages) per memory zone — the raw view of fragmentation.
import { readFileSync } from 'node:fs';
import { ProbeParseError, parseCount } from './errors.js';
import { SYSTEM_PROC, type ProcRoot } from './proc.js';

export interface BuddyZone {
  readonly node: number;
  readonly zone: string;
  /** freeBlocks[k] = free blocks of 2^k contiguous pages. */
  readonly freeBlocks: readonly number[];
}

/** Parses lines like "Node 0, zone   Normal   2094   1060 …". */
export function parseBuddyinfo(text: string, file = '/proc/buddyinfo'): BuddyZone[] {
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    const m = /^Node\s+(\d+),\s+zone\s+(\S+)\s+(.*)$/.exec(line.trim());
    if (!m) throw new ProbeParseError(file, i + 1, 'expected "Node N, zone NAME counts…"');
    const counts = m[3]!
      .trim()
      .split(/\s+/)
      .map((c, k) => parseCount(c, file, i + 1, `order ${k}`));
    return [{ node: parseCount(m[1], file, i + 1, 'node'), zone: m[2]!, freeBlocks: counts }];
  });
}

export function readBuddyinfo(root: ProcRoot = SYSTEM_PROC): BuddyZone[] {
  const file = `${root.proc}/buddyinfo`;
  return parseBuddyinfo(readFileSync(file, 'utf8'), file);
}

/** Free pages of a zone: Σ freeBlocks[k] · 2^k. */
export const freePages = (z: BuddyZone): number => z.freeBlocks.reduce((s, n, k) => s + n * 2 ** k, 0);

/**
 * Unusable free space index at `order` (Gorman & Whitcroft): the share of free pages in blocks smaller than
 * 2^order pages, (F − Σ_{k≥order} n_k·2^k) / F, with F the free pages. 0 = all free memory could serve such a
 * request; 1 = none could. null when the zone has no free pages.
 */
export function unusableIndex(z: BuddyZone, order: number): number | null {
  const total = freePages(z);
  if (total === 0) return null;
  const usable = z.freeBlocks.reduce((s, n, k) => (k >= order ? s + n * 2 ** k : s), 0);
  return (total - usable) / total;
}
