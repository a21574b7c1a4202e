// The wake-up at 1 kHz, node against C, side by side: each configuration ticks for a few seconds on the same
// 1 ms absolute schedule and re-reads the same files (K × /proc/self/statm + the memory cgroup's usage) as the
// C floor; CPU per tick and slots kept are compared within one invocation, configurations interleaved.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { computeStats } from '../../src/analyze/stats.js';
import type { VariantResult } from './attribution.js';
import { timed } from './cpu.js';
import { dash, fixed, pct, renderTable } from './table.js';
import type { Priority, SleepMethod, WakeupJob, WakeupOutcome } from './wakeup-worker.js';

export interface WakeupConfig {
  readonly name: string;
  readonly tool: 'c' | 'node';
  readonly method: SleepMethod | 'clock_nanosleep';
  readonly priority: Priority;
  /** statm files read per tick (plus the cgroup usage file when > 0). */
  readonly k: number;
}

export const WAKEUP_CONFIGS: readonly WakeupConfig[] = [
  { name: 'C clock_nanosleep, no reads', tool: 'c', method: 'clock_nanosleep', priority: 'normal', k: 0 },
  { name: 'node Atomics.wait, no reads', tool: 'node', method: 'atomics', priority: 'normal', k: 0 },
  { name: 'C clock_nanosleep, 7 preads', tool: 'c', method: 'clock_nanosleep', priority: 'normal', k: 6 },
  { name: 'node Atomics.wait, 7 readSync', tool: 'node', method: 'atomics', priority: 'normal', k: 6 },
  { name: 'node Atomics.wait + 0.1 ms spin, 7 readSync', tool: 'node', method: 'atomics+spin', priority: 'normal', k: 6 },
  { name: 'node setTimeout (event loop), 7 readSync', tool: 'node', method: 'setTimeout', priority: 'normal', k: 6 },
  { name: 'C clock_nanosleep, 7 preads, nice -10', tool: 'c', method: 'clock_nanosleep', priority: 'nice-10', k: 6 },
  { name: 'node Atomics.wait, 7 readSync, nice -10', tool: 'node', method: 'atomics', priority: 'nice-10', k: 6 },
  { name: 'C clock_nanosleep, 7 preads, SCHED_FIFO', tool: 'c', method: 'clock_nanosleep', priority: 'fifo', k: 6 },
  { name: 'node Atomics.wait, 7 readSync, SCHED_FIFO', tool: 'node', method: 'atomics', priority: 'fifo', k: 6 },
];

export interface WakeupResult {
  readonly config: WakeupConfig;
  readonly usPerTick: number | null;
  readonly keptRatio: number | null;
  /** Slots kept had late ticks been given up as the strict rule did (same run; node only). */
  readonly keptStrictRatio: number | null;
  readonly lateP99Ms: number | null;
  readonly note: string;
}

interface Pass {
  readonly usPerTick: number;
  readonly keptRatio: number;
  readonly keptStrictRatio: number | null;
  readonly lateP99Ms: number | null;
  readonly note: string;
}

/** The memory cgroup's usage file of this process, as the C floor finds it. */
function usageFile(): string | null {
  const m = /^\d+:memory:(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'latin1'));
  return m ? `/sys/fs/cgroup/memory${m[1]}/memory.usage_in_bytes` : null;
}

async function nodePass(c: WakeupConfig, seconds: number): Promise<Pass> {
  const usage = usageFile();
  const files = c.k > 0 ? [...Array.from({ length: c.k }, () => '/proc/self/statm'), ...(usage ? [usage] : [])] : [];
  const job: WakeupJob = { method: c.method as SleepMethod, priority: c.priority, files, seconds, intervalMs: 1 };
  const worker = new Worker(new URL('./wakeup-worker.js', import.meta.url), { workerData: job });
  const out = await new Promise<WakeupOutcome>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  return {
    usPerTick: (out.cpuMs * 1000) / out.ticks,
    keptRatio: (out.slots - out.missed) / out.slots,
    keptStrictRatio: (out.slots - out.missed - out.keptLate) / out.slots,
    lateP99Ms: out.lateP99Ms,
    note: out.priorityFailed ? 'priority not set' : '',
  };
}

async function cPass(c: WakeupConfig, seconds: number, bin: string, tmp: string): Promise<Pass> {
  const prefix = c.priority === 'fifo' ? ['chrt', '-f', '10'] : c.priority === 'nice-10' ? ['nice', '-n', '-10'] : [];
  const r = await timed([...prefix, bin, String(seconds), '1000', String(c.k)], { cwd: tmp, timeFile: `${tmp}/wakeup-time` });
  const m = /ticks (\d+) slots (\d+) missed (\d+)/.exec(r.stderrTail);
  if (r.exitCode !== 0 || !m)
    return { usPerTick: NaN, keptRatio: NaN, keptStrictRatio: null, lateP99Ms: null, note: `failed: ${r.stderrTail.slice(-120)}` };
  const [ticks, slots, missed] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { usPerTick: (r.cpuS * 1e6) / ticks, keptRatio: (slots - missed) / slots, keptStrictRatio: null, lateP99Ms: null, note: '' };
}

/** Every configuration `passes` times, rotated so a slow patch of the machine is shared out; medians. */
export async function measureWakeups(
  floorBin: string,
  tmp: string,
  configs = WAKEUP_CONFIGS,
  passes = 2,
  seconds = 2,
): Promise<WakeupResult[]> {
  const got = configs.map(() => [] as Pass[]);
  for (let p = 0; p < passes; p++) {
    for (let k = 0; k < configs.length; k++) {
      const i = (k + p * 5) % configs.length;
      const c = configs[i]!;
      got[i]!.push(c.tool === 'c' ? await cPass(c, seconds, floorBin, tmp) : await nodePass(c, seconds));
    }
  }
  const med = (xs: readonly (number | null)[]): number | null => computeStats(xs.map((x) => x ?? NaN))?.median ?? null;
  return configs.map((config, i) => ({
    config,
    usPerTick: med(got[i]!.map((x) => x.usPerTick)),
    keptRatio: med(got[i]!.map((x) => x.keptRatio)),
    keptStrictRatio: med(got[i]!.map((x) => x.keptStrictRatio)),
    lateP99Ms: med(got[i]!.map((x) => x.lateP99Ms)),
    note: [...new Set(got[i]!.map((x) => x.note).filter(Boolean))].join('; '),
  }));
}

// ---- rendering -------------------------------------------------------------------------------------

/** The fast thread's CPU per tick as steps up from the C floor, every figure from this invocation. */
export function floorLadder(ws: readonly WakeupResult[], vs: readonly VariantResult[]): string {
  const w = (tool: 'c' | 'node', k: number): number | null =>
    ws.find(
      (r) =>
        r.config.tool === tool &&
        r.config.k === k &&
        r.config.priority === 'normal' &&
        r.config.method !== 'atomics+spin' &&
        r.config.method !== 'setTimeout',
    )?.usPerTick ?? null;
  const v = (name: string): number | null => vs.find((r) => r.variant.name.startsWith(name))?.usPerTick ?? null;
  const steps: [string, number | null][] = [
    ['C: clock_nanosleep wake-up alone', w('c', 0)],
    ['C floor: wake-up + 7 preads', w('c', 6)],
    ['node: Atomics.wait wake-up alone', w('node', 0)],
    ['node floor: Atomics.wait + 7 readSync', w('node', 6)],
    ['membench fast thread, empty group (wake-up + 2 reads + bookkeeping)', v('cgroup, empty')],
    ['membench fast thread, 6 processes, fast tier only', v('cgroup, status')],
  ];
  const base = w('c', 6);
  const width = Math.max(...steps.map(([n]) => n.length));
  return [
    '  fast thread, µs of CPU per tick (and × the C floor), this invocation:',
    ...steps.map(
      ([n, us]) =>
        `    ${n.padEnd(width)}  ${fixed(us, 1, ' µs').padStart(9)}  ${base && us !== null ? `${(us / base).toFixed(2)}×` : dash}`,
    ),
  ].join('\n');
}

export function wakeupTable(rs: readonly WakeupResult[]): string {
  const cFloor = rs.find((r) => r.config.tool === 'c' && r.config.k === 6 && r.config.priority === 'normal')?.usPerTick ?? null;
  const cWake = rs.find((r) => r.config.tool === 'c' && r.config.k === 0)?.usPerTick ?? null;
  const rows = rs.map((r) => {
    const vsC = r.config.k === 0 ? cWake : cFloor;
    return [
      r.config.name,
      fixed(r.usPerTick, 1, ' µs'),
      fixed(r.usPerTick === null ? null : r.usPerTick / 10, 1, ' %'),
      vsC && r.usPerTick !== null ? `${(r.usPerTick / vsC).toFixed(2)}×` : dash,
      pct(r.keptRatio),
      pct(r.keptStrictRatio),
      fixed(r.lateP99Ms, 3, ' ms'),
      r.note,
    ];
  });
  return renderTable(
    [
      '1 kHz loop, 2 s each (median of 2)',
      'CPU per tick',
      '% of a core',
      '× C (same reads)',
      'slots kept',
      'strict rule (before)',
      'p99 late',
      '',
    ],
    rows,
  );
}
