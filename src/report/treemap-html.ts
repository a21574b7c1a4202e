// Treemap of a heap profile's call tree at the peak: each box's area its inclusive bytes, laid out with
// d3-hierarchy's squarified treemap and drawn as inline SVG (no script). Leaves — where the memory is — are
// labelled with their name and bytes; callers are the frames around them.
import { hierarchy, treemap, treemapSquarify } from 'd3-hierarchy';
import type { TreeNode } from '../profile/model.js';
import { nameHash } from './flamegraph-svg.js';
import { escapeHtml } from './html-escape.js';
import { formatBytes } from './units.js';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}
export interface Box extends Rect {
  readonly node: TreeNode;
  readonly depth: number;
  readonly hue: number;
  /** The node's name, or for a chain of single callers folded into one box, innermost first: "leaf ‹ caller ‹ …". */
  readonly label: string;
  /** No callee box inside it: the memory is allocated here. */
  readonly leaf: boolean;
}

/** Any hue, stable per name: the treemap's leaves sit side by side and need telling apart. */
const nameHueWide = (name: string): number => (nameHash(name) * 47) % 360;

/** A call-tree node with the chain of callers that pass all their bytes to it folded in. */
interface Folded {
  readonly node: TreeNode;
  readonly label: string;
  readonly children: Folded[];
}

function fold(start: TreeNode, top: boolean): Folded {
  let node = start;
  const chain = [node.name];
  while (!top && node.selfBytes === 0 && node.children.length === 1 && node.children[0]!.bytes === node.bytes) {
    node = node.children[0]!;
    chain.push(node.name);
  }
  return { node, label: chain.reverse().join(' ‹ '), children: node.children.filter((k) => k.bytes > 0).map((k) => fold(k, false)) };
}

const HEADER = 16;
const PAD = 2;

/**
 * Nested boxes of the call tree: each node's callees fill its box below a header line, its self bytes keep an
 * empty slot so areas stay proportional. A node whose bytes all go to its one callee is folded into that
 * callee's box (named innermost first), so nesting is spent only where the tree branches.
 */
export function treemapBoxes(root: TreeNode, r: Rect, maxDepth = 12): Box[] {
  const h = hierarchy(fold(root, true), (n) => n.children)
    .sum((n) => n.node.selfBytes)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const laid = treemap<Folded>()
    .tile(treemapSquarify)
    .size([r.w, r.h])
    .paddingTop((n) => (n.children ? HEADER : 0))
    .paddingRight(PAD)
    .paddingBottom(PAD)
    .paddingLeft(PAD)(h);
  const out: Box[] = [];
  laid.each((n) => {
    if (n.depth > maxDepth) return;
    // Callers a pale blue-grey; each allocating function its own hue, the same wherever it appears.
    const hue = n.children ? 210 : nameHueWide(n.data.node.name);
    out.push({
      x: r.x + n.x0,
      y: r.y + n.y0,
      w: n.x1 - n.x0,
      h: n.y1 - n.y0,
      node: n.data.node,
      depth: n.depth,
      hue,
      label: n.data.label,
      leaf: !n.children || n.depth === maxDepth,
    });
  });
  return out;
}

/** The text that fits `w` pixels of 11 px type (about 6.4 px a character), cut with an ellipsis. */
export function fitText(text: string, w: number): string {
  const chars = Math.floor((w - 6) / 6.4);
  if (chars < 3) return '';
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

export function treemapSvg(root: TreeNode, width = 1200, height = 700): string {
  const boxes = treemapBoxes(root, { x: 0, y: 0, w: width, h: height }).filter((b) => b.w >= 1 && b.h >= 1);
  const f = (n: number): string => n.toFixed(1);
  const body = boxes
    .map((b) => {
      const share = root.bytes > 0 ? ((b.node.bytes / root.bytes) * 100).toFixed(1) : '0';
      const tip = `${b.label}\n${formatBytes(b.node.bytes)} inclusive (${share} %), ${formatBytes(b.node.selfBytes)} self`;
      const light = b.leaf ? 70 : Math.max(78, 92 - b.depth * 3);
      const texts: string[] = [];
      if (b.leaf && b.h >= 30) {
        // Leaves get the name and, below it, the bytes: they are what the reader is looking for.
        const name = fitText(b.label, b.w);
        const where = b.node.selfByLine.size === 1 ? ` · ${[...b.node.selfByLine.keys()][0]}` : '';
        const size = fitText(`${formatBytes(b.node.bytes)} · ${share} %${where}`, b.w);
        if (name) texts.push(`<text class="leaf" x="${f(b.x + 3)}" y="${f(b.y + 13)}">${escapeHtml(name)}</text>`);
        if (size) texts.push(`<text class="leaf size" x="${f(b.x + 3)}" y="${f(b.y + 27)}">${escapeHtml(size)}</text>`);
      } else if (b.h >= 13) {
        const line = fitText(`${b.label} · ${formatBytes(b.node.bytes)}`, b.w);
        if (line) texts.push(`<text x="${f(b.x + 3)}" y="${f(b.y + 12)}">${escapeHtml(line)}</text>`);
      }
      return `<g${b.leaf ? ' class="leaf"' : ''}><rect x="${f(b.x)}" y="${f(b.y)}" width="${f(b.w)}" height="${f(b.h)}" fill="hsl(${b.hue} ${b.leaf ? 60 : 25}% ${light}%)"><title>${escapeHtml(tip)}</title></rect>${texts.join('')}</g>`;
    })
    .join('\n');
  return `<svg class="treemap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="treemap of allocation sites">
${body}
</svg>`;
}
