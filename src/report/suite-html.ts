// The HTML view of a suite result: one self-contained page (CSS inline, one inline SVG chart per benchmark, no
// script, nothing fetched). Per benchmark: every measurement as a point (size on x, bytes on y), the fitted line
// across, the cost per unit in words, the expect range and whether it was met, and the same numbers in tables.
import type { SuiteBenchmark, SuiteResult } from '../document/suite.js';
import { escapeHtml } from './html-escape.js';
import { pageShell } from './html-page.js';
import { REPORT_CSS } from './html-style.js';
import { formatBytesFine, formatSize, metricLabel, perUnitName } from './suite-rows.js';
import { formatBytes, KIB, MIB } from './units.js';

const BYTE_UNITS = new Set(['byte', 'bytes', 'B']);

/** Round step for about `n` ticks across `span`: 1, 2 or 5 × 10^k (of the display unit). */
function niceStep(span: number, n: number): number {
  const raw = span / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) ?? raw;
}

/** The y axis unit for a range of bytes: B, KiB or MiB, picked so tick labels stay short. */
function byteScale(maxAbs: number): { factor: number; name: string } {
  if (maxAbs >= 4 * MIB) return { factor: MIB, name: 'MiB' };
  if (maxAbs >= 4 * KIB) return { factor: KIB, name: 'KiB' };
  return { factor: 1, name: 'B' };
}

/** The x axis unit: KiB/MiB for byte-sized benchmarks, thousands/millions of the unit otherwise. */
function sizeScale(max: number, unit: string): { factor: number; name: string } {
  if (BYTE_UNITS.has(unit)) {
    const s = byteScale(max);
    return { factor: s.factor, name: s.name === 'B' ? 'bytes' : s.name };
  }
  return { factor: 1, name: `${unit}s` };
}

const tickText = (v: number): string => String(Number(v.toPrecision(6)));
const f1 = (n: number): string => n.toFixed(1);

export const expectWords = (b: SuiteBenchmark): string | null => {
  if (!b.expect) return null;
  const v = b.expectVerdict;
  const what =
    v === 'within'
      ? 'met: the slope is within it'
      : v === 'below'
        ? 'NOT met: the slope is below it'
        : v === 'above'
          ? 'NOT met: the slope is above it'
          : v === 'no-fit'
            ? 'not checked: no fit'
            : 'not checked';
  return `expected ${b.expect.perUnit.text} per ${perUnitName(b.unit)}: ${what}`;
};

/** Range of the expect as bytes, e.g. "20.0 B … 400 B" (no upper bound: "≥ 20.0 B"). */
function expectRange(b: SuiteBenchmark): string {
  const e = b.expect!.perUnit;
  return e.maxBytes === null ? `≥ ${formatBytesFine(e.minBytes)}` : `${formatBytesFine(e.minBytes)} … ${formatBytesFine(e.maxBytes)}`;
}

/** The fit in words, as HTML: "<slope> per item + <intercept> fixed, R² 0.9999, linear". */
function fitWords(b: SuiteBenchmark): string {
  const f = b.fit;
  if (!f) return '<p class="fit-words">No fit: it needs measurements at 2 or more sizes.</p>';
  const ci = f.slopeIntervalBytes
    ? ` (95 % interval ${escapeHtml(formatBytesFine(f.slopeIntervalBytes[0]))} … ${escapeHtml(formatBytesFine(f.slopeIntervalBytes[1]))})`
    : '';
  const verdict = f.verdict === 'linear' ? 'linear' : `${f.verdict} (${f.reason})`;
  return `<p class="fit-words"><strong class="slope">${escapeHtml(formatBytesFine(f.slopeBytesPerUnit))}</strong> per ${escapeHtml(perUnitName(b.unit))}${ci} + <strong class="intercept">${escapeHtml(formatBytes(f.interceptBytes))}</strong> fixed, R² <span class="r2">${f.r2OfMeans.toFixed(4)}</span>, <span class="verdict">${escapeHtml(verdict)}</span></p>`;
}

function chart(b: SuiteBenchmark, id: string): string {
  const W = 760;
  const H = 380;
  const L = 78;
  const R = 24;
  const T = 16;
  const B = 56;
  const points = b.sizes.flatMap((s) => s.valuesBytes.map((v, r) => ({ size: s.size, v, r })));
  if (points.length === 0) return '<p class="note">No measurements to plot.</p>';
  const f = b.fit;
  const maxSize = Math.max(...points.map((p) => p.size), 1);
  const fitAt = (x: number): number => f!.interceptBytes + f!.slopeBytesPerUnit * x;
  const ys = [0, ...points.map((p) => p.v), ...(f ? [fitAt(0), fitAt(maxSize)] : [])];
  const xs = sizeScale(maxSize, b.unit);
  const yb = byteScale(Math.max(...ys.map(Math.abs)));
  const xStep = niceStep(maxSize / xs.factor, 5);
  const xTop = Math.ceil(maxSize / xs.factor / xStep) * xStep;
  const yMinRaw = Math.min(...ys) / yb.factor;
  const yMaxRaw = Math.max(...ys) / yb.factor;
  const yStep = niceStep(yMaxRaw - yMinRaw || 1, 5);
  const yBottom = Math.floor(yMinRaw / yStep) * yStep;
  const yTop = Math.max(Math.ceil(yMaxRaw / yStep) * yStep, yBottom + yStep);
  const sx = (size: number): number => L + ((W - L - R) * (size / xs.factor)) / xTop;
  const sy = (bytes: number): number => H - B - ((H - B - T) * (bytes / yb.factor - yBottom)) / (yTop - yBottom);
  const grid: string[] = [];
  for (let t = 0; t <= xTop + xStep / 2; t += xStep) {
    const x = f1(sx(t * xs.factor));
    grid.push(
      `<line class="gridline" x1="${x}" y1="${T}" x2="${x}" y2="${H - B}"/><text class="tick" x="${x}" y="${H - B + 18}" text-anchor="middle">${tickText(t)}</text>`,
    );
  }
  for (let t = yBottom; t <= yTop + yStep / 2; t += yStep) {
    const y = f1(sy(t * yb.factor));
    grid.push(
      `<line class="gridline" x1="${L}" y1="${y}" x2="${W - R}" y2="${y}"/><text class="tick" x="${L - 8}" y="${y}" dy="0.32em" text-anchor="end">${tickText(t)}</text>`,
    );
  }
  const dots = points
    .map(
      (p) =>
        `<circle class="pt" cx="${f1(sx(p.size))}" cy="${f1(sy(p.v))}" r="4.5"><title>${escapeHtml(`size ${formatSize(p.size, b.unit)}, repeat ${p.r + 1}: ${formatBytes(p.v)} (${p.v.toLocaleString('en-US')} bytes)`)}</title></circle>`,
    )
    .join('\n');
  // Identical measurements draw one circle over another: say how many lie there.
  const stacks = new Map<string, { x: number; y: number; n: number }>();
  for (const p of points) {
    const key = `${Math.round(sx(p.size))},${Math.round(sy(p.v))}`;
    const s = stacks.get(key) ?? { x: sx(p.size), y: sy(p.v), n: 0 };
    s.n++;
    stacks.set(key, s);
  }
  const counts = [...stacks.values()]
    .filter((s) => s.n > 1)
    .map(
      (s) =>
        `<text class="tick count" x="${f1(s.x > W - R - 40 ? s.x - 9 : s.x + 9)}" y="${f1(s.y + 16)}" text-anchor="${s.x > W - R - 40 ? 'end' : 'start'}">×${s.n}</text>`,
    )
    .join('\n');
  const line = f
    ? `<line class="fit" x1="${f1(sx(0))}" y1="${f1(sy(fitAt(0)))}" x2="${f1(sx(maxSize))}" y2="${f1(sy(fitAt(maxSize)))}"><title>${escapeHtml(`fitted: ${formatBytesFine(f.slopeBytesPerUnit)} per ${perUnitName(b.unit)} + ${formatBytes(f.interceptBytes)} fixed`)}</title></line>`
    : '';
  const xLabel = `size (${xs.name === `${b.unit}s` ? `${b.unit}s` : xs.name})`;
  const yLabel = `${b.metric === 'retainedBytes' ? 'retained' : 'tree peak'} (${yb.name})`;
  const aria = `Scatter plot of ${b.name}: ${yLabel} against ${xLabel}, ${points.length} measurements at ${b.sizes.length} sizes${f ? `, with the fitted line ${formatBytesFine(f.slopeBytesPerUnit)} per ${perUnitName(b.unit)} + ${formatBytes(f.interceptBytes)} fixed` : ''}.`;
  return `<figure>
<svg class="suite-chart" id="chart-${id}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(aria)}">
${grid.join('\n')}
<line class="axis" x1="${L}" y1="${T}" x2="${L}" y2="${H - B}"/><line class="axis" x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}"/>
${line}
${dots}
${counts}
<text class="label" x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${escapeHtml(xLabel)}</text>
<text class="label" transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>
</svg>
<figcaption>${escapeHtml(yLabel)} (y) against ${escapeHtml(xLabel)} (x). Hollow circles: one per measurement (${b.runs} per size; ×n where n equal values coincide); ${f ? 'solid line: the least-squares fit through all of them, drawn from size 0.' : 'no fitted line: fewer than 2 sizes.'} Point at a circle for its value.</figcaption>
</figure>`;
}

function sizeTableHtml(b: SuiteBenchmark): string {
  const f = b.fit;
  const rows = b.sizes
    .map((s) => {
      const fitted = f ? f.interceptBytes + f.slopeBytesPerUnit * s.size : null;
      return `<tr><th>${escapeHtml(formatSize(s.size, b.unit))}</th><td class="text">${s.valuesBytes.map((v) => escapeHtml(formatBytes(v))).join(', ')}</td><td>${escapeHtml(formatBytes(s.stats?.median))}</td><td>${escapeHtml(formatBytes(s.stats?.min))}</td><td>${escapeHtml(formatBytes(s.stats?.max))}</td><td>${escapeHtml(formatBytes(s.stats?.stddev))}</td><td>${escapeHtml(formatBytes(fitted))}</td></tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table class="sizes"><thead><tr><th>size (${escapeHtml(b.unit)})</th><th class="text">every measurement</th><th>median</th><th>min</th><th>max</th><th>σ</th><th>fitted line</th></tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

function fitTableHtml(b: SuiteBenchmark): string {
  const f = b.fit;
  const rows: [string, string][] = f
    ? [
        [`per ${perUnitName(b.unit)} (slope)`, `${formatBytesFine(f.slopeBytesPerUnit)} (${f.slopeBytesPerUnit.toFixed(3)} bytes)`],
        [
          '95 % interval of the slope',
          f.slopeIntervalBytes ? `${formatBytesFine(f.slopeIntervalBytes[0])} … ${formatBytesFine(f.slopeIntervalBytes[1])}` : '—',
        ],
        ['fixed (intercept)', `${formatBytes(f.interceptBytes)} (${Math.round(f.interceptBytes).toLocaleString('en-US')} bytes)`],
        ['R² of the per-size means', f.r2OfMeans.toFixed(4)],
        ['R² of every point', f.r2.toFixed(4)],
        ['points, sizes', `${f.points}, ${f.distinctSizes}`],
        ['verdict', f.verdict === 'linear' ? 'linear' : `${f.verdict}: ${f.reason}`],
      ]
    : [['fit', 'none: needs measurements at 2 or more sizes']];
  if (b.expect)
    rows.push(
      ['expected per unit', `${b.expect.perUnit.text} (${expectRange(b)})`],
      ['expectation', expectWords(b)!.replace(/^[^:]*: /, '')],
    );
  return `<div class="scroll"><table class="fit"><tbody>
${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="text">${escapeHtml(v)}</td></tr>`).join('\n')}
</tbody></table></div>`;
}

function benchmarkSection(b: SuiteBenchmark, i: number, prefix = ''): string {
  const id = `${prefix}b${i + 1}`;
  const e = expectWords(b);
  const failed = b.expectVerdict === 'below' || b.expectVerdict === 'above';
  const where = `${b.kind}${b.command ? '' : ''} · ${metricLabel(b)} · ${b.runs} run${b.runs === 1 ? '' : 's'} per size · from ${b.file}${b.backend ? ` · ${b.backend} backend` : ''}`;
  return `<section class="benchmark" id="${id}">
<h2>${escapeHtml(b.name)}${b.command ? `: <code>${escapeHtml(b.command)}</code>` : ''}</h2>
<p class="meta">${escapeHtml(where)}</p>
${fitWords(b)}
${e ? `<p class="expect ${failed ? 'bad' : b.expectVerdict === 'within' ? 'ok' : ''}">${failed ? '✗' : b.expectVerdict === 'within' ? '✓' : '–'} ${escapeHtml(e)} (${escapeHtml(expectRange(b))})</p>` : '<p class="note">No expectation set for this benchmark.</p>'}
${chart(b, id)}
<h3>The fit</h3>
${fitTableHtml(b)}
<h3>Every size</h3>
${sizeTableHtml(b)}
</section>`;
}

function summaryTable(doc: SuiteResult, prefix = ''): string {
  const rows = doc.benchmarks
    .map((b, i) => {
      const f = b.fit;
      const exp = !b.expect
        ? '—'
        : b.expectVerdict === 'within'
          ? `✓ within ${b.expect.perUnit.text}`
          : b.expectVerdict === 'below' || b.expectVerdict === 'above'
            ? `✗ ${b.expectVerdict} ${b.expect.perUnit.text}`
            : `not checked (${b.expect.perUnit.text})`;
      return `<tr class="${b.expectVerdict === 'below' || b.expectVerdict === 'above' ? 'bad' : ''}"><th><a href="#${prefix}b${i + 1}">${escapeHtml(b.name)}</a></th><td>${f ? `${escapeHtml(formatBytesFine(f.slopeBytesPerUnit))} per ${escapeHtml(perUnitName(b.unit))}` : '—'}</td><td>${f ? escapeHtml(formatBytes(f.interceptBytes)) : '—'}</td><td>${f ? f.r2OfMeans.toFixed(4) : '—'}</td><td class="text">${f ? escapeHtml(f.verdict) : 'no fit'}</td><td class="text">${escapeHtml(exp)}</td></tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table class="summary"><thead><tr><th>benchmark</th><th>per unit</th><th>fixed</th><th>R²</th><th class="text">verdict</th><th class="text">expectation</th></tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

const SUITE_CSS = `
svg.suite-chart { width: 100%; height: auto; max-width: 800px; display: block; }
svg.suite-chart text { fill: var(--fg); font: 13px var(--font); }
svg.suite-chart .tick { fill: var(--muted); font-size: 12px; }
svg.suite-chart .axis { stroke: var(--muted); }
svg.suite-chart .gridline { stroke: var(--grid); }
svg.suite-chart .pt { fill: none; stroke: var(--r0); stroke-width: 2; }
svg.suite-chart .fit { stroke: var(--r1); stroke-width: 2.5; }
.fit-words { font-size: 1.1rem; margin: 8px 0; }
.expect { margin: 4px 0 8px; }
.expect.bad { color: var(--bad); font-weight: 600; }
table.fit th { text-align: left; font-weight: normal; color: var(--muted); }
tr.bad td, tr.bad th { color: var(--bad); }
`;

/** One suite document and the name it is shown under (its file name, or null for the suite just run). */
export interface SuiteSource {
  readonly doc: SuiteResult;
  readonly name: string | null;
}

function metaLine(doc: SuiteResult, name: string | null): string {
  const c = doc.context;
  return `${name ? `${name} · ` : ''}${doc.suiteFiles.join(', ')} · started ${c.startedAt} · ${c.hostname}, Linux ${c.kernel}, Node ${c.nodeVersion}, ${c.cpuCount} CPUs`;
}

function bannerOf(doc: SuiteResult): string {
  if (doc.context.complete && !doc.failure) return '';
  return `<p class="banner" role="note">${doc.failure ? `Stopped: ${escapeHtml(doc.failure.benchmark)}${doc.failure.size === null ? '' : ` at size ${doc.failure.size}`}: ${escapeHtml(doc.failure.message)}` : 'Incomplete: this document was written part-way, so only the measurements shown were made.'}</p>`;
}

const COST_WORDS =
  'Each benchmark was measured at several sizes; the slope of the least-squares line through every measurement is its cost per unit, the intercept its fixed cost.';

/** Benchmarks named alike in several documents, their slopes side by side (the same suite before and after a change). */
function acrossDocuments(sources: readonly SuiteSource[]): string {
  const names = [...new Set(sources.flatMap((s) => s.doc.benchmarks.map((b) => b.name)))].filter(
    (n) => sources.filter((s) => s.doc.benchmarks.some((b) => b.name === n)).length > 1,
  );
  if (names.length === 0) return '<p class="note">No benchmark appears in more than one document.</p>';
  const head = sources.map((s, i) => `<th>${escapeHtml(s.name ?? `document ${i + 1}`)}</th>`).join('');
  const rows = names
    .map((n) => {
      const cells = sources
        .map((s, d) => {
          const i = s.doc.benchmarks.findIndex((b) => b.name === n);
          const b = s.doc.benchmarks[i];
          if (!b) return '<td>—</td>';
          const f = b.fit;
          const text = f
            ? `${formatBytesFine(f.slopeBytesPerUnit)} per ${perUnitName(b.unit)} + ${formatBytes(f.interceptBytes)}`
            : 'no fit';
          return `<td><a href="#d${d + 1}-b${i + 1}">${escapeHtml(text)}</a></td>`;
        })
        .join('');
      return `<tr><th>${escapeHtml(n)}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table class="across"><thead><tr><th>benchmark</th>${head}</tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

function page(title: string, version: string, body: string): string {
  return pageShell({
    title,
    toolVersion: version,
    styles: [REPORT_CSS + SUITE_CSS],
    main: body,
    footerTail: ' and needs no JavaScript. KiB = 2<sup>10</sup> bytes, MiB = 2<sup>20</sup> bytes.',
  });
}

export function suiteHtml(doc: SuiteResult, name: string | null = null): string {
  const title = `membench suite: ${doc.benchmarks.map((b) => b.name).join(', ') || 'no benchmarks'}`;
  return page(
    title,
    doc.tool.version,
    `<header>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(metaLine(doc, name))}</p>
</header>
${bannerOf(doc)}
<section class="summary"><h2>Cost per unit</h2>
<p>${COST_WORDS}</p>
${summaryTable(doc)}
</section>
${doc.benchmarks.map((b, i) => benchmarkSection(b, i)).join('\n')}`,
  );
}

/** Several suite documents on one page: the benchmarks they share compared first, then one section per document. */
export function suitesHtml(sources: readonly SuiteSource[]): string {
  if (sources.length === 0) throw new Error('suitesHtml: no documents');
  if (sources.length === 1) return suiteHtml(sources[0]!.doc, sources[0]!.name);
  const title = `membench suites: ${sources.length} documents`;
  const docs = sources
    .map((s, d) => {
      const prefix = `d${d + 1}-`;
      return `<section class="suite-doc" id="d${d + 1}">
<h2>${escapeHtml(s.name ?? `document ${d + 1}`)}</h2>
<p class="meta">${escapeHtml(metaLine(s.doc, s.name))}</p>
${bannerOf(s.doc)}
<h3>Cost per unit</h3>
${summaryTable(s.doc, prefix)}
${s.doc.benchmarks.map((b, i) => benchmarkSection(b, i, prefix)).join('\n')}
</section>`;
    })
    .join('\n');
  return page(
    title,
    sources[0]!.doc.tool.version,
    `<header>
<h1>${escapeHtml(title)}</h1>
${sources.map((s) => `<p class="meta">${escapeHtml(metaLine(s.doc, s.name))}</p>`).join('\n')}
</header>
<section class="summary"><h2>Across documents</h2>
<p>${COST_WORDS} Benchmarks of the same name in several documents, side by side:</p>
${acrossDocuments(sources)}
</section>
${docs}`,
  );
}
