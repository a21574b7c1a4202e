// The live poller behind `membench serve`: status every interval (cheap), smaps_rollup on a slower cadence
// (PSS is costly), cached per process so that a scrape only formats what is already known.
import { readFileSync } from 'node:fs';
import { kibFieldBytes } from '../probe/status.js';
import { parseSmapsRollup } from '../probe/smaps-rollup.js';
import type { ProcRoot } from '../probe/proc.js';
import { resolveTargets, type TargetSpec } from './targets.js';

export interface LiveProcess {
  readonly pid: number;
  readonly command: string;
  rssBytes: number;
  vmDataBytes: number | null;
  vmSwapBytes: number | null;
  /** VmHWM: the kernel's own RSS high-water mark since exec. */
  peakRssBytes: number | null;
  pssBytes: number | null;
  ussBytes: number | null;
  /** Monotonic ms of the last smaps_rollup read; -Infinity before the first. */
  pssReadAtMs: number;
}

export interface PollerHealth {
  polls: number;
  lastPollAtMs: number | null;
  lastPollDurationMs: number | null;
  pssReads: number;
  readErrors: number;
}

export interface TargetTotals {
  processes: number;
  rssBytes: number;
  pssBytes: number;
  ussBytes: number;
  swapBytes: number;
  vmDataBytes: number;
  /** Largest Σ RSS / Σ PSS seen over all polls since start. */
  peakRssBytes: number;
  peakPssBytes: number;
}

export interface PollerOptions {
  readonly root: ProcRoot;
  readonly target: TargetSpec;
  readonly pssIntervalMs: number;
  /** Monotonic clock (ms), injectable. */
  readonly now: () => number;
}

const GONE = new Set(['ENOENT', 'ESRCH']);

export class LivePoller {
  readonly processes = new Map<number, LiveProcess>();
  readonly health: PollerHealth = { polls: 0, lastPollAtMs: null, lastPollDurationMs: null, pssReads: 0, readErrors: 0 };
  readonly totals: TargetTotals = { processes: 0, rssBytes: 0, pssBytes: 0, ussBytes: 0, swapBytes: 0, vmDataBytes: 0, peakRssBytes: 0, peakPssBytes: 0 };

  constructor(private readonly o: PollerOptions) {}

  private read(path: string): string | null {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      if (!GONE.has((e as NodeJS.ErrnoException).code ?? '')) this.health.readErrors++;
      return null;
    }
  }

  /** One pass: find the targets, refresh status for each, smaps_rollup where the cached PSS is older than pssIntervalMs. */
  poll(): void {
    const t0 = this.o.now();
    const pids = new Set(resolveTargets(this.o.target, this.o.root));
    for (const pid of this.processes.keys()) if (!pids.has(pid)) this.processes.delete(pid);
    for (const pid of pids) {
      const status = this.read(`${this.o.root.proc}/${pid}/status`);
      const rss = status === null ? -1 : kibFieldBytes(status, 'VmRSS');
      if (status === null || rss < 0) {
        this.processes.delete(pid); // gone, a zombie, or a kernel thread: no user memory to report
        continue;
      }
      const opt = (key: string): number | null => {
        const v = kibFieldBytes(status, key);
        return v < 0 ? null : v;
      };
      let p = this.processes.get(pid);
      if (!p) {
        const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? '?';
        p = { pid, command: name, rssBytes: 0, vmDataBytes: null, vmSwapBytes: null, peakRssBytes: null, pssBytes: null, ussBytes: null, pssReadAtMs: -Infinity };
        this.processes.set(pid, p);
      }
      p.rssBytes = rss;
      p.vmDataBytes = opt('VmData');
      p.vmSwapBytes = opt('VmSwap');
      p.peakRssBytes = opt('VmHWM');
      if (this.o.now() - p.pssReadAtMs >= this.o.pssIntervalMs) {
        const rollup = this.read(`${this.o.root.proc}/${pid}/smaps_rollup`);
        if (rollup !== null && rollup !== '') {
          const r = parseSmapsRollup(rollup, `${this.o.root.proc}/${pid}/smaps_rollup`);
          p.pssBytes = r.pssBytes;
          p.ussBytes = r.ussBytes;
          this.health.pssReads++;
        }
        p.pssReadAtMs = this.o.now();
      }
    }
    this.sum();
    this.health.polls++;
    this.health.lastPollAtMs = this.o.now();
    this.health.lastPollDurationMs = this.health.lastPollAtMs - t0;
  }

  private sum(): void {
    const t = this.totals;
    t.processes = this.processes.size;
    t.rssBytes = t.pssBytes = t.ussBytes = t.swapBytes = t.vmDataBytes = 0;
    for (const p of this.processes.values()) {
      t.rssBytes += p.rssBytes;
      t.pssBytes += p.pssBytes ?? 0;
      t.ussBytes += p.ussBytes ?? 0;
      t.swapBytes += p.vmSwapBytes ?? 0;
      t.vmDataBytes += p.vmDataBytes ?? 0;
    }
    t.peakRssBytes = Math.max(t.peakRssBytes, t.rssBytes);
    t.peakPssBytes = Math.max(t.peakPssBytes, t.pssBytes);
  }

  /** Age (ms) of the oldest cached PSS figure, or null when none was read yet. */
  oldestPssAgeMs(): number | null {
    let oldest: number | null = null;
    for (const p of this.processes.values()) if (Number.isFinite(p.pssReadAtMs)) oldest = Math.min(oldest ?? Infinity, p.pssReadAtMs);
    return oldest === null ? null : this.o.now() - oldest;
  }
}
