// The self-contained HTML page of a heap profile: an interactive flame graph (icicle) of the sites at the peak,
// the bottom-up "where allocated" table, the treemap, and the other views. Nothing is fetched.
import { bottomUp, type BottomUpRow, type CallerNode } from '../profile/bottom-up.js';
import { callTree } from '../profile/model.js';
import type { ProfileDocument, Stack } from '../document/profile.js';
import { VERSION } from '../version.js';
import { membenchFlame, type FlameData } from './flamegraph-client.js';
import { icicleFrames, icicleSvg } from './flamegraph-svg.js';
import { escapeHtml } from './html-escape.js';
import { inlineSafe, pageShell } from './html-page.js';
import { treemapSvg } from './treemap-html.js';
import { formatBytes, formatPercent } from './units.js';

const PROFILE_CSS = `
body{font:14px system-ui,sans-serif;margin:16px;color:#222}
svg{display:block;max-width:100%;height:auto}
svg.treemap rect{stroke:#fff;stroke-width:1}
svg text{font:11px system-ui,sans-serif;fill:#111;pointer-events:none}
svg text.leaf{font-weight:600}
svg text.size{font-weight:400}
svg.icicle g.fr{cursor:pointer}
svg.icicle g.fr:hover rect{stroke:#333;stroke-width:1}
svg.icicle g.anc rect{opacity:.55}
svg.icicle g.match rect{fill:#b05cf0}
.controls{display:flex;gap:12px;align-items:center;margin:8px 0;flex-wrap:wrap}
.controls input{font:inherit;padding:2px 6px;width:22em}
#flame-status{color:#6a2aa8;font-weight:600}
#flame-zoom{color:#555}
#flame-tip{position:fixed;z-index:2;background:#fffffa;border:1px solid #999;border-radius:3px;padding:4px 8px;font:12px ui-monospace,monospace;white-space:pre;pointer-events:none;box-shadow:0 1px 4px rgba(0,0,0,.2)}
table.bottom-up{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
table.bottom-up th,table.bottom-up td{padding:3px 10px;border-bottom:1px solid #e4e4e4;vertical-align:top}
table.bottom-up th{text-align:left;background:#f4f4f4}
table.bottom-up td.n{text-align:right;white-space:nowrap}
table.bottom-up summary{cursor:pointer}
table.bottom-up ul{margin:2px 0 2px 0;padding-left:18px;list-style:none}
table.bottom-up li{white-space:nowrap}
.callers .b{color:#555;font-variant-numeric:tabular-nums}
.note,footer{color:#666}
`;

/** JSON inside <script type="application/json">: "<" escaped, so no text of the document can close the element. */
const jsonForScript = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

function callerList(nodes: readonly CallerNode[], total: number, limit = 8): string {
  const shown = nodes.slice(0, limit);
  const rest = nodes.slice(limit).reduce((s, n) => s + n.bytes, 0);
  const items = shown.map((n) => {
    const label = `<span class="b">${escapeHtml(formatBytes(n.bytes))} (${escapeHtml(formatPercent(n.bytes / total))})</span> ${escapeHtml(n.name)}`;
    return n.callers.length === 0
      ? `<li>${label}</li>`
      : `<li><details><summary>${label}</summary>${callerList(n.callers, total, limit)}</details></li>`;
  });
  if (rest > 0) items.push(`<li><span class="b">${escapeHtml(formatBytes(rest))}</span> from ${nodes.length - limit} more callers</li>`);
  return `<ul>${items.join('')}</ul>`;
}

/** The bottom-up table: largest self bytes first, callers expandable (plain <details>, no script needed). */
export function bottomUpTable(rows: readonly BottomUpRow[], total: number, top = 30): string {
  if (rows.length === 0) return '<p class="note">(no sites recorded)</p>';
  const counted = rows.some((r) => r.allocations !== null);
  const body = rows
    .slice(0, top)
    .map((r) => {
      const callers =
        r.callers.length === 0
          ? ''
          : `<details class="callers"><summary>called from ${r.callers.length === 1 ? escapeHtml(r.callers[0]!.name) : `${r.callers.length} callers`}</summary>${callerList(r.callers, total)}</details>`;
      return (
        `<tr><td class="n">${escapeHtml(formatBytes(r.selfBytes))}</td><td class="n">${escapeHtml(formatPercent(total > 0 ? r.selfBytes / total : null))}</td>` +
        `${counted ? `<td class="n">${r.allocations === null ? '—' : r.allocations}</td>` : ''}` +
        `<td class="n">${escapeHtml(formatBytes(r.functionInclusiveBytes))} (${escapeHtml(formatPercent(total > 0 ? r.functionInclusiveBytes / total : null))})</td>` +
        `<td class="site"><code>${escapeHtml(r.site)}</code>${callers}</td></tr>`
      );
    })
    .join('\n');
  const more =
    rows.length > top
      ? `<p class="note">${rows.length - top} smaller sites not shown (${escapeHtml(formatBytes(rows.slice(top).reduce((s, r) => s + r.selfBytes, 0)))}).</p>`
      : '';
  return `<table class="bottom-up">
<thead><tr><th>self</th><th>share</th>${counted ? '<th>allocs</th>' : ''}<th>function inclusive</th><th>site (allocating function, file:line)</th></tr></thead>
<tbody>
${body}
</tbody>
</table>${more}`;
}

function otherView(v: NonNullable<ProfileDocument['views']>[number]): string {
  return `<section class="view"><h2>Other view: ${escapeHtml(v.view)}${v.at !== null ? ` (at ${v.at} ms)` : ''}, ${escapeHtml(formatBytes(v.peakBytes))}</h2>
<p>${escapeHtml(v.measures)}.</p>
${bottomUpTable(bottomUp(v.stacks as Stack[]), v.peakBytes, 10)}
</section>`;
}

export function renderProfileHtml(p: ProfileDocument, opts: { width?: number } = {}): string {
  const width = opts.width ?? 1200;
  const root = callTree(p.stacks, `all sites (${p.profiler})`);
  const frames = icicleFrames(root);
  const data: FlameData = { width, frames };
  const title = `membench profile — ${p.profiler}${p.command ? `: ${p.command}` : ''}`;
  const rows = bottomUp(p.stacks);
  return pageShell({
    title,
    toolVersion: VERSION,
    styles: [PROFILE_CSS],
    main: `<h1>${escapeHtml(title)}</h1>
<p>Sites at the peak <b>${escapeHtml(formatBytes(p.peakBytes))}</b> in ${p.stacks.length} stacks. ${escapeHtml(p.measures)}.</p>
${p.coverage ? `<p>${escapeHtml(p.coverage.sentence)}.</p>` : ''}
<section id="flame">
<h2>Flame graph (icicle)</h2>
<p>One row per call depth, the outermost caller on top; each frame as wide as the bytes its calls hold at the peak (inclusive). Click a frame to zoom into it; hover for its bytes.</p>
<div class="controls"><input id="flame-search" type="search" placeholder="search functions or files" aria-label="search frames"><button id="flame-reset" type="button" disabled>Reset zoom</button><span id="flame-status" role="status"></span></div>
<p id="flame-zoom">Whole profile.</p>
${icicleSvg(frames, width)}
<div id="flame-tip" hidden></div>
</section>
<section id="bottom-up">
<h2>Where allocated (bottom-up)</h2>
<p>Each allocating line's own bytes at the peak (self), largest first, with the bytes of its whole function and what it calls (function inclusive). Expand a site for the calls that led to it, innermost caller first.</p>
${bottomUpTable(rows, p.peakBytes)}
</section>
<section id="treemap">
<h2>Treemap</h2>
<p>Box area: bytes live at the peak, by call path (outermost caller outside; a caller whose bytes all go to one callee shares its box, named innermost first: leaf ‹ caller). The boxes with a name and bytes inside are the allocating functions.</p>
${treemapSvg(root, width, 520)}
</section>
${(p.views ?? []).map(otherView).join('\n')}
${p.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}`,
    footerTail: '. Layouts by d3-hierarchy (ISC).',
    scripts: `<script type="application/json" id="membench-flame">${jsonForScript(data)}</script>
<script>(${inlineSafe(membenchFlame.toString())})(JSON.parse(document.getElementById('membench-flame').textContent));</script>`,
  });
}
