// Where the sampler's CPU goes. Two views, both in-process and against a live memfix tree:
//  1. the real sampler worker (dist/src/sample/worker.js) under configurations that switch tiers off one by
//     one, its thread's CPU read from schedstat: the differences are what each tier costs;
//  2. the cost of each kind of read in a tight loop (everything cached), then of each part of a tick timed
//     right after a 1 ms sleep as the sampler runs it (caches cold), plus the CPU of one wake-up: a per-tick
//     budget to compare with what the worker thread really spends.
import { closeSync, openSync, readSync, readdirSync, readFileSync } from 'node:fs';
import { computeStats } from '../../src/analyze/stats.js';
import { readPageSize } from '../../src/probe/proc.js';
import { fieldIn, lineKey } from '../../src/sample/io.js';
import { parseStatmInto } from '../../src/probe/statm.js';
import { Sampler } from '../../src/sample/sampler.js';
import { Columns } from '../../src/sample/columns.js';
import { threadsCpu, type ThreadCpu } from './cpu.js';
import { holdTree, type HeldTree } from './tree.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const OFF = 1e9; // an interval so long the tier runs on tick 0 only

export interface SamplerVariant {
  readonly name: string;
  readonly backend: 'cgroup' | 'proc';
  readonly statusMs: number;
  readonly pssMs: number;
  /** SamplerConfig.pssBudget: the CLI's default stretches the PSS interval so the tier costs ≤ 2 % of the ticks' time. */
  readonly pssBudget: number | null;
  readonly markerMs: number;
  /** false: an empty group, so a tick is the wake-up plus reading cgroup.procs and the usage file. */
  readonly tree: boolean;
  /** memfix tree CHILDREN MIB (default 5 × 20 MiB). */
  readonly children?: number;
  readonly mibEach?: number;
  readonly maxStatmPerTick?: number;
}

export const DEFAULT_PSS_BUDGET = 0.02;

export const VARIANTS: readonly SamplerVariant[] = [
  {
    name: 'cgroup, CLI default (status 10 ms, PSS ≥ 50 ms, 2 % budget)',
    backend: 'cgroup',
    statusMs: 10,
    pssMs: 50,
    pssBudget: DEFAULT_PSS_BUDGET,
    markerMs: 50,
    tree: true,
  },
  {
    name: 'cgroup, PSS fixed every 50 ms (--pss-interval 50ms)',
    backend: 'cgroup',
    statusMs: 10,
    pssMs: 50,
    pssBudget: null,
    markerMs: 50,
    tree: true,
  },
  { name: 'cgroup, PSS tier off', backend: 'cgroup', statusMs: 10, pssMs: OFF, pssBudget: null, markerMs: 50, tree: true },
  {
    name: 'cgroup, status and PSS tiers off (fast tier only)',
    backend: 'cgroup',
    statusMs: OFF,
    pssMs: OFF,
    pssBudget: null,
    markerMs: 50,
    tree: true,
  },
  {
    name: 'cgroup, empty group (wake-up + 2 reads)',
    backend: 'cgroup',
    statusMs: OFF,
    pssMs: OFF,
    pssBudget: null,
    markerMs: 50,
    tree: false,
  },
  {
    name: 'proc, PSS fixed every 50 ms (status 10, marker 50)',
    backend: 'proc',
    statusMs: 10,
    pssMs: 50,
    pssBudget: null,
    markerMs: 50,
    tree: true,
  },
  {
    name: 'proc, fast tier only (status, PSS, marker off)',
    backend: 'proc',
    statusMs: OFF,
    pssMs: OFF,
    pssBudget: null,
    markerMs: OFF,
    tree: true,
  },
  {
    name: 'cgroup, 100 × 1 MiB, fast tier only',
    backend: 'cgroup',
    statusMs: OFF,
    pssMs: OFF,
    pssBudget: null,
    markerMs: 50,
    tree: true,
    children: 100,
    mibEach: 1,
  },
  {
    name: 'cgroup, 100 × 1 MiB, fast tier only, statm ≤ 16/tick',
    backend: 'cgroup',
    statusMs: OFF,
    pssMs: OFF,
    pssBudget: null,
    markerMs: 50,
    tree: true,
    children: 100,
    mibEach: 1,
    maxStatmPerTick: 16,
  },
];

export interface VariantResult {
  readonly variant: SamplerVariant;
  readonly workerPercentOfCore: number;
  /** The slow thread (status, memory.stat, smaps_rollup): the new thread that woke second most often. */
  readonly slowPercentOfCore: number;
  readonly usPerTick: number;
  readonly ticksKeptRatio: number | null;
  readonly intervalErrorP99Ms: number | null;
  readonly intervalP99Ms: number | null;
}

const byTid = (xs: readonly ThreadCpu[]): Map<number, ThreadCpu> => new Map(xs.map((t) => [t.tid, t]));

interface Pass {
  readonly ns: number;
  readonly slowNs: number;
  readonly ticks: number;
  readonly seconds: number;
  readonly ticksKeptRatio: number | null;
  readonly intervalErrorP99Ms: number | null;
  readonly intervalP99Ms: number | null;
}

/** One steady-state window of the real worker under variant v, on a fresh tree. */
async function onePass(memfix: string, v: SamplerVariant, name: string, page: number, windowS: number, settleMs: number): Promise<Pass> {
  const holdMs = settleMs + windowS * 1000 + 1500;
  const tree = await holdTree(v.backend, memfix, ['tree', String(v.children ?? 5), String(v.mibEach ?? 20), String(holdMs)], name, v.tree);
  let sampler: Sampler | null = null;
  try {
    const existing = new Set(threadsCpu('self').map((t) => t.tid));
    sampler = await Sampler.start({
      procRoot: '/proc',
      pageSizeBytes: page,
      intervalMs: 1,
      statusIntervalMs: v.statusMs,
      pssIntervalMs: v.pssMs,
      pssBudget: v.pssBudget,
      markerScanIntervalMs: v.markerMs,
      membership: tree.prepared.membership,
      usageFile: tree.prepared.usageFile,
      memoryStatFile: tree.prepared.memoryStatFile,
      memoryStatVersion: tree.prepared.memoryStatVersion,
      maxStatmPerTick: v.maxStatmPerTick,
    });
    sampler.begin(tree.rootPid ?? 0, performance.timeOrigin + performance.now());
    await sleep(settleMs);
    const before = byTid(threadsCpu('self').filter((t) => !existing.has(t.tid)));
    const ticks0 = sampler.ticks;
    const a = performance.now();
    await sleep(windowS * 1000);
    const after = threadsCpu('self').filter((t) => !existing.has(t.tid));
    const seconds = (performance.now() - a) / 1000;
    const ticks = sampler.ticks - ticks0;
    // The worker is the new thread that woke most often.
    const deltas = after.map((t) => ({
      ns: t.runNs - (before.get(t.tid)?.runNs ?? 0),
      slices: t.slices - (before.get(t.tid)?.slices ?? 0),
    }));
    const [worker, slow] = deltas.sort((x, y) => y.slices - x.slices);
    const s = await sampler.stop();
    sampler = null;
    return {
      ns: worker?.ns ?? 0,
      slowNs: slow?.ns ?? 0,
      ticks,
      seconds,
      ticksKeptRatio: s.ticksExpected > 0 ? Math.min(1, s.ticks / s.ticksExpected) : null,
      intervalErrorP99Ms: s.intervalErrorP99Ms,
      intervalP99Ms: s.intervalP99Ms,
    };
  } finally {
    if (sampler) await sampler.kill();
    await tree.end();
  }
}

/**
 * Runs the real worker for each variant, `passes` times with the order of the variants rotated each pass so a
 * slow patch of the machine is shared out; every figure is the median over the passes.
 */
export async function measureVariants(
  memfix: string,
  variants: readonly SamplerVariant[],
  passes = 3,
  windowS = 1.0,
  settleMs = 300,
): Promise<VariantResult[]> {
  const page = readPageSize();
  const got = variants.map(() => [] as Pass[]);
  for (let p = 0; p < passes; p++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + p * 3) % variants.length;
      got[i]!.push(await onePass(memfix, variants[i]!, `membench-bench-${process.pid}-${p}-${i}`, page, windowS, settleMs));
    }
  }
  const med = (xs: readonly (number | null)[]): number | null => computeStats(xs.map((x) => x ?? NaN))?.median ?? null;
  return variants.map((variant, i) => {
    const ps = got[i]!;
    return {
      variant,
      workerPercentOfCore: med(ps.map((x) => (100 * x.ns) / 1e9 / x.seconds)) ?? NaN,
      slowPercentOfCore: med(ps.map((x) => (100 * x.slowNs) / 1e9 / x.seconds)) ?? NaN,
      usPerTick: med(ps.map((x) => (x.ticks > 0 ? x.ns / 1000 / x.ticks : null))) ?? NaN,
      ticksKeptRatio: med(ps.map((x) => x.ticksKeptRatio)),
      intervalErrorP99Ms: med(ps.map((x) => x.intervalErrorP99Ms)),
      intervalP99Ms: med(ps.map((x) => x.intervalP99Ms)),
    };
  });
}

// ---- per-operation costs ---------------------------------------------------------------------------

/** One read in a tight loop: what the file costs when everything is in cache. */
export interface ReadCost {
  readonly name: string;
  readonly hotUs: number;
}

/** One part of a tick, timed right after a 1 ms sleep as the sampler does it (caches cold), and how often it runs. */
export interface TickPart {
  readonly name: string;
  readonly us: number;
  readonly perTickCgroup: number;
  readonly perTickProc: number;
}

const buf = Buffer.alloc(1 << 16);
const pread = (fd: number): number => readSync(fd, buf, 0, buf.length, 0);

function usPerCall(fn: () => void, calls: number, batches = 5): number {
  fn();
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const a = performance.now();
    for (let i = 0; i < calls; i++) fn();
    per.push(((performance.now() - a) * 1000) / calls);
  }
  return computeStats(per)!.median;
}

const pacer = new Int32Array(new SharedArrayBuffer(4));

/** Mean µs of fn when each call comes right after a 1 ms sleep, like a sampler tick. */
function pacedUsPerCall(fn: () => void, calls: number): number {
  fn();
  let total = 0;
  for (let i = 0; i < calls; i++) {
    Atomics.wait(pacer, 0, 0, 1);
    const a = performance.now();
    fn();
    total += performance.now() - a;
  }
  return (total * 1000) / calls;
}

/** CPU of this thread per 1 ms Atomics.wait that times out (the sampler's sleep), µs. */
function wakeupCpuUs(waits: number): number {
  const ctrl = new Int32Array(new SharedArrayBuffer(4));
  const self = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
  // Reading schedstat costs a few µs itself; it is read twice for the whole loop.
  const a = self();
  for (let i = 0; i < waits; i++) Atomics.wait(ctrl, 0, 0, 1);
  return (self() - a) / 1000 / waits;
}

/** Times every read the sampler makes, and each part of a tick, against a live 5-child memfix tree in its own group. */
export async function measureOps(memfix: string): Promise<{ reads: ReadCost[]; parts: TickPart[] }> {
  const tree: HeldTree = await holdTree('cgroup', memfix, ['tree', '5', '20', '20000'], `membench-bench-${process.pid}-ops`);
  const fds: number[] = [];
  try {
    await sleep(300);
    const pids = tree.pids();
    const child = pids[pids.length - 1]!;
    const p = tree.prepared;
    if (p.membership.kind !== 'cgroup' || !p.usageFile || !p.memoryStatFile) throw new Error('cgroup backend without cgroup files');
    const open = (path: string): number => {
      const fd = openSync(path, 'r');
      fds.push(fd);
      return fd;
    };
    const statms = pids.map((pid) => open(`/proc/${pid}/statm`));
    const statuses = pids.map((pid) => open(`/proc/${pid}/status`));
    const childrens = pids.map((pid) => open(`/proc/${pid}/task/${pid}/children`));
    const procs = open(p.membership.procsFile);
    const usage = open(p.usageFile);
    const stat = open(p.memoryStatFile);
    const statmOut = new Float64Array(3);
    const members = new Map(pids.map((pid) => [pid, { pid }]));
    const fast = new Columns(['a', 'b', 'c', 'd', 'e', 'f'] as const);
    const errors = new Columns(['err', 'gap'] as const);
    const ctrl = new Int32Array(new SharedArrayBuffer(16));
    let sink = 0;

    const statm = (fd: number): void => void parseStatmInto(buf, pread(fd), statmOut);
    // The slow thread's way: fields read from the bytes (fieldIn), no string.
    const K = {
      hwm: lineKey('VmHWM:'),
      rss: lineKey('VmRSS:'),
      data: lineKey('VmData:'),
      anon: lineKey('total_rss '),
      file: lineKey('total_cache '),
      pss: lineKey('Pss:'),
      pc: lineKey('Private_Clean:'),
      pd: lineKey('Private_Dirty:'),
      swap: lineKey('Swap:'),
    };
    const status = (fd: number): void => {
      const n = pread(fd);
      sink += fieldIn(buf, n, K.hwm) + fieldIn(buf, n, K.rss) + fieldIn(buf, n, K.data) + buf.indexOf(10);
    };
    const memoryStat = (): void => {
      const n = pread(stat);
      sink += fieldIn(buf, n, K.anon) + fieldIn(buf, n, K.file);
    };
    const smaps = (pid: number): void => {
      const fd = openSync(`/proc/${pid}/smaps_rollup`, 'r');
      const n = pread(fd);
      closeSync(fd);
      sink += fieldIn(buf, n, K.pss) + fieldIn(buf, n, K.pc) + fieldIn(buf, n, K.pd) + fieldIn(buf, n, K.swap);
    };
    const taskWalk = (pid: number): void => {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const fd = openSync(`/proc/${pid}/task/${tid}/children`, 'r');
        sink += pread(fd);
        closeSync(fd);
      }
    };
    const js = (): void => {
      for (const m of [...members.values()]) sink += m.pid;
      for (const m of [...members.values()]) sink -= m.pid;
      fast.push(1, 2, 3, 4, 5, 6);
      errors.push(7, 8);
      Atomics.store(ctrl, 1, 6);
    };
    const n = 2000;
    const reads: ReadCost[] = [
      { name: 'pread statm + parseStatmInto', hotUs: usPerCall(() => statm(statms[1]!), n) },
      {
        name: 'pread cgroup.procs (6 pids)',
        hotUs: usPerCall(() => {
          sink += pread(procs);
        }, n),
      },
      {
        name: 'pread memory.usage_in_bytes',
        hotUs: usPerCall(() => {
          sink += pread(usage);
        }, n),
      },
      {
        name: 'pread task/PID/children',
        hotUs: usPerCall(() => {
          sink += pread(childrens[0]!);
        }, n),
      },
      { name: 'pread status + 3 fields + Name line (bytes)', hotUs: usPerCall(() => status(statuses[1]!), n) },
      { name: 'pread memory.stat (v1) + 2 fields (bytes)', hotUs: usPerCall(memoryStat, n) },
      { name: 'open/pread/close smaps_rollup, 20 MiB child', hotUs: usPerCall(() => smaps(child), n / 8) },
      { name: 'open/pread/close smaps_rollup, parent (~1 MiB)', hotUs: usPerCall(() => smaps(pids[0]!), n / 8) },
      { name: 'readdir task/ + open/pread/close children', hotUs: usPerCall(() => taskWalk(child), n / 4) },
      {
        name: 'readdirSync(/proc) (marker scan)',
        hotUs: usPerCall(() => {
          sink += readdirSync('/proc').length;
        }, n / 20),
      },
      { name: 'JS bookkeeping of a tick (Map spreads, pushes)', hotUs: usPerCall(js, n * 5) },
    ];
    const P = 300; // paced calls, one per 1 ms sleep
    const parts: TickPart[] = [
      { name: 'wake-up: Atomics.wait 1 ms time-out (thread CPU)', us: wakeupCpuUs(1000), perTickCgroup: 1, perTickProc: 1 },
      {
        name: 'fast, cgroup: cgroup.procs + statm ×6 + usage',
        us: pacedUsPerCall(() => {
          sink += pread(procs);
          statms.forEach(statm);
          sink += pread(usage);
        }, P),
        perTickCgroup: 1,
        perTickProc: 0,
      },
      {
        name: 'fast, proc: children ×6 + statm ×6',
        us: pacedUsPerCall(() => {
          for (const fd of childrens) sink += pread(fd);
          statms.forEach(statm);
        }, P),
        perTickCgroup: 0,
        perTickProc: 1,
      },
      { name: 'JS bookkeeping', us: pacedUsPerCall(js, P), perTickCgroup: 1, perTickProc: 1 },
      {
        name: 'status tier, cgroup: status ×6 + memory.stat',
        us: pacedUsPerCall(() => {
          statuses.forEach(status);
          memoryStat();
        }, P / 3),
        perTickCgroup: 1 / 10,
        perTickProc: 0,
      },
      {
        name: 'status tier, proc: status ×6 + task/ walk ×6',
        us: pacedUsPerCall(() => {
          statuses.forEach(status);
          pids.forEach(taskWalk);
        }, P / 3),
        perTickCgroup: 0,
        perTickProc: 1 / 10,
      },
      {
        name: 'PSS tier: smaps_rollup ×6 (open, read, close)',
        us: pacedUsPerCall(() => pids.forEach(smaps), P / 6),
        perTickCgroup: 1 / 50,
        perTickProc: 1 / 50,
      },
      {
        name: 'marker scan: readdirSync(/proc)',
        us: pacedUsPerCall(() => {
          sink += readdirSync('/proc').length;
        }, P / 6),
        perTickCgroup: 0,
        perTickProc: 1 / 50,
      },
    ];
    if (sink === 0.5) console.log(sink);
    return { reads, parts };
  } finally {
    for (const fd of fds) closeSync(fd);
    await tree.end();
  }
}
