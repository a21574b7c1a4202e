// An icicle (a flame graph drawn top-down) of a profile's call tree: one row per call depth, the outermost caller
// on top, each frame as wide as its bytes at the peak. Laid out with d3-hierarchy's partition; drawn as inline
// SVG that reads without script, and made interactive (zoom, search, tooltips) by flamegraph-client.ts.
import { hierarchy, partition } from 'd3-hierarchy';
import type { TreeNode } from '../profile/model.js';
import { escapeHtml } from './html-escape.js';
import { formatBytes } from './units.js';

/** A stable 32-bit hash of a name (Java's String.hashCode, unsigned). */
export function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return h;
}

/** A stable warm hue per name, so one function has one colour wherever it appears. */
export const nameHue = (name: string): number => 10 + (nameHash(name) % 50);

/** One frame of the icicle: x0/x1 are fractions of the root's width (0…1), depth its row. */
export interface IcicleFrame {
  readonly name: string;
  readonly depth: number;
  readonly x0: number;
  readonly x1: number;
  /** Inclusive bytes: its own allocations and its callees'. */
  readonly bytes: number;
  readonly selfBytes: number;
  /** Index of the caller's frame in the same list; -1 for the root. */
  readonly parent: number;
  /** Self bytes by allocating line, largest first: "app.c:12 10.0 MiB". */
  readonly lines: readonly string[];
}

/**
 * Frames in depth-first order (a parent before its callees), callees largest first. Frames holding less than
 * `minShare` of the root are left out (and said so by the caller): they would stay under a pixel unless zoomed
 * more than 1/minShare times.
 */
export function icicleFrames(root: TreeNode, minShare = 1e-5, maxDepth = 128): IcicleFrame[] {
  if (root.bytes <= 0) return [];
  const h = hierarchy(root, (n) => n.children.filter((k) => k.bytes >= root.bytes * minShare))
    .sum((n) => n.selfBytes + n.children.filter((k) => k.bytes < root.bytes * minShare).reduce((s, k) => s + k.bytes, 0))
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const laid = partition<TreeNode>().size([1, h.height + 1])(h);
  const out: IcicleFrame[] = [];
  const index = new Map<object, number>();
  laid.each((n) => {
    if (n.depth > maxDepth) return;
    index.set(n, out.length);
    const lines = [...n.data.selfByLine].sort((a, b) => b[1] - a[1]).map(([at, b]) => `${at} ${formatBytes(b)}`);
    out.push({
      name: n.data.name,
      depth: n.depth,
      x0: n.x0,
      x1: n.x1,
      bytes: n.value ?? 0,
      selfBytes: n.data.selfBytes,
      parent: n.parent ? (index.get(n.parent) ?? -1) : -1,
      lines,
    });
  });
  // each() visits breadth first; the client and the tests want parents first, which breadth-first also gives.
  return out;
}

export const ICICLE_ROW_PX = 18;

/** The static SVG: every frame a <g data-i> (its index in `frames`), in viewBox units of `width`. */
export function icicleSvg(frames: readonly IcicleFrame[], width = 1200, rowHeight = ICICLE_ROW_PX): string {
  const rows = Math.max(1, ...frames.map((f) => f.depth + 1));
  const total = frames[0]?.bytes ?? 0;
  const f1 = (n: number): string => n.toFixed(2);
  const body = frames
    .map((f, i) => {
      const x = f.x0 * width;
      const w = (f.x1 - f.x0) * width;
      const y = f.depth * rowHeight;
      const share = total > 0 ? ((f.bytes / total) * 100).toFixed(1) : '0';
      const hidden = w < 0.5 ? ' display="none"' : '';
      const label = w > 40 ? escapeHtml(f.name) : '';
      return `<g class="fr" data-i="${i}"${hidden}><rect x="${f1(x)}" y="${y}" width="${f1(Math.max(0.5, w - 1))}" height="${rowHeight - 1}" fill="hsl(${nameHue(f.name)} 85% 62%)"><title>${escapeHtml(`${f.name}\n${formatBytes(f.bytes)} (${share} %) at the peak, inclusive`)}</title></rect><text x="${f1(x + 3)}" y="${y + 13}">${label}</text></g>`;
    })
    .join('\n');
  return `<svg class="icicle" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${rows * rowHeight}" width="${width}" height="${rows * rowHeight}" role="img" aria-label="flame graph of allocation sites">
${body}
</svg>`;
}
