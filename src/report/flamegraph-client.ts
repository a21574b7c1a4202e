// The profile page's script: makes the static icicle interactive — click a frame to zoom into it (Reset or
// Escape to go back), a search box that highlights matching frames and sums their bytes, tooltips on hover.
/// <reference lib="dom" />
// It is inlined into the page with Function.prototype.toString, so membenchFlame must use nothing from outside
// its own body (type-only imports are fine: they vanish when compiled).
import type { IcicleFrame } from './flamegraph-svg.js';

export interface FlameData {
  /** viewBox width of the SVG, in which x is computed */
  readonly width: number;
  readonly frames: readonly IcicleFrame[];
}

export function membenchFlame(data: FlameData): void {
  const svg = document.querySelector('svg.icicle');
  const search = document.getElementById('flame-search') as HTMLInputElement | null;
  const status = document.getElementById('flame-status');
  const zoomLine = document.getElementById('flame-zoom');
  const reset = document.getElementById('flame-reset') as HTMLButtonElement | null;
  const tip = document.getElementById('flame-tip');
  if (!svg || !search || !status || !zoomLine || !reset || !tip) return;
  const frames = data.frames;
  const W = data.width;
  const groups = Array.from(svg.querySelectorAll<SVGGElement>('g.fr'));
  const total = frames[0]?.bytes ?? 0;
  for (const t of Array.from(svg.querySelectorAll('title'))) t.remove(); // the page's own tooltip replaces them
  const fmtBytes = (b: number): string => {
    const a = Math.abs(b);
    if (a < 1024) return `${Math.round(b)} B`;
    if (a < 1024 ** 2) return `${(b / 1024).toFixed(1)} KiB`;
    if (a < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(1)} MiB`;
    return `${(b / 1024 ** 3).toFixed(2)} GiB`;
  };
  const pct = (b: number, of: number): string => (of > 0 ? `${((b / of) * 100).toFixed(1)} %` : '—');
  const fitLabel = (name: string, w: number): string => {
    const chars = Math.floor((w - 6) / 6.4);
    if (chars < 3) return '';
    return name.length <= chars ? name : `${name.slice(0, chars - 1)}…`;
  };
  /** True when `a` is `i` or one of its callers. */
  const under = (a: number, i: number): boolean => {
    for (let k = i; k >= 0; k = frames[k]!.parent) if (k === a) return true;
    return false;
  };
  let focus = 0;

  function render(): void {
    const f = frames[focus]!;
    const span = f.x1 - f.x0 || 1;
    let deepest = 0;
    frames.forEach((fr, i) => {
      const g = groups[i]!;
      const rect = g.querySelector('rect')!;
      const text = g.querySelector('text')!;
      let x: number;
      let w: number;
      const ancestor = fr.depth < f.depth && under(i, focus);
      if (ancestor) {
        x = 0;
        w = W;
      } else if (fr.depth >= f.depth && under(focus, i)) {
        x = ((fr.x0 - f.x0) / span) * W;
        w = ((fr.x1 - fr.x0) / span) * W;
      } else {
        g.setAttribute('display', 'none');
        return;
      }
      if (w < 0.5) {
        g.setAttribute('display', 'none');
        return;
      }
      g.removeAttribute('display');
      deepest = Math.max(deepest, fr.depth);
      g.classList.toggle('anc', ancestor);
      rect.setAttribute('x', x.toFixed(2));
      rect.setAttribute('width', Math.max(0.5, w - 1).toFixed(2));
      text.setAttribute('x', (x + 3).toFixed(2));
      text.textContent = fitLabel(fr.name, w);
    });
    // The SVG as tall as the rows still drawn: a zoomed view does not leave the hidden rows' space below it.
    const rowPx = Number(groups[0]?.querySelector('rect')?.getAttribute('height') ?? 17) + 1;
    svg!.setAttribute('viewBox', `0 0 ${W} ${(deepest + 1) * rowPx}`);
    svg!.setAttribute('height', String((deepest + 1) * rowPx));
    zoomLine!.textContent =
      focus === 0
        ? 'Whole profile. Click a frame to zoom into it.'
        : `Zoomed into ${f.name}: ${fmtBytes(f.bytes)}, ${pct(f.bytes, total)} of all. Click a frame above it, Reset or Escape to zoom out.`;
    reset!.disabled = focus === 0;
  }

  function applySearch(): void {
    const q = search!.value.trim().toLowerCase();
    const hits = new Set<number>();
    if (q !== '')
      frames.forEach((fr, i) => {
        if (fr.name.toLowerCase().includes(q)) hits.add(i);
      });
    groups.forEach((g, i) => g.classList.toggle('match', hits.has(i)));
    if (q === '') {
      status!.textContent = '';
      return;
    }
    // A match inside another match is counted once: its bytes are already in its caller's.
    let bytes = 0;
    for (const i of hits) {
      let nested = false;
      for (let k = frames[i]!.parent; k >= 0; k = frames[k]!.parent)
        if (hits.has(k)) {
          nested = true;
          break;
        }
      if (!nested) bytes += frames[i]!.bytes;
    }
    status!.textContent =
      hits.size === 0
        ? `no frame matches "${search!.value.trim()}"`
        : `${hits.size} frame${hits.size === 1 ? '' : 's'} match "${search!.value.trim()}": ${fmtBytes(bytes)}, ${pct(bytes, total)} of all sites at the peak`;
  }

  const frameOf = (e: Event): number | null => {
    const g = (e.target as Element | null)?.closest?.('g.fr');
    return g ? Number(g.getAttribute('data-i')) : null;
  };
  svg.addEventListener('click', (e) => {
    const i = frameOf(e);
    if (i === null) return;
    focus = i;
    render();
  });
  svg.addEventListener('mousemove', (ev) => {
    const e = ev as MouseEvent;
    const i = frameOf(e);
    if (i === null) {
      tip.hidden = true;
      return;
    }
    const fr = frames[i]!;
    const zoomed = frames[focus]!;
    const lines = [
      fr.name,
      `${fmtBytes(fr.bytes)} at the peak, inclusive: ${pct(fr.bytes, total)} of all${focus !== 0 && fr.depth >= zoomed.depth ? `, ${pct(fr.bytes, zoomed.bytes)} of the zoomed frame` : ''}`,
      `${fmtBytes(fr.selfBytes)} self (allocated in the function itself)`,
      ...fr.lines.slice(0, 5).map((l) => `  at ${l}`),
    ];
    tip.textContent = lines.join('\n');
    tip.hidden = false;
    tip.style.left = `${Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8)}px`;
    tip.style.top = `${e.clientY + 14}px`;
  });
  svg.addEventListener('mouseleave', () => {
    tip.hidden = true;
  });
  reset.addEventListener('click', () => {
    focus = 0;
    render();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && focus !== 0) {
      focus = 0;
      render();
    }
  });
  search.addEventListener('input', applySearch);
  render();
  applySearch();
}
