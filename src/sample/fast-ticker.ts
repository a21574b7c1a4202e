// One tick of the fast sampler, without its thread: the members (statm fds, membership files), the fast columns,
// the finished processes. worker.ts drives it on its schedule; tests drive it over a fixture /proc tree.
import { closeSync, readdirSync } from 'node:fs';
import { parseStatmInto } from '../probe/statm.js';
import { environHas, readCmdline, readComm } from '../probe/proc.js';
import { Columns } from './columns.js';
import { BIG_TREE_PROCESSES } from './settings.js';
import type { Preader } from './io.js';
import { PidList, ProcsFile } from './pid-list.js';
import {
  CTRL,
  LIVE,
  MEMBERS,
  type AddRootsMessage,
  type Adaptation,
  type FastChunk,
  newProcessSeen,
  type ProcessSeen,
  type SamplerConfig,
  type SamplerOutput,
} from './protocol.js';

interface Member {
  readonly seen: ProcessSeen;
  statmFd: number;
  childrenFd: number;
  /** cgroup backend: listed in cgroup.procs at least once (the root is added before its wrapper joins). */
  listed: boolean;
  /** Its index in the shared member list (MEMBERS.PIDS), where its change flag is. */
  index: number;
  /** statm at its last read, bytes (0 for a zombie); -1 = not read yet. Carried between reads when capped. */
  rssBytes: number;
  vszBytes: number;
}

/** proc backend, tree looks empty: the marker scan for re-parented processes runs at most this often. */
const EMPTY_TREE_SCAN_MS = 20;

/** Automatic statm budget: a tree this size or smaller is always read whole, whatever a read costs (normal trees unchanged). */
export const AUTO_STATM_WHOLE_TREE = BIG_TREE_PROCESSES;
/** Automatic statm budget: a bigger tree reads at least this many per tick, however dear a read. */
export const AUTO_STATM_MIN_READS = 8;
/** Weight of the newest tick in the running mean of one statm read's cost (smooths a preempted tick). */
const STATM_COST_WEIGHT = 0.2;
/** The membership budget re-reads cgroup.procs at least every this many ticks (new processes seen within them). */
export const MEMBERSHIP_MAX_EVERY = 250;

/** The fast columns, one row per tick. */
export const FAST_COLUMNS = ['tMs', 'treeBytes', 'rssSumBytes', 'vszSumBytes', 'largestRssBytes', 'processCount'] as const;

/** A quiet tree's cgroup.procs spacing in ticks (as native/sampler.c rounds it); ≤ 1: every tick. */
function quietEveryTicks(cfg: SamplerConfig): number {
  const q = cfg.membershipQuiet;
  return cfg.membership.kind === 'cgroup' && q ? Math.round(q.everyMs / cfg.intervalMs) : 0;
}

/** SamplerOutput.membershipQuiet: the policy where it applied (cgroup backend, spacing over one tick), with the ticks it skipped. */
export function quietOutput(cfg: SamplerConfig, skippedTicks: number): SamplerOutput['membershipQuiet'] {
  const q = cfg.membershipQuiet;
  return q && quietEveryTicks(cfg) > 1 ? { afterMs: q.afterMs, everyMs: q.everyMs, skippedTicks } : null;
}

/** Wakes the slow thread if it sleeps on MEMBERS.WAKE (a futex wake only when it does). */
export function wakeSlow(shared: Int32Array): void {
  Atomics.add(shared, MEMBERS.WAKE, 1);
  Atomics.notify(shared, MEMBERS.WAKE);
}

export class FastTicker {
  private readonly ctrl: Int32Array;
  private readonly live: Float64Array;
  private readonly shared: Int32Array;
  private readonly buf: Buffer;
  private readonly statm = new Float64Array(3);
  private readonly members = new Map<number, Member>();
  /** The same members as an array, rebuilt only when membership changes (no allocation per tick). */
  private memberList: Member[] = [];
  /** Processes retired since the last drain (all of them when no drain was asked). */
  readonly finished: ProcessSeen[] = [];
  /** Every pid ever checked by the marker scan, so each /proc/PID/environ is read at most once. */
  private markerChecked = new Set<number>();
  private readonly P: string;
  private readonly page: number;
  readonly fast = new Columns(FAST_COLUMNS);
  private readonly usageFd: number;
  /** proc backend: the per-thread children scan and the empty-tree marker scan are rate-limited. */
  private readonly threadScanEvery: number;
  private lastEmptyScan = -Infinity;
  /** SamplerConfig.maxStatmPerTick (0 = no cap) and where the next capped round starts. */
  private readonly statmCap: number;
  private statmCursor = 0;
  rssSumCarriedTicks = 0;
  /** SamplerConfig.statmBudget as ms of one tick (0 = no automatic budget). */
  private readonly statmBudgetMs: number;
  /** Running mean of one statm read's cost, ms (null until a tick measured one). */
  statmReadMs: number | null = null;
  /** The automatic budget's adaptation, once it first read fewer than all: from when, the fewest reads, the most members. */
  private autoStatm: { fromMs: number; minReads: number; maxMembers: number } | null = null;
  /** SamplerConfig.membershipBudget as ms of one tick (0 = cgroup.procs every tick). */
  private readonly membershipBudgetMs: number;
  /** Running mean of one cgroup.procs read (with its handling), ms; the tick of the next read. */
  membershipReadMs: number | null = null;
  private nextMembershipTick = 0;
  /** The membership budget's adaptation: from when, the longest spacing in ticks, the most members then. */
  private autoMembership: { fromMs: number; maxEvery: number; maxMembers: number } | null = null;
  /** Σ RSS and Σ VSZ of the members' latest readings, kept as readings change (no walk over a big tree per tick). */
  private rssSum = 0;
  private vszSum = 0;
  /** The largest reading and whose; recomputed over all members only when that member shrank or left. */
  private largest = 0;
  private largestMember: Member | null = null;
  private largestStale = false;
  /** Members not read yet (rssBytes −1): read at their first tick even under a cap. */
  private unread = 0;
  /** memberList and the shared list are rebuilt once per tick, not once per added or retired member. */
  private listDirty = false;
  private readonly pidList = new PidList();
  private readonly procsFile: ProcsFile | null;
  private readonly cgroupListed = new Set<number>();
  private rootsAddedTaken = 0;
  /** Something the slow thread reads moved this tick (a member's statm, the list, the usage): wake it. */
  private moved = false;
  private lastTree = NaN;
  /** Quiet-tree membership (SamplerConfig.membershipQuiet): spacing in ticks and quiet time, when something last moved, the last read's tick. */
  private readonly quietEvery: number;
  private readonly quietAfterMs: number;
  private lastActiveMs: number | null = null;
  private lastMembershipTick = 0;
  /** Ticks that skipped the cgroup.procs read, the tree being quiet. */
  quietSkipped = 0;

  /** `receive` takes one queued message of the main thread (receiveMessageOnPort), or undefined. */
  constructor(
    private readonly cfg: SamplerConfig,
    private readonly io: Preader,
    private readonly receive: () => { message: unknown } | undefined,
    /** A monotonic clock in ms (tests give their own to fix what a read costs). */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.ctrl = new Int32Array(cfg.control);
    this.live = new Float64Array(cfg.live);
    this.shared = new Int32Array(cfg.members);
    this.buf = io.buf;
    this.P = cfg.procRoot;
    this.page = cfg.pageSizeBytes;
    this.usageFd = cfg.usageFile ? io.open(cfg.usageFile) : -1;
    this.threadScanEvery = Math.max(1, cfg.statusEveryTicks);
    this.statmCap = cfg.maxStatmPerTick;
    this.statmBudgetMs = cfg.maxStatmPerTick === 0 && cfg.statmBudget ? cfg.statmBudget * cfg.intervalMs : 0;
    this.membershipBudgetMs = cfg.membershipBudget ? cfg.membershipBudget * cfg.intervalMs : 0;
    this.procsFile = cfg.membership.kind === 'cgroup' ? new ProcsFile(io, cfg.membership.procsFile) : null;
    this.quietEvery = quietEveryTicks(cfg);
    this.quietAfterMs = cfg.membershipQuiet?.afterMs ?? Infinity;
  }

  get memberCount(): number {
    return this.members.size;
  }

  /** Marks memberList stale; it is rebuilt by syncList at the end of the current step (a burst of 2000 new members costs one rebuild). */
  private listChanged(): void {
    this.listDirty = true;
  }

  /** Rebuilds memberList and publishes the pids for the slow thread, when the members changed. */
  private syncList(): void {
    if (!this.listDirty) return;
    this.listDirty = false;
    this.memberList = [...this.members.values()];
    const n = Math.min(this.memberList.length, MEMBERS.MAX);
    for (let i = 0; i < this.memberList.length; i++) this.memberList[i]!.index = i;
    for (let i = 0; i < n; i++) Atomics.store(this.shared, MEMBERS.PIDS + i, this.memberList[i]!.seen.pid);
    Atomics.store(this.shared, MEMBERS.COUNT, n);
    Atomics.add(this.shared, MEMBERS.VERSION, 1);
    this.moved = true;
  }

  /** Adds a process (not yet a member, statm readable) and publishes the list. */
  addMember(pid: number, tMs: number): void {
    this.add(pid, tMs);
    this.syncList();
  }

  private add(pid: number, tMs: number): void {
    const { io, P, cfg } = this;
    if (this.members.has(pid) || pid <= 0) return;
    const statmFd = io.open(`${P}/${pid}/statm`);
    if (statmFd < 0) return;
    // proc backend: a zombie is still listed among its parent's children; added, it would be retired again at the
    // next tick and re-added after, once per tick until reaped (duplicates in processes[]). It has ended: skip it.
    if (cfg.membership.kind === 'proc') {
      const n = io.pread(statmFd);
      if (n <= 0 || !parseStatmInto(this.buf, n, this.statm) || this.statm[0] === 0) {
        closeSync(statmFd);
        return;
      }
    }
    this.members.set(pid, {
      seen: newProcessSeen(pid, readComm(pid, { proc: P }), readCmdline(pid, { proc: P }), tMs),
      statmFd,
      childrenFd: cfg.membership.kind === 'proc' ? io.open(`${P}/${pid}/task/${pid}/children`) : -1,
      listed: false,
      index: MEMBERS.MAX,
      rssBytes: -1,
      vszBytes: 0,
    });
    this.unread++;
    this.listChanged();
    this.markerChecked.add(pid);
  }

  private retire(m: Member): void {
    const comm = readComm(m.seen.pid, { proc: this.P });
    if (comm !== '?') m.seen.nameAtEnd = comm;
    for (const fd of [m.statmFd, m.childrenFd]) if (fd >= 0) closeSync(fd);
    this.setReading(m, 0, 0);
    this.members.delete(m.seen.pid);
    this.listChanged();
    this.finished.push(m.seen);
  }

  /** Retires every member (the end of sampling). */
  retireAll(): void {
    for (const m of [...this.members.values()]) this.retire(m);
    this.syncList();
  }

  /** Adds every pid in buf[0..n) (a children or cgroup.procs file) not yet a member. */
  private addPids(n: number, tMs: number): void {
    const count = this.pidList.parse(this.buf, n);
    for (let i = 0; i < count; i++) this.add(this.pidList.pids[i]!, tMs);
  }

  // ---- membership ----------------------------------------------------------------------------------

  private refreshCgroupMembers(tMs: number): void {
    const procsFile = this.procsFile!;
    const n = procsFile.read();
    if (n < 0) return;
    // Most ticks the group is unchanged: skip the parse, the Set and the member walk (no allocation per tick).
    if (procsFile.sameAsLast(n)) return;
    const count = this.pidList.parse(this.buf, n);
    const pids = this.pidList.pids;
    this.cgroupListed.clear();
    for (let i = 0; i < count; i++) this.cgroupListed.add(pids[i]!);
    for (let i = 0; i < count; i++) {
      this.add(pids[i]!, tMs);
      // A listed pid that could not be added (its statm unreadable for a moment): handle the list again next tick.
      if (!this.members.has(pids[i]!)) procsFile.forget();
    }
    // A process that was in the group and is no longer listed has left the tree (exited, or moved out).
    this.syncList();
    for (const m of this.memberList) {
      if (this.cgroupListed.has(m.seen.pid)) m.listed = true;
      else if (m.listed) this.retire(m);
    }
  }

  /**
   * cgroup.procs costs the kernel a walk of the group's tasks (~0.26 ms for 700 processes here): with a budget, a big
   * group is re-read every `every` ticks so that its measured cost stays within membershipBudgetMs per tick; in
   * between, the members (and the process count) are the last list's, less those whose statm read found them gone.
   */
  private budgetedCgroupRefresh(tickIndex: number, tMs: number): void {
    const t0 = this.membershipBudgetMs > 0 ? this.now() : 0;
    this.refreshCgroupMembers(tMs);
    if (this.membershipBudgetMs <= 0 || this.members.size <= BIG_TREE_PROCESSES) return;
    const cost = this.now() - t0;
    this.membershipReadMs =
      this.membershipReadMs === null ? cost : this.membershipReadMs + STATM_COST_WEIGHT * (cost - this.membershipReadMs);
    const every = Math.max(1, Math.min(MEMBERSHIP_MAX_EVERY, Math.ceil(this.membershipReadMs / this.membershipBudgetMs - 1e-9)));
    this.nextMembershipTick = tickIndex + every;
    if (every > 1) {
      this.autoMembership ??= { fromMs: tMs, maxEvery: every, maxMembers: this.members.size };
      this.autoMembership.maxEvery = Math.max(this.autoMembership.maxEvery, every);
      this.autoMembership.maxMembers = Math.max(this.autoMembership.maxMembers, this.members.size);
    }
  }

  /** proc backend, fast part: children of each member's main thread (one pread each). */
  private refreshProcChildren(tMs: number, allThreads: boolean): void {
    const { io, P } = this;
    for (const m of this.memberList) {
      if (allThreads) {
        let tids: string[] = [];
        try {
          tids = readdirSync(`${P}/${m.seen.pid}/task`);
        } catch {
          continue;
        }
        for (const tid of tids) {
          const fd = io.open(`${P}/${m.seen.pid}/task/${tid}/children`);
          if (fd < 0) continue;
          const n = io.pread(fd);
          closeSync(fd);
          if (n > 0) this.addPids(n, tMs);
        }
      } else if (m.childrenFd >= 0) {
        const n = io.pread(m.childrenFd);
        if (n > 0) this.addPids(n, tMs);
      }
    }
  }

  /** proc backend: re-parented descendants (double-forked daemons) still carry the marker in their environment. */
  private markerScan(tMs: number): void {
    if (this.cfg.membership.kind !== 'proc') return;
    const entry = this.cfg.membership.markerEntry;
    let names: string[];
    try {
      names = readdirSync(this.P);
    } catch {
      return;
    }
    for (const name of names) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      if (this.markerChecked.has(pid)) continue;
      this.markerChecked.add(pid);
      if (environHas(pid, entry, { proc: this.P })) this.add(pid, tMs);
    }
  }

  /** Takes the queued add-roots messages once the main thread has counted them: one Atomics.load per tick otherwise. */
  private takeAddedRoots(tMs: number): void {
    const posted = Atomics.load(this.ctrl, CTRL.ROOTS_ADDED);
    if (posted === this.rootsAddedTaken) return;
    this.rootsAddedTaken = posted;
    for (let m = this.receive(); m !== undefined; m = this.receive()) {
      const msg = m.message as AddRootsMessage;
      if (msg.type === 'add-roots') for (const pid of msg.pids) this.add(pid, tMs);
    }
  }

  // ---- one tick ------------------------------------------------------------------------------------

  /** A member's reading changes: the sums follow (a reading ≤ 0 counts for nothing, as an ended process). */
  private setReading(m: Member, rss: number, vsz: number): void {
    if (m.rssBytes < 0) this.unread--;
    if (m.rssBytes > 0) {
      this.rssSum -= m.rssBytes;
      this.vszSum -= m.vszBytes;
    }
    m.rssBytes = rss;
    m.vszBytes = vsz;
    if (rss > 0) {
      this.rssSum += rss;
      this.vszSum += vsz;
    }
    if (rss > this.largest) {
      this.largest = rss;
      this.largestMember = m;
    } else if (m === this.largestMember && rss < this.largest) this.largestStale = true;
  }

  /** One statm read: the member's figures now, or its end (a reaped process reads as an error, a zombie as zeros). */
  private readStatm(m: Member, tMs: number): void {
    const { statm } = this;
    const n = this.io.pread(m.statmFd);
    if (n <= 0 || !parseStatmInto(this.buf, n, statm) || statm[0] === 0) {
      this.setReading(m, 0, 0);
      // cgroup backend: a zombie still listed stays a member until it leaves cgroup.procs.
      if (this.cfg.membership.kind !== 'cgroup' || !this.cgroupListed.has(m.seen.pid) || n <= 0) this.retire(m);
      return;
    }
    const rss = statm[1]! * this.page;
    const vsz = statm[0]! * this.page;
    // RSS moved (VmHWM may have, and the VmRSS series) or VSZ did (VmData may have): the slow thread reads its status.
    if ((rss !== m.rssBytes || vsz !== m.vszBytes) && m.index < MEMBERS.MAX) {
      Atomics.store(this.shared, MEMBERS.CHANGED + m.index, 1);
      Atomics.add(this.shared, MEMBERS.CHANGES, 1);
      this.moved = true;
    }
    this.setReading(m, rss, vsz);
    m.seen.lastSeenMs = tMs;
    if (rss > m.seen.maxRssBytes) m.seen.maxRssBytes = rss;
  }

  tick(tickIndex: number, tMs: number): void {
    const { cfg } = this;
    this.takeAddedRoots(tMs);
    this.lastActiveMs ??= tMs;
    if (cfg.membership.kind === 'cgroup' && tickIndex >= this.nextMembershipTick) {
      // A quiet tree (nothing moved for afterMs): cgroup.procs every quietEvery ticks; a fork is seen that much later at most.
      const quiet =
        this.quietEvery > 1 && tMs - this.lastActiveMs >= this.quietAfterMs && tickIndex - this.lastMembershipTick < this.quietEvery;
      if (quiet) this.quietSkipped++;
      else {
        this.lastMembershipTick = tickIndex;
        this.budgetedCgroupRefresh(tickIndex, tMs);
      }
    } else if (cfg.membership.kind === 'proc') this.refreshProcChildren(tMs, tickIndex % this.threadScanEvery === 0);
    if (cfg.membership.kind === 'proc' && tickIndex % cfg.markerScanEveryTicks === 0) this.markerScan(tMs);

    this.syncList();

    // statm of every member, or with a cap, of `cap` members in turn (plus any not read yet); the others carry
    // their last reading into the sums below, and the tick is counted in rssSumCarriedTicks. The cap is the manual
    // one (maxStatmPerTick) or the automatic budget's: as many reads as fit in statmBudgetMs at their measured cost.
    const list = this.memberList; // retire() replaces memberList, not this array
    const len = list.length;
    const cap = this.statmCap > 0 ? Math.min(this.statmCap, len) : this.autoCap(len, tMs);
    const timed = this.statmBudgetMs > 0 && cap >= AUTO_STATM_MIN_READS && len > AUTO_STATM_WHOLE_TREE;
    const t0 = timed ? this.now() : 0;
    for (let j = 0; j < cap; j++) this.readStatm(list[(this.statmCursor + j) % len]!, tMs);
    if (timed) {
      const perRead = (this.now() - t0) / cap;
      this.statmReadMs = this.statmReadMs === null ? perRead : this.statmReadMs + STATM_COST_WEIGHT * (perRead - this.statmReadMs);
    }
    if (cap < len) {
      this.statmCursor = (this.statmCursor + cap) % len;
      this.rssSumCarriedTicks++;
      if (this.unread > 0) for (let i = 0; i < len; i++) if (list[i]!.rssBytes < 0) this.readStatm(list[i]!, tMs);
    }
    this.syncList();
    if (this.largestStale) {
      this.largestStale = false;
      this.largest = 0;
      this.largestMember = null;
      for (const m of this.memberList) {
        if (m.rssBytes > this.largest) {
          this.largest = m.rssBytes;
          this.largestMember = m;
        }
      }
    }
    const { rssSum, vszSum, largest } = this;
    const tree = this.usageFd >= 0 ? this.io.readNumber(this.usageFd) : NaN;
    this.fast.push(tMs, tree, rssSum, vszSum, largest, this.members.size);
    this.live[LIVE.TREE_BYTES] = tree;
    this.live[LIVE.RSS_SUM_BYTES] = rssSum;
    if (tree !== this.lastTree && !(Number.isNaN(tree) && Number.isNaN(this.lastTree))) this.moved = true;
    this.lastTree = tree;
    if (this.moved) {
      this.moved = false;
      this.lastActiveMs = tMs;
      wakeSlow(this.shared);
    }
    // proc backend, tree looks empty: look for marked re-parented processes, at most every 20 ms.
    if (this.members.size === 0 && cfg.membership.kind === 'proc' && tMs - this.lastEmptyScan >= EMPTY_TREE_SCAN_MS) {
      this.lastEmptyScan = tMs;
      this.markerScan(tMs);
    }
    Atomics.store(this.ctrl, CTRL.ALIVE, this.members.size);
  }

  /** The automatic budget's reads this tick: all of a small tree, else as many as fit in statmBudgetMs (never fewer than the minimum). */
  private autoCap(len: number, tMs: number): number {
    if (this.statmBudgetMs <= 0 || len <= AUTO_STATM_WHOLE_TREE || this.statmReadMs === null || this.statmReadMs <= 0) return len;
    const fit = Math.max(AUTO_STATM_MIN_READS, Math.floor(this.statmBudgetMs / this.statmReadMs + 1e-9));
    if (fit >= len) return len;
    if (this.autoStatm === null) this.autoStatm = { fromMs: tMs, minReads: fit, maxMembers: len };
    this.autoStatm.minReads = Math.min(this.autoStatm.minReads, fit);
    this.autoStatm.maxMembers = Math.max(this.autoStatm.maxMembers, len);
    return fit;
  }

  /** What this thread read less often than asked, and from when (empty when every figure was read at every tick). */
  adaptations(): Adaptation[] {
    const out: Adaptation[] = [];
    const m = this.autoMembership;
    if (m !== null) {
      out.push({
        what: 'membership',
        fromMs: Math.round(m.fromMs * 1000) / 1000,
        detail: `cgroup.procs (the member list and the process count) re-read as seldom as every ${m.maxEvery} ticks instead of every tick, with up to ${m.maxMembers} processes, to keep that read within ${Math.round((this.membershipBudgetMs / this.cfg.intervalMs) * 100)} % of the ${this.cfg.intervalMs} ms tick; the cgroup memory counter was read at every tick`,
      });
    }
    const a = this.autoStatm;
    if (a === null) return out;
    const pct = Math.round((this.statmBudgetMs / this.cfg.intervalMs) * 100);
    return [
      ...out,
      {
        what: 'statm',
        fromMs: Math.round(a.fromMs * 1000) / 1000,
        detail: `statm read for as few as ${a.minReads} of up to ${a.maxMembers} processes per tick, in turn, to keep those reads within ${pct} % of the ${this.cfg.intervalMs} ms tick; Σ RSS, Σ VSZ and the largest RSS carried the others' last readings (the cgroup memory counter was read at every tick)`,
      },
    ];
  }

  // ---- drain ---------------------------------------------------------------------------------------

  /**
   * Hands over the rows and finished processes since the last drain and empties those buffers, so a watch of
   * hours keeps one drain interval in memory. The marker scan forgets pids that no longer exist (pid reuse is
   * a new process anyway). Counters (ticks, missed) stay running totals.
   */
  drainChunk(ticks: number, missed: number, gaps: Columns<'gap'>): FastChunk {
    gaps.drain();
    if (this.cfg.membership.kind === 'proc') {
      try {
        const present = new Set(readdirSync(this.P).map(Number));
        this.markerChecked = new Set([...this.markerChecked].filter((pid) => present.has(pid)));
      } catch {
        // /proc unreadable for a moment: keep the set as it is.
      }
    }
    return {
      fast: this.fast.drain(),
      processes: [...this.finished.splice(0), ...this.memberList.map((m) => ({ ...m.seen }))],
      livePids: this.memberList.map((m) => m.seen.pid),
      ticks,
      missedTicks: missed,
    };
  }
}
