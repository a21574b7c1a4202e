// Expected cost per unit, as users write it ("1..2 KiB", "10 KiB..50 KiB", "<= 2 KiB"), parsed into bytes.

export interface ByteRange {
  readonly text: string;
  readonly minBytes: number;
  /** Infinity for an open range (">= 1 KiB"). */
  readonly maxBytes: number;
}

const UNITS: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
const QUANTITY = String.raw`(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]*)`;

/** Returns the multiplier of a unit, or an explanation of why it is not one. */
function unitFactor(unit: string): number | string {
  if (unit === '') return 1;
  const f = UNITS[unit.toLowerCase()];
  if (f !== undefined) return f;
  if (/^[kmg]b$/i.test(unit)) return `"${unit}" is ambiguous: write ${unit[0]!.toUpperCase()}iB (powers of 1024)`;
  return `"${unit}" is not a unit: use B, KiB, MiB or GiB`;
}

/**
 * "A..B unit", "A unit..B unit", "A-B unit", "<= B unit", ">= A unit": bytes per unit of size, non-negative.
 * A unit written only after B applies to A too. Throws an Error whose message says what is wrong.
 */
export function parseByteRange(text: string): ByteRange {
  const t = text.trim();
  const bound = new RegExp(`^(<=?|>=?)\\s*${QUANTITY}$`).exec(t);
  if (bound) {
    const f = unitFactor(bound[3]!);
    if (typeof f === 'string') throw new Error(f);
    const v = Number(bound[2]) * f;
    return bound[1]!.startsWith('<') ? { text: t, minBytes: 0, maxBytes: v } : { text: t, minBytes: v, maxBytes: Infinity };
  }
  const pair = new RegExp(`^${QUANTITY}\\s*(?:\\.\\.|–|-)\\s*${QUANTITY}$`).exec(t);
  if (!pair) throw new Error(`"${text}" is not a range: write e.g. "1..2 KiB", "10 KiB..50 KiB" or "<= 2 KiB"`);
  const hiFactor = unitFactor(pair[4]!);
  if (typeof hiFactor === 'string') throw new Error(hiFactor);
  const loFactor = pair[2] === '' ? hiFactor : unitFactor(pair[2]!);
  if (typeof loFactor === 'string') throw new Error(loFactor);
  const minBytes = Number(pair[1]) * loFactor;
  const maxBytes = Number(pair[3]) * hiFactor;
  if (minBytes > maxBytes) throw new Error(`"${text}" runs backwards: the lower end is above the upper end`);
  return { text: t, minBytes, maxBytes };
}

export function rangeFromPair(pair: readonly [number, number]): ByteRange {
  const [lo, hi] = pair;
  if (!(lo >= 0) || !(hi >= lo)) throw new Error(`[${lo}, ${hi}] is not a range of bytes: give [min, max] with 0 ≤ min ≤ max`);
  return { text: `${lo}..${hi} B`, minBytes: lo, maxBytes: hi };
}

export type ExpectVerdict = 'within' | 'below' | 'above';

export const judgePerUnit = (range: ByteRange, slopeBytesPerUnit: number): ExpectVerdict =>
  slopeBytesPerUnit < range.minBytes ? 'below' : slopeBytesPerUnit > range.maxBytes ? 'above' : 'within';
