// The HTML report: one self-contained page (CSS, uPlot, data and script inline; nothing fetched) built from
// one or several result documents: plots of memory over time, comparison bars, the numbers in tables.
import { writeTextAtomic } from '../store/atomic.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { VERSION } from '../version.js';
import { membenchClient, type ClientData } from './html-client.js';
import {
  buildReport,
  RUN_HEADER,
  type ChartSpec,
  type CommandView,
  type ComparisonRow,
  type MetricKey,
  type ReportModel,
  type ReportSource,
} from './html-model.js';
import { REPORT_CSS } from './html-style.js';
import { formatBytes, MIB } from './units.js';
import { escapeHtml } from './html-escape.js';
import { inlineSafe, pageShell } from './html-page.js';
import { detailSection } from './html-diagnosis.js';

export type { ReportSource } from './html-model.js';

let assets: { js: string; css: string } | null = null;
/** uPlot's browser build and stylesheet, read from node_modules once per process. */
function uplotAssets(): { js: string; css: string } {
  if (!assets) {
    const require = createRequire(import.meta.url);
    assets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return assets;
}

export { escapeHtml };

/** JSON inside <script type="application/json">: "<" escaped, so no text of the document can close the element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function swatch(colorVar: string, dash: readonly number[], width: number): string {
  const dashAttr = dash.length > 0 ? ` stroke-dasharray="${dash.join(' ')}"` : '';
  return `<svg class="sw" width="30" height="10" aria-hidden="true"><line x1="1" y1="5" x2="29" y2="5" style="stroke:var(${colorVar})" stroke-width="${width}"${dashAttr}/></svg>`;
}

function columnMax(values: readonly (number | null)[] | undefined): number | null {
  let max: number | null = null;
  for (const v of values ?? []) if (v !== null && (max === null || v > max)) max = v;
  return max;
}

/** The live legend: runs × metrics; each cell shows its series' highest value, or its value under the cursor. */
function legendTable(c: ChartSpec): string {
  const M = c.metrics.length;
  const ids = (pred: (i: number) => boolean): string =>
    c.series
      .map((_, i) => i + 1)
      .filter((s) => pred(s - 1))
      .join(',');
  const head = c.metrics
    .map((m, mi) => {
      const s = c.series[mi]!;
      return `<th><button type="button" data-toggle="${ids((i) => i % M === mi)}" aria-pressed="true">${swatch(c.runs.length === 1 ? s.colorVar : '--fg', s.dash, s.width)}${escapeHtml(c.metricLabels[m])}</button></th>`;
    })
    .join('');
  const rows = c.runs
    .map((r, ri) => {
      const cells = c.metrics
        .map((m, mi) => {
          const si = ri * M + mi;
          const s = c.series[si]!;
          const max = columnMax(r.columns[m]);
          const text = max === null ? '—' : `${(max / MIB).toFixed(max / MIB < 10 ? 2 : 1)} MiB`;
          return `<td data-series="${si + 1}" data-max="${text}"><button type="button" data-toggle="${si + 1}" aria-pressed="true" aria-label="${escapeHtml(s.label)}">${swatch(s.colorVar, s.dash, s.width)}<span class="v">${text}</span></button></td>`;
        })
        .join('');
      return `<tr><th><button type="button" data-toggle="${ids((i) => Math.floor(i / M) === ri)}" aria-pressed="true">${escapeHtml(r.label)}</button></th>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table class="legend" data-chart="${c.id}" aria-label="legend: click to show or hide a line">
<thead><tr><th><span class="at">highest value</span></th>${head}</tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

const LINE_WORDS: Record<MetricKey, string> = { tree: 'solid', rss: 'dashed', pss: 'dotted', uss: 'dash-dotted' };

const INTERACTION =
  'Point at a line to pick it out, click a legend entry to hide it; drag to zoom, double-click to reset. Cursor and zoom are shared by every time chart on this page.';

function chartFigure(v: CommandView, c: ChartSpec): string {
  if (c.kind === 'processes') {
    const label = `RSS in MiB of each process over time in seconds for ${v.title}: ${c.runs.length} lines.`;
    return `<figure>
<div class="plot" id="plot-${c.id}" role="img" aria-label="${escapeHtml(label)}"><noscript><div class="noscript">The plot needs JavaScript; every number is in the table below.</div></noscript></div>
<figcaption>RSS (MiB, y) of each process over time since the command started (s, x), one line per process, drawn while it was alive: eight colours, then the same colours dashed; the other processes summed, dotted. ${INTERACTION}</figcaption>
${legendTable(c)}
</figure>`;
  }
  const lineWords = c.metrics.map((m) => `${c.metricLabels[m]} ${LINE_WORDS[m]}`).join(', ');
  const what = c.runs.length === 1 ? 'one run' : `${c.runs.length} runs overlaid, one colour per run`;
  const label = `Memory in MiB over time in seconds for ${v.title}: ${what}.${v.peak ? ` Peak ${v.peak.text}.` : ''}`;
  return `<figure>
<div class="plot" id="plot-${c.id}" role="img" aria-label="${escapeHtml(label)}"><noscript><div class="noscript">The plot needs JavaScript; every number is in the tables below.</div></noscript></div>
<figcaption>Memory (MiB, y) over time since the command started (s, x); ${escapeHtml(what)}. Lines: ${escapeHtml(lineWords)}. ${c.runs.length === 1 ? '▼ marks the peak.' : "▼ marks each run's peak; the labelled one is the highest."} ${INTERACTION}${v.chartNote ? ` ${escapeHtml(v.chartNote)}` : ''}</figcaption>
${legendTable(c)}
</figure>`;
}

/** The instances of a --concurrency run that did not exit 0, under its outcome (nothing when they all ended alike). */
function instanceList(lines: readonly string[]): string {
  return lines.length > 0 ? `<ul class="instances">${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '';
}

function commandSection(v: CommandView): string {
  const peak = v.peak
    ? `<p class="peak">Peak: <strong class="peak-value" data-peak-bytes="${v.peak.bytes}">${escapeHtml(v.peak.text)}</strong> (${v.peak.bytes.toLocaleString('en-US')} bytes, ${escapeHtml(v.peak.runLabel)}${v.peak.atMs !== null ? `, highest sample at ${(v.peak.atMs / 1000).toFixed(3)} s` : ''}), from ${escapeHtml(v.peak.source)}.</p>`
    : '<p class="peak">No peak: no run produced figures.</p>';
  const stats =
    v.metricRows.length > 0
      ? `<h3>Across counted runs</h3><div class="scroll"><table class="numbers"><thead><tr><th></th><th>min</th><th>median</th><th>max</th><th>mean ± σ</th></tr></thead><tbody>
${v.metricRows.map((r) => `<tr><th>${escapeHtml(r.label)}</th>${r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></div><p class="note">≈ marks a sampled figure (read every few ms: a peak between two reads is missed); the others are the kernel's own counters (the cgroup's peak, VmHWM), exact between samples. Peak (headline) is the larger of the tree without page cache and the largest process's VmHWM. ¹ Σ RSS counts pages shared between processes once per process; Σ PSS splits them between sharers.</p>`
      : '';
  const hasDiagnosis = v.runRows.some((r) => r.diagnosis !== null);
  const runs =
    v.runRows.length > 0
      ? `<h3>Every run</h3><div class="scroll"><table class="runs"><thead><tr>${RUN_HEADER.map((h) => `<th>${h}</th>`).join('')}${hasDiagnosis ? '<th>diagnosis</th>' : ''}</tr></thead><tbody>
${v.runRows.map((r) => `<tr class="${[r.ok ? '' : 'bad', r.counted ? '' : 'uncounted'].join(' ').trim()}"><th>${escapeHtml(r.label)}</th><td class="text">${r.ok ? '' : '✗ '}${escapeHtml(r.outcome)}${instanceList(r.instances)}</td>${r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}${hasDiagnosis ? `<td class="text diagnosis">${escapeHtml(r.diagnosis ?? '—')}</td>` : ''}</tr>`).join('\n')}
</tbody></table></div>`
      : '';
  return `<section class="command" id="${v.id}">
<h2>${escapeHtml(v.title)}: <code>${escapeHtml(v.command)}</code></h2>
<div class="context">${v.sentences.map((s) => `<p>${escapeHtml(s)}</p>`).join('')}</div>
${peak}
${v.chart ? chartFigure(v, v.chart) : '<p class="note">No timeline to plot: no measured run was sampled.</p>'}
${stats}
${runs}
${detailSection(v, (c) => chartFigure(v, c))}
${v.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}
</section>`;
}

/** Round step for about `n` ticks up to `max`: 1, 2 or 5 × 10^k. */
function niceStep(max: number, n: number): number {
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) ?? raw;
}

/** Horizontal bars: median tree peak per command, with a min–max whisker and every value written out. */
function comparisonSection(rows: readonly ComparisonRow[]): string {
  const W = 860;
  const x0 = 120;
  const x1 = W - 20;
  const rowH = 56;
  const maxMiB = Math.max(...rows.map((r) => r.max)) / MIB;
  const step = niceStep(maxMiB || 1, 5);
  const top = Math.ceil((maxMiB || 1) / step) * step;
  const sx = (mib: number): number => x0 + ((x1 - x0) * mib) / top;
  const H = rows.length * rowH + 50;
  const smallest = Math.min(...rows.map((r) => r.median));
  const ticks: string[] = [];
  for (let t = 0; t <= top + step / 2; t += step) {
    const x = sx(t).toFixed(1);
    ticks.push(
      `<line class="gridline" x1="${x}" y1="6" x2="${x}" y2="${H - 40}"/><text class="muted" x="${x}" y="${H - 24}" text-anchor="middle">${Number(t.toFixed(6))}</text>`,
    );
  }
  const bars = rows
    .map((r, i) => {
      const y = 10 + i * rowH;
      const [mn, md, mx] = [r.min / MIB, r.median / MIB, r.max / MIB].map(sx) as [number, number, number];
      const words = `median ${formatBytes(r.median)} · min ${formatBytes(r.min)} · max ${formatBytes(r.max)} · ${r.median === smallest ? 'smallest' : `${r.ratio.toFixed(2)}× the smallest`}`;
      return `<g class="bar"><title>${escapeHtml(`${r.label}: ${r.command}\n${words}`)}</title>
<text x="0" y="${y + 13}" font-weight="bold">${escapeHtml(r.label)}</text>
<rect x="${x0}" y="${y}" width="${(md - x0).toFixed(1)}" height="18" rx="2" style="fill:var(--r${i % 8})" fill-opacity="0.85"/>
<line class="whisker" x1="${mn.toFixed(1)}" y1="${y + 9}" x2="${mx.toFixed(1)}" y2="${y + 9}"/>
<line class="whisker" x1="${mn.toFixed(1)}" y1="${y + 3}" x2="${mn.toFixed(1)}" y2="${y + 15}"/><line class="whisker" x1="${mx.toFixed(1)}" y1="${y + 3}" x2="${mx.toFixed(1)}" y2="${y + 15}"/>
<text class="value" x="${x0}" y="${y + 36}">${escapeHtml(words)}</text></g>`;
    })
    .join('\n');
  const table = `<div class="scroll"><table class="comparison"><thead><tr><th>command</th><th>min</th><th>median</th><th>max</th><th>median ÷ smallest</th></tr></thead><tbody>
${rows.map((r) => `<tr><th>${escapeHtml(r.label)}: <code>${escapeHtml(r.command)}</code></th><td>${formatBytes(r.min)}</td><td>${formatBytes(r.median)}</td><td>${formatBytes(r.max)}</td><td>${r.ratio.toFixed(2)}×</td></tr>`).join('\n')}
</tbody></table></div>`;
  const best = rows.find((r) => r.median === smallest)!;
  return `<section class="comparison" id="comparison">
<h2>Tree peak by command</h2>
<p>${escapeHtml(best.label)} has the smallest median peak (${formatBytes(best.median)}). Bars are medians over counted runs; whiskers run from min to max.</p>
<svg class="bars" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(`Bar chart of tree peak in MiB: ${rows.map((r) => `${r.label} median ${formatBytes(r.median)}`).join('; ')}`)}">
${ticks.join('\n')}
<line class="axis" x1="${x0}" y1="6" x2="${x0}" y2="${H - 40}"/>
${bars}
<text class="muted" x="${(x0 + x1) / 2}" y="${H - 6}" text-anchor="middle">tree peak (MiB)</text>
</svg>
${table}
</section>`;
}

export function renderHtml(model: ReportModel): string {
  if (model.commands.length === 0) throw new Error('renderHtml: nothing to report (no commands)');
  const { js, css } = uplotAssets();
  const data: ClientData = {
    charts: model.commands.flatMap((c) => [c.chart, c.detail?.processChart ?? null].filter((x): x is ChartSpec => x !== null)),
  };
  const incomplete = model.sources.filter((s) => !s.complete);
  return pageShell({
    title: model.title,
    toolVersion: model.toolVersion,
    styles: [css, REPORT_CSS],
    main: `<header>
<h1>${escapeHtml(model.title)}</h1>
${model.sources.map((s) => `<p class="meta">${escapeHtml(s.line)}</p>`).join('\n')}
</header>
${incomplete.length > 0 ? `<p class="banner" role="note">Interrupted: ${incomplete.length === model.sources.length ? 'this document was' : 'some documents were'} written part-way, so only the runs shown were measured.</p>` : ''}
${model.comparison ? comparisonSection(model.comparison) : ''}
${model.commands.map(commandSection).join('\n')}`,
    footerTail: '. Plots by uPlot (MIT). MiB = 2<sup>20</sup> bytes.',
    scripts: `<script type="application/json" id="membench-data">${jsonForScript(data)}</script>
<script>${inlineSafe(js)}</script>
<script>(${inlineSafe(membenchClient.toString())})(JSON.parse(document.getElementById('membench-data').textContent));</script>`,
  });
}

/** The whole page for one or several documents. */
export function htmlReport(sources: readonly ReportSource[]): string {
  return renderHtml(buildReport(sources, VERSION));
}

/** Written whole (temp file + rename), like the JSON: a reader never sees half a page. */
export function writeHtmlFile(path: string, html: string): void {
  writeTextAtomic(path, html);
}
