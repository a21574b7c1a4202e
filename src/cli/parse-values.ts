// Values users type on the command line: durations and counts, with errors that say what was expected.
import { usageError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { us: 0.001, 'µs': 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** "1ms", "0.5s", "250us", "2m"; a bare number is milliseconds. Returns milliseconds. */
export function parseDurationMs(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s|m|min|h)?\s*$/.exec(text);
  if (!m) throw usageError(`${flag}: "${text}" is not a duration`, 'write e.g. 1ms, 0.5s, 250us or 2m');
  const value = Number(m[1]) * DURATION_UNITS[m[2] ?? 'ms']!;
  if (!(value > 0)) throw usageError(`${flag}: must be greater than zero, got "${text}"`);
  return value;
}

export function parseCount(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`${flag}: "${text}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw usageError(`${flag}: ${n} is out of range`, `use ${min}…${max === Number.MAX_SAFE_INTEGER ? '∞' : max}`);
  return n;
}

export function parseChoice<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw usageError(`${flag}: "${text}" is not one of ${choices.join(', ')}`);
  return text as T;
}
