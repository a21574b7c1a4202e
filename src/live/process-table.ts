// Per-process figures of a long watch, bounded: every live process, plus the N finished ones with the largest
// peaks; the other finished ones are only counted (a target forking short-lived children for hours stays flat).
import type { ProcessSeen } from '../sample/protocol.js';

const maxN = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/** Folds a later view of the same process into `into` (maxima of the figures, widest seen-window). */
export function mergeProcess(into: ProcessSeen, p: ProcessSeen): void {
  into.firstSeenMs = Math.min(into.firstSeenMs, p.firstSeenMs);
  into.lastSeenMs = Math.max(into.lastSeenMs, p.lastSeenMs);
  into.maxRssBytes = Math.max(into.maxRssBytes, p.maxRssBytes);
  into.vmHwmBytes = maxN(into.vmHwmBytes, p.vmHwmBytes);
  into.maxPssBytes = maxN(into.maxPssBytes, p.maxPssBytes);
  into.maxUssBytes = maxN(into.maxUssBytes, p.maxUssBytes);
  into.maxVmDataBytes = maxN(into.maxVmDataBytes, p.maxVmDataBytes);
  // exec changes the name and command line: keep the latest.
  into.name = p.name;
  into.cmdline = p.cmdline;
  into.ppid ??= p.ppid;
}

/** The peak a finished process is ranked by: its VmHWM when read, else the largest sampled RSS. */
const peakOf = (p: ProcessSeen): number => Math.max(p.vmHwmBytes ?? 0, p.maxRssBytes);
const byPeakDesc = (a: ProcessSeen, b: ProcessSeen): number => peakOf(b) - peakOf(a);

const bySeen = (a: ProcessSeen, b: ProcessSeen): number => a.firstSeenMs - b.firstSeenMs || a.pid - b.pid;

/** Depth first: the processes whose parent is not among them, each followed by its descendants, siblings by first seen. */
function treeOrder(ps: ProcessSeen[]): ProcessSeen[] {
  const pids = new Set(ps.map((p) => p.pid));
  const children = new Map<number, ProcessSeen[]>();
  for (const p of ps.sort(bySeen)) {
    const parent = p.ppid !== null && p.ppid !== p.pid && pids.has(p.ppid) ? p.ppid : 0;
    const list = children.get(parent);
    if (list) list.push(p);
    else children.set(parent, [p]);
  }
  const out: ProcessSeen[] = [];
  const visit = (p: ProcessSeen): void => {
    out.push(p);
    for (const c of children.get(p.pid) ?? []) visit(c);
  };
  for (const p of children.get(0) ?? []) visit(p);
  // A cycle of parents (pids reused between views) has no top: keep its members anyway.
  if (out.length < ps.length) {
    const placed = new Set(out);
    out.push(...ps.filter((p) => !placed.has(p)));
  }
  return out;
}

export class ProcessTable {
  private readonly live = new Map<number, ProcessSeen>();
  private finished: ProcessSeen[] = [];
  /** Finished processes dropped because `keepFinished` larger ones were kept. */
  finishedNotKept = 0;

  constructor(readonly keepFinished: number) {
    if (!(keepFinished >= 0)) throw new Error('keepFinished must be ≥ 0');
  }

  /**
   * One sampler chunk: `processes` are views of processes (live or ended since the previous chunk), `livePids`
   * the ones still in the tree. A process not in livePids has ended and moves to the finished list.
   */
  fold(processes: readonly ProcessSeen[], livePids: readonly number[]): void {
    for (const p of processes) {
      const q = this.live.get(p.pid);
      if (q) mergeProcess(q, p);
      else this.live.set(p.pid, { ...p });
    }
    const alive = new Set(livePids);
    for (const [pid, p] of this.live) {
      if (alive.has(pid)) continue;
      this.live.delete(pid);
      this.finished.push(p);
    }
    // Trimmed in batches (sorting at every ended child would cost more than it saves).
    if (this.finished.length >= 2 * this.keepFinished + 64) this.trim();
  }

  private trim(): void {
    this.finished.sort(byPeakDesc);
    this.finishedNotKept += Math.max(0, this.finished.length - this.keepFinished);
    this.finished.length = Math.min(this.finished.length, this.keepFinished);
  }

  get liveCount(): number {
    return this.live.size;
  }

  /**
   * Live processes first, in tree order (each parent before its children, siblings in the order first seen: not by
   * pid, which wraps at pid_max, so a child may have the smaller one), then the kept finished ones by peak.
   */
  list(): ProcessSeen[] {
    this.trim();
    return [...treeOrder([...this.live.values()]), ...this.finished].map((p) => ({ ...p }));
  }
}
