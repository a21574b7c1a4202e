// The bottom-up view of a profile ("where allocated"): one row per allocating site (function and file:line, the
// stack's last frame) with its self bytes at the peak, the inclusive bytes of its function, and the callers
// that led to it as a tree (innermost caller first).
import { frameKey, frameLineKey, siteRows } from './model.js';
import type { Stack } from '../document/profile.js';

export interface CallerNode {
  /** The calling frame with its line where known: "main (app.c:12)". */
  readonly name: string;
  bytes: number;
  readonly callers: CallerNode[];
}

export interface BottomUpRow {
  /** The allocating frame with its line where known: "make_jobs (allocsites.c:18)". */
  readonly site: string;
  /** The allocating function without its line: the key of `functionInclusiveBytes`. */
  readonly function: string;
  readonly selfBytes: number;
  readonly allocations: number | null;
  /** Bytes of every stack the function appears in (all its lines and what it calls), counted once per stack. */
  readonly functionInclusiveBytes: number;
  /** Who called the site, innermost first; largest first at each level; empty for a site with no caller. */
  readonly callers: readonly CallerNode[];
}

function insert(level: CallerNode[], frames: readonly string[], bytes: number): void {
  let nodes = level;
  for (const name of frames) {
    let n = nodes.find((c) => c.name === name);
    if (!n) {
      n = { name, bytes: 0, callers: [] };
      nodes.push(n);
    }
    n.bytes += bytes;
    nodes = n.callers;
  }
}

function sortTree(nodes: CallerNode[]): void {
  nodes.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  for (const n of nodes) sortTree(n.callers);
}

/** Sites with self bytes at the peak, largest first, each with its caller tree down to `maxCallerDepth` frames. */
export function bottomUp(stacks: readonly Stack[], maxCallerDepth = 16): BottomUpRow[] {
  const inclusive = new Map(siteRows(stacks, 'inclusive').map((r) => [r.site, r.peakBytes]));
  const callers = new Map<string, CallerNode[]>();
  for (const s of stacks) {
    if (s.peakBytes === 0) continue;
    const site = frameLineKey(s.frames[s.frames.length - 1]!);
    const path = s.frames.slice(0, -1).reverse().slice(0, maxCallerDepth).map(frameLineKey);
    const tree = callers.get(site) ?? [];
    callers.set(site, tree);
    insert(tree, path, s.peakBytes);
  }
  const fnOf = new Map<string, string>();
  for (const s of stacks) {
    const leaf = s.frames[s.frames.length - 1]!;
    fnOf.set(frameLineKey(leaf), frameKey(leaf));
  }
  return siteRows(stacks, 'self', { byLine: true })
    .filter((r) => r.peakBytes > 0)
    .map((r) => {
      const fn = fnOf.get(r.site) ?? r.site;
      const tree = callers.get(r.site) ?? [];
      sortTree(tree);
      return {
        site: r.site,
        function: fn,
        selfBytes: r.peakBytes,
        allocations: r.allocations,
        functionInclusiveBytes: inclusive.get(fn) ?? r.peakBytes,
        callers: tree,
      };
    });
}
