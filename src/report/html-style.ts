// The HTML report's stylesheet: light and dark palettes as CSS custom properties (the plots read them too).
// Run colours are the Okabe–Ito set, distinguishable with the common colour-vision deficiencies.
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  --bg: #ffffff; --fg: #1d1f23; --muted: #59606b; --panel: #f5f6f8; --border: #d6dae0; --grid: rgba(0, 0, 0, 0.11);
  --bad: #a8201a; --warn: #8a5a00;
  --r0: #0072b2; --r1: #d55e00; --r2: #009e73; --r3: #cc79a7; --r4: #56b4e9; --r5: #e69f00; --r6: #6a3d9a; --r7: #555555;
  --m0: #0b5cad; --m1: #c2410c; --m2: #047857; --m3: #7c3aed;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15171c; --fg: #e7e9ec; --muted: #a4abb6; --panel: #1e2128; --border: #363b46; --grid: rgba(255, 255, 255, 0.13);
    --bad: #ff8a80; --warn: #f5c242;
    --r0: #56b4e9; --r1: #ff8c42; --r2: #3ddc97; --r3: #f0a6d3; --r4: #a5d8ff; --r5: #f5c242; --r6: #c3a6ff; --r7: #cfcfcf;
    --m0: #6cb6ff; --m1: #ff9e64; --m2: #5fd4a0; --m3: #c4a7ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.5 var(--font); }
main { max-width: 1100px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 0 0 8px; }
h2 code { font-size: 1rem; }
h3 { font-size: 1rem; margin: 18px 0 6px; }
code { font-family: var(--mono); background: var(--panel); border: 1px solid var(--border); border-radius: 4px; padding: 1px 5px; word-break: break-all; }
.meta { color: var(--muted); margin: 2px 0; font-size: 0.9rem; }
.banner { border: 2px solid var(--warn); border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
section { border-top: 1px solid var(--border); padding-top: 18px; margin-top: 22px; }
.context p { margin: 4px 0; }
.peak { font-size: 1.05rem; margin: 10px 0; }
.peak strong { font-size: 1.2rem; }
.note { color: var(--muted); font-size: 0.88rem; margin: 3px 0; }
figure { margin: 12px 0; }
figcaption { color: var(--muted); font-size: 0.88rem; margin-top: 4px; }
.plot { min-height: 340px; position: relative; }
.plot .noscript { padding: 40px; color: var(--muted); }
.uplot { font-family: var(--font); }
.u-select { background: var(--grid); }
.u-over .tip { position: absolute; pointer-events: none; z-index: 10; background: var(--bg); color: var(--fg); border: 1px solid var(--fg);
  border-radius: 4px; padding: 4px 8px; font-size: 12px; line-height: 1.4; white-space: nowrap; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 6px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--border); text-align: right; vertical-align: top; }
th:first-child, td.text { text-align: left; }
thead th { color: var(--muted); font-weight: 600; }
.scroll { overflow-x: auto; }
tr.bad td, tr.bad th { color: var(--bad); }
ul.instances { margin: 2px 0 0; padding-left: 18px; font-size: 0.9rem; min-width: 18em; }
tr.uncounted th::after { content: " (not counted)"; color: var(--muted); font-weight: normal; }
table.legend button { font: inherit; color: inherit; background: none; border: 0; padding: 2px 4px; cursor: pointer; display: inline-flex; gap: 6px; align-items: center; }
table.legend button[aria-pressed="false"], table.legend td.off button { opacity: 0.45; text-decoration: line-through; }
table.legend td { text-align: left; }
table.legend .at { font-weight: normal; }
svg.sw { flex: none; }
svg.bars { width: 100%; height: auto; max-width: 900px; display: block; }
svg.bars text { fill: var(--fg); font: 13px var(--font); }
svg.bars .muted { fill: var(--muted); }
svg.bars .axis { stroke: var(--muted); }
svg.bars .gridline { stroke: var(--grid); }
svg.bars .whisker { stroke: var(--fg); stroke-width: 2; }
svg.bars .median { stroke: var(--fg); stroke-width: 1; }
h4 { font-size: 0.95rem; margin: 14px 0 4px; }
.detail-of { color: var(--muted); margin-top: 16px; }
svg.breakdown { width: 100%; height: auto; max-width: 900px; display: block; }
svg.breakdown text { fill: var(--fg); font: 12px var(--font); }
svg.breakdown .frame { fill: none; stroke: var(--muted); }
ul.key { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 0.9rem; }
ul.key li { display: inline-flex; gap: 6px; align-items: center; }
ul.signals { margin: 4px 0; padding-left: 20px; }
ul.signals li.seen strong { color: var(--warn); }
.leak-leak { color: var(--bad); font-weight: 600; }
footer { color: var(--muted); font-size: 0.85rem; margin-top: 36px; border-top: 1px solid var(--border); padding-top: 10px; }
@media print { .u-over .tip { display: none; } }
`;
