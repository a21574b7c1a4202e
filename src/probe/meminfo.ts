// /proc/meminfo: machine-wide memory in "Key: N kB" lines (kB = KiB); HugePages_* are plain counts.
import { readFileSync } from 'node:fs';
import { ProbeParseError, countToBytes, parseCount } from './errors.js';
import { SYSTEM_PROC, type ProcRoot } from './proc.js';

/** Every field as the kernel printed it: bytes for "kB" lines, plain counts otherwise (HugePages_Total …). */
export type Meminfo = ReadonlyMap<string, number>;

export function parseMeminfo(text: string, file = '/proc/meminfo'): Meminfo {
  const out = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const m = /^([\w()]+):\s+(\S+)( kB)?$/.exec(line);
    if (!m) throw new ProbeParseError(file, i + 1, `expected "Key: N [kB]", got ${JSON.stringify(line.slice(0, 60))}`);
    const n = parseCount(m[2], file, i + 1, m[1]!);
    out.set(m[1]!, m[3] ? countToBytes(n, 1024, file, i + 1, m[1]!) : n);
  });
  for (const key of ['MemTotal', 'MemFree']) if (!out.has(key)) throw new ProbeParseError(file, 1, `no ${key} field`);
  return out;
}

export function readMeminfo(root: ProcRoot = SYSTEM_PROC): Meminfo {
  const file = `${root.proc}/meminfo`;
  return parseMeminfo(readFileSync(file, 'utf8'), file);
}
