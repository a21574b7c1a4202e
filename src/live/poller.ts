// The live poller behind `membench serve`: status every interval (cheap), smaps_rollup on a slower cadence
// (PSS is costly), cached per process so that a scrape only formats what is already known.
import { readFileSync } from 'node:fs';
import { errnoCode } from '../errors.js';
import { leakVerdict } from '../analyze/leak.js';
import type { LeakVerdict } from '../result.js';
import { memoryCgroupPath, parseProcCgroup } from '../probe/cgroup.js';
import { kibFieldBytes } from '../probe/status.js';
import { parseSmapsRollup } from '../probe/smaps-rollup.js';
import type { ProcRoot } from '../probe/proc.js';
import { resolveTargets, type TargetSpec } from './targets.js';
import { BoundedTimeline, VERDICT_POINTS } from './timeline.js';

export interface LiveProcess {
  readonly pid: number;
  /** Name: from status, re-read every pass (an exec changes it). */
  command: string;
  /** The cgroup accounting its memory (v1 memory hierarchy, else v2), re-read with PSS; "" when unreadable. */
  cgroup: string;
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
  /** How often the leak verdict over Σ RSS is recomputed (default 2 s). */
  readonly verdictEveryMs?: number;
  /** Σ RSS points kept for the leak verdict whatever the uptime; older ones are merged pairwise (default VERDICT_POINTS). */
  readonly timelinePoints?: number;
}

const GONE = new Set(['ENOENT', 'ESRCH']);

export class LivePoller {
  readonly processes = new Map<number, LiveProcess>();
  readonly health: PollerHealth = { polls: 0, lastPollAtMs: null, lastPollDurationMs: null, pssReads: 0, readErrors: 0 };
  readonly totals: TargetTotals = {
    processes: 0,
    rssBytes: 0,
    pssBytes: 0,
    ussBytes: 0,
    swapBytes: 0,
    vmDataBytes: 0,
    peakRssBytes: 0,
    peakPssBytes: 0,
  };

  /** Σ RSS at every pass since start, bounded (bucket means feed the verdict). */
  readonly timeline: BoundedTimeline;
  /** The leak verdict over Σ RSS since start (as `membench watch` judges it); null before the first pass. */
  leak: LeakVerdict | null = null;
  private startedAtMs: number | null = null;
  private leakAtMs = -Infinity;

  constructor(private readonly o: PollerOptions) {
    this.timeline = new BoundedTimeline(o.timelinePoints ?? VERDICT_POINTS);
  }

  private readCgroup(pid: number): string {
    const text = this.read(`${this.o.root.proc}/${pid}/cgroup`);
    if (text === null) return '';
    try {
      return memoryCgroupPath(parseProcCgroup(text, `${this.o.root.proc}/${pid}/cgroup`)) ?? '';
    } catch {
      this.health.readErrors++;
      return '';
    }
  }

  private read(path: string): string | null {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      if (!GONE.has(errnoCode(e) ?? '')) this.health.readErrors++;
      return null;
    }
  }

  /** One pass: find the targets, refresh status for each, smaps_rollup where the cached PSS is older than pssIntervalMs. */
  poll(): void {
    const t0 = this.o.now();
    const pids = new Set(resolveTargets(this.o.target, this.o.root));
    if (this.o.target.kind === 'name') pids.delete(process.pid); // `serve --name node` means the others, not membench
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
      const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? '?';
      let p = this.processes.get(pid);
      if (!p) {
        p = {
          pid,
          command: name,
          cgroup: '',
          rssBytes: 0,
          vmDataBytes: null,
          vmSwapBytes: null,
          peakRssBytes: null,
          pssBytes: null,
          ussBytes: null,
          pssReadAtMs: -Infinity,
        };
        this.processes.set(pid, p);
      }
      p.command = name;
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
        p.cgroup = this.readCgroup(pid); // moves between cgroups are rare: re-read at the PSS cadence
        p.pssReadAtMs = this.o.now();
      }
    }
    this.sum();
    this.judge(t0);
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

  /** Adds this pass's Σ RSS to the timeline; recomputes the leak verdict every verdictEveryMs. */
  private judge(t: number): void {
    this.startedAtMs ??= t;
    const sinceStart = t - this.startedAtMs;
    this.timeline.push(sinceStart, this.totals.rssBytes, this.totals.processes);
    if (this.leak !== null && t - this.leakAtMs < (this.o.verdictEveryMs ?? 2000)) return;
    this.leakAtMs = t;
    this.leak = leakVerdict({ tMs: [...this.timeline.tMs], bytes: [...this.timeline.mean] }, sinceStart + 1, { endsAtExit: false });
  }

  /** Age (ms) of the oldest cached PSS figure, or null when none was read yet. */
  oldestPssAgeMs(): number | null {
    let oldest: number | null = null;
    for (const p of this.processes.values()) if (Number.isFinite(p.pssReadAtMs)) oldest = Math.min(oldest ?? Infinity, p.pssReadAtMs);
    return oldest === null ? null : this.o.now() - oldest;
  }
}
