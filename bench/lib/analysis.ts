// Analysis throughput: one hour sampled at 1 kHz (3.6 M fast ticks, status every 10 ticks, PSS every 50) pushed
// through the same functions a run result is built with.
import { buildTimeline, computePeaks } from '../../src/analyze/run-figures.js';
import { computeStats } from '../../src/analyze/stats.js';
import { Columns } from '../../src/sample/columns.js';
import type { ProcessSeen, SamplerColumns } from '../../src/sample/protocol.js';

const MIB = 2 ** 20;

/** Deterministic columns shaped like a 5-child tree that grows, spikes and shrinks; t jitters around 1 ms. */
export function synthColumns(ticks: number, statusEvery = 10, pssEvery = 50): SamplerColumns {
  let seed = 42;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const f = {
    tMs: new Float64Array(ticks),
    treeBytes: new Float64Array(ticks),
    rssSumBytes: new Float64Array(ticks),
    vszSumBytes: new Float64Array(ticks),
    largestRssBytes: new Float64Array(ticks),
    processCount: new Float64Array(ticks),
  };
  const ns = Math.ceil(ticks / statusEvery);
  const s = {
    tMs: new Float64Array(ns),
    vmDataSumBytes: new Float64Array(ns),
    anonBytes: new Float64Array(ns),
    fileBytes: new Float64Array(ns),
  };
  const np = Math.ceil(ticks / pssEvery);
  const p = {
    tMs: new Float64Array(np),
    pssSumBytes: new Float64Array(np),
    ussSumBytes: new Float64Array(np),
    swapSumBytes: new Float64Array(np),
  };
  let t = 0;
  for (let i = 0; i < ticks; i++) {
    t += 0.95 + 0.1 * rnd() + (rnd() < 0.01 ? 2 : 0);
    const phase = (i % 60_000) / 60_000;
    const tree = Math.round((20 + 80 * Math.sin(Math.PI * phase) + (i % 7919 === 0 ? 50 : 0)) * MIB) & ~4095;
    f.tMs[i] = t;
    f.treeBytes[i] = tree;
    f.rssSumBytes[i] = tree + 3 * MIB;
    f.vszSumBytes[i] = tree + 13 * MIB;
    f.largestRssBytes[i] = tree / 5;
    f.processCount[i] = 6;
    if (i % statusEvery === 0) {
      const k = i / statusEvery;
      s.tMs[k] = t;
      s.vmDataSumBytes[k] = tree;
      s.anonBytes[k] = tree - MIB;
      s.fileBytes[k] = 0;
    }
    if (i % pssEvery === 0) {
      const k = i / pssEvery;
      p.tMs[k] = t;
      p.pssSumBytes[k] = tree + MIB / 2;
      p.ussSumBytes[k] = tree;
      p.swapSumBytes[k] = 0;
    }
  }
  return { fast: f, status: s, pss: p };
}

const processes = (n: number): ProcessSeen[] =>
  Array.from({ length: n }, (_, i) => ({
    pid: 1000 + i,
    ppid: i === 0 ? 1 : 1000,
    name: 'memfix',
    cmdline: 'memfix tree 5 20 3600000',
    firstSeenMs: 0,
    lastSeenMs: 3_600_000,
    maxRssBytes: 20 * MIB,
    vmHwmBytes: 20 * MIB + 4096 * i,
    maxPssBytes: null,
    maxUssBytes: null,
    maxVmDataBytes: null,
  }));

export interface Throughput {
  readonly name: string;
  readonly medianMs: number;
  readonly ticksPerS: number;
}

function time(name: string, ticks: number, reps: number, fn: () => unknown): Throughput {
  fn(); // warm-up: compile the hot loops before timing
  const ms: number[] = [];
  let sink = 0;
  for (let r = 0; r < reps; r++) {
    const a = performance.now();
    sink += fn() ? 1 : 0;
    ms.push(performance.now() - a);
  }
  if (sink < 0) console.log(sink);
  const med = computeStats(ms)!.median;
  return { name, medianMs: med, ticksPerS: ticks / (med / 1000) };
}

export function analysisThroughput(ticks = 3_600_000, reps = 5): { ticks: number; synthMs: number; rows: Throughput[] } {
  const a = performance.now();
  const columns = synthColumns(ticks);
  const synthMs = performance.now() - a;
  const procs = processes(6);
  const rows = [
    time('buildTimeline(…, 2000)', ticks, reps, () => buildTimeline(columns, 2000)),
    time('computePeaks', ticks, reps, () => computePeaks({ columns, processes: procs, cgroupPeakBytes: null })),
  ];
  return { ticks, synthMs, rows };
}

export interface GrowthStalls {
  readonly totalMs: number;
  readonly worstMs: number;
  readonly worstAtRow: number;
  /** Pushes that took longer than one 1 ms tick: [row, ms]. */
  readonly overOneMs: readonly (readonly [number, number])[];
}

/**
 * The sampler's own storage over a long run: the worker appends one row per tick to Columns (6 Float64 columns,
 * doubling when full). A push that copies the columns holds the sampling loop for as long as the copy takes.
 */
/** Time of one toArrays() over `ticks` rows of the 6 fast columns: the join a run pays once, at stop. */
export function columnsJoinMs(ticks = 3_600_000): number {
  const c = new Columns(['tMs', 'treeBytes', 'rssSumBytes', 'vszSumBytes', 'largestRssBytes', 'processCount'] as const);
  for (let i = 0; i < ticks; i++) c.push(i, i, i, i, i, 6);
  const t0 = performance.now();
  c.toArrays();
  return performance.now() - t0;
}

export function columnsGrowth(ticks = 3_600_000): GrowthStalls {
  const c = new Columns(['tMs', 'treeBytes', 'rssSumBytes', 'vszSumBytes', 'largestRssBytes', 'processCount'] as const);
  let worst = 0;
  let worstAt = 0;
  const over: [number, number][] = [];
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) {
    const a = performance.now();
    c.push(i, i, i, i, i, 6);
    const d = performance.now() - a;
    if (d > 1) over.push([i, d]);
    if (d > worst) {
      worst = d;
      worstAt = i;
    }
  }
  return { totalMs: performance.now() - t0, worstMs: worst, worstAtRow: worstAt, overOneMs: over };
}
