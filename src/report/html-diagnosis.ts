// The HTML report's close look at one run: RSS per process (figure and table) and the diagnosis — leak verdict
// and fragmentation evidence in words, the per-mapping breakdown as a stacked bar, in words and as a table.
import type { ChartSpec, CommandView } from './html-model.js';
import type { BreakdownBar, BreakdownKind, DetailView, DiagnosisView } from './html-detail.js';
import { escapeHtml } from './html-escape.js';
import { formatBytes, formatPercent } from './units.js';

/** Colour of each kind of mapping (the Okabe–Ito run colours); every segment is also named in text. */
const KIND_COLOR: Readonly<Record<BreakdownKind, string>> = {
  heap: '--r1',
  stack: '--r5',
  anon: '--r0',
  library: '--r2',
  binary: '--r3',
  file: '--r4',
  other: '--r7',
};

function processTable(d: DetailView): string {
  if (d.processRows.length === 0) return '';
  return `<div class="scroll"><table class="processes"><thead><tr><th>process</th><th>highest RSS read</th><th>VmHWM (kernel peak)</th><th>seen alive</th></tr></thead><tbody>
${d.processRows.map((r) => `<tr><th>${escapeHtml(r.label)}</th><td>${escapeHtml(r.highestRead)}</td><td>${escapeHtml(r.vmHwm)}</td><td>${escapeHtml(r.alive)}</td></tr>`).join('\n')}
</tbody></table></div>`;
}

/** One horizontal bar, 100 % wide, a segment per kind of mapping; labels inside where they fit. */
function barSvg(b: BreakdownBar): string {
  const W = 860;
  const H = 34;
  let x = 0;
  const segs = b.segments
    .map((s) => {
      const w = W * s.share;
      const text = `${s.label} ${formatPercent(s.share, 0)}`;
      const fits = w >= text.length * 7.2 + 8;
      const g = `<g class="seg" data-kind="${s.kind}"><title>${escapeHtml(`${s.label}: ${formatBytes(s.bytes)} (${formatPercent(s.share)})`)}</title>
<rect x="${x.toFixed(1)}" y="2" width="${Math.max(0.5, w).toFixed(1)}" height="${H - 4}" style="fill:var(${KIND_COLOR[s.kind]})" fill-opacity="0.6"/>${fits ? `<text x="${(x + 5).toFixed(1)}" y="${H / 2}" dy="0.34em">${escapeHtml(text)}</text>` : ''}</g>`;
      x += w;
      return g;
    })
    .join('\n');
  const aria = `Stacked bar of resident memory by kind of mapping for ${b.title}: ${b.segments.map((s) => `${s.label} ${formatBytes(s.bytes)}`).join(', ')}`;
  return `<svg class="breakdown" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(aria)}">
${segs}
<rect class="frame" x="0.5" y="1.5" width="${W - 1}" height="${H - 3}"/>
</svg>`;
}

function breakdownBlock(b: BreakdownBar): string {
  const key = b.segments
    .map(
      (s) =>
        `<li><svg class="sw" width="14" height="12" aria-hidden="true"><rect width="14" height="12" style="fill:var(${KIND_COLOR[s.kind]})" fill-opacity="0.6"/></svg>${escapeHtml(s.label)}: ${escapeHtml(formatBytes(s.bytes))} (${escapeHtml(formatPercent(s.share))})</li>`,
    )
    .join('');
  const header = ['', 'RSS', 'PSS', 'USS', 'swap', 'size'];
  return `<div class="breakdown-block">
<h4>Resident memory of ${escapeHtml(b.title)}</h4>
<p class="breakdown-words">${escapeHtml(b.sentence)}</p>
${barSvg(b)}
<ul class="key">${key}</ul>
<div class="scroll"><table class="breakdown"><thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>
${b.rows.map((r) => `<tr><th>${escapeHtml(r.label)}</th>${r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table></div>
</div>`;
}

function diagnosisBlock(d: DiagnosisView): string {
  const mark = (o: boolean | null): string => (o === true ? 'seen' : o === false ? 'not seen' : 'not measurable');
  const signals =
    d.signals.length > 0
      ? `<ul class="signals">${d.signals.map((s) => `<li class="${s.observed === true ? 'seen' : ''}"><strong>${mark(s.observed)}:</strong> ${escapeHtml(s.text)}</li>`).join('')}</ul>`
      : '';
  const seen = d.signals.filter((s) => s.observed === true).length;
  return `<h3>Diagnosis</h3>
<p class="leak leak-${d.leakVerdict}">${escapeHtml(d.leakSentence)}</p>
<p>Fragmentation evidence (each a clue, never a verdict on its own): ${seen === 0 ? 'no signal observed.' : `${seen} signal${seen === 1 ? '' : 's'} observed.`}</p>
${signals}
${d.bars.map(breakdownBlock).join('\n')}
${d.breakdownNote ? `<p class="note">${escapeHtml(d.breakdownNote)}</p>` : ''}`;
}

/** The detail section of one command; `figure` renders a chart spec as a figure with its legend. */
export function detailSection(v: CommandView, figure: (c: ChartSpec) => string): string {
  const d = v.detail;
  if (!d) return '';
  const processes =
    d.processRows.length > 0
      ? `<h3>Memory per process</h3>
${d.processSentence ? `<p>${escapeHtml(d.processSentence)}</p>` : ''}
${d.processChart ? figure(d.processChart) : ''}
${processTable(d)}`
      : '';
  return `<div class="detail" id="${v.id}-detail">
<p class="detail-of">A closer look at ${escapeHtml(d.runWords)}.</p>
${processes}
${d.diagnosis ? diagnosisBlock(d.diagnosis) : ''}
</div>`;
}
