// The slow sampler thread: /proc/PID/status (VmHWM, VmData, Name), the cgroup's memory.stat, and
// smaps_rollup (PSS, USS, swap) of the processes the fast thread publishes in shared memory. Kept off the
// 1 kHz thread because one smaps_rollup read walks page tables (~13 µs per MiB of RSS here): a pass over a
// tree can take milliseconds, which in the fast loop would cost ticks.
import { closeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Columns } from './columns.js';
import { ProcessGrid } from './process-grid.js';
import { LoopTurn, Preader, fieldIn, lineKey, nowEpoch, setThreadNice, threadCpuMs } from './io.js';
import { BIG_TREE_PROCESSES, PSS_FLOOR_MS, PSS_MAX_STRETCH, STATUS_FLOOR_MS, STATUS_MAX_STRETCH } from './settings.js';
import {
  CTRL,
  LIVE,
  MEMBERS,
  STATE_SAMPLING,
  STATE_STOP,
  type SamplerConfig,
  type SlowChunk,
  type SlowOutput,
  type SlowProcess,
} from './protocol.js';

const cfg = workerData as SamplerConfig;
const ctrl = new Int32Array(cfg.control);
const live = new Float64Array(cfg.live);
const shared = new Int32Array(cfg.members);
const io = new Preader();
const P = cfg.procRoot;

interface Tracked {
  readonly info: SlowProcess;
  statusFd: number;
  /** The Name value's bytes at the last status read, to notice an exec without making a string per read. */
  nameBytes: Buffer | null;
  /** When its status was last read (ms since spawn; −∞ = never) and its VmData then (carried into the sum). */
  readMs: number;
  dataBytes: number;
  /** VmRSS at that read, KiB (−1: none), carried into the per-process grid between reads. */
  rssKib: number;
  /** PSS by change: when smaps_rollup was last read (−∞ = never), VmRSS then, and its figures since (carried). */
  pssReadMs: number;
  pssRssKib: number;
  /** Something that moves PSS happened since that read: statm or VmRSS moved, or (a small tree) the membership or the usage. */
  pssDirty: boolean;
  pssBytes: number;
  ussBytes: number;
  swapBytes: number;
  /** The list version that last listed it. */
  listedIn: number;
}
const tracked = new Map<number, Tracked>();
const status = new Columns(['tMs', 'vmDataSumBytes', 'anonBytes', 'fileBytes'] as const);
const pss = new Columns(['tMs', 'pssSumBytes', 'ussSumBytes', 'swapSumBytes'] as const);
const statFd = cfg.memoryStatFile ? io.open(cfg.memoryStatFile) : -1;
/** Per-process VmRSS series (same status read, no extra syscall); off unless asked for. */
const grid = cfg.processGridBuckets > 0 ? new ProcessGrid(cfg.processGridBuckets) : null;
let listVersion = -1;
let current: number[] = [];
/** The member list changed since the last status pass: its change flags may be of other indices, read every member. */
let listChanged = true;
let changesSeen = 0;
/**
 * Adaptive status reads (STATUS_FLOOR_MS): off on the watch's slower tiers (a pass every 50 ms or more), where every
 * pass reads everything as before.
 */
const adaptive = cfg.statusEveryTicks * cfg.intervalMs < STATUS_FLOOR_MS;
/**
 * A floor read due within this long is made now, early: the floors of a tree's processes (and memory.stat's) then fall
 * due together, one wake-up of this thread per floor instead of one per process.
 */
const FLOOR_EARLY_MS = 50;
/**
 * The status floor in effect: STATUS_FLOOR_MS, or in a big tree as long as it takes for the floor reads of every
 * process to fit the status budget (2000 first reads of ~40–90 µs each within 1 s would be 8–18 % of a core); a process whose
 * statm moved is still read at the next pass. With the longest floor used and from when (an adaptation).
 */
let statusFloor = STATUS_FLOOR_MS;
let floorStretched: Stretch | null = null;
/** Running mean of one status read's CPU in a big tree's passes, ms (NaN until a pass of ≥ 32 reads). */
let statusReadMs = NaN;
/** A big tree's status floor stretches to this at most (a process whose statm never moves is still read). */
const STATUS_FLOOR_MAX_MS = 10_000;
let passReads = 0;
let statusReads = 0;
/** The earliest time (ms since spawn) a process or memory.stat reaches its floor; the idle slow thread wakes then. */
let floorDueMs = Infinity;
let statReads = 0;
let statReadMs = -Infinity;
let statUsage = NaN;
let lastAnon = NaN;
let lastFile = NaN;

/**
 * PSS by change (settings.ts PSS_FLOOR_MS): a process's smaps_rollup is re-read at a PSS pass when it may have moved
 * since its last read, and at least every PSS_FLOOR_MS; between, its last figures are carried into the sums. Off on
 * a tier slower than the floor (watch at 1 s), where every pass reads everything as before.
 */
const pssAdaptive = cfg.pssEveryTicks * cfg.intervalMs < PSS_FLOOR_MS;
let pssAnyDirty = true;
/** The earliest time (ms since spawn) a process's PSS reaches its floor (+∞: none tracked). */
let pssFloorDueMs = -Infinity;
let pssReads = 0;
/** The cgroup usage at the last PSS pass: a small tree's PSS may move with it (a copy-on-write break moves no statm). */
let pssUsage = NaN;

function markPssDirty(t: Tracked): void {
  t.pssDirty = true;
  pssAnyDirty = true;
}

function markAllPssDirty(): void {
  for (const t of tracked.values()) markPssDirty(t);
}

/** An adaptation's record: from when, and the longest interval and the most processes since (null until the first). */
interface Stretch {
  fromMs: number;
  maxMs: number;
  maxProcesses: number;
}

function noteStretch(s: Stretch | null, atMs: number, ms: number, processes: number): Stretch {
  const r = s ?? { fromMs: atMs, maxMs: 0, maxProcesses: 0 };
  r.maxMs = Math.max(r.maxMs, ms);
  r.maxProcesses = Math.max(r.maxProcesses, processes);
  return r;
}

/** The fast thread's member list; re-read only when its version changed. */
function members(): number[] {
  const v = Atomics.load(shared, MEMBERS.VERSION);
  if (v === listVersion) return current;
  listVersion = v;
  listChanged = true;
  const n = Math.min(Atomics.load(shared, MEMBERS.COUNT), MEMBERS.MAX);
  const pids: number[] = [];
  for (let i = 0; i < n; i++) pids.push(Atomics.load(shared, MEMBERS.PIDS + i));
  current = pids;
  // A process joined or left: pages shared with it changed hands (fork, exit), so every PSS may have moved. In a big
  // tree only the newcomers are read at once, the rest at their floor (a pass over thousands is what the budget thins).
  if (pids.length <= BIG_TREE_PROCESSES) markAllPssDirty();
  for (const pid of pids) {
    if (pid <= 0) continue;
    const known = tracked.get(pid);
    if (known) {
      known.listedIn = v;
      continue;
    }
    tracked.set(pid, {
      info: { pid, name: null, ppid: null, cmdline: null, vmHwmBytes: null, maxVmDataBytes: null, maxPssBytes: null, maxUssBytes: null },
      statusFd: io.open(`${P}/${pid}/status`),
      nameBytes: null,
      readMs: -Infinity,
      dataBytes: 0,
      rssKib: -1,
      pssReadMs: -Infinity,
      pssRssKib: -1,
      pssDirty: true,
      pssBytes: NaN,
      ussBytes: NaN,
      swapBytes: NaN,
      listedIn: v,
    });
    pssAnyDirty = true;
  }
  // Processes no longer listed (not marked by this version) keep their figures but give their descriptor back.
  for (const t of tracked.values()) {
    if (t.listedIn !== v && t.statusFd >= 0) {
      closeSync(t.statusFd);
      t.statusFd = -1;
    }
  }
  return current;
}

const KEY = {
  hwm: lineKey('VmHWM:'),
  rss: lineKey('VmRSS:'),
  data: lineKey('VmData:'),
  ppid: lineKey('PPid:'),
  pss: lineKey('Pss:'),
  privateClean: lineKey('Private_Clean:'),
  privateDirty: lineKey('Private_Dirty:'),
  swap: lineKey('Swap:'),
};
const STAT_KEY =
  cfg.memoryStatVersion === 1
    ? { anon: lineKey('total_rss '), file: lineKey('total_cache ') }
    : { anon: lineKey('anon '), file: lineKey('file ') };
const NAME = Buffer.from('Name:\t', 'latin1');
const buf = io.buf;

/** Bytes of the status file's first line's value ("Name:\tVALUE\n"), as [start, end) in buf; null if not there. */
function nameSpan(n: number): [number, number] | null {
  if (n < NAME.length || buf.compare(NAME, 0, NAME.length, 0, NAME.length) !== 0) return null;
  const end = buf.indexOf(10, NAME.length);
  return end < 0 || end > n ? null : [NAME.length, end];
}

/** The members whose change flag the fast thread set since the last pass (flags cleared), or null when none moved. */
function flagged(n: number): Uint8Array | null {
  const changes = Atomics.load(shared, MEMBERS.CHANGES);
  if (changes === changesSeen) return null;
  changesSeen = changes;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Atomics.exchange(shared, MEMBERS.CHANGED + i, 0);
  return out;
}

/** After a pass of `cpuMs`: a big tree's floor stretched so that reading every process once per floor fits the budget. */
function stretchStatusFloor(cpuMs: number, processes: number, tMs: number): void {
  if (!adaptive || !cfg.statusBudget || processes <= BIG_TREE_PROCESSES) {
    statusFloor = STATUS_FLOOR_MS;
    return;
  }
  // From passes of enough reads: a running thread's schedstat lags by up to a scheduler tick (4 ms here), and wall time
  // is no better (a read of a process that is forking or exec'ing waits on its locks: seen at 3 ms a read).
  if (passReads >= BIG_TREE_PROCESSES && Number.isFinite(cpuMs)) {
    const per = cpuMs / passReads;
    statusReadMs = Number.isNaN(statusReadMs) ? per : statusReadMs + 0.2 * (per - statusReadMs);
  }
  if (Number.isNaN(statusReadMs)) return;
  statusFloor = Math.min(STATUS_FLOOR_MAX_MS, Math.max(STATUS_FLOOR_MS, Math.ceil((processes * statusReadMs) / cfg.statusBudget)));
  if (statusFloor > STATUS_FLOOR_MS) floorStretched = noteStretch(floorStretched, tMs, statusFloor, processes);
}

/**
 * One status read of a tracked process: VmHWM, VmRSS, VmData, PPid and a changed Name (with its command line). Its
 * VmData (0 when unreadable) for the pass's sum. Its own function: TurboFan compiled the pass with this inlined three
 * times per run of a big tree (~160 ms), as the first reads' paths (name, parent) came and went.
 */
function readStatus(t: Tracked, pid: number, tMs: number): number {
  const n = io.pread(t.statusFd);
  if (n <= 0) return 0;
  statusReads++;
  passReads++;
  t.readMs = tMs;
  floorDueMs = Math.min(floorDueMs, tMs + statusFloor);
  const hwm = fieldIn(buf, n, KEY.hwm);
  if (hwm >= 0) t.info.vmHwmBytes = Math.max(t.info.vmHwmBytes ?? 0, hwm * 1024);
  t.rssKib = fieldIn(buf, n, KEY.rss);
  if (t.rssKib !== t.pssRssKib && !t.pssDirty) markPssDirty(t);
  if (grid) grid.record(pid, t.rssKib);
  const data = fieldIn(buf, n, KEY.data);
  t.dataBytes = Math.max(0, data) * 1024;
  if (data >= 0) t.info.maxVmDataBytes = Math.max(t.info.maxVmDataBytes ?? 0, data * 1024);
  if (t.info.ppid === null) firstStatus(t, n);
  // Name changes at exec (the cgroup wrapper is "sh" until it execs the target): keep the latest. Compared as
  // bytes; a string is made only when it changed.
  const span = nameSpan(n);
  if (span && (t.nameBytes === null || buf.compare(t.nameBytes, 0, t.nameBytes.length, span[0], span[1]) !== 0)) newName(t, pid, span);
  return data >= 0 ? data * 1024 : 0;
}

function firstStatus(t: Tracked, n: number): void {
  const ppid = fieldIn(buf, n, KEY.ppid);
  if (ppid >= 0) t.info.ppid = ppid;
}

function newName(t: Tracked, pid: number, span: [number, number]): void {
  t.nameBytes = Buffer.from(buf.subarray(span[0], span[1]));
  t.info.name = t.nameBytes.toString('latin1').trim();
  t.info.cmdline = io.cmdline(`${P}/${pid}/cmdline`);
}

function statusPass(tMs: number, pids: readonly number[]): void {
  let dataSum = 0;
  grid?.beginPass(tMs);
  // The list changed: its change flags may be of other indices, so every process is read; in a big tree only the
  // newcomers (never read: at their floor) and the flagged, the others at their floor (a pass of thousands is the cost).
  const all = !adaptive || (listChanged && pids.length <= BIG_TREE_PROCESSES);
  listChanged = false;
  passReads = 0;
  floorDueMs = Infinity;
  const changed = flagged(pids.length);
  for (let i = 0; i < pids.length; i++) {
    const pid = pids[i]!;
    const t = tracked.get(pid);
    if (!t || t.statusFd < 0) continue;
    if (!all && changed?.[i] !== 1 && tMs - t.readMs < statusFloor - FLOOR_EARLY_MS) {
      // statm saw neither RSS nor VSZ move since the last read: VmRSS and VmData are as they were.
      dataSum += t.dataBytes;
      if (grid && t.rssKib >= 0) grid.record(pid, t.rssKib);
      floorDueMs = Math.min(floorDueMs, t.readMs + statusFloor);
      continue;
    }
    if (changed?.[i] === 1) markPssDirty(t);
    dataSum += readStatus(t, pid, tMs);
  }
  // memory.stat: its anon and file cannot move unless the group's usage (read by the fast thread every tick) did.
  const usage = live[LIVE.TREE_BYTES]!;
  if (!adaptive || all || usage !== statUsage || Number.isNaN(usage) || tMs - statReadMs >= STATUS_FLOOR_MS - FLOOR_EARLY_MS) {
    lastAnon = NaN;
    lastFile = NaN;
    const n = statFd >= 0 ? io.pread(statFd) : -1;
    if (n > 0) {
      statReads++;
      statReadMs = tMs;
      statUsage = usage;
      const a = fieldIn(buf, n, STAT_KEY.anon);
      const f = fieldIn(buf, n, STAT_KEY.file);
      lastAnon = a < 0 ? NaN : a;
      lastFile = f < 0 ? NaN : f;
    }
  }
  if (statFd >= 0) floorDueMs = Math.min(floorDueMs, statReadMs + STATUS_FLOOR_MS);
  status.push(tMs, dataSum, lastAnon, lastFile);
}

let pssPasses = 0;
/** Running mean of one PSS pass's CPU, ms (NaN until one was measured), and the newest pass's weight in it. */
let pssCostMs = NaN;
const PSS_COST_WEIGHT = 0.2;
/** A PSS pass is due by change: something moved, or a process reached its floor (always, off the adaptive tier). */
function pssWanted(tMs: number): boolean {
  if (!pssAdaptive || pssAnyDirty || tMs >= pssFloorDueMs) return true;
  // A small tree's copy-on-write breaks and mapped-file growth move the group's usage but no statm.
  const usage = live[LIVE.TREE_BYTES]!;
  if (current.length <= BIG_TREE_PROCESSES && !Number.isNaN(usage) && usage !== pssUsage) {
    markAllPssDirty();
    return true;
  }
  return false;
}

function pssPass(tMs: number, pids: readonly number[]): void {
  let pssSum = 0;
  let ussSum = 0;
  let swapSum = 0;
  let any = false;
  pssFloorDueMs = Infinity;
  pssUsage = live[LIVE.TREE_BYTES]!;
  for (const pid of pids) {
    const t = tracked.get(pid);
    if (!t) continue;
    if (!pssAdaptive || t.pssDirty || tMs - t.pssReadMs >= PSS_FLOOR_MS - FLOOR_EARLY_MS) readPss(t, pid, tMs);
    pssFloorDueMs = Math.min(pssFloorDueMs, t.pssReadMs + PSS_FLOOR_MS);
    if (Number.isNaN(t.pssBytes)) continue;
    any = true;
    pssSum += t.pssBytes;
    ussSum += t.ussBytes;
    swapSum += t.swapBytes;
  }
  pssAnyDirty = false;
  pssPasses++;
  pss.push(tMs, any ? pssSum : NaN, any ? ussSum : NaN, any ? swapSum : NaN);
}

/** One smaps_rollup read: the process's figures (NaN when gone or unreadable) and maxima. */
function readPss(t: Tracked, pid: number, tMs: number): void {
  t.pssReadMs = tMs;
  t.pssRssKib = t.rssKib;
  t.pssDirty = false;
  t.pssBytes = NaN;
  // Opened per read: an smaps_rollup descriptor binds the address space at open time, and exec replaces it.
  const fd = io.open(`${P}/${pid}/smaps_rollup`);
  if (fd < 0) return;
  const n = io.pread(fd);
  closeSync(fd);
  if (n <= 0) return;
  const pssKib = fieldIn(buf, n, KEY.pss);
  if (pssKib < 0) return;
  pssReads++;
  t.pssBytes = pssKib * 1024;
  t.ussBytes = (Math.max(0, fieldIn(buf, n, KEY.privateClean)) + Math.max(0, fieldIn(buf, n, KEY.privateDirty))) * 1024;
  t.swapBytes = Math.max(0, fieldIn(buf, n, KEY.swap)) * 1024;
  t.info.maxPssBytes = Math.max(t.info.maxPssBytes ?? 0, t.pssBytes);
  t.info.maxUssBytes = Math.max(t.info.maxUssBytes ?? 0, t.ussBytes);
}

/** Rows since the last drain, then empty; processes no longer listed are handed over and forgotten (bounded). */
function drainChunk(): SlowChunk {
  const processes = [...tracked.values()].map((t) => ({ ...t.info }));
  for (const [pid, t] of tracked) if (t.statusFd < 0) tracked.delete(pid);
  return { status: status.drain(), pss: pss.drain(), processes, pssTicks: pssPasses };
}

async function run(): Promise<void> {
  // Below the fast thread: this one may wait, the 1 kHz one should not.
  setThreadNice(0);
  parentPort!.postMessage({ type: 'ready' });
  while (Atomics.load(ctrl, CTRL.STATE) === 0) Atomics.wait(ctrl, CTRL.STATE, 0, 50);
  const startEpoch = live[LIVE.START_EPOCH_MS]!;
  const cpu0 = threadCpuMs();
  const statusMs = cfg.statusEveryTicks * cfg.intervalMs;
  /** The status tier's wait after the last pass: statusMs, or longer while a huge tree's pass would exceed statusBudget. */
  let statusWaitMs = statusMs;
  let stretched: Stretch | null = null;
  let pssStretched: Stretch | null = null;
  const pssMs = cfg.pssEveryTicks * cfg.intervalMs;
  let nextPss = nowEpoch();
  let drained = 0;
  const loop = new LoopTurn();
  for (;;) {
    const start = nowEpoch();
    const wake = Atomics.load(shared, MEMBERS.WAKE);
    const pids = members();
    const big = !!cfg.statusBudget && pids.length > BIG_TREE_PROCESSES;
    const s0 = big ? threadCpuMs() : NaN;
    statusPass(start - startEpoch, pids);
    const cost = big ? threadCpuMs() - s0 : NaN;
    stretchStatusFloor(cost, pids.length, start - startEpoch);
    if (big) {
      // Budget on this thread's CPU, as the PSS tier's: status ×N at 100 Hz is ~2000 reads a second per process.
      statusWaitMs = Number.isFinite(cost)
        ? Math.min(STATUS_MAX_STRETCH * statusMs, Math.max(statusMs, cost / cfg.statusBudget))
        : statusMs;
      // Recorded from the first pass stretched past twice the interval (below that it is within a tick's jitter).
      if (statusWaitMs >= 2 * statusMs) stretched = noteStretch(stretched, start - startEpoch, statusWaitMs, pids.length);
    } else statusWaitMs = statusMs;
    if (start >= nextPss && pssWanted(start - startEpoch)) {
      const c0 = process.cpuUsage();
      pssPass(start - startEpoch, pids);
      // Budget on this thread's CPU: stretch the PSS interval so the pass stays within pssBudget of a core,
      // never past 10× the asked interval (a slow smaps_rollup thins the tier, it never silences it).
      // getrusage (process.cpuUsage), not schedstat: a running thread's schedstat is brought up to date only at
      // scheduler ticks (4 ms here), so a 3 ms pass read as 0–1 ms and the tier overspent its budget by ~50 %.
      // It counts the other threads' CPU during the pass too (a few %: the budget errs on the safe side); a running
      // mean smooths a pass preempted or slowed by the machine.
      const used = process.cpuUsage(c0);
      const last = (used.user + used.system) / 1000;
      if (Number.isFinite(last)) pssCostMs = Number.isNaN(pssCostMs) ? last : pssCostMs + PSS_COST_WEIGHT * (last - pssCostMs);
      // The newest pass counts in full when dearer than the mean: by change, a pass may read one process or all of them.
      const cost = Math.max(pssCostMs, last);
      // A huge tree (status budgeted too) may stretch it to PSS_MAX_STRETCH ×, recorded as an adaptation past 10 ×.
      const want = cfg.pssBudget !== null && Number.isFinite(cost) ? cost / cfg.pssBudget : 0;
      const maxStretch = cfg.statusBudget && pids.length > BIG_TREE_PROCESSES ? PSS_MAX_STRETCH : 10;
      const waitPss = Math.min(maxStretch * pssMs, Math.max(pssMs, want));
      nextPss = start + waitPss;
      if (waitPss > 10 * pssMs) pssStretched = noteStretch(pssStretched, start - startEpoch, waitPss, pids.length);
    }
    const drainSeq = Atomics.load(ctrl, CTRL.DRAIN);
    if (drainSeq !== drained) {
      drained = drainSeq;
      parentPort!.postMessage({ type: 'drain', seq: drainSeq, out: drainChunk() });
    }
    if (Atomics.load(ctrl, CTRL.STATE) === STATE_STOP) break;
    if (loop.due()) await loop.turn(); // V8's GC tasks (LoopTurn)
    if (adaptive) {
      // One sleep while nothing moves: until something does (the fast thread bumps WAKE, as stop and drain do), or a
      // floor or the PSS pass is due; never sooner than the tier's interval after this pass began.
      const pssDue = !pssAdaptive || pssAnyDirty ? nextPss : Math.max(nextPss, startEpoch + pssFloorDueMs);
      const until = Math.max(start + statusWaitMs, Math.min(pssDue, startEpoch + floorDueMs));
      const idle = until - nowEpoch();
      if (idle > 0 && Atomics.load(shared, MEMBERS.WAKE) === wake) Atomics.wait(shared, MEMBERS.WAKE, wake, idle);
    }
    const wait = start + statusWaitMs - nowEpoch();
    if (wait > 0 && Atomics.load(ctrl, CTRL.STATE) === STATE_SAMPLING) Atomics.wait(ctrl, CTRL.STATE, STATE_SAMPLING, wait);
  }
  for (const t of tracked.values()) if (t.statusFd >= 0) closeSync(t.statusFd);
  const out: SlowOutput = {
    adaptations: [
      ...(stretched === null
        ? []
        : [
            {
              what: 'status' as const,
              fromMs: Math.round(stretched.fromMs * 1000) / 1000,
              detail: `/proc/PID/status (VmHWM, VmData) and memory.stat read as seldom as every ${Math.round(stretched.maxMs)} ms instead of every ${statusMs} ms, with up to ${stretched.maxProcesses} processes, to keep that tier within ${Math.round(cfg.statusBudget! * 100)} % of a core`,
            },
          ]),
      ...(floorStretched === null
        ? []
        : [
            {
              what: 'status' as const,
              fromMs: Math.round(floorStretched.fromMs * 1000) / 1000,
              detail: `/proc/PID/status of a process whose statm did not move read at least every ${Math.round(floorStretched.maxMs)} ms instead of every ${STATUS_FLOOR_MS} ms, with up to ${floorStretched.maxProcesses} processes, to keep those reads within ${Math.round(cfg.statusBudget! * 100)} % of a core; one whose statm moved was still read at the next pass`,
            },
          ]),
      ...(pssStretched === null
        ? []
        : [
            {
              what: 'pss' as const,
              fromMs: Math.round(pssStretched.fromMs * 1000) / 1000,
              detail: `smaps_rollup (PSS, USS, swap) read as seldom as every ${Math.round(pssStretched.maxMs)} ms instead of every ${pssMs} ms, with up to ${pssStretched.maxProcesses} processes, to keep that tier within ${Math.round(cfg.pssBudget! * 100)} % of a core`,
            },
          ]),
    ],
    status: status.toArrays(),
    pss: pss.toArrays(),
    processes: [...tracked.values()].map((t) => t.info),
    pssTicks: pssPasses,
    statusFloorMs: adaptive ? Math.max(STATUS_FLOOR_MS, floorStretched?.maxMs ?? 0) : null,
    pssFloorMs: pssAdaptive ? PSS_FLOOR_MS : null,
    pssReads,
    statusReads,
    memoryStatReads: statReads,
    processGrid: grid?.output() ?? null,
    cpuMs: threadCpuMs() - cpu0,
    readErrors: [...io.errors].map(([file, code]) => ({ file, code })),
  };
  parentPort!.postMessage({ type: 'done', out });
}

void run();
