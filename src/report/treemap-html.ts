// Self-contained HTML treemap of a heap profile: the top-down call tree at the peak, each box's area its
// inclusive bytes, laid out in TypeScript (squarified) and drawn as inline SVG. Nothing is fetched; no script.
import { callTree, type ProfileDocument, type TreeNode } from '../profile/model.js';
import { icicleSvg } from './flamegraph-svg.js';
import { VERSION } from '../version.js';
import { escapeHtml } from './html-escape.js';
import { pageShell } from './html-page.js';
import { formatBytes } from './units.js';

const TREEMAP_CSS = `
body{font:14px system-ui,sans-serif;margin:16px;color:#222}
svg{display:block;max-width:100%;height:auto}
rect{stroke:#fff;stroke-width:1}
text{font:11px system-ui,sans-serif;fill:#111;pointer-events:none}
.note,footer{color:#666}
`;

export interface Rect { readonly x: number; readonly y: number; readonly w: number; readonly h: number }
export interface Box extends Rect {
  readonly node: TreeNode;
  readonly depth: number;
  readonly hue: number;
  /** The node's name, or for a chain of single callers folded into one box, innermost first: "leaf ‹ caller ‹ …". */
  readonly label: string;
}

/** Worst aspect ratio of a row of areas laid along a side of length `side` (Bruls, Huizing, van Wijk 2000). */
function worst(row: readonly number[], side: number): number {
  const sum = row.reduce((s, a) => s + a, 0);
  const max = Math.max(...row);
  const min = Math.min(...row);
  return Math.max((side * side * max) / (sum * sum), (sum * sum) / (side * side * min));
}

/** Squarified layout of `values` (largest first) into `r`: rectangles in the same order, areas ∝ values. */
export function squarify(values: readonly number[], r: Rect): Rect[] {
  const total = values.reduce((s, v) => s + v, 0);
  if (total <= 0 || r.w <= 0 || r.h <= 0) return values.map(() => ({ x: r.x, y: r.y, w: 0, h: 0 }));
  const scale = (r.w * r.h) / total;
  const areas = values.map((v) => v * scale);
  const out: Rect[] = [];
  let { x, y, w, h } = r;
  let i = 0;
  while (i < areas.length) {
    const side = Math.min(w, h);
    const row: number[] = [areas[i]!];
    let j = i + 1;
    while (j < areas.length && worst([...row, areas[j]!], side) <= worst(row, side)) row.push(areas[j++]!);
    const sum = row.reduce((s, a) => s + a, 0);
    if (w >= h) {
      const rw = h > 0 ? sum / h : 0;
      let yy = y;
      for (const a of row) {
        const rh = rw > 0 ? a / rw : 0;
        out.push({ x, y: yy, w: rw, h: rh });
        yy += rh;
      }
      x += rw;
      w -= rw;
    } else {
      const rh = w > 0 ? sum / w : 0;
      let xx = x;
      for (const a of row) {
        const rw = rh > 0 ? a / rh : 0;
        out.push({ x: xx, y, w: rw, h: rh });
        xx += rw;
      }
      y += rh;
      h -= rh;
    }
    i = j;
  }
  return out;
}

const HEADER = 16;
const PAD = 2;

/**
 * Nested boxes of the call tree: each node's children fill its box below a header line. A node whose bytes all
 * go to its one callee is folded into that callee's box (named innermost first), so nesting is spent only where
 * the tree branches and the leaves — where the memory is — keep room for their labels.
 */
export function treemapBoxes(root: TreeNode, r: Rect, maxDepth = 12): Box[] {
  const out: Box[] = [];
  const visit = (start: TreeNode, rect: Rect, depth: number, hue: number): void => {
    let node = start;
    const chain = [node.name];
    while (depth > 0 && node.selfBytes === 0 && node.children.length === 1 && node.children[0]!.bytes === node.bytes) {
      node = node.children[0]!;
      chain.push(node.name);
    }
    out.push({ ...rect, node, depth, hue, label: chain.reverse().join(' ‹ ') });
    if (depth >= maxDepth || rect.w < 12 || rect.h < HEADER + 8) return;
    const kids = node.children.filter((k) => k.bytes > 0);
    // Self bytes get a slot too, so the children's areas stay proportional to their bytes.
    const values = [...kids.map((k) => k.bytes), node.selfBytes];
    const inner = { x: rect.x + PAD, y: rect.y + HEADER, w: rect.w - 2 * PAD, h: rect.h - HEADER - PAD };
    const rects = squarify(values, inner);
    kids.forEach((k, i) => visit(k, rects[i]!, depth + 1, depth === 0 ? (i * 137) % 360 : hue));
  };
  visit(root, r, 0, 210);
  return out;
}

export function renderTreemapHtml(p: ProfileDocument, opts: { width?: number; height?: number } = {}): string {
  const width = opts.width ?? 1200;
  const height = opts.height ?? 700;
  const root = callTree(p.stacks, `all sites (${p.profiler})`);
  const boxes = treemapBoxes(root, { x: 0, y: 0, w: width, h: height }).filter((b) => b.w >= 1 && b.h >= 1);
  const f = (n: number): string => n.toFixed(1);
  const svg = boxes.map((b, i) => {
    const share = root.bytes > 0 ? ((b.node.bytes / root.bytes) * 100).toFixed(1) : '0';
    const tip = `${b.label}\n${formatBytes(b.node.bytes)} inclusive (${share} %), ${formatBytes(b.node.selfBytes)} self`;
    const light = Math.min(92, 45 + b.depth * 7);
    const label = b.w > 50 && b.h > 13
      ? `<text x="${f(b.x + 3)}" y="${f(b.y + 12)}" clip-path="url(#c${i})">${escapeHtml(b.label)} · ${escapeHtml(formatBytes(b.node.bytes))}</text>` : '';
    const clip = label ? `<clipPath id="c${i}"><rect x="${f(b.x)}" y="${f(b.y)}" width="${f(b.w - 2)}" height="${f(b.h)}"/></clipPath>` : '';
    return `<g>${clip}<rect x="${f(b.x)}" y="${f(b.y)}" width="${f(b.w)}" height="${f(b.h)}" fill="hsl(${b.hue} 55% ${light}%)"><title>${escapeHtml(tip)}</title></rect>${label}</g>`;
  }).join('\n');
  const title = `membench profile — ${p.profiler}${p.command ? `: ${p.command}` : ''}`;
  return pageShell({
    title,
    toolVersion: VERSION,
    styles: [TREEMAP_CSS],
    main: `<h1>${escapeHtml(title)}</h1>
<p>Sites at the peak <b>${escapeHtml(formatBytes(p.peakBytes))}</b> in ${p.stacks.length} stacks. Box area: bytes live at the peak, by call path (outermost caller outside; a caller whose bytes all go to one callee shares its box, named innermost first: leaf ‹ caller). ${escapeHtml(p.measures)}.</p>
${p.coverage ? `<p>${escapeHtml(p.coverage.sentence)}.</p>` : ''}
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="treemap of allocation sites">
${svg}
</svg>
<h2>Flame graph (icicle)</h2>
<p>One row per call depth, the outermost caller on top; each frame as wide as the bytes its calls hold at the peak. Hover a frame for its bytes.</p>
${icicleSvg(root, width)}
${p.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}`,
    footerTail: '.',
  });
}
