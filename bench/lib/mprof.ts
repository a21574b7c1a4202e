// The peer: memory_profiler's `mprof run` (Debian python3-memory-profiler). Its output file has one line per
// sample, "MEM <MiB> <epoch seconds>", which is all we need to judge its sampling.
import { spawnSync } from 'node:child_process';
import { percentileSorted } from '../../src/stats-core.js';

export const MPROF_BIN = 'python3-mprof';
export const MPROF_MISSING = `peer not installed: apt-get install python3-memory-profiler (no ${MPROF_BIN} on PATH); skipping the mprof rows`;

export function haveMprof(): boolean {
  const r = spawnSync(MPROF_BIN, ['--help'], { stdio: 'ignore', timeout: 20_000 });
  return !r.error;
}

export const mprofArgv = (outFile: string, intervalS: number, command: readonly string[]): string[] => [
  MPROF_BIN,
  'run',
  '--include-children',
  '--interval',
  String(intervalS),
  '--output',
  outFile,
  ...command,
];

export interface MprofSampling {
  readonly samples: number;
  readonly spanS: number;
  /** samples / (span / interval + 1): the ticks it kept out of those a 1 kHz schedule would have had. */
  readonly ticksKeptRatio: number | null;
  /** p99 of |gap − interval| between consecutive samples (it has no schedule, only sleeps between samples). */
  readonly intervalErrorP99Ms: number | null;
  readonly intervalP99Ms: number | null;
  readonly peakBytes: number | null;
}

/** Parses an mprof .dat file; timestamps are rounded to 0.1 ms by mprof, which bounds the error figures' precision. */
export function parseMprof(text: string, intervalS: number): MprofSampling {
  const t: number[] = [];
  let peakMib = -Infinity;
  for (const line of text.split('\n')) {
    if (!line.startsWith('MEM ')) continue;
    const [, mib, ts] = line.split(' ');
    const m = Number(mib);
    const s = Number(ts);
    if (!Number.isFinite(m) || !Number.isFinite(s)) continue;
    t.push(s);
    if (m > peakMib) peakMib = m;
  }
  const n = t.length;
  if (n < 2)
    return {
      samples: n,
      spanS: 0,
      ticksKeptRatio: null,
      intervalErrorP99Ms: null,
      intervalP99Ms: null,
      peakBytes: n ? peakMib * 2 ** 20 : null,
    };
  const spanS = t[n - 1]! - t[0]!;
  const gaps = new Float64Array(n - 1);
  const errs = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) {
    gaps[i - 1] = (t[i]! - t[i - 1]!) * 1000;
    errs[i - 1] = Math.abs(gaps[i - 1]! - intervalS * 1000);
  }
  gaps.sort();
  errs.sort();
  const expected = Math.floor(spanS / intervalS) + 1;
  return {
    samples: n,
    spanS,
    ticksKeptRatio: Math.min(1, n / expected),
    intervalErrorP99Ms: percentileSorted(errs, 0.99),
    intervalP99Ms: percentileSorted(gaps, 0.99),
    peakBytes: Math.round(peakMib * 2 ** 20),
  };
}
