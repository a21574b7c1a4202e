// smaps of the tree near its peak, for the per-mapping breakdown: from the main thread (the sampler thread keeps
// its schedule), re-read when the live tree figure has grown ≥ 10 % since the last capture, at most every 250 ms,
// keeping the capture with the largest Σ RSS. Never every tick: smaps makes the kernel walk every page table.
import { readProcessSmaps, readProcessSmapsAsync, type ProcessSmaps, type TreeSmaps } from '../probe/smaps.js';
import type { Adaptation } from '../sample/protocol.js';
import { BIG_TREE_PROCESSES, SMAPS_CAPTURE_BUDGET } from '../sample/settings.js';

export interface SmapsCaptureOptions {
  readonly procRoot: string;
  /** Pids of the tree right now (the backend's view: cgroup.procs, or children + marker). */
  readonly listPids: () => readonly number[];
  /** The live tree figure (cgroup usage or Σ RSS) the sampler saw last. */
  readonly liveTreeBytes: () => number;
  /** ms since the run's spawn. */
  readonly sinceSpawnMs: () => number;
  readonly minIntervalMs?: number;
  /** Relative growth of the live figure since the last capture that triggers a new one. */
  readonly growth?: number;
  readonly checkEveryMs?: number;
  /** Share of wall time the captures may take (default SMAPS_CAPTURE_BUDGET): after a long one, the next waits until it fits. */
  readonly budget?: number;
}

export interface SmapsCaptureResult {
  /** The capture with the largest Σ RSS, or null when none could be read. */
  readonly best: TreeSmaps | null;
  readonly captures: number;
  readonly totalReadMs: number;
  /** The captures spaced out past minIntervalMs by the budget (a big tree), from when; null when never. */
  readonly adaptation: Adaptation | null;
}

/**
 * How often the main thread looks whether the tree grew enough for a new capture: 10 times a second (each wake-up of
 * node's event loop costs ~0.1–0.2 ms of CPU on a small VM; 40 a second was 1 % of a core for this check alone).
 */
const SMAPS_CHECK_MS = 100;
/** A big tree's capture holds the main thread at most this long between turns of its event loop (plus one process's read). */
const SMAPS_SLICE_MS = 10;

const rssOf = (ps: readonly ProcessSmaps[]): number => ps.reduce((a, p) => a + p.mappings.reduce((b, m) => b + m.rssBytes, 0), 0);

export class SmapsCapturer {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private lastAttemptMs: number | null = null;
  private lastTreeBytes = 0;
  private best: TreeSmaps | null = null;
  private bestRss = -1;
  private captures = 0;
  private totalReadMs = 0;
  private stopped = false;
  /** The wait after the last capture: minIntervalMs, or longer when that capture took more than the budget allows. */
  private waitMs: number;
  private spaced: { fromMs: number; maxWaitMs: number; maxProcesses: number; deferred: number } | null = null;
  /** The last capture's read time per process, ms (null before the first). */
  private perProcessMs: number | null = null;

  constructor(private readonly o: SmapsCaptureOptions) {
    this.waitMs = o.minIntervalMs ?? 250;
  }

  start(): void {
    this.timer = setInterval(() => this.check(), this.o.checkEveryMs ?? SMAPS_CHECK_MS);
    this.timer.unref();
    this.check();
  }

  private check(): void {
    if (this.stopped || this.inFlight) return;
    const now = this.o.sinceSpawnMs();
    if (this.lastAttemptMs !== null && now - this.lastAttemptMs < this.waitMs) return;
    const tree = this.o.liveTreeBytes();
    if (!(tree > 0)) return;
    if (this.captures > 0 && tree < this.lastTreeBytes * (1 + (this.o.growth ?? 0.1))) return;
    // Budget, before reading: a capture predicted (from the last one's cost per process) to take the captures past
    // budget × the time so far waits; a tree of 2000 processes costs ~1.3 s a capture here.
    const budget = this.o.budget ?? SMAPS_CAPTURE_BUDGET;
    if (this.perProcessMs !== null) {
      const count = this.o.listPids().length;
      const predicted = this.perProcessMs * count;
      if (count > BIG_TREE_PROCESSES && this.totalReadMs + predicted > budget * now && predicted > this.waitMs * budget) {
        this.spaced ??= { fromMs: now, maxWaitMs: 0, maxProcesses: 0, deferred: 0 };
        this.spaced.maxProcesses = Math.max(this.spaced.maxProcesses, count);
        this.spaced.deferred++;
        this.lastAttemptMs = now;
        return;
      }
    }
    this.lastAttemptMs = now;
    this.inFlight = this.capture(now, tree).finally(() => {
      this.inFlight = null;
    });
  }

  private async capture(atMs: number, treeBytes: number): Promise<void> {
    const t0 = performance.now();
    const processes: ProcessSmaps[] = [];
    let unreadable = 0;
    // One after the other: in parallel they would take CPU from the program being measured. A small tree's are read
    // without blocking the event loop (its exit timestamps the run's wall time; a big process's smaps may take the
    // kernel many ms). A big tree's are read with blocking reads, SMAPS_SLICE_MS at a time: node's asynchronous file
    // calls cost ~10 thread-pool round trips a process, ~1 ms of CPU for a small one, many times the kernel's work
    // (2000 sleeps: ~220 ms of the main thread for 161 processes' smaps).
    const pids = this.o.listPids();
    const blocking = pids.length > BIG_TREE_PROCESSES;
    let slice = performance.now();
    for (const pid of pids) {
      if (this.stopped) return;
      let p: ProcessSmaps | null = null;
      if (!blocking) p = await readProcessSmapsAsync(pid, { proc: this.o.procRoot }).catch(() => null);
      else {
        if (performance.now() - slice >= SMAPS_SLICE_MS) {
          await new Promise<void>((r) => setImmediate(r));
          if (this.stopped) return;
          slice = performance.now();
        }
        try {
          p = readProcessSmaps(pid, { proc: this.o.procRoot });
        } catch {
          /* a file that does not parse: counted as unreadable, as one that is gone */
        }
      }
      if (p) processes.push(p);
      else unreadable++;
    }
    const readMs = performance.now() - t0;
    this.totalReadMs += readMs;
    // Budget: a capture of 700 processes takes the main thread for ~100 ms; the next one waits until it fits.
    const min = this.o.minIntervalMs ?? 250;
    if (processes.length + unreadable > 0) this.perProcessMs = readMs / (processes.length + unreadable);
    this.waitMs =
      processes.length + unreadable > BIG_TREE_PROCESSES ? Math.max(min, readMs / (this.o.budget ?? SMAPS_CAPTURE_BUDGET)) : min;
    if (this.waitMs > min) {
      this.spaced ??= { fromMs: atMs + readMs, maxWaitMs: 0, maxProcesses: 0, deferred: 0 };
      this.spaced.maxWaitMs = Math.max(this.spaced.maxWaitMs, this.waitMs);
      this.spaced.maxProcesses = Math.max(this.spaced.maxProcesses, processes.length + unreadable);
    }
    if (processes.length === 0) return;
    this.captures++;
    this.lastTreeBytes = treeBytes;
    const rss = rssOf(processes);
    if (rss > this.bestRss) {
      this.bestRss = rss;
      this.best = { atMs, treeBytes, processes, unreadable, readMs };
    }
  }

  /** Stops capturing (waiting for a read in progress) and returns the best capture. */
  async stop(): Promise<SmapsCaptureResult> {
    this.cancel();
    await this.inFlight;
    const sp = this.spaced;
    const adaptation: Adaptation | null =
      sp === null
        ? null
        : {
            what: 'smaps',
            fromMs: Math.round(sp.fromMs * 1000) / 1000,
            detail: `smaps of the tree (the per-mapping breakdown near the peak) ${sp.deferred > 0 ? `not captured ${sp.deferred} time${sp.deferred === 1 ? '' : 's'} it was due,` : 'captured less often'}${sp.maxWaitMs > 0 ? `, as seldom as every ${Math.round(sp.maxWaitMs)} ms instead of every ${this.o.minIntervalMs ?? 250} ms,` : ''} with up to ${sp.maxProcesses} processes, to keep the captures within ${Math.round((this.o.budget ?? SMAPS_CAPTURE_BUDGET) * 100)} % of the time; the breakdown is of the capture taken at ${this.best ? `${Math.round(this.best.atMs)} ms` : 'none'}`,
          };
    return { best: this.best, captures: this.captures, totalReadMs: this.totalReadMs, adaptation };
  }

  /** Stops the timer without waiting (error paths). */
  cancel(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
