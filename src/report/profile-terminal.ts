// Terminal report of a heap profile (top sites at the peak, self and inclusive, and an ms_print-like timeline)
// and of a profile diff. Rows are built first, then rendered.
import { wrap } from './wrap.js';
import { siteRows } from '../profile/model.js';
import type { ProfileDocument, ProfileTimeline } from '../document/profile.js';
import type { ProfileDiff } from '../profile/diff.js';
import type { Colors } from './colors.js';
import { formatBytes, formatPercent } from './units.js';

const UNIT_LABEL: Record<ProfileTimeline['unit'], string> = {
  ms: 'ms',
  instructions: 'instructions',
  'bytes-allocated': 'bytes allocated',
};
const pad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

function siteTable(p: Pick<ProfileDocument, 'stacks' | 'peakBytes'>, mode: 'self' | 'inclusive', top: number, c: Colors): string[] {
  // Self sites keep their line (two mallocs of one function are two sites); inclusive ones are whole functions.
  const rows = siteRows(p.stacks, mode, { byLine: mode === 'self' }).slice(0, top);
  if (rows.length === 0) return [c.dim('  (no sites recorded)')];
  const counted = rows.some((r) => r.allocations !== null);
  return rows.map((r) => {
    const share = p.peakBytes > 0 ? formatPercent(r.peakBytes / p.peakBytes) : '—';
    const calls = counted ? `${pad(r.allocations === null ? '—' : String(r.allocations), 9)}  ` : '';
    return `  ${pad(formatBytes(r.peakBytes), 10)}  ${pad(share, 7)}  ${calls}${r.site}`;
  });
}

/** Columns of ':' up to each bucket's maximum, the peak's column in '#', after valgrind's ms_print. */
export function timelineChart(tl: ProfileTimeline, width = 60, height = 8): string[] {
  const n = tl.t.length;
  if (n === 0) return [];
  const t0 = tl.t[0]!;
  const t1 = tl.t[n - 1]!;
  const cols = new Array<number>(width).fill(-1);
  for (let i = 0; i < n; i++) {
    const x = t1 > t0 ? Math.min(width - 1, Math.floor(((tl.t[i]! - t0) / (t1 - t0)) * width)) : 0;
    cols[x] = Math.max(cols[x]!, tl.heapBytes[i]!);
  }
  for (let x = 1; x < width; x++) if (cols[x] === -1) cols[x] = cols[x - 1]!;
  const top = Math.max(...cols, 1);
  const peakCol = cols.indexOf(top);
  const label = formatBytes(top);
  const lines: string[] = [];
  for (let row = height; row >= 1; row--) {
    const cells = cols.map((v, x) => (v > 0 && Math.ceil((v / top) * height) >= row ? (x === peakCol ? '#' : ':') : ' ')).join('');
    lines.push(`${pad(row === height ? label : '', 10)} |${cells}`);
  }
  lines.push(`${' '.repeat(10)} +${'-'.repeat(width)}`);
  const unit = UNIT_LABEL[tl.unit];
  const left = `${t0}`;
  const right = `${t1} ${unit}`;
  lines.push(`${' '.repeat(12)}${left}${' '.repeat(Math.max(1, width - left.length - right.length))}${right}`);
  return lines;
}

export function renderProfile(p: ProfileDocument, c: Colors, opts: { top?: number; chart?: boolean } = {}): string {
  const top = opts.top ?? 10;
  const out: string[] = [];
  out.push(c.bold(`membench profile — ${p.profiler}${p.command ? `: ${p.command}` : ''}`));
  const at = p.peakAt !== null && p.timeline ? ` at ${p.peakAt} ${UNIT_LABEL[p.timeline.unit]}` : '';
  const cov = p.coverage;
  const what = cov?.verdict === 'far-above' ? 'asked for at the peak' : 'at the peak';
  out.push(`sites ${what} ${c.bold(formatBytes(p.peakBytes))}${at} in ${p.stacks.length} stacks`);
  out.push(c.dim(`  ${p.measures}`));
  if (cov) {
    out.push(
      ...wrap(
        `process peak ${c.bold(formatBytes(cov.processPeakBytes))} (VmHWM of ${cov.processName}, pid ${cov.pid}, exact, ${cov.measuredAt === 'polled' ? 'read every 5 ms' : 'read at exit'}): ` +
          `the sites are ${formatPercent(cov.ratio)} of it`,
      ),
    );
    out.push(...wrap(`  ${cov.sentence}`).map(cov.verdict === 'close' || cov.verdict === 'below' ? c.dim : c.yellow));
  }
  const counted = p.stacks.some((s) => s.allocations !== null);
  const header = `  ${pad('bytes', 10)}  ${pad('share', 7)}  ${counted ? `${pad(p.profiler === 'v8' ? 'samples' : 'allocs', 9)}  ` : ''}site`;
  out.push('', c.bold(`Top sites at the peak, self (allocated in the function itself)`), c.dim(header), ...siteTable(p, 'self', top, c));
  out.push(
    '',
    c.bold(`Top sites at the peak, inclusive (the function and what it calls)`),
    c.dim(header),
    ...siteTable(p, 'inclusive', top, c),
  );
  for (const v of p.views ?? []) {
    out.push(
      '',
      c.bold(
        `Other view: ${v.view}${v.at !== null ? ` (at ${v.at} ms)` : ''} — ${formatBytes(v.peakBytes)} in ${v.stacks.length} stacks, self`,
      ),
      c.dim(`  ${v.measures}`),
    );
    out.push(c.dim(header), ...siteTable(v, 'self', Math.min(top, 5), c));
  }
  if (opts.chart !== false && p.timeline && p.timeline.t.length > 1) out.push('', c.bold('Heap over time'), ...timelineChart(p.timeline));
  for (const n of p.notes) out.push(c.dim(`note: ${n}`));
  return `${out.join('\n')}\n`;
}

const signed = (b: number): string => (b > 0 ? `+${formatBytes(b)}` : b < 0 ? `−${formatBytes(-b)}` : '0 B');

export function renderProfileDiff(d: ProfileDiff, c: Colors, opts: { top?: number; failed?: boolean } = {}): string {
  const out: string[] = [];
  const ratio = d.deltaRatio === null ? '' : ` (${d.deltaRatio >= 0 ? '+' : ''}${formatPercent(d.deltaRatio)})`;
  out.push(c.bold(`membench profile diff — ${d.before.source} → ${d.after.source}`));
  const total = `${signed(d.deltaBytes)}${ratio}`;
  out.push(
    `peak ${formatBytes(d.before.peakBytes)} → ${formatBytes(d.after.peakBytes)}: ${d.deltaBytes > 0 ? c.red(total) : d.deltaBytes < 0 ? c.green(total) : total}`,
  );
  out.push('', c.dim(`  ${pad('before', 10)}  ${pad('after', 10)}  ${pad('change', 11)}  site`));
  const rows = d.sites.filter((s) => s.deltaBytes !== 0).slice(0, opts.top ?? 10);
  if (rows.length === 0) out.push(c.dim('  (no site changed)'));
  for (const s of rows) {
    const tag = s.change === 'new' ? ' (new)' : s.change === 'gone' ? ' (gone)' : '';
    const change = pad(signed(s.deltaBytes), 11);
    out.push(
      `  ${pad(formatBytes(s.beforeBytes), 10)}  ${pad(formatBytes(s.afterBytes), 10)}  ${s.deltaBytes > 0 ? c.red(change) : c.green(change)}  ${s.site}${tag}`,
    );
  }
  for (const n of d.notes) out.push(c.dim(`note: ${n}`));
  if (opts.failed !== undefined)
    out.push('', opts.failed ? c.red('FAILED: the peak grew above --fail-above') : c.green('ok: the peak stayed within --fail-above'));
  return `${out.join('\n')}\n`;
}
