// smaps of the tree near its peak, for the per-mapping breakdown: from the main thread (the sampler thread keeps
// its schedule), re-read when the live tree figure has grown ≥ 10 % since the last capture, at most every 250 ms,
// keeping the capture with the largest Σ RSS. Never every tick: smaps makes the kernel walk every page table.
import { readProcessSmapsAsync, type ProcessSmaps, type TreeSmaps } from '../probe/smaps.js';

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
}

export interface SmapsCaptureResult {
  /** The capture with the largest Σ RSS, or null when none could be read. */
  readonly best: TreeSmaps | null;
  readonly captures: number;
  readonly totalReadMs: number;
}

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

  constructor(private readonly o: SmapsCaptureOptions) {}

  start(): void {
    this.timer = setInterval(() => this.check(), this.o.checkEveryMs ?? 25);
    this.timer.unref();
    this.check();
  }

  private check(): void {
    if (this.stopped || this.inFlight) return;
    const now = this.o.sinceSpawnMs();
    if (this.lastAttemptMs !== null && now - this.lastAttemptMs < (this.o.minIntervalMs ?? 250)) return;
    const tree = this.o.liveTreeBytes();
    if (!(tree > 0)) return;
    if (this.captures > 0 && tree < this.lastTreeBytes * (1 + (this.o.growth ?? 0.1))) return;
    this.lastAttemptMs = now;
    this.inFlight = this.capture(now, tree).finally(() => {
      this.inFlight = null;
    });
  }

  private async capture(atMs: number, treeBytes: number): Promise<void> {
    const t0 = performance.now();
    const processes: ProcessSmaps[] = [];
    let unreadable = 0;
    // One after the other: reading them in parallel would take CPU from the program being measured.
    for (const pid of this.o.listPids()) {
      if (this.stopped) return;
      const p = await readProcessSmapsAsync(pid, { proc: this.o.procRoot }).catch(() => null);
      if (p) processes.push(p);
      else unreadable++;
    }
    const readMs = performance.now() - t0;
    this.totalReadMs += readMs;
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
    return { best: this.best, captures: this.captures, totalReadMs: this.totalReadMs };
  }

  /** Stops the timer without waiting (error paths). */
  cancel(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
