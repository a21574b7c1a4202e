// The live view of `membench watch` (current, peak, a sparkline of the last minute, PSS/USS/swap, the running
// leak verdict): a state in, rows, then text. Pure, so it is tested without a terminal.
import type { LeakVerdict } from '../result.js';
import type { Colors } from '../report/colors.js';
import { formatBytes, formatMs } from '../report/units.js';
import { verdictWords } from '../report/run-rows.js';

/** The per-second maximum of the last `seconds` seconds, in a ring (no allocation per sample). */
export class RecentMax {
  private readonly values: Float64Array;
  private lastSec = -Infinity;

  constructor(readonly seconds: number) {
    this.values = new Float64Array(seconds).fill(NaN);
  }

  push(tMs: number, bytes: number): void {
    const sec = Math.floor(tMs / 1000);
    if (sec < this.lastSec - this.seconds + 1) return; // older than the window
    if (sec > this.lastSec) {
      // Seconds skipped since the last sample (a stalled sampler, a gap) read as "no sample".
      const from = Number.isFinite(this.lastSec) ? Math.max(this.lastSec + 1, sec - this.seconds + 1) : sec - this.seconds + 1;
      for (let s = from; s <= sec; s++) this.values[((s % this.seconds) + this.seconds) % this.seconds] = NaN;
      this.lastSec = sec;
    }
    const i = ((sec % this.seconds) + this.seconds) % this.seconds;
    const v = this.values[i]!;
    if (Number.isNaN(v) || bytes > v) this.values[i] = bytes;
  }

  /** Oldest first; NaN for a second without a sample. */
  series(): number[] {
    if (!Number.isFinite(this.lastSec)) return [];
    return Array.from({ length: this.seconds }, (_, k) => {
      const s = this.lastSec - this.seconds + 1 + k;
      return this.values[((s % this.seconds) + this.seconds) % this.seconds]!;
    });
  }
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/**
 * One character per value, scaled linearly between the finite minimum (▁) and maximum (█) of the series;
 * NaN is a space. A flat series is all ▁.
 */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return ' '.repeat(values.length);
  const lo = Math.min(...finite);
  const span = Math.max(...finite) - lo;
  return values.map((v) => (!Number.isFinite(v) ? ' ' : BLOCKS[span === 0 ? 0 : Math.min(7, Math.floor(((v - lo) / span) * 8))]!)).join('');
}

export interface WatchLiveState {
  readonly pid: number;
  readonly command: string;
  readonly elapsedMs: number;
  /** Σ RSS of the tree at the latest tick. */
  readonly currentBytes: number;
  readonly processes: number;
  readonly peakBytes: number | null;
  /** Per-second maxima of Σ RSS over the last `recent.length` seconds, oldest first (see RecentMax). */
  readonly recent: readonly number[];
  /** The latest smaps_rollup pass (slow tier) and how old it is; null before the first. */
  readonly rollup: { readonly pssBytes: number; readonly ussBytes: number; readonly swapBytes: number; readonly ageMs: number } | null;
  /** The latest running verdict, how old it is, and when it first said "leak" (ms since the watch began). */
  readonly leak: LeakVerdict | null;
  readonly leakAgeMs: number | null;
  readonly leakFirstSeenMs: number | null;
  /** --name: the name followed and how many processes with it joined after the start (absent: a PID watch). */
  readonly followed?: { readonly name: string; readonly lateJoins: number };
}

export type Tone = 'plain' | 'dim' | 'red' | 'green' | 'yellow';
export interface ViewRow {
  readonly label: string;
  readonly parts: readonly { readonly text: string; readonly tone: Tone }[];
}

const plain = (text: string): { text: string; tone: Tone } => ({ text, tone: 'plain' });
const dim = (text: string): { text: string; tone: Tone } => ({ text, tone: 'dim' });
const VERDICT_TONE: Record<LeakVerdict['verdict'], Tone> = {
  leak: 'red',
  'no-leak': 'green',
  inconclusive: 'yellow',
  'grows-until-exit': 'yellow',
};

export function watchViewRows(s: WatchLiveState): ViewRow[] {
  const finite = s.recent.filter(Number.isFinite);
  const rows: ViewRow[] = [
    {
      label: s.followed === undefined ? `pid ${s.pid}` : `--name ${s.followed.name}`,
      // A name watch follows processes that come and go: the first one's command line would go stale.
      parts: [
        ...(s.followed === undefined ? [plain(s.command || '(no command line)')] : []),
        dim(
          `${s.followed === undefined ? ' · ' : ''}${formatMs(s.elapsedMs)} · ${s.processes} process${s.processes === 1 ? '' : 'es'}${s.followed?.lateJoins ? ` · ${s.followed.lateJoins} joined later` : ''}`,
        ),
      ],
    },
    { label: 'Σ RSS', parts: [plain(`${formatBytes(s.currentBytes)} now`), dim(`  peak ${formatBytes(s.peakBytes)}`)] },
    {
      label: `last ${s.recent.length} s`,
      parts:
        finite.length === 0
          ? [dim('no samples yet')]
          : [plain(sparkline(s.recent)), dim(`  ${formatBytes(Math.min(...finite))} … ${formatBytes(Math.max(...finite))}`)],
    },
    {
      label: 'PSS',
      parts:
        s.rollup === null
          ? [dim('not read yet (smaps_rollup)')]
          : [
              plain(`${formatBytes(s.rollup.pssBytes)}  USS ${formatBytes(s.rollup.ussBytes)}  swap ${formatBytes(s.rollup.swapBytes)}`),
              dim(`  (${formatMs(s.rollup.ageMs)} ago)`),
            ],
    },
    {
      label: 'memory',
      parts:
        s.leak === null
          ? [dim('leak not judged yet')]
          : [
              { text: verdictWords(s.leak.verdict), tone: VERDICT_TONE[s.leak.verdict] },
              plain(` — ${s.leak.reason}`),
              dim(
                `${s.leakAgeMs === null ? '' : ` (${formatMs(s.leakAgeMs)} ago)`}${s.leakFirstSeenMs === null ? '' : `; first said leak at ${formatMs(s.leakFirstSeenMs)}`}`,
              ),
            ],
    },
  ];
  return rows;
}

/** Clips to `width` columns (counted in code points: the view uses no wide characters). */
function clip(parts: readonly { text: string; tone: Tone }[], width: number): { text: string; tone: Tone }[] {
  const out: { text: string; tone: Tone }[] = [];
  let left = width;
  for (const p of parts) {
    if (left <= 0) break;
    const cps = [...p.text];
    out.push({ tone: p.tone, text: cps.length <= left ? p.text : `${cps.slice(0, Math.max(0, left - 1)).join('')}…` });
    left -= cps.length;
  }
  return out;
}

/** Labels padded into a column; each line clipped to `width` so a redraw can count its lines. */
export function renderWatchView(rows: readonly ViewRow[], c: Colors, width: number): string {
  const labelWidth = Math.max(...rows.map((r) => [...r.label].length));
  const paint = (p: { text: string; tone: Tone }): string => (p.tone === 'plain' ? p.text : c[p.tone](p.text));
  return rows
    .map((r) => {
      const label = `${r.label.padEnd(labelWidth)}  `;
      return [{ text: label, tone: 'plain' as Tone }, ...r.parts];
    })
    .map((parts) => clip(parts, width).map(paint).join('').trimEnd())
    .join('\n');
}
