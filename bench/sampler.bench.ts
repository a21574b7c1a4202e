// npm run bench: membench's 1 kHz sampler against the C floor and against mprof, on a 5-process tree holding
// 100 MiB, plus where the sampler's CPU goes and how fast a 1-hour run is analysed. Prints only.
//
// CPU is compared as marginal cost: each tool runs the same tree held 2 s and 12 s under /usr/bin/time, and
// (CPU₁₂ − CPU₂) / 10 s is its cost per second of sampling with start-up (node's loading and JIT, python's
// imports: 0.7–1.0 s of CPU, varying by ±150 ms from run to run) removed; and as steady cost, every thread's
// schedstat over a window of the long run, which no start-up reaches. The machine is noisy, so every pair is
// repeated --rounds times, pairs rotate order between rounds, and ratios are taken within a round before the
// median across rounds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MembenchResult, RunResult } from '../src/result.js';
import { analysisThroughput, columnsGrowth, columnsJoinMs } from './lib/analysis.js';
import { CHUNK_ROWS } from '../src/sample/columns.js';
import { measureOps, measureVariants, VARIANTS, type ReadCost, type TickPart, type VariantResult } from './lib/attribution.js';
import { cliArgv } from './lib/cli-argv.js';
import { haveTime, marginalPercent, timed, TIME_BIN, type TimedRun, type WindowCpu } from './lib/cpu.js';
import { haveMprof, MPROF_MISSING, mprofArgv, parseMprof, type MprofSampling } from './lib/mprof.js';
import { profileWorker } from './lib/profile.js';
import { NATIVE_ENV } from '../src/native.js';
import { floorLadder, measureWakeups, wakeupTable } from './lib/wakeup.js';
import { dash, fixed, GOALS, mark, pct, renderTable } from './lib/table.js';
import { agg, spread, mib, nativeShare, threadShares, type Agg } from './lib/agg.js';
import { bigTreeRun, bigTreeTable, type BigTreeMeasure, type BigTreeShape } from './lib/big-tree.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const MEMFIX = join(ROOT, 'fixtures', 'bin', 'memfix');
const FLOOR_SRC = join(ROOT, 'fixtures', 'src', 'sampling-floor.c');
const SAME_READS_SRC = join(ROOT, 'fixtures', 'src', 'sampling-same-reads.c');
/** What `membench run` reads by default at 1 ms (settings.ts): status every 10 ticks, PSS from 50 ms within a 2 % budget. */
const SAME_READS_ARGS = ['1000', '10', '50', '0.02'];
const SHORT_MS = 2000;
/** Long enough that start-up's run-to-run spread (±100–150 ms of CPU here) moves the marginal figure by ≤ 1.5 % of a core. */
const LONG_MS = 12000;
const EXTRA_S = (LONG_MS - SHORT_MS) / 1000;
/** Steady-state window inside the long hold, seconds after the tool started. */
const WINDOW: readonly [number, number] = [1.5, 11.5];
const FLOOR_T = [1, 4] as const;
/** The C floor's steady window inside its long run, seconds after it started (schedstat, as the tools' WINDOW). */
const FLOOR_WINDOW: readonly [number, number] = [1, 3.5];
const tree = (holdMs: number, children = 5, mibEach = 20): string[] => [MEMFIX, 'tree', String(children), String(mibEach), String(holdMs)];
/** The big-tree figure: 100 children of 1 MiB, at the same 1 ms. */
const BIG_CHILDREN = 100;
/** Issue 20's big tree at default settings: sh -c 'for i in $(seq N); do sleep S & done; wait'. */
const BIG_TREE_SLEEP_S = 4;

// ---- options -----------------------------------------------------------------------------------------

interface BenchOptions {
  readonly rounds: number;
  readonly peer: boolean;
  readonly attribution: boolean;
  readonly profile: boolean;
  /** Also run the proc backend and --realtime (off with --quick). */
  readonly variants: boolean;
  /** Another build's CLI (dist/src/cli/main.js) run in the same rounds as "before". */
  readonly before: string | null;
  /** Processes of the "Big tree" section (sh + N sleeps), null: --no-big-tree. */
  readonly bigTreeN: number | null;
}

const USAGE =
  'usage: npm run bench [-- --rounds N (1-10, default 3)] [--no-peer] [--no-attribution] [--quick (no proc, no --realtime)] [--profile] [--before OTHER_BUILD/dist/src/cli/main.js] [--big-tree-n N (default 2000) | --no-big-tree]';

function parseOptions(argv: readonly string[]): BenchOptions {
  let rounds = 3;
  let peer = true;
  let attribution = true;
  let profile = false;
  let variants = true;
  let before: string | null = null;
  let bigTreeN: number | null = 2000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rounds') {
      rounds = Number(argv[++i]);
      if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10)
        throw new BenchFailure(`--rounds must be an integer 1-10, got ${argv[i]}\n${USAGE}`);
    } else if (a === '--no-peer') peer = false;
    else if (a === '--no-attribution') attribution = false;
    else if (a === '--quick') variants = false;
    else if (a === '--profile') profile = true;
    else if (a === '--no-big-tree') bigTreeN = null;
    else if (a === '--big-tree-n') {
      bigTreeN = Number(argv[++i]);
      if (!Number.isInteger(bigTreeN) || bigTreeN < 1 || bigTreeN > 20000)
        throw new BenchFailure(`--big-tree-n must be an integer 1-20000, got ${argv[i]}\n${USAGE}`);
    } else if (a === '--before') {
      before = argv[++i] ?? null;
      if (!before || !existsSync(before))
        throw new BenchFailure(`--before needs the path of another build's dist/src/cli/main.js, got ${before}\n${USAGE}`);
    } else throw new BenchFailure(`unknown argument ${a}\n${USAGE}`);
  }
  return { rounds, peer, attribution, profile, variants, before, bigTreeN };
}

// ---- one measurement of each tool --------------------------------------------------------------------

interface ToolPair {
  readonly short: TimedRun;
  readonly long: TimedRun;
  readonly marginalCpuPercent: number;
}

interface MembenchPair extends ToolPair {
  readonly run: RunResult;
}

interface MprofPair extends ToolPair {
  readonly sampling: MprofSampling;
}

/** What sampling-floor.c prints of its own ticks (the long run), as membench computes them; null: an older line. */
interface FloorTiming {
  readonly ticksKeptRatio: number;
  readonly intervalErrorP99Ms: number;
  readonly intervalP99Ms: number;
}

interface FloorPair extends ToolPair {
  readonly timing: FloorTiming | null;
}

function floorTiming(stderr: string): FloorTiming | null {
  const m = /kept ([\d.]+) p99err ([\d.]+) p99gap ([\d.]+)/.exec(stderr);
  return m ? { ticksKeptRatio: Number(m[1]), intervalErrorP99Ms: Number(m[2]), intervalP99Ms: Number(m[3]) } : null;
}

class BenchFailure extends Error {}

const note = (s: string): void => void process.stderr.write(`${s}\n`);

function checkExit(what: string, r: TimedRun): void {
  if (r.exitCode !== 0) throw new BenchFailure(`${what} exited ${r.exitCode}: ${r.stderrTail.slice(-400) || '(no stderr)'}`);
}

/** One way of running membench: which build, backend, flags and environment. */
interface MembenchVariant {
  readonly name: string;
  readonly backend: 'cgroup' | 'proc';
  readonly realtime?: boolean;
  readonly cli?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** memfix tree CHILDREN 1 instead of 5 × 20 MiB. */
  readonly children?: number;
}

async function membenchPair(v: MembenchVariant, tmp: string): Promise<MembenchPair> {
  const { backend, realtime } = v;
  const env = v.env ? { ...process.env, ...v.env } : undefined;
  const argv = (holdMs: number, json: string): string[] => [
    ...cliArgv(v.cli ?? CLI),
    'run',
    '--runs',
    '1',
    '--interval',
    '1ms',
    '--backend',
    backend,
    ...(realtime ? ['--realtime'] : []),
    '--no-color',
    '--json',
    json,
    '--',
    ...(v.children ? tree(holdMs, v.children, 1) : tree(holdMs)),
  ];
  const short = await timed(argv(SHORT_MS, join(tmp, 'short.json')), { cwd: ROOT, timeFile: join(tmp, 'time'), env });
  checkExit(`${v.name} (${SHORT_MS} ms hold)`, short);
  const json = join(tmp, 'long.json');
  const long = await timed(argv(LONG_MS, json), { cwd: ROOT, timeFile: join(tmp, 'time'), window: WINDOW, env });
  checkExit(`${v.name} (${LONG_MS} ms hold)`, long);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as MembenchResult;
  const run = doc.benchmarks[0]?.runs[0];
  if (!run?.sampling) throw new BenchFailure(`membench (${backend}) wrote no sampling figures to ${json}`);
  return { short, long, run, marginalCpuPercent: marginalPercent(short, long, EXTRA_S) };
}

async function mprofPair(tmp: string): Promise<MprofPair> {
  const short = await timed(mprofArgv(join(tmp, 'short.dat'), 0.001, tree(SHORT_MS)), { cwd: ROOT, timeFile: join(tmp, 'time') });
  checkExit('mprof (short hold)', short);
  const dat = join(tmp, 'long.dat');
  const long = await timed(mprofArgv(dat, 0.001, tree(LONG_MS)), { cwd: ROOT, timeFile: join(tmp, 'time'), window: WINDOW });
  checkExit('mprof (long hold)', long);
  return {
    short,
    long,
    sampling: parseMprof(readFileSync(dat, 'latin1'), 0.001),
    marginalCpuPercent: marginalPercent(short, long, EXTRA_S),
  };
}

async function floorPair(bin: string, tmp: string): Promise<FloorPair> {
  const [t1, t4] = FLOOR_T;
  const short = await timed([bin, String(t1), '1000', '6'], { cwd: ROOT, timeFile: join(tmp, 'time') });
  checkExit('sampling-floor', short);
  const long = await timed([bin, String(t4), '1000', '6'], { cwd: ROOT, timeFile: join(tmp, 'time'), window: FLOOR_WINDOW });
  checkExit('sampling-floor', long);
  return { short, long, marginalCpuPercent: marginalPercent(short, long, t4 - t1), timing: floorTiming(long.stderrTail) };
}

/** The same reads as membench at its default tiers, in C, on the same tree (sampling-same-reads.c). */
async function sameReadsPair(bin: string, tmp: string): Promise<ToolPair> {
  const short = await timed([bin, ...SAME_READS_ARGS, '--', ...tree(SHORT_MS)], { cwd: ROOT, timeFile: join(tmp, 'time') });
  checkExit('sampling-same-reads', short);
  const long = await timed([bin, ...SAME_READS_ARGS, '--', ...tree(LONG_MS)], { cwd: ROOT, timeFile: join(tmp, 'time'), window: WINDOW });
  checkExit('sampling-same-reads', long);
  return { short, long, marginalCpuPercent: marginalPercent(short, long, EXTRA_S) };
}

function buildC(src: string, tmp: string): string {
  const bin = join(tmp, basename(src, '.c'));
  const r = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', bin, src], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new BenchFailure(`cannot build ${src}: ${r.error?.message ?? r.stderr.trim()} (install a C compiler: apt-get install gcc)`);
  return bin;
}

// ---- report ------------------------------------------------------------------------------------------

interface Collected {
  /** Each membench variant's pairs, in the same rounds (first: membench (cgroup) as built). */
  readonly membench: Map<string, { variant: MembenchVariant; pairs: MembenchPair[] }>;
  readonly mprof: MprofPair[];
  readonly floor: FloorPair[];
  readonly sameReads: ToolPair[];
  readonly peerMissing: boolean;
  /** The big tree's runs per tool (membench as built, and --before), in the same rounds. */
  readonly bigTree: Map<string, { cli: string; runs: BigTreeMeasure[] }>;
}

const MAIN = 'membench (cgroup)';
const MAIN_BIG = 'membench';
const pairsOf = (c: Collected, name: string): MembenchPair[] => c.membench.get(name)?.pairs ?? [];

/** "native" / "js" from the run's sampling.fastSampler (absent: a build before it was recorded, the JS sampler). */
const samplerKind = (pairs: readonly MembenchPair[]): string => {
  const kinds = [...new Set(pairs.map((p) => p.run.sampling!.fastSampler?.kind ?? 'js'))];
  return kinds.join('+');
};

function mainTable(c: Collected): string {
  const mbRow = (name: string, pairs: readonly MembenchPair[]): string[] => {
    const kept = agg(pairs.map((p) => p.run.sampling!.ticksKeptRatio));
    const err = agg(pairs.map((p) => p.run.sampling!.intervalErrorP99Ms));
    const gap = agg(pairs.map((p) => p.run.sampling!.intervalP99Ms));
    const cpu = agg(pairs.map((p) => p.marginalCpuPercent));
    const self = agg(pairs.map((p) => p.run.sampling!.samplerCpuPercentOfCore));
    const steady = agg(pairs.map((p) => p.long.window?.percentOfCore));
    const peak = agg(pairs.map((p) => p.run.peaks?.treeBytes));
    return [
      `${name} [${samplerKind(pairs)}]`,
      kept ? `${pct(kept.median)}${mark(kept.median, GOALS.ticksKept)}` : dash,
      err ? `${fixed(err.median, 3, ' ms')}${mark(err.median, GOALS.intervalErrorP99)}` : dash,
      fixed(gap?.median, 2, ' ms'),
      cpu ? `${spread(cpu, 1, ' %')}${mark(cpu.median, GOALS.cpu)}` : dash,
      self ? `${fixed(self.median, 1, ' %')}${mark(self.median, GOALS.cpu)}` : dash,
      fixed(steady?.median, 1, ' %'),
      mib(peak?.median),
    ];
  };
  const rows: string[][] = [];
  for (const [name, { variant, pairs }] of c.membench) {
    const refused = variant.realtime ? realtimeRefused(pairs) : null;
    if (refused) rows.push([name, `refused: ${refused}`, dash, dash, dash, dash, dash, dash]);
    else if (pairs.length > 0) rows.push(mbRow(name, pairs));
  }
  if (c.peerMissing) rows.push(['mprof', 'not installed', dash, dash, dash, dash, dash, dash]);
  else if (c.mprof.length > 0) {
    const s = c.mprof.map((p) => p.sampling);
    const kept = agg(s.map((x) => x.ticksKeptRatio));
    const err = agg(s.map((x) => x.intervalErrorP99Ms));
    const cpu = agg(c.mprof.map((p) => p.marginalCpuPercent));
    rows.push([
      'mprof --include-children',
      kept ? `${pct(kept.median)}${mark(kept.median, GOALS.ticksKept)}` : dash,
      err ? `${fixed(err.median, 3, ' ms')}${mark(err.median, GOALS.intervalErrorP99)}` : dash,
      fixed(agg(s.map((x) => x.intervalP99Ms))?.median, 2, ' ms'),
      cpu ? `${spread(cpu, 1, ' %')}${mark(cpu.median, GOALS.cpu)}` : dash,
      dash,
      fixed(agg(c.mprof.map((p) => p.long.window?.percentOfCore))?.median, 1, ' %'),
      mib(agg(s.map((x) => x.peakBytes))?.median),
    ]);
  }
  const floor = agg(c.floor.map((p) => p.marginalCpuPercent));
  const floorKept = agg(c.floor.map((p) => p.timing?.ticksKeptRatio));
  const floorErr = agg(c.floor.map((p) => p.timing?.intervalErrorP99Ms));
  rows.push([
    'C floor (pread ×7, clock_nanosleep)',
    floorKept ? `${pct(floorKept.median)}${mark(floorKept.median, GOALS.ticksKept)}` : dash,
    floorErr ? `${fixed(floorErr.median, 3, ' ms')}${mark(floorErr.median, GOALS.intervalErrorP99)}` : dash,
    fixed(agg(c.floor.map((p) => p.timing?.intervalP99Ms))?.median, 2, ' ms'),
    floor ? `${spread(floor, 1, ' %')}${mark(floor.median, GOALS.cpu)}` : dash,
    dash,
    fixed(agg(c.floor.map((p) => p.long.window?.percentOfCore))?.median, 1, ' %'),
    dash,
  ]);
  const same = agg(c.sameReads.map((p) => p.marginalCpuPercent));
  rows.push([
    "C same reads (membench's tiers, one thread)",
    dash,
    dash,
    dash,
    same ? `${spread(same, 1, ' %')}${mark(same.median, GOALS.cpu)}` : dash,
    dash,
    fixed(agg(c.sameReads.map((p) => p.long.window?.percentOfCore))?.median, 1, ' %'),
    dash,
  ]);
  const header = [
    'sampler at 1 ms [fast tier]',
    `ticks kept (${GOALS.ticksKept.label})`,
    `p99 interval error (${GOALS.intervalErrorP99.label})`,
    'p99 gap',
    `CPU % core, marginal (${GOALS.cpu.label})`,
    'CPU % self-reported',
    'CPU % steady',
    'tree peak seen',
  ];
  return renderTable(header, rows);
}

/** Why --realtime did not get SCHED_FIFO in some round (the first reason), or null when it did in every one. */
function realtimeRefused(pairs: readonly MembenchPair[]): string | null {
  const bad = pairs.find((p) => p.run.sampling!.samplerSchedPolicy !== 'fifo');
  return bad ? (bad.run.sampling!.realtimeRefused ?? `the thread ran ${bad.run.sampling!.samplerSchedPolicy ?? 'unknown'}`) : null;
}

function ratios(c: Collected): string {
  const per = <T, U>(xs: readonly T[], ys: readonly U[], f: (x: T, y: U) => number | null): Agg | null =>
    agg(xs.slice(0, ys.length).map((x, i) => f(x, ys[i]!)));
  const cpu = (a: ToolPair, b: ToolPair): number => a.marginalCpuPercent / b.marginalCpuPercent;
  const lines: [string, Agg | null, string, number?][] = [];
  for (const [name, { variant, pairs }] of c.membench) {
    if ((variant.realtime && realtimeRefused(pairs)) || variant.children) continue; // the C references sample the 5-process tree
    lines.push([`${name} CPU / C floor`, per(pairs, c.floor, cpu), '×']);
    // The machine's own wake-up jitter, measured in the same round, is what membench can at best match.
    lines.push([
      `${name} p99 interval error − C floor's`,
      per(pairs, c.floor, (m, f) => (m.run.sampling!.intervalErrorP99Ms ?? NaN) - (f.timing?.intervalErrorP99Ms ?? NaN)),
      ' ms',
      3,
    ]);
    lines.push([`${name} CPU / C same reads   (goal ≤ 1.5×)`, per(pairs, c.sameReads, cpu), '×']);
    // The fast tier alone: the native helper process against the C floor, both steady (schedstat over a window).
    lines.push([
      `${name} native helper / C floor, both steady   (goal ≤ 1.3×)`,
      per(pairs, c.floor, (m, f) => (nativeShare(m.long.window) ?? NaN) / (f.long.window?.percentOfCore ?? NaN)),
      '×',
    ]);
    if (c.mprof.length > 0) lines.push([`mprof CPU / ${name} CPU   (goal ≥ 10×)`, per(c.mprof, pairs, cpu), '×']);
  }
  const main = pairsOf(c, MAIN);
  for (const [name, { pairs }] of c.membench) {
    if (name === MAIN) continue;
    lines.push([`${name} CPU / ${MAIN} CPU`, per(pairs, main, cpu), '×']);
  }
  const before = [...c.membench.values()].find((m) => m.variant.cli && !m.variant.children);
  const big = [...c.membench.values()].find((m) => !m.variant.cli && m.variant.children);
  if (before && big)
    lines.push([`${big.variant.name} CPU / ${before.variant.name} CPU   (goal ≤ 3×)`, per(big.pairs, before.pairs, cpu), '×']);
  if (c.mprof.length > 0) {
    lines.push([
      `${MAIN} ticks kept / mprof ticks kept`,
      per(main, c.mprof, (m, p) => (m.run.sampling!.ticksKeptRatio ?? NaN) / (p.sampling.ticksKeptRatio ?? NaN)),
      '×',
    ]);
  }
  const w = Math.max(...lines.map((l) => l[0].length));
  return lines.map(([name, a, unit, digits]) => `  ${name.padEnd(w)}   ${spread(a, digits ?? 2, unit)}`).join('\n');
}

function threadTable(c: Collected): string {
  const row = (name: string, windows: readonly (WindowCpu | null)[]): string[] => {
    const t = threadShares(windows);
    return [
      name,
      spread(t.native, 1, ' %'),
      spread(t.sampler, 1, ' %'),
      fixed(t.samplerWakeups?.median, 0, '/s'),
      spread(t.sampler2, 1, ' %'),
      spread(t.main, 1, ' %'),
      spread(t.other, 1, ' %'),
      spread(t.total, 1, ' %'),
    ];
  };
  const rows: string[][] = [];
  for (const [name, { variant, pairs }] of c.membench) {
    if (variant.realtime && realtimeRefused(pairs)) continue;
    rows.push(
      row(
        name,
        pairs.map((p) => p.long.window),
      ),
    );
  }
  if (c.mprof.length > 0)
    rows.push(
      row(
        'mprof',
        c.mprof.map((p) => p.long.window),
      ),
    );
  if (c.sameReads.length > 0)
    rows.push(
      row(
        'C same reads',
        c.sameReads.map((p) => p.long.window),
      ),
    );
  return renderTable(
    [
      'tool threads, % of a core',
      'native helper',
      'busiest waker',
      'its wake-ups',
      'next waker',
      'main thread',
      'other threads',
      'whole tool',
    ],
    rows,
  );
}

function variantTable(rs: readonly VariantResult[]): string {
  const rows = rs.map((r) => [
    r.variant.name,
    fixed(r.workerPercentOfCore, 1, ' %'),
    fixed(r.usPerTick, 0, ' µs'),
    fixed(r.slowPercentOfCore, 1, ' %'),
    pct(r.ticksKeptRatio),
    fixed(r.intervalErrorP99Ms, 3, ' ms'),
    fixed(r.intervalP99Ms, 2, ' ms'),
  ]);
  const by = (name: string): VariantResult | undefined => rs.find((r) => r.variant.name.startsWith(name));
  const diff = (a?: VariantResult, b?: VariantResult): string => (a && b ? fixed(a.usPerTick - b.usPerTick, 0, ' µs/tick') : dash);
  const slow = (a?: VariantResult, b?: VariantResult): string =>
    a && b ? fixed(a.slowPercentOfCore - b.slowPercentOfCore, 1, ' %') : dash;
  const cgDefault = by('cgroup, CLI default');
  const cg = by('cgroup, PSS fixed');
  const cgNoPss = by('cgroup, PSS tier off');
  const cgFast = by('cgroup, status');
  const empty = by('cgroup, empty');
  const pr = by('proc, PSS fixed');
  const prFast = by('proc, fast');
  const big = rs.find((r) => r.variant.children === 100 && !r.variant.maxStatmPerTick);
  const bigCap = rs.find((r) => r.variant.children === 100 && r.variant.maxStatmPerTick);
  const part = (name: string, value: string): string => `      ${name.padEnd(52)}${value}`;
  const lines = [
    renderTable(
      ['sampler worker, in-process, 1 ms', 'fast thread CPU', 'per tick', 'slow thread CPU', 'ticks kept', 'p99 err', 'p99 gap'],
      rows,
    ),
    '  differences (what each part costs):',
    '    fast thread, µs of its CPU per tick:',
    part('per-process work (cgroup.procs, statm ×6, sums)', diff(cgFast, empty)),
    part('wake-up + cgroup.procs + usage, nothing else', empty ? fixed(empty.usPerTick, 0, ' µs/tick') : dash),
    part('proc: task/ walks every 10 + marker scan every 50', diff(pr, prFast)),
    '    slow thread, % of a core:',
    part('status tier (status ×6 + memory.stat every 10 ms)', slow(cgNoPss, cgFast)),
    part('PSS tier, fixed 50 ms (smaps_rollup ×6 per pass)', slow(cg, cgNoPss)),
    part("PSS tier at the CLI's 2 % budget", slow(cgDefault, cgNoPss)),
    '    100-process tree (fast tier only), fast thread:',
    part('every statm every tick', big ? `${fixed(big.usPerTick, 0, ' µs/tick')}, ${pct(big.ticksKeptRatio)} kept` : dash),
    part(
      'statm ≤ 16 per tick, in turn (Σ RSS carried)',
      bigCap ? `${fixed(bigCap.usPerTick, 0, ' µs/tick')}, ${pct(bigCap.ticksKeptRatio)} kept` : dash,
    ),
  ];
  return lines.join('\n');
}

function opsTables(
  ops: { reads: readonly ReadCost[]; parts: readonly TickPart[] },
  measured: { cgroup: number | null; proc: number | null },
): string {
  const reads = renderTable(
    ['one read, tight loop (bench main thread)', 'µs per call'],
    ops.reads.map((r) => [r.name, fixed(r.hotUs, 2, ' µs')]),
  );
  const rows = ops.parts.map((o) => [
    o.name,
    fixed(o.us, 1, ' µs'),
    fixed(o.perTickCgroup, 2),
    fixed(o.us * o.perTickCgroup, 1, ' µs'),
    fixed(o.perTickProc, 2),
    fixed(o.us * o.perTickProc, 1, ' µs'),
  ]);
  const sumCg = ops.parts.reduce((a, o) => a + o.us * o.perTickCgroup, 0);
  const sumPr = ops.parts.reduce((a, o) => a + o.us * o.perTickProc, 0);
  rows.push(['modelled tick (sum)', '', '', fixed(sumCg, 1, ' µs'), '', fixed(sumPr, 1, ' µs')]);
  rows.push([
    'worker measured (variants "PSS fixed every 50 ms")',
    '',
    '',
    fixed(measured.cgroup, 1, ' µs'),
    '',
    fixed(measured.proc, 1, ' µs'),
  ]);
  const parts = renderTable(
    ['part of a tick, timed after a 1 ms sleep', 'per run', '×/tick cg', 'µs/tick cg', '×/tick proc', 'µs/tick proc'],
    rows,
  );
  return `${reads}\n\n${parts}\n  modelled 1 kHz cost: cgroup ${fixed(sumCg / 10, 1, ' %')} of a core, proc ${fixed(sumPr / 10, 1, ' %')}`;
}

// ---- main --------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  for (const [what, path] of [
    ['membench CLI', CLI],
    ['memfix fixture', MEMFIX],
    ['sampling-floor source', FLOOR_SRC],
  ] as const) {
    if (!existsSync(path)) throw new BenchFailure(`${what} not found at ${path}: run "npm run build" first`);
  }
  if (!haveTime()) throw new BenchFailure(`${TIME_BIN} is missing: apt-get install time (the CPU figures need it)`);
  const tmp = mkdtempSync(join(tmpdir(), 'membench-bench-'));
  const started = performance.now();
  try {
    const floorBin = buildC(FLOOR_SRC, tmp);
    const sameReadsBin = buildC(SAME_READS_SRC, tmp);
    const peerMissing = opts.peer && !haveMprof();
    const tools: MembenchVariant[] = [
      { name: MAIN, backend: 'cgroup' },
      ...(opts.before ? [{ name: 'membench before (cgroup)', backend: 'cgroup' as const, cli: opts.before }] : []),
      { name: 'membench (cgroup, MEMBENCH_NATIVE=0)', backend: 'cgroup', env: { MEMBENCH_NATIVE: '0' } },
      { name: `membench (cgroup), ${BIG_CHILDREN} processes`, backend: 'cgroup', children: BIG_CHILDREN },
      ...(opts.before
        ? [
            {
              name: `membench before (cgroup), ${BIG_CHILDREN} processes`,
              backend: 'cgroup' as const,
              cli: opts.before,
              children: BIG_CHILDREN,
            },
          ]
        : []),
      ...(opts.variants
        ? [
            { name: 'membench (proc)', backend: 'proc' as const },
            // Asked every round; where SCHED_FIFO is not permitted the run says so and the table prints the reason.
            { name: 'membench (cgroup, --realtime)', backend: 'cgroup' as const, realtime: true },
          ]
        : []),
    ];
    const c: Collected = {
      membench: new Map(tools.map((v) => [v.name, { variant: v, pairs: [] }])),
      mprof: [],
      floor: [],
      sameReads: [],
      peerMissing,
      bigTree: new Map<string, { cli: string; runs: BigTreeMeasure[] }>(
        opts.bigTreeN === null
          ? []
          : [
              [MAIN_BIG, { cli: CLI, runs: [] }],
              ...(opts.before
                ? [['membench before', { cli: opts.before, runs: [] }] as [string, { cli: string; runs: BigTreeMeasure[] }]]
                : []),
            ],
      ),
    };
    const bigShape: BigTreeShape = { processes: opts.bigTreeN ?? 0, sleepS: BIG_TREE_SLEEP_S };
    console.log(`membench sampler bench · Linux ${release()} · ${cpus().length} cores · node ${process.version} · ${opts.rounds} round(s)`);
    console.log(
      `tree: memfix tree 5 20 HOLD (5 children × 20 MiB); each tool runs HOLD = ${SHORT_MS / 1000} s and ${LONG_MS / 1000} s; C floor T = ${FLOOR_T.join(' and ')} s, 1000 Hz, K = 6`,
    );
    if (opts.before) console.log(`before: ${opts.before}`);
    if (peerMissing) console.log(MPROF_MISSING);
    const steps: [string, () => Promise<void>][] = [
      ['C floor', async () => void c.floor.push(await floorPair(floorBin, tmp))],
      ['C same reads', async () => void c.sameReads.push(await sameReadsPair(sameReadsBin, tmp))],
      ...tools.map((v): [string, () => Promise<void>] => [
        v.name,
        async () => void c.membench.get(v.name)!.pairs.push(await membenchPair(v, tmp)),
      ]),
    ];
    if (opts.peer && !peerMissing) steps.push(['mprof', async () => void c.mprof.push(await mprofPair(tmp))]);
    for (const [name, t] of c.bigTree)
      steps.push([
        `big tree: ${name}`,
        async () => {
          const r = await bigTreeRun(t.cli, bigShape, join(tmp, 'big-tree.json'), { cwd: ROOT });
          if (r.exitCode !== 0 || !r.run?.sampling)
            throw new BenchFailure(
              `big tree: ${name} exited ${r.exitCode}${r.run?.sampling ? '' : ' without sampling figures in its JSON'}: ${r.stderrTail.slice(-400) || '(no stderr)'}`,
            );
          t.runs.push({ run: r.run, outside: r.outside });
        },
      ]);
    for (let r = 0; r < opts.rounds; r++) {
      // Rotate which tool goes first, so a slow patch of the machine does not always hit the same tool.
      for (let k = 0; k < steps.length; k++) {
        const [name, step] = steps[(k + r) % steps.length]!;
        note(`  round ${r + 1}/${opts.rounds}: ${name}…`);
        await step();
      }
    }

    console.log('\n1–4. Sampling on the tree (medians over rounds; CPU also min–max)');
    console.log(mainTable(c));
    console.log(
      [
        '  [fast tier]: the sampler that ran the 1 kHz loop (sampling.fastSampler.kind: native = native/bin/sampler, js = the worker thread)',
        `  ticks kept, p99 interval error: membench from its JSON (runs[0].sampling, ${LONG_MS / 1000} s hold); mprof from its MEM lines vs span / 1 ms`,
        '  --realtime: the same cgroup run with the fast sampler thread SCHED_FIFO 1 (root or CAP_SYS_NICE; the reason is printed when refused)',
        '  p99 interval error: |gap between consecutive samples − 1 ms| for both tools (a skipped slot counts as a whole interval late);',
        '    mprof = |gap − 1 ms| (it has no schedule). p99 gap = p99 time between consecutive samples, the same for both.',
        `  CPU marginal = (CPU of the ${LONG_MS / 1000} s run − CPU of the ${SHORT_MS / 1000} s run) / ${EXTRA_S} s from /usr/bin/time (tool + the tree it waited for; the tree's own`,
        "    CPU is the same in both runs); self-reported = membench's samplerCpuPercentOfCore (its sampler threads); steady = all the tool's threads",
        `    (schedstat) between ${WINDOW[0]} s and ${WINDOW[1]} s of the ${LONG_MS / 1000} s run; the C floor's between ${FLOOR_WINDOW[0]} s and ${FLOOR_WINDOW[1]} s of its ${FLOOR_T[1]} s run. tree peak seen: membench cgroup = cgroup counter, proc = Σ RSS, mprof = max MEM.`,
        `  C same reads: fixtures/src/sampling-same-reads.c ${SAME_READS_ARGS.join(' ')} -- (the tree in its own v1 memory cgroup; every 1 ms cgroup.procs,`,
        '    statm ×N, memory.usage_in_bytes; every 10 ticks status ×N + memory.stat; smaps_rollup ×N from every 50 ms within 2 % of a core).',
        `  C floor ticks kept, p99 interval error, p99 gap: computed by sampling-floor.c over its own T = ${FLOOR_T[1]} s run, from the gaps between`,
        '    consecutive tick starts, as membench computes intervalErrorP99Ms (nearest rank, a skipped slot a whole interval late): the',
        '    machine\'s own wake-up jitter in this round. "p99 interval error − C floor\'s" below is what membench adds to it, in ms.',
      ].join('\n'),
    );
    console.log('\n  Ratios (taken within each round, then the median; min–max across rounds)');
    console.log(ratios(c));
    const floorMed = agg(c.floor.map((p) => p.marginalCpuPercent))?.median;
    if (floorMed !== undefined && floorMed > 3)
      console.log(
        `  note: the C floor itself costs ${floorMed.toFixed(1)} % > the 3 % goal at 1 kHz here: the CPU goal cannot be met by any sampler that wakes 1000×/s on this machine.`,
      );

    console.log(`\n  Where the tools' CPU goes during the ${LONG_MS / 1000} s hold (schedstat, per thread)`);
    console.log(threadTable(c));

    if (c.bigTree.size > 0) {
      console.log(
        `\nBig tree: ${bigShape.processes} processes (sh + ${bigShape.processes} × sleep ${bigShape.sleepS}) at default settings (medians over rounds, min–max)`,
      );
      console.log(
        bigTreeTable(
          [...c.bigTree].map(([name, t]) => ({ name, runs: t.runs })),
          bigShape,
        ),
      );
    }

    let variants: VariantResult[] = [];
    if (opts.attribution) {
      note('  sampler variants…');
      // The JavaScript fast thread: the breakdown below is of its parts (the native helper is a process of its own).
      const saved = process.env[NATIVE_ENV];
      process.env[NATIVE_ENV] = '0';
      try {
        variants = await measureVariants(MEMFIX, VARIANTS);
      } finally {
        if (saved === undefined) delete process.env[NATIVE_ENV];
        else process.env[NATIVE_ENV] = saved;
      }
      console.log(
        `\n  Sampler worker under switched-off tiers (dist/src/sample/worker.js in this process with ${NATIVE_ENV}=0, 5-child tree, schedstat of its thread; median of 3 × 1 s)`,
      );
      console.log(variantTable(variants));
      note('  read costs…');
      const ops = await measureOps(MEMFIX);
      console.log('\n  Cost of each read, and of each part of a tick (status every 10 ticks, PSS every 50, marker scan every 50)');
      const fixed50 = (b: string): number | null =>
        variants.find((v) => v.variant.backend === b && v.variant.name.includes('PSS fixed'))?.usPerTick ?? null;
      console.log(opsTables(ops, { cgroup: fixed50('cgroup'), proc: fixed50('proc') }));
      note('  wake-ups…');
      const wakeups = await measureWakeups(floorBin, tmp);
      console.log(
        '\n  The wake-up, node against C (each loop alone in a thread or process, same reads: K × /proc/self/statm + cgroup usage;',
      );
      console.log(
        '  CPU of that thread from schedstat, of the C process from /usr/bin/time; a slot is kept when a tick starts inside its 1 ms)',
      );
      console.log(wakeupTable(wakeups));
      console.log(floorLadder(wakeups, variants));
    }

    if (opts.profile) {
      note('  --cpu-prof run…');
      const dir = mkdtempSync(join(tmp, 'prof-'));
      const p = profileWorker(CLI, MEMFIX, dir, 4000);
      console.log('\n  V8 profile of the sampler worker (self time; "run" includes time blocked in Atomics.wait)');
      if (typeof p === 'string') console.log(`  ${p}`);
      else
        console.log(
          renderTable(
            ['function', 'self ms', 'share'],
            p.rows.map((r) => [r.fn, fixed(r.ms, 1), pct(r.share)]),
          ),
        );
    }

    note('  analysis throughput…');
    const a = analysisThroughput();
    console.log(
      `\n5. Analysis of 1 h at 1 kHz (${(a.ticks / 1e6).toFixed(1)} M fast ticks, ${Math.ceil(a.ticks / 10)} status rows, ${Math.ceil(a.ticks / 50)} PSS rows; median of 5; computeStats aggregates every figure above)`,
    );
    console.log(
      renderTable(
        ['function', 'time', 'ticks/s'],
        a.rows.map((r) => [r.name, fixed(r.medianMs, 1, ' ms'), `${(r.ticksPerS / 1e6).toFixed(1)} M`]),
      ),
    );
    const g = columnsGrowth(a.ticks);
    // Rows where Columns starts a new chunk (every CHUNK_ROWS) allocate; other slow pushes are preemption or GC.
    const isChunkStart = (row: number): boolean => row > 0 && row % CHUNK_ROWS === 0;
    const atChunks = g.overOneMs.filter(([row]) => isChunkStart(row)).map(([row, ms]) => `${ms.toFixed(0)} ms at row ${row}`);
    const others = g.overOneMs.filter(([row]) => !isChunkStart(row));
    console.log(
      `  sampler storage: ${(a.ticks / 1e6).toFixed(1)} M Columns.push (6 columns, chunks of ${CHUNK_ROWS} rows) took ${g.totalMs.toFixed(0)} ms, worst push ${g.worstMs.toFixed(2)} ms at row ${g.worstAtRow}; pushes that held a 1 ms loop > 1 ms:`,
    );
    console.log(
      `    at a new chunk: ${atChunks.length === 0 ? 'none' : atChunks.slice(0, 8).join(', ')}${atChunks.length > 8 ? ` (+${atChunks.length - 8} more)` : ''}`,
    );
    console.log(
      `    elsewhere (preemption, GC): ${others.length}${others.length ? `, worst ${Math.max(...others.map(([, ms]) => ms)).toFixed(0)} ms` : ''}`,
    );
    const j = columnsJoinMs(a.ticks);
    console.log(
      `  joining ${(a.ticks / 1e6).toFixed(1)} M rows into contiguous arrays at stop (toArrays, once per run): ${j.toFixed(0)} ms`,
    );
    console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof BenchFailure ? e.message : ((e as Error)?.stack ?? String(e))}\n`);
    process.exitCode = 1;
  },
);
