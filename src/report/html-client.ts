// The HTML report's script: draws each ChartSpec with uPlot, marks peaks, drives the live legend and tooltip.
/// <reference lib="dom" />
// The DOM's types for the code that runs in the page; the rest of the project is typed for Node only (tsconfig lib).
// It is inlined into the page with Function.prototype.toString, so membenchClient must use nothing from
// outside its own body (type-only imports are fine: they vanish when compiled).
import type uPlotT from 'uplot';
import type { ChartSpec } from './chart-spec.js';

export interface ClientData {
  readonly charts: readonly ChartSpec[];
}

export function membenchClient(data: ClientData): void {
  const U = (window as unknown as { uPlot: typeof uPlotT }).uPlot;
  const MIB = 1024 * 1024;
  const HEIGHT = 340;
  const root = document.documentElement;
  const css = (name: string): string => getComputedStyle(root).getPropertyValue(name).trim();
  const fmtMiB = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${v.toFixed(v < 10 ? 2 : 1)} MiB`);
  const fmtS = (t: number): string => `${t.toFixed(t < 10 ? 3 : 1)} s`;
  const instances: uPlotT[] = [];
  (window as unknown as { membenchCharts: uPlotT[] }).membenchCharts = instances;

  function build(spec: ChartSpec): uPlotT | null {
    const el = document.getElementById(`plot-${spec.id}`);
    if (!el) return null;
    el.textContent = '';
    const secondsOf = spec.timesMs.map((ts) => ts.map((t) => t / 1000));
    const tables = spec.runs.map((r) => [
      secondsOf[r.times]!.slice(r.from, r.from + r.points),
      ...spec.metrics.map((m) => (r.columns[m] ?? []).map((v) => (v === null ? null : v / MIB))),
    ]);
    const aligned = (tables.length === 1 ? tables[0]! : U.join(tables as unknown as uPlotT.AlignedData[])) as (
      | number
      | null
      | undefined
    )[][];
    const runEnd = spec.runs.map((r) => (r.points > 0 ? secondsOf[r.times]![r.from + r.points - 1]! : 0));
    const peakMax = Math.max(0, ...spec.runs.map((r) => (r.peak ? r.peak.bytes / MIB : 0)));
    const fg = css('--fg');
    const bg = css('--bg');
    const grid = css('--grid');
    const font = css('--font') || 'system-ui, sans-serif';
    const legend = document.querySelector<HTMLTableElement>(`table.legend[data-chart="${spec.id}"]`);
    const tip = document.createElement('div');
    tip.className = 'tip';
    tip.hidden = true;
    let focused: number | null = null;
    let pointerHere = false;

    /** Value of series s at aligned index idx: its last sample at or before that time, none after its run ended. */
    const valueAt = (u: uPlotT, s: number, idx: number): number | null => {
      const x = u.data[0][idx]!;
      if (x > runEnd[spec.series[s - 1]!.run]!) return null;
      const col = u.data[s]!;
      for (let i = idx; i >= 0; i--) if (col[i] !== null && col[i] !== undefined) return col[i] as number;
      return null;
    };

    type Box = { l: number; t: number; r: number; b: number };
    const overlaps = (a: Box, b: Box): boolean => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;

    const drawPeaks = (u: uPlotT): void => {
      const ctx = u.ctx;
      const pr = U.pxRatio;
      const marks = spec.runs.flatMap((r, ri) =>
        r.peak ? [{ r, ri, peak: r.peak, x: u.valToPos(r.peak.tMs / 1000, 'x', true), y: u.valToPos(r.peak.bytes / MIB, 'y', true) }] : [],
      );
      const taken: Box[] = marks.map((m) => ({ l: m.x - 6 * pr, t: m.y - 11 * pr, r: m.x + 6 * pr, b: m.y }));
      ctx.save();
      for (const m of marks) {
        ctx.beginPath();
        ctx.moveTo(m.x, m.y);
        ctx.lineTo(m.x - 6 * pr, m.y - 11 * pr);
        ctx.lineTo(m.x + 6 * pr, m.y - 11 * pr);
        ctx.closePath();
        ctx.fillStyle = spec.runs.length === 1 ? fg : css(`--r${m.ri % 8}`);
        ctx.fill();
        ctx.lineWidth = pr;
        ctx.strokeStyle = fg;
        ctx.stroke();
      }
      const top = marks.find((m) => m.ri === spec.topPeakRun);
      if (top) {
        ctx.setLineDash([3 * pr, 3 * pr]);
        ctx.globalAlpha = 0.6;
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, top.y);
        ctx.lineTo(u.bbox.left + u.bbox.width, top.y);
        ctx.stroke();
        ctx.globalAlpha = 1;
        ctx.setLineDash([]);
        const text = `peak ${top.peak.text}${spec.runs.length > 1 ? ` (${top.r.label})` : ''}`;
        ctx.font = `bold ${12 * pr}px ${font}`;
        const w = ctx.measureText(text).width + 10 * pr;
        const h = 18 * pr;
        const left = Math.min(Math.max(top.x - w / 2, u.bbox.left + 2 * pr), u.bbox.left + u.bbox.width - w - 2 * pr);
        const y0 = Math.max(u.bbox.top + 2 * pr, top.y - 14 * pr - h);
        ctx.fillStyle = bg;
        ctx.fillRect(left, y0, w, h);
        ctx.strokeRect(left, y0, w, h);
        ctx.fillStyle = fg;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'middle';
        ctx.fillText(text, left + 5 * pr, y0 + h / 2);
        taken.push({ l: left, t: y0, r: left + w, b: y0 + h });
      }
      // Runs differ only in colour, so each other marker names its run, where the name has room.
      ctx.font = `${11 * pr}px ${font}`;
      ctx.fillStyle = fg;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      for (const m of marks) {
        if (m === top || spec.runs.length === 1) continue;
        const w = ctx.measureText(m.r.label).width;
        const box = { l: m.x + 8 * pr, t: m.y - 14 * pr, r: m.x + 8 * pr + w, b: m.y - 2 * pr };
        if (taken.some((b, i) => i !== marks.indexOf(m) && overlaps(b, box))) continue;
        ctx.fillText(m.r.label, box.l, box.b);
        taken.push(box);
      }
      ctx.restore();
    };

    const updateLegend = (u: uPlotT): void => {
      const idx = u.cursor.idx;
      const hovering = idx !== null && idx !== undefined;
      if (legend) {
        const at = legend.querySelector('.at');
        if (at) at.textContent = hovering ? `at ${fmtS(u.data[0][idx]!)}` : 'highest value';
        legend.querySelectorAll<HTMLElement>('[data-series]').forEach((cell) => {
          const s = Number(cell.dataset.series);
          const v = cell.querySelector('.v');
          if (v) v.textContent = hovering ? fmtMiB(valueAt(u, s, idx)) : (cell.dataset.max ?? '—');
        });
      }
      // Synced charts follow the cursor in their legends; the tooltip belongs to the chart under the pointer.
      if (!hovering || !pointerHere) {
        tip.hidden = true;
        return;
      }
      const shown =
        focused !== null
          ? [focused]
          : spec.series
              .map((s, i) => ({ s, i: i + 1 }))
              .filter((x) => x.s.metric === spec.metrics[0] && u.series[x.i]!.show)
              .map((x) => x.i);
      const lines = shown
        .map((s) => ({ s, v: valueAt(u, s, idx) }))
        // Per process: only those alive at that time.
        .filter((x) => spec.kind !== 'processes' || x.v !== null)
        .map((x) => `${spec.series[x.s - 1]!.label}: ${fmtMiB(x.v)}`);
      tip.textContent = '';
      const head = document.createElement('strong');
      head.textContent = `t = ${fmtS(u.data[0][idx]!)}`;
      tip.append(head);
      for (const l of lines) {
        const div = document.createElement('div');
        div.textContent = l;
        tip.append(div);
      }
      tip.hidden = false;
      const left = u.cursor.left ?? 0;
      const top = u.cursor.top ?? 0;
      const flip = left > u.over.clientWidth / 2;
      tip.style.left = flip ? '' : `${left + 14}px`;
      tip.style.right = flip ? `${u.over.clientWidth - left + 14}px` : '';
      tip.style.top = `${Math.max(0, top - 10)}px`;
    };

    // A sample holds until the next one, as the legend reads it; sparse PSS ticks drawn as slopes would invent growth.
    const stepped = U.paths.stepped?.({ align: 1 });
    const opts: uPlotT.Options = {
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      // Only the time line follows the cursor: a horizontal one would read as another threshold beside the peak's.
      // One sync key for the page: every time chart shows the cursor at the same time and zooms together.
      cursor: { y: false, focus: { prox: 24 }, drag: { x: true, y: false }, sync: { key: 'membench-time', scales: ['x', null] } },
      focus: { alpha: 0.3 },
      scales: {
        // The whole run starts at 0 s (spawn), not at the first sample; a zoomed range is left as chosen.
        x: { time: false, range: (u, min, max) => [min !== null && min === u.data[0][0] ? Math.min(0, min) : (min ?? 0), max ?? 1] },
        y: { range: (_u, _min, max) => [0, Math.max(max ?? 0, peakMax) * 1.18 || 1] },
      },
      axes: [
        {
          label: 'time since start (s)',
          stroke: fg,
          font: `12px ${font}`,
          labelFont: `bold 12px ${font}`,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
        },
        {
          label: 'memory (MiB)',
          stroke: fg,
          font: `12px ${font}`,
          labelFont: `bold 12px ${font}`,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
          size: 64,
        },
      ],
      series: [
        { label: 'time (s)' },
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: css(s.colorVar),
          width: s.width,
          dash: [...s.dash],
          spanGaps: true,
          points: { show: false },
          paths: stepped,
        })),
      ],
      hooks: {
        draw: [drawPeaks],
        setCursor: [updateLegend],
        setSeries: [
          (u, sidx, o) => {
            // uPlot passes the {show?, focus?} given to setSeries, though its types say Series.
            const focus = (o as { focus?: boolean }).focus;
            if (focus !== undefined) focused = focus && sidx !== null && sidx > 0 ? sidx : null;
            updateLegend(u);
          },
        ],
      },
    };
    const u = new U(opts, aligned as unknown as uPlotT.AlignedData, el);
    u.over.append(tip);
    u.over.addEventListener('mouseenter', () => {
      pointerHere = true;
    });
    u.over.addEventListener('mouseleave', () => {
      pointerHere = false;
      tip.hidden = true;
    });
    if (legend) {
      legend.querySelectorAll<HTMLButtonElement>('button[data-toggle]').forEach((btn) => {
        btn.onclick = () => {
          const ids = (btn.dataset.toggle ?? '').split(',').map(Number);
          const show = !ids.every((s) => u.series[s]!.show);
          for (const s of ids) {
            u.setSeries(s, { show });
            legend.querySelectorAll<HTMLElement>(`[data-series="${s}"]`).forEach((c) => c.classList.toggle('off', !show));
          }
          legend.querySelectorAll<HTMLButtonElement>('button[data-toggle]').forEach((b) => {
            const all = (b.dataset.toggle ?? '').split(',').map(Number);
            b.setAttribute('aria-pressed', String(all.every((s) => u.series[s]!.show)));
          });
        };
      });
    }
    return u;
  }

  function buildAll(): void {
    while (instances.length > 0) instances.pop()!.destroy();
    document.querySelectorAll('table.legend .off').forEach((c) => c.classList.remove('off'));
    document.querySelectorAll('table.legend button[data-toggle]').forEach((b) => b.setAttribute('aria-pressed', 'true'));
    for (const spec of data.charts) {
      const u = build(spec);
      if (u) instances.push(u);
    }
  }

  buildAll();
  // Colours come from CSS custom properties, so a switch between light and dark redraws with the new ones.
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', buildAll);
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const u of instances) u.setSize({ width: Math.max(320, u.root.parentElement?.clientWidth ?? 800), height: HEIGHT });
    }, 100);
  });
}
