// The sampler thread: wakes on an absolute schedule (Atomics.wait, not event-loop timers), re-reads
// pre-opened /proc and cgroup files with pread, and appends one row per tick to typed-array columns.
// Tiers: fast (statm + cgroup usage + membership) every tick; status (VmHWM, VmData, memory.stat) and
// PSS (smaps_rollup) every N ticks because they cost 4× and 100×+ a statm read.
import { closeSync, openSync, readFileSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { parseStatmInto } from '../probe/statm.js';
import { kibFieldBytes } from '../probe/status.js';
import { environHas, readCmdline } from '../probe/proc.js';
import { Columns } from './columns.js';
import { CTRL, LIVE, STATE_SAMPLING, STATE_STOP, type ProcessSeen, type SamplerConfig, type SamplerOutput } from './protocol.js';

interface Member {
  readonly seen: ProcessSeen;
  statmFd: number;
  statusFd: number;
  /** smaps_rollup is opened per read: its fd binds the address space at open time, and exec replaces it. */
  smapsPath: string;
  childrenFd: number;
  alive: boolean;
}

const cfg = workerData as SamplerConfig;
const ctrl = new Int32Array(cfg.control);
const live = new Float64Array(cfg.live);
const buf = Buffer.alloc(1 << 16);
const statm = new Float64Array(3);
const members = new Map<number, Member>();
/** The same members as an array, rebuilt only when membership changes (no allocation per tick). */
let memberList: Member[] = [];
const syncList = (): void => {
  memberList = [...members.values()];
};
const finished: ProcessSeen[] = [];
/** Every pid ever checked by the marker scan, so each /proc/PID/environ is read at most once. */
const markerChecked = new Set<number>();
const readErrors = new Map<string, string>();
const P = cfg.procRoot;
const page = cfg.pageSizeBytes;

const nowEpoch = (): number => performance.timeOrigin + performance.now();

function openOrMinus(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    noteError(path, e);
    return -1;
  }
}

function noteError(path: string, e: unknown): void {
  const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
  // ENOENT/ESRCH are processes that just ended: expected. Keep the rest (EACCES, EPERM…) to report.
  if (code !== 'ENOENT' && code !== 'ESRCH' && readErrors.size < 20) readErrors.set(path.replace(/\/\d+\//, '/PID/'), code);
}

function pread(fd: number): number {
  try {
    return readSync(fd, buf, 0, buf.length, 0);
  } catch {
    return -1;
  }
}

function preadText(fd: number): string | null {
  const n = pread(fd);
  return n <= 0 ? null : buf.toString('latin1', 0, n);
}

function addMember(pid: number, tMs: number): void {
  if (members.has(pid) || pid <= 0) return;
  const statmFd = openOrMinus(`${P}/${pid}/statm`);
  if (statmFd < 0) return;
  members.set(pid, {
    seen: {
      pid, ppid: null, name: '?', cmdline: readCmdline(pid, { proc: P }), firstSeenMs: tMs, lastSeenMs: tMs,
      maxRssBytes: 0, vmHwmBytes: null, maxPssBytes: null, maxUssBytes: null, maxVmDataBytes: null,
    },
    statmFd,
    statusFd: openOrMinus(`${P}/${pid}/status`),
    smapsPath: `${P}/${pid}/smaps_rollup`,
    childrenFd: cfg.membership.kind === 'proc' ? openOrMinus(`${P}/${pid}/task/${pid}/children`) : -1,
    alive: true,
  });
  syncList();
  markerChecked.add(pid);
  readStatus(members.get(pid)!);
}

function retire(m: Member): void {
  m.alive = false;
  for (const fd of [m.statmFd, m.statusFd, m.childrenFd]) if (fd >= 0) closeSync(fd);
  members.delete(m.seen.pid);
  syncList();
  finished.push(m.seen);
}

/** Parses whitespace/newline-separated pids from buf[0..n) and calls add for each. */
function forEachPid(n: number, add: (pid: number) => void): void {
  let v = 0;
  let inNum = false;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      inNum = true;
    } else if (inNum) {
      add(v);
      v = 0;
      inNum = false;
    }
  }
  if (inNum) add(v);
}

// ---- membership ------------------------------------------------------------------------------------

const procsFd = cfg.membership.kind === 'cgroup' ? openSync(cfg.membership.procsFile, 'r') : -1;
const cgroupListed = new Set<number>();

function refreshCgroupMembers(tMs: number): void {
  const n = pread(procsFd);
  if (n < 0) return;
  cgroupListed.clear();
  forEachPid(n, (pid) => {
    cgroupListed.add(pid);
    addMember(pid, tMs);
  });
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
        const fd = openOrMinus(`${P}/${m.seen.pid}/task/${tid}/children`);
        if (fd < 0) continue;
        const n = pread(fd);
        closeSync(fd);
        if (n > 0) forEachPid(n, (pid) => addMember(pid, tMs));
      }
    } else if (m.childrenFd >= 0) {
      const n = pread(m.childrenFd);
      if (n > 0) forEachPid(n, (pid) => addMember(pid, tMs));
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

// ---- one tick --------------------------------------------------------------------------------------

const fast = new Columns(['tMs', 'treeBytes', 'rssSumBytes', 'vszSumBytes', 'largestRssBytes', 'processCount'] as const);
const status = new Columns(['tMs', 'vmDataSumBytes', 'anonBytes', 'fileBytes'] as const);
const pss = new Columns(['tMs', 'pssSumBytes', 'ussSumBytes', 'swapSumBytes'] as const);
const usageFd = cfg.usageFile ? openSync(cfg.usageFile, 'r') : -1;
const statFd = cfg.memoryStatFile ? openSync(cfg.memoryStatFile, 'r') : -1;

function readNumber(fd: number): number {
  const n = pread(fd);
  if (n <= 0) return NaN;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** memory.stat value of `key` ("total_rss " for v1, "anon " for v2) in bytes; NaN if absent. */
function statField(text: string, key: string): number {
  const at = text.startsWith(key) ? 0 : text.indexOf(`\n${key}`) + 1;
  if (at <= 0 && !text.startsWith(key)) return NaN;
  let i = at + key.length;
  let v = 0;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) v = v * 10 + (c - 48);
  return v;
}

/** Tick index of the next PSS pass (moved back by pssBudget when smaps_rollup is slow). */
let nextPssTick = 0;

function tick(tickIndex: number, tMs: number): void {
  if (cfg.membership.kind === 'cgroup') refreshCgroupMembers(tMs);
  else refreshProcChildren(tMs, tickIndex % cfg.statusEveryTicks === 0);
  if (cfg.membership.kind === 'proc' && tickIndex % cfg.markerScanEveryTicks === 0) markerScan(tMs);

  let rssSum = 0;
  let vszSum = 0;
  let largest = 0;
  const list = memberList; // retire() below replaces memberList, not this array
  for (let i = 0; i < list.length; i++) {
    const m = list[i]!;
    const n = pread(m.statmFd);
    // A reaped process reads as an error, a zombie as all zeros: both mean it has ended.
    if (n <= 0 || !parseStatmInto(buf, n, statm) || statm[0] === 0) {
      if (cfg.membership.kind !== 'cgroup' || !cgroupListed.has(m.seen.pid) || n <= 0) retire(m);
      continue;
    }
    const rss = statm[1]! * page;
    rssSum += rss;
    vszSum += statm[0]! * page;
    if (rss > largest) largest = rss;
    m.seen.lastSeenMs = tMs;
    if (rss > m.seen.maxRssBytes) m.seen.maxRssBytes = rss;
  }
  const tree = usageFd >= 0 ? readNumber(usageFd) : NaN;
  fast.push(tMs, tree, rssSum, vszSum, largest, members.size);
  live[LIVE.TREE_BYTES] = tree;
  live[LIVE.RSS_SUM_BYTES] = rssSum;

  if (tickIndex % cfg.statusEveryTicks === 0) statusTier(tMs);
  if (tickIndex >= nextPssTick) {
    // The cost is this thread's CPU time, not wall time: being preempted on a busy machine is not a cost.
    const cpu0 = cfg.pssBudget === null ? 0 : threadCpuMs();
    pssTier(tMs);
    const costMs = cfg.pssBudget === null ? 0 : threadCpuMs() - cpu0;
    const stretched = Number.isFinite(costMs) && cfg.pssBudget !== null ? Math.ceil(costMs / (cfg.pssBudget * cfg.intervalMs)) : 0;
    // Never stretch past 10× the asked interval: a slow smaps_rollup thins the PSS tier, it never silences it.
    nextPssTick = tickIndex + Math.min(10 * cfg.pssEveryTicks, Math.max(cfg.pssEveryTicks, stretched));
  }
  if (members.size === 0 && cfg.membership.kind === 'proc') markerScan(tMs);
  Atomics.store(ctrl, CTRL.ALIVE, members.size);
}

/** Reads VmHWM, VmData, Name and PPid of one member; returns its VmData in bytes, or 0. */
function readStatus(m: Member): number {
    if (m.statusFd < 0) return 0;
    const text = preadText(m.statusFd);
    if (text === null) return 0;
    const hwm = kibFieldBytes(text, 'VmHWM');
    if (hwm >= 0) m.seen.vmHwmBytes = Math.max(m.seen.vmHwmBytes ?? 0, hwm);
    const data = kibFieldBytes(text, 'VmData');
    if (data >= 0) m.seen.maxVmDataBytes = Math.max(m.seen.maxVmDataBytes ?? 0, data);
    // Name changes at exec (the cgroup wrapper is "sh" until it execs the target).
    const nameAt = text.indexOf('Name:');
    if (nameAt >= 0) {
      const end = text.indexOf('\n', nameAt);
      const name = text.slice(nameAt + 5, end).trim();
      if (name !== m.seen.name) {
        if (m.seen.name !== '?') m.seen.cmdline = readCmdline(m.seen.pid, { proc: P });
        m.seen.name = name;
      }
    }
    if (m.seen.ppid === null) {
      const pp = text.indexOf('\nPPid:');
      if (pp >= 0) m.seen.ppid = Number.parseInt(text.slice(pp + 6, text.indexOf('\n', pp + 1)).trim(), 10);
    }
    return Math.max(0, data);
}

function statusTier(tMs: number): void {
  let dataSum = 0;
  for (const m of memberList) dataSum += readStatus(m);
  let anon = NaN;
  let file = NaN;
  if (statFd >= 0) {
    const text = preadText(statFd);
    if (text !== null) {
      anon = statField(text, cfg.memoryStatVersion === 1 ? 'total_rss ' : 'anon ');
      file = statField(text, cfg.memoryStatVersion === 1 ? 'total_cache ' : 'file ');
    }
  }
  status.push(tMs, dataSum, anon, file);
}

let pssTicks = 0;
function pssTier(tMs: number): void {
  let pssSum = 0;
  let ussSum = 0;
  let swapSum = 0;
  let any = false;
  for (const m of memberList) {
    const fd = openOrMinus(m.smapsPath);
    if (fd < 0) continue;
    const text = preadText(fd);
    closeSync(fd);
    if (text === null) continue;
    const p = kibFieldBytes(text, 'Pss');
    if (p < 0) continue;
    any = true;
    const u = Math.max(0, kibFieldBytes(text, 'Private_Clean')) + Math.max(0, kibFieldBytes(text, 'Private_Dirty'));
    const s = Math.max(0, kibFieldBytes(text, 'Swap'));
    pssSum += p;
    ussSum += u;
    swapSum += s;
    m.seen.maxPssBytes = Math.max(m.seen.maxPssBytes ?? 0, p);
    m.seen.maxUssBytes = Math.max(m.seen.maxUssBytes ?? 0, u);
  }
  pssTicks++;
  pss.push(tMs, any ? pssSum : NaN, any ? ussSum : NaN, any ? swapSum : NaN);
}

// ---- the loop --------------------------------------------------------------------------------------

function percentile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
}

/** This thread's own CPU time in ms, from /proc/thread-self/schedstat (ns precision); NaN if unreadable. */
function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** Raises this thread's priority (nice −10) when allowed, so a loaded machine delays ticks less. */
function raisePriority(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, -10);
    return -10;
  } catch {
    return null;
  }
}

function run(): void {
  const nice = raisePriority();
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
  const errors = new Columns(['err', 'gap'] as const);
  let k = 0; // index of the scheduled slot
  let ticks = 0;
  let missed = 0;
  let lastStart = NaN;
  for (;;) {
    const scheduled = t0 + k * interval;
    const start = nowEpoch();
    tick(ticks, start - startEpoch);
    errors.push(Math.abs(start - scheduled), Number.isNaN(lastStart) ? NaN : start - lastStart);
    lastStart = start;
    ticks++;
    Atomics.store(ctrl, CTRL.TICKS, ticks);
    if (Atomics.load(ctrl, CTRL.STATE) === STATE_STOP) break;
    // Next slot; when a tick overran whole slots, skip them (counted as missed) rather than bunch up.
    const after = nowEpoch();
    let next = k + 1;
    const behind = Math.floor((after - t0) / interval) + 1;
    if (behind > next) {
      missed += behind - next;
      next = behind;
    }
    k = next;
    const wait = t0 + k * interval - nowEpoch();
    if (wait > 0) Atomics.wait(ctrl, CTRL.STATE, STATE_SAMPLING, wait);
    // A stop request while sleeping still gets one last tick (next iteration) before the loop ends.
  }
  const end = nowEpoch();
  const cpu = process.cpuUsage(cpu0);
  const threadMs = threadCpuMs() - thread0;
  for (const m of [...members.values()]) retire(m);
  const e = errors.toArrays();
  const errSorted = e.err.slice().sort();
  const gaps = e.gap.slice(1).sort();
  const gapMean = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null;
  const out: SamplerOutput = {
    columns: { fast: fast.toArrays(), status: status.toArrays(), pss: pss.toArrays() },
    processes: finished,
    ticks,
    ticksExpected: Math.floor((end - t0) / interval) + 1,
    missedTicks: missed,
    intervalErrorP99Ms: percentile(errSorted, 0.99),
    intervalP50Ms: percentile(gaps, 0.5),
    intervalP99Ms: percentile(gaps, 0.99),
    intervalMeanMs: gapMean,
    pssTicks,
    cpuMs: Number.isFinite(threadMs) ? threadMs : (cpu.user + cpu.system) / 1000,
    processCpuMs: (cpu.user + cpu.system) / 1000,
    nice,
    sampledWallMs: end - t0,
    readErrors: [...readErrors].map(([file, code]) => ({ file, code })),
  };
  parentPort!.postMessage({ type: 'done', out });
}

run();
