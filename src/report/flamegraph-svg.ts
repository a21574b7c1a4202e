// An icicle (a flame graph drawn top-down) of a profile's call tree as inline SVG: one row per call depth, the
// outermost caller on top, each frame as wide as its bytes at the peak; a tooltip (<title>) gives the path's
// bytes and share. Static: no script, like the rest of the page.
import type { TreeNode } from '../profile/model.js';
import { escapeHtml } from './html-escape.js';
import { formatBytes } from './units.js';

/** A stable warm hue per name, so one function has one colour wherever it appears. */
function hue(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return 10 + (h % 50);
}

export interface IcicleFrame { readonly name: string; readonly x: number; readonly y: number; readonly w: number; readonly bytes: number }

/** The frames to draw: x and w in pixels of `width`, y in rows; frames narrower than half a pixel are left out. */
export function icicleFrames(root: TreeNode, width: number, maxDepth = 64): IcicleFrame[] {
  const out: IcicleFrame[] = [];
  if (root.bytes <= 0) return out;
  const visit = (n: TreeNode, x: number, depth: number): void => {
    const w = (n.bytes / root.bytes) * width;
    if (w < 0.5 || depth > maxDepth) return;
    out.push({ name: n.name, x, y: depth, w, bytes: n.bytes });
    let cx = x;
    for (const k of n.children) {
      visit(k, cx, depth + 1);
      cx += (k.bytes / root.bytes) * width;
    }
  };
  visit(root, 0, 0);
  return out;
}

export function icicleSvg(root: TreeNode, width = 1200, rowHeight = 18): string {
  const frames = icicleFrames(root, width);
  const rows = Math.max(1, ...frames.map((f) => f.y + 1));
  const f1 = (n: number): string => n.toFixed(1);
  const body = frames.map((f) => {
    const share = ((f.bytes / root.bytes) * 100).toFixed(1);
    const y = f.y * rowHeight;
    const text = f.w > 40 ? `<text x="${f1(f.x + 3)}" y="${y + 13}" clip-path="url(#fc${f.y}_${Math.round(f.x)})">${escapeHtml(f.name)}</text>` : '';
    const clip = text ? `<clipPath id="fc${f.y}_${Math.round(f.x)}"><rect x="${f1(f.x)}" y="${y}" width="${f1(Math.max(0, f.w - 3))}" height="${rowHeight}"/></clipPath>` : '';
    return `<g>${clip}<rect x="${f1(f.x)}" y="${y}" width="${f1(Math.max(0.5, f.w - 1))}" height="${rowHeight - 1}" fill="hsl(${hue(f.name)} 85% 62%)"><title>${escapeHtml(`${f.name}\n${formatBytes(f.bytes)} (${share} %) at the peak, inclusive`)}</title></rect>${text}</g>`;
  }).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${rows * rowHeight}" width="${width}" height="${rows * rowHeight}" role="img" aria-label="flame graph of allocation sites">
${body}
</svg>`;
}
