// Values users type on the command line: durations and counts, with errors that say what was expected.
import { usageError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** "1ms", "0.5s", "250us", "2m"; a bare number is milliseconds. Returns milliseconds. */
export function parseDurationMs(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|m|min|h)?\s*$/.exec(text);
  if (!m) throw usageError(`${flag}: "${text}" is not a duration`, 'write e.g. 1ms, 0.5s, 250us or 2m');
  const value = Number(m[1]) * DURATION_UNITS[m[2] ?? 'ms']!;
  if (!(value > 0)) throw usageError(`${flag}: must be greater than zero, got "${text}"`);
  return value;
}

export function parseCount(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text.trim()))
    throw usageError(`${flag}: "${text}" is not a whole number`, `write digits only, e.g. ${Math.max(min, 1)}`);
  const n = Number(text);
  if (n < min || n > max) throw usageError(`${flag}: ${n} is out of range`, `use ${min}…${max === Number.MAX_SAFE_INTEGER ? '∞' : max}`);
  return n;
}

export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw usageError(`${flag}: "${text}" is not one of ${choices.join(', ')}`);
  return text as T;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
};

/** "512M", "1G", "256MiB", "64k", "1048576" → bytes (K/M/G are powers of 1024, as in ulimit and cgroup files). */
export function parseSizeBytes(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = SIZE_UNITS[(m?.[2] ?? '?').toLowerCase()];
  if (!m || unit === undefined) throw usageError(`${flag}: "${text}" is not a size`, 'write e.g. 512M, 1G, 64K or a number of bytes');
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes <= 0) throw usageError(`${flag}: must be greater than zero, got "${text}"`);
  return bytes;
}

/** "20%" or "0.2" (of one CPU; "150%" = one and a half CPUs) → fraction of one CPU. */
export function parseCpuFraction(flag: string, text: string, cpuCount: number): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw usageError(`${flag}: "${text}" is not a CPU share`, 'write e.g. 20% (a fifth of one CPU) or 150% (one and a half)');
  const fraction = m[2] === '%' ? Number(m[1]) / 100 : Number(m[1]);
  if (!(fraction > 0)) throw usageError(`${flag}: must be greater than zero, got "${text}"`);
  if (fraction > cpuCount) throw usageError(`${flag}: ${text} is more than the ${cpuCount} CPUs of this machine`);
  return fraction;
}

/** "0", "0-1", "0,2-3" → sorted CPU numbers, each checked against the machine's CPUs. */
export function parseCpuList(flag: string, text: string, cpuCount: number): number[] {
  const cpus = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) throw usageError(`${flag}: "${text}" is not a CPU list`, 'write e.g. 0, 0-1 or 0,2-3');
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw usageError(`${flag}: range ${part} runs backwards`);
    for (let c = lo; c <= hi; c++) {
      if (c >= cpuCount) throw usageError(`${flag}: CPU ${c} does not exist here`, `this machine has CPUs 0-${cpuCount - 1}`);
      cpus.add(c);
    }
  }
  return [...cpus].sort((a, b) => a - b);
}

/** "1,2,4" → each item parsed by `item`; duplicates removed, order kept. */
export function parseList<T>(flag: string, text: string, item: (t: string) => T): T[] {
  const parts = text.split(',').map((t) => t.trim());
  if (parts.some((p) => p === '')) throw usageError(`${flag}: "${text}" has an empty item`, 'write a comma-separated list, e.g. 1,2,4');
  return [...new Set(parts.map(item))];
}
