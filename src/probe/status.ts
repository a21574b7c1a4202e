// /proc/PID/status: the kB fields (VmHWM, VmData, VmSwap, …) and identity (Name, PPid); kB here means KiB.
import { ProbeParseError, countToBytes, parseCount } from './errors.js';

export interface ProcStatus {
  readonly name: string;
  readonly ppid: number;
  /** High-water mark of RSS since exec: exact whatever the spike length. Null for zombies and kernel threads. */
  readonly vmHwmBytes: number | null;
  readonly vmRssBytes: number | null;
  readonly vmSizeBytes: number | null;
  readonly vmDataBytes: number | null;
  readonly vmSwapBytes: number | null;
  readonly rssAnonBytes: number | null;
  readonly rssFileBytes: number | null;
  readonly rssShmemBytes: number | null;
}

const KIB_FIELDS = {
  VmHWM: 'vmHwmBytes',
  VmRSS: 'vmRssBytes',
  VmSize: 'vmSizeBytes',
  VmData: 'vmDataBytes',
  VmSwap: 'vmSwapBytes',
  RssAnon: 'rssAnonBytes',
  RssFile: 'rssFileBytes',
  RssShmem: 'rssShmemBytes',
} as const;
type KibKey = (typeof KIB_FIELDS)[keyof typeof KIB_FIELDS];

export function parseStatus(text: string, file = 'status'): ProcStatus {
  const kib: Record<KibKey, number | null> = {
    vmHwmBytes: null,
    vmRssBytes: null,
    vmSizeBytes: null,
    vmDataBytes: null,
    vmSwapBytes: null,
    rssAnonBytes: null,
    rssFileBytes: null,
    rssShmemBytes: null,
  };
  let name: string | null = null;
  let ppid: number | null = null;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProbeParseError(file, i + 1, 'expected "Key:\tvalue"');
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'Name') name = value;
    else if (key === 'PPid') ppid = parseCount(value, file, i + 1, key);
    else if (Object.hasOwn(KIB_FIELDS, key)) {
      // not `in`: "constructor" or "toString" would match the prototype
      const m = /^(\d+) kB$/.exec(value);
      if (!m) throw new ProbeParseError(file, i + 1, `expected "N kB" for ${key}, got ${JSON.stringify(value)}`);
      kib[KIB_FIELDS[key as keyof typeof KIB_FIELDS]] = countToBytes(parseCount(m[1], file, i + 1, key), 1024, file, i + 1, key);
    }
  });
  if (name === null) throw new ProbeParseError(file, 1, 'no Name field');
  if (ppid === null) throw new ProbeParseError(file, 1, 'no PPid field');
  return { name, ppid, ...kib };
}

/**
 * Hot-path reader for status and smaps_rollup: finds "\nKey:" and reads the number after it, in KiB → bytes; -1 when absent.
 * Used by the sampler on the status tier; parseStatus is the checked, documented reference.
 */
export function kibFieldBytes(text: string, key: string): number {
  const at = text.indexOf(`\n${key}:`);
  if (at < 0) return -1;
  let i = at + key.length + 2;
  while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
  let value = 0;
  let digits = 0;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) {
    value = value * 10 + (c - 48);
    digits++;
  }
  return digits === 0 ? -1 : value * 1024;
}
