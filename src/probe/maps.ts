// /proc/PID/maps: where each file (binary, library) is mapped in a process, so an instruction address can be
// named by module and offset ("libfoo.so+0x1a2b"), which stays the same from run to run whatever ASLR does.
import { readFileSync } from 'node:fs';
import { SYSTEM_PROC, type ProcRoot } from './proc.js';

export interface Mapping {
  readonly start: number;
  readonly end: number;
  readonly perms: string;
  /** Offset in the file of the mapping's first byte. */
  readonly offset: number;
  /** The file's path; null for anonymous mappings and [heap], [stack], [vdso]… */
  readonly path: string | null;
}

/** "55d0c2a00000-55d0c2a01000 r--p 00000000 fe:00 123 /usr/bin/x": lines that do not parse are skipped. */
export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ \d+\s*(.*)$/.exec(line);
    if (!m) continue;
    const [start, end, offset] = [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[4]!, 16)];
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || !Number.isSafeInteger(offset)) continue;
    const path = m[5]!.startsWith('/') ? m[5]!.replace(/ \(deleted\)$/, '') : null;
    out.push({ start, end, perms: m[3]!, offset, path });
  }
  return out;
}

/**
 * Load address of each mapped file: the start of its mapping at file offset 0 (the ELF header), so that
 * address − base is the address inside the file as linked (what addr2line and pprof take).
 */
export function moduleBases(maps: readonly Mapping[]): Record<string, number> {
  const bases: Record<string, number> = {};
  for (const m of maps) {
    if (m.path === null || m.offset !== 0) continue;
    const old = bases[m.path];
    if (old === undefined || m.start < old) bases[m.path] = m.start;
  }
  return bases;
}

/** The module bases of a live process; null when it is gone or not readable. */
export function readModuleBases(pid: number, root: ProcRoot = SYSTEM_PROC): Record<string, number> | null {
  try {
    return moduleBases(parseMaps(readFileSync(`${root.proc}/${pid}/maps`, 'latin1')));
  } catch {
    return null;
  }
}
