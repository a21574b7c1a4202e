// Checks that every number in a diagnosis sentence is computable from the JSON object beside it: each quantity
// printed (bytes, rates, durations, percentages, ratios, counts) must be what the house formatters print for one of
// the object's figures, a difference of two of them, a ratio of two (percentages and ×), or a documented constant.
import { formatBytes, formatMs, formatPercent } from '../../src/units.js';
import { MIN_CYCLES, MIN_RISES, MIN_SAMPLES, MIN_STEADY_MS, REST_MS, STARTUP_FRACTION } from '../../src/analyze/leak.js';

/** Thresholds the sentences quote, as the leak module exports them (95 % is the confidence level, in the JSON). */
export const CONSTANTS = [STARTUP_FRACTION, MIN_STEADY_MS, MIN_SAMPLES, MIN_CYCLES, MIN_RISES, REST_MS];

/** Every finite number in a JSON value, depth first. */
export function leaves(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  else if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) leaves(x, out);
  return out;
}

const QUANTITY = /(−|-)?(\d+(?:\.\d+)?)\s?(GiB|MiB|KiB|B|µs|ms|s|%|×)(\/s)?(?![\w])|(?<![\w.])(\d+)(?![\w.])/g;

/** The quantities in `sentence` that no figure of `obj` (nor a difference or ratio of two, nor a constant) explains. */
export function unexplained(sentence: string, obj: unknown, constants: readonly number[] = []): string[] {
  const base = [...new Set([...leaves(obj), ...constants])];
  const diffs: number[] = [];
  const ratios: number[] = [];
  for (const a of base) {
    for (const b of base) {
      diffs.push(a - b);
      if (b !== 0) ratios.push(a / b);
    }
  }
  const all = [...base, ...diffs];
  const bad: string[] = [];
  for (const m of sentence.matchAll(QUANTITY)) {
    const text = m[0];
    const [, , num, unit, perSec, bare] = m;
    let ok: boolean;
    if (bare !== undefined) ok = all.some((c) => c === Number(bare)) || ratios.some((r) => r === Number(bare));
    else if (unit === '%') ok = [...base, ...ratios].some((c) => [0, 1].some((d) => formatPercent(c, d) === `${num} %`));
    else if (unit === '×') ok = [...base, ...ratios].some((c) => c.toFixed(2) === num);
    else if (unit === 'ms' || unit === 's' || unit === 'µs') ok = all.some((c) => formatMs(c) === `${num} ${unit}`);
    else ok = all.some((c) => formatBytes(Math.abs(c)) === `${num} ${unit}`);
    void perSec;
    if (!ok) bad.push(text);
  }
  return bad;
}
