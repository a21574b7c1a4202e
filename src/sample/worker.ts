// The fast sampler thread: wakes on an absolute schedule (Atomics.wait, not event-loop timers), re-reads
// pre-opened statm, cgroup usage and membership files with pread, and appends one row per tick to typed-array
// columns. It publishes the member list in shared memory for the slow thread (slow-worker.ts), which reads
// status, memory.stat and smaps_rollup at its own pace so their cost never delays a tick.
import { closeSync, readdirSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { parseStatmInto } from '../probe/statm.js';
import { environHas, readCmdline, readComm } from '../probe/proc.js';
import { Columns } from './columns.js';
import { percentileSorted } from '../stats-core.js';
import { LoopTurn, Preader, nowEpoch, setThreadFifo, setThreadNice, threadCpuMs, threadSchedPolicy } from './io.js';
import { nextSlot } from './schedule.js';
import { PidList, ProcsFile } from './pid-list.js';
import { CTRL, LIVE, MEMBERS, STATE_SAMPLING, STATE_STOP, type AddRootsMessage, type FastChunk, type FastOutput, type ProcessSeen, type SamplerConfig } from './protocol.js';

interface Member {
  readonly seen: ProcessSeen;
  statmFd: number;
  childrenFd: number;
  /** cgroup backend: listed in cgroup.procs at least once (the root is added before its wrapper joins). */
  listed: boolean;
  /** statm at its last read, bytes (0 for a zombie); -1 = not read yet. Carried between reads when capped. */
  rssBytes: number;
  vszBytes: number;
}

const cfg = workerData as SamplerConfig;
const ctrl = new Int32Array(cfg.control);
const live = new Float64Array(cfg.live);
const shared = new Int32Array(cfg.members);
const io = new Preader();
const buf = io.buf;
const statm = new Float64Array(3);
const members = new Map<number, Member>();
/** The same members as an array, rebuilt only when membership changes (no allocation per tick). */
let memberList: Member[] = [];
/** Rebuilds memberList and publishes the pids for the slow thread. */
const syncList = (): void => {
  memberList = [...members.values()];
  const n = Math.min(memberList.length, MEMBERS.MAX);
  for (let i = 0; i < n; i++) Atomics.store(shared, MEMBERS.PIDS + i, memberList[i]!.seen.pid);
  Atomics.store(shared, MEMBERS.COUNT, n);
  Atomics.add(shared, MEMBERS.VERSION, 1);
};
const finished: ProcessSeen[] = [];
/** Every pid ever checked by the marker scan, so each /proc/PID/environ is read at most once. */
let markerChecked = new Set<number>();
const P = cfg.procRoot;
const page = cfg.pageSizeBytes;

function addMember(pid: number, tMs: number): void {
  if (members.has(pid) || pid <= 0) return;
  const statmFd = io.open(`${P}/${pid}/statm`);
  if (statmFd < 0) return;
  // proc backend: a zombie is still listed among its parent's children; added, it would be retired again at the
  // next tick and re-added after, once per tick until reaped (duplicates in processes[]). It has ended: skip it.
  if (cfg.membership.kind === 'proc') {
    const n = io.pread(statmFd);
    if (n <= 0 || !parseStatmInto(buf, n, statm) || statm[0] === 0) {
      closeSync(statmFd);
      return;
    }
  }
  members.set(pid, {
    seen: {
      pid, ppid: null, name: readComm(pid, { proc: P }), cmdline: readCmdline(pid, { proc: P }), firstSeenMs: tMs, lastSeenMs: tMs,
      maxRssBytes: 0, vmHwmBytes: null, maxPssBytes: null, maxUssBytes: null, maxVmDataBytes: null,
    },
    statmFd,
    childrenFd: cfg.membership.kind === 'proc' ? io.open(`${P}/${pid}/task/${pid}/children`) : -1,
    listed: false,
    rssBytes: -1,
    vszBytes: 0,
  });
  syncList();
  markerChecked.add(pid);
}

function retire(m: Member): void {
  const comm = readComm(m.seen.pid, { proc: P });
  if (comm !== '?') m.seen.nameAtEnd = comm;
  for (const fd of [m.statmFd, m.childrenFd]) if (fd >= 0) closeSync(fd);
  members.delete(m.seen.pid);
  syncList();
  finished.push(m.seen);
}

const pidList = new PidList();

/** Adds every pid in buf[0..n) (a children or cgroup.procs file) not yet a member. */
function addPids(n: number, tMs: number): void {
  const count = pidList.parse(buf, n);
  for (let i = 0; i < count; i++) addMember(pidList.pids[i]!, tMs);
}

// ---- membership ------------------------------------------------------------------------------------

const procsFile = cfg.membership.kind === 'cgroup' ? new ProcsFile(io, cfg.membership.procsFile) : null;
const cgroupListed = new Set<number>();

function refreshCgroupMembers(tMs: number): void {
  const n = procsFile!.read();
  if (n < 0) return;
  // Most ticks the group is unchanged: skip the parse, the Set and the member walk (no allocation per tick).
  if (procsFile!.sameAsLast(n)) return;
  const count = pidList.parse(buf, n);
  const pids = pidList.pids;
  cgroupListed.clear();
  for (let i = 0; i < count; i++) cgroupListed.add(pids[i]!);
  for (let i = 0; i < count; i++) {
    addMember(pids[i]!, tMs);
    // A listed pid that could not be added (its statm unreadable for a moment): handle the list again next tick.
    if (!members.has(pids[i]!)) procsFile!.forget();
  }
  // A process that was in the group and is no longer listed has left the tree (exited, or moved out).
  for (const m of memberList) {
    if (cgroupListed.has(m.seen.pid)) m.listed = true;
    else if (m.listed) retire(m);
  }
}

/** proc backend, fast part: children of each member's main thread (one pread each). */
function refreshProcChildren(tMs: number, allThreads: boolean): void {
  for (const m of memberList) {
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
        if (n > 0) addPids(n, tMs);
      }
    } else if (m.childrenFd >= 0) {
      const n = io.pread(m.childrenFd);
      if (n > 0) addPids(n, tMs);
    }
  }
}

/** proc backend: re-parented descendants (double-forked daemons) still carry the marker in their environment. */
function markerScan(tMs: number): void {
  if (cfg.membership.kind !== 'proc') return;
  const entry = cfg.membership.markerEntry;
  let names: string[];
  try {
    names = readdirSync(P);
  } catch {
    return;
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (markerChecked.has(pid)) continue;
    markerChecked.add(pid);
    if (environHas(pid, entry, { proc: P })) addMember(pid, tMs);
  }
}

// ---- roots added while sampling (Sampler.addRoots) -----------------------------------------------------

let rootsAddedTaken = 0;

/** Takes the queued add-roots messages once the main thread has counted them: one Atomics.load per tick otherwise. */
function takeAddedRoots(tMs: number): void {
  const posted = Atomics.load(ctrl, CTRL.ROOTS_ADDED);
  if (posted === rootsAddedTaken) return;
  rootsAddedTaken = posted;
  for (let m = receiveMessageOnPort(parentPort!); m !== undefined; m = receiveMessageOnPort(parentPort!)) {
    const msg = m.message as AddRootsMessage;
    if (msg.type === 'add-roots') for (const pid of msg.pids) addMember(pid, tMs);
  }
}

// ---- one tick --------------------------------------------------------------------------------------

const fast = new Columns(['tMs', 'treeBytes', 'rssSumBytes', 'vszSumBytes', 'largestRssBytes', 'processCount'] as const);
const usageFd = cfg.usageFile ? io.open(cfg.usageFile) : -1;
/** proc backend: the per-thread children scan and the empty-tree marker scan are rate-limited. */
const threadScanEvery = Math.max(1, cfg.statusEveryTicks);
let lastEmptyScan = -Infinity;

/** SamplerConfig.maxStatmPerTick (0 = no cap) and where the next capped round starts. */
const statmCap = cfg.maxStatmPerTick;
let statmCursor = 0;
let rssSumCarriedTicks = 0;

/** One statm read: the member's figures now, or its end (a reaped process reads as an error, a zombie as zeros). */
function readStatm(m: Member, tMs: number): void {
  const n = io.pread(m.statmFd);
  if (n <= 0 || !parseStatmInto(buf, n, statm) || statm[0] === 0) {
    m.rssBytes = 0;
    m.vszBytes = 0;
    // cgroup backend: a zombie still listed stays a member until it leaves cgroup.procs.
    if (cfg.membership.kind !== 'cgroup' || !cgroupListed.has(m.seen.pid) || n <= 0) retire(m);
    return;
  }
  const rss = statm[1]! * page;
  m.rssBytes = rss;
  m.vszBytes = statm[0]! * page;
  m.seen.lastSeenMs = tMs;
  if (rss > m.seen.maxRssBytes) m.seen.maxRssBytes = rss;
}

function tick(tickIndex: number, tMs: number): void {
  takeAddedRoots(tMs);
  if (cfg.membership.kind === 'cgroup') refreshCgroupMembers(tMs);
  else if (cfg.membership.kind === 'proc') refreshProcChildren(tMs, tickIndex % threadScanEvery === 0);
  if (cfg.membership.kind === 'proc' && tickIndex % cfg.markerScanEveryTicks === 0) markerScan(tMs);

  // statm of every member, or with a cap, of `cap` members in turn (plus any not read yet); the others carry
  // their last reading into the sums below, and the tick is counted in rssSumCarriedTicks.
  const list = memberList; // retire() replaces memberList, not this array
  const len = list.length;
  const cap = statmCap > 0 && statmCap < len ? statmCap : len;
  for (let j = 0; j < cap; j++) readStatm(list[(statmCursor + j) % len]!, tMs);
  if (cap < len) {
    statmCursor = (statmCursor + cap) % len;
    rssSumCarriedTicks++;
    for (let i = 0; i < len; i++) if (list[i]!.rssBytes < 0) readStatm(list[i]!, tMs);
  }
  let rssSum = 0;
  let vszSum = 0;
  let largest = 0;
  const current = memberList;
  for (let i = 0; i < current.length; i++) {
    const m = current[i]!;
    if (m.rssBytes <= 0) continue;
    rssSum += m.rssBytes;
    vszSum += m.vszBytes;
    if (m.rssBytes > largest) largest = m.rssBytes;
  }
  const tree = usageFd >= 0 ? io.readNumber(usageFd) : NaN;
  fast.push(tMs, tree, rssSum, vszSum, largest, members.size);
  live[LIVE.TREE_BYTES] = tree;
  live[LIVE.RSS_SUM_BYTES] = rssSum;
  // proc backend, tree looks empty: look for marked re-parented processes, at most every 20 ms.
  if (members.size === 0 && cfg.membership.kind === 'proc' && tMs - lastEmptyScan >= 20) {
    lastEmptyScan = tMs;
    markerScan(tMs);
  }
  Atomics.store(ctrl, CTRL.ALIVE, members.size);
}

// ---- drain -----------------------------------------------------------------------------------------

/**
 * Hands over the rows and finished processes since the last drain and empties those buffers, so a watch of
 * hours keeps one drain interval in memory. The marker scan forgets pids that no longer exist (pid reuse is
 * a new process anyway). Counters (ticks, missed) stay running totals.
 */
function drainChunk(ticks: number, missed: number, gaps: Columns<'gap'>): FastChunk {
  gaps.drain();
  if (cfg.membership.kind === 'proc') {
    try {
      const present = new Set(readdirSync(P).map(Number));
      markerChecked = new Set([...markerChecked].filter((pid) => present.has(pid)));
    } catch {
      // /proc unreadable for a moment: keep the set as it is.
    }
  }
  return {
    fast: fast.drain(),
    processes: [...finished.splice(0), ...memberList.map((m) => ({ ...m.seen }))],
    livePids: memberList.map((m) => m.seen.pid),
    ticks,
    missedTicks: missed,
  };
}

// ---- the loop --------------------------------------------------------------------------------------


async function run(): Promise<void> {
  // Raised above the rest of membench (and the target) when permitted: a late wake-up is a lost tick. With
  // realtime, SCHED_FIFO 1 on top: it runs before any SCHED_OTHER thread whenever it wakes. The target is forked
  // by the main thread, so it does not inherit either.
  const nice = setThreadNice(-10);
  const realtimeRefused = cfg.realtime ? setThreadFifo() : null;
  const schedPolicy = threadSchedPolicy();
  parentPort!.postMessage({ type: 'ready' });
  while (Atomics.load(ctrl, CTRL.STATE) === 0) Atomics.wait(ctrl, CTRL.STATE, 0, 50);
  const rootPid = Atomics.load(ctrl, CTRL.ROOT_PID);
  const startEpoch = live[LIVE.START_EPOCH_MS]!;
  const cpu0 = process.cpuUsage();
  const thread0 = threadCpuMs();
  const interval = cfg.intervalMs;
  const t0 = nowEpoch();
  addMember(rootPid, t0 - startEpoch);
  for (let i = 0; i < Atomics.load(ctrl, CTRL.EXTRA_ROOT_COUNT); i++) addMember(Atomics.load(ctrl, CTRL.EXTRA_ROOTS + i), t0 - startEpoch);
  const gapsCol = new Columns(['gap'] as const);
  let k = 0; // index of the scheduled slot
  let ticks = 0;
  let missed = 0;
  let lastStart = NaN;
  let drained = 0;
  const loop = new LoopTurn();
  for (;;) {
    const start = nowEpoch();
    try {
      tick(ticks, start - startEpoch);
    } catch (e) {
      // A tick must never end the thread (the run would wait on it): keep the error for the result.
      io.note(`tick: ${(e as Error).message}`, e);
    }
    if (!Number.isNaN(lastStart)) gapsCol.push(start - lastStart);
    lastStart = start;
    ticks++;
    Atomics.store(ctrl, CTRL.TICKS, ticks);
    const drainSeq = Atomics.load(ctrl, CTRL.DRAIN);
    if (drainSeq !== drained) {
      drained = drainSeq;
      parentPort!.postMessage({ type: 'drain', seq: drainSeq, out: drainChunk(ticks, missed, gapsCol) });
    }
    if (Atomics.load(ctrl, CTRL.STATE) === STATE_STOP) break;
    // Next slot: a late tick still counts for its slot while inside its interval; slots whose whole interval
    // passed are skipped (counted as missed) rather than bunched up (schedule.ts).
    const next = nextSlot(k, nowEpoch() - t0, interval);
    missed += next - k - 1;
    k = next;
    // The loop's turn for V8's GC tasks (LoopTurn), taken only when this slot has half an interval to spare.
    if (loop.due() && t0 + k * interval - nowEpoch() > interval / 2) await loop.turn();
    const wait = t0 + k * interval - nowEpoch();
    if (wait > 0) Atomics.wait(ctrl, CTRL.STATE, STATE_SAMPLING, wait);
    // A stop request while sleeping still gets one last tick (next iteration) before the loop ends.
  }
  const end = nowEpoch();
  const cpu = process.cpuUsage(cpu0);
  const threadMs = threadCpuMs() - thread0;
  for (const m of [...members.values()]) retire(m);
  const gapArr = gapsCol.toArrays().gap;
  const errSorted = gapArr.map((g) => Math.abs(g - interval)).sort();
  const gaps = gapArr.slice().sort();
  const gapMean = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null;
  const out: FastOutput = {
    fast: fast.toArrays(),
    processes: finished,
    ticks,
    ticksExpected: Math.floor((end - t0) / interval) + 1,
    missedTicks: missed,
    rssSumCarriedTicks,
    intervalErrorP99Ms: percentileSorted(errSorted, 0.99),
    intervalP50Ms: percentileSorted(gaps, 0.5),
    intervalP99Ms: percentileSorted(gaps, 0.99),
    intervalMeanMs: gapMean,
    cpuMs: Number.isFinite(threadMs) ? threadMs : (cpu.user + cpu.system) / 1000,
    processCpuMs: (cpu.user + cpu.system) / 1000,
    nice,
    schedPolicy,
    realtimeRefused,
    sampledWallMs: end - t0,
    readErrors: [...io.errors].map(([file, code]) => ({ file, code })),
  };
  parentPort!.postMessage({ type: 'done', out });
}

void run();
