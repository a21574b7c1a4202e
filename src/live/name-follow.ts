// `watch --name`: rescans /proc for processes with the name (like running pgrep each time), hands the new ones
// to the sampler as roots, records when each joined, and says when none has been left for the grace period.
import { SYSTEM_PROC, type ProcRoot } from '../probe/proc.js';
import type { Sampler } from '../sample/sampler.js';
import { processesNamed, type ProcessIdentity } from './targets.js';

export interface FollowName {
  readonly name: string;
  /** How often /proc is rescanned for new processes with the name (the CLI's --rescan, 1 s by default). */
  readonly rescanMs: number;
  /**
   * How long no process with the name (nor a watched descendant) must have been alive, with at least one rescan
   * in that time, before the watch ends as target-exited (the CLI's --grace: two rescans by default).
   */
  readonly graceMs: number;
  /** Pids never followed: membench itself and its parent. */
  readonly excludePids: readonly number[];
  /** Late joins kept in the recording, the latest ones (default 1000). */
  readonly keepLateJoins?: number;
  readonly root?: ProcRoot;
}

export interface LateJoin {
  readonly pid: number;
  /** When the rescan found it, ms since the watch began; the sampler follows it from its next tick. */
  readonly joinedMs: number;
}

const keyOf = (p: ProcessIdentity): string => `${p.pid}:${p.startTicks}`;

export class NameFollower {
  /** Identities found by the latest scan: an exited process cannot come back, so older ones need not be kept. */
  private known: Set<string>;
  private readonly exclude: ReadonlySet<number>;
  private readonly root: ProcRoot;
  private readonly joins: LateJoin[] = [];
  private lastRescanMs = 0;
  /** The roots were alive when the watch began. */
  private lastAliveMs = 0;
  lateJoinsNotKept = 0;

  /** roots: the pids the watch began with (the name's processes when the CLI resolved it). */
  constructor(
    private readonly o: FollowName,
    roots: readonly number[],
  ) {
    this.exclude = new Set(o.excludePids);
    this.root = o.root ?? SYSTEM_PROC;
    // Only the roots count as known: a process started between the CLI's scan and this one joins at the first rescan.
    const rootSet = new Set(roots);
    this.known = new Set(
      processesNamed(o.name, this.root, this.exclude)
        .filter((p) => rootSet.has(p.pid))
        .map(keyOf),
    );
  }

  /** Called from the watch loop: notes whether anything is alive and, every rescanMs, adds the new processes as roots. */
  step(elapsedMs: number, sampler: Pick<Sampler, 'alive' | 'addRoots'>): void {
    if (sampler.alive > 0) this.lastAliveMs = elapsedMs;
    if (elapsedMs - this.lastRescanMs < this.o.rescanMs) return;
    this.lastRescanMs = elapsedMs;
    const found = processesNamed(this.o.name, this.root, this.exclude);
    if (found.length > 0) this.lastAliveMs = elapsedMs;
    const fresh = found.filter((p) => !this.known.has(keyOf(p)));
    this.known = new Set(found.map(keyOf));
    if (fresh.length === 0) return;
    sampler.addRoots(fresh.map((p) => p.pid));
    const keep = this.o.keepLateJoins ?? 1000;
    for (const p of fresh) this.joins.push({ pid: p.pid, joinedMs: Math.round(elapsedMs) });
    const over = this.joins.length - keep;
    if (over > 0) {
      this.joins.splice(0, over);
      this.lateJoinsNotKept += over;
    }
  }

  /** True once nothing with the name was alive for graceMs and a rescan since then confirmed it (the caller checks the sampler is empty). */
  gone(elapsedMs: number): boolean {
    return this.lastRescanMs > this.lastAliveMs && elapsedMs - this.lastAliveMs >= this.o.graceMs;
  }

  get name(): string {
    return this.o.name;
  }

  /** Every late join so far, kept in lateJoins() or not. */
  get lateJoinsSeen(): number {
    return this.joins.length + this.lateJoinsNotKept;
  }

  lateJoins(): LateJoin[] {
    return [...this.joins];
  }
}
