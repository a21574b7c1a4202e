// /proc/PID/statm: seven counts in pages (see proc(5)); the cheapest per-process memory read (~2 µs here).
import { ProbeParseError, countToBytes, parseCount } from './errors.js';

export interface Statm {
  /** VSZ: total program size (statm field 1 × page size). */
  readonly sizeBytes: number;
  /** RSS: resident set size (field 2). */
  readonly residentBytes: number;
  /** Resident file-backed + shmem pages (field 3). */
  readonly sharedBytes: number;
  readonly textBytes: number;
  /** Data + stack (field 6): VmData + VmStk in status terms. */
  readonly dataBytes: number;
}

const STATM_FIELDS = ['size', 'resident', 'shared', 'text', 'lib', 'data', 'dt'] as const;

/** Parses statm text. A zombie or kernel thread reads as all zeros: that is valid, not an error. */
export function parseStatm(text: string, pageSizeBytes: number, file = 'statm'): Statm {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 7) throw new ProbeParseError(file, 1, `expected 7 fields, got ${fields.length}`);
  // All seven are checked, not only the ones kept, so that this and parseStatmInto accept the same text.
  const pages = STATM_FIELDS.map((what, i) => parseCount(fields[i], file, 1, what));
  const bytes = (i: number): number => countToBytes(pages[i]!, pageSizeBytes, file, 1, STATM_FIELDS[i]!);
  return {
    sizeBytes: bytes(0),
    residentBytes: bytes(1),
    sharedBytes: bytes(2),
    textBytes: bytes(3),
    dataBytes: bytes(5),
  };
}

/**
 * Hot-path variant for the sampler: reads fields 1, 2 and 6 straight from the bytes without allocating.
 * Returns false when the buffer does not hold 7 numeric fields (caller treats the process as gone).
 */
export function parseStatmInto(buf: Uint8Array, len: number, out: Float64Array): boolean {
  let field = 0;
  let value = 0;
  let inNumber = false;
  for (let i = 0; i < len; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
    } else if (inNumber) {
      if (field === 0) out[0] = value;
      else if (field === 1) out[1] = value;
      else if (field === 5) out[2] = value;
      field++;
      value = 0;
      inNumber = false;
    }
  }
  if (inNumber) field++;
  return field >= 7;
}
