// /proc/PID/smaps: one record per mapping (address range, permissions, backing file) with its Size, RSS, PSS,
// private/shared pages and swap. Costly (the kernel walks every page table): read near a peak, never every tick.
import { readFileSync, readlinkSync } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { ProbeParseError, parseCount } from './errors.js';
import { SYSTEM_PROC, type ProcRoot } from './proc.js';

export interface SmapsMapping {
  /** Address range as the kernel prints it (hex; 64-bit addresses do not fit a double). */
  readonly start: string;
  readonly end: string;
  /** e.g. "rw-p": read, write, execute, p(rivate)/s(hared). */
  readonly perms: string;
  readonly offset: string;
  readonly dev: string;
  readonly inode: number;
  /** Backing file, "[heap]", "[stack]", "[vdso]", "[anon:name]"…, or "" for an anonymous mapping. */
  readonly pathname: string;
  readonly sizeBytes: number;
  readonly rssBytes: number;
  readonly pssBytes: number;
  readonly sharedCleanBytes: number;
  readonly sharedDirtyBytes: number;
  readonly privateCleanBytes: number;
  readonly privateDirtyBytes: number;
  readonly anonymousBytes: number;
  readonly swapBytes: number;
  readonly swapPssBytes: number;
}

/** The kB fields kept, by smaps key. */
const FIELDS = {
  Size: 'sizeBytes',
  Rss: 'rssBytes',
  Pss: 'pssBytes',
  Shared_Clean: 'sharedCleanBytes',
  Shared_Dirty: 'sharedDirtyBytes',
  Private_Clean: 'privateCleanBytes',
  Private_Dirty: 'privateDirtyBytes',
  Anonymous: 'anonymousBytes',
  Swap: 'swapBytes',
  SwapPss: 'swapPssBytes',
} as const satisfies Record<string, keyof SmapsMapping>;
type FieldKey = keyof typeof FIELDS;
type Counts = { -readonly [K in (typeof FIELDS)[FieldKey]]: number };

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) ([-rwxsp]{4}) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) (\d+)(?: +(.*))?$/;
const FIELD = /^([A-Za-z_]\w*):\s*(.*)$/;

const zeroCounts = (): Counts => ({
  sizeBytes: 0,
  rssBytes: 0,
  pssBytes: 0,
  sharedCleanBytes: 0,
  sharedDirtyBytes: 0,
  privateCleanBytes: 0,
  privateDirtyBytes: 0,
  anonymousBytes: 0,
  swapBytes: 0,
  swapPssBytes: 0,
});

/** USS of one mapping: its pages mapped by this process only. */
export const mappingUssBytes = (m: SmapsMapping): number => m.privateCleanBytes + m.privateDirtyBytes;

/**
 * Parses smaps text into mappings, in the kernel's (address) order. Header lines start with a lowercase hex
 * address; every other non-empty line is "Key: value" ("N kB" for the sizes kept; VmFlags, THPeligible… skipped).
 * Each mapping must carry Size and Rss. Throws ProbeParseError naming the file and line otherwise.
 */
export function parseSmaps(text: string, file = 'smaps'): SmapsMapping[] {
  const out: SmapsMapping[] = [];
  let header: RegExpExecArray | null = null;
  let counts = zeroCounts();
  let seen = 0; // bit 0: Size, bit 1: Rss
  let headerLine = 0;
  const flush = (): void => {
    if (!header) return;
    if ((seen & 3) !== 3)
      throw new ProbeParseError(file, headerLine, `mapping ${header[1]}-${header[2]} has no ${seen & 1 ? 'Rss' : 'Size'} field`);
    out.push({
      start: header[1]!,
      end: header[2]!,
      perms: header[3]!,
      offset: header[4]!,
      dev: header[5]!,
      inode: parseCount(header[6], file, headerLine, 'inode'),
      pathname: header[7] ?? '',
      ...counts,
    });
  };
  let lineNo = 0;
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end);
    at = end + 1;
    lineNo++;
    if (line === '') continue;
    const c = line.charCodeAt(0);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) {
      const h = HEADER.exec(line);
      if (!h)
        throw new ProbeParseError(
          file,
          lineNo,
          `expected "start-end perms offset dev inode [path]", got ${JSON.stringify(line.slice(0, 80))}`,
        );
      flush();
      header = h;
      headerLine = lineNo;
      counts = zeroCounts();
      seen = 0;
      continue;
    }
    const f = FIELD.exec(line);
    if (!f) throw new ProbeParseError(file, lineNo, `expected "Key: value", got ${JSON.stringify(line.slice(0, 80))}`);
    if (!header) throw new ProbeParseError(file, lineNo, `field ${f[1]} before any mapping header`);
    const key = f[1]! as FieldKey;
    const field = FIELDS[key];
    if (field === undefined) continue;
    const kb = /^(\d+) kB$/.exec(f[2]!.trim());
    if (!kb) throw new ProbeParseError(file, lineNo, `expected "N kB" for ${key}, got ${JSON.stringify(f[2]!.slice(0, 40))}`);
    const bytes = parseCount(kb[1], file, lineNo, key) * 1024;
    if (!Number.isSafeInteger(bytes)) throw new ProbeParseError(file, lineNo, `${key} ${kb[1]} kB is too large`);
    counts[field] = bytes;
    if (key === 'Size') seen |= 1;
    else if (key === 'Rss') seen |= 2;
  }
  flush();
  return out;
}

/** One process's mappings, with what identifies its own binary. */
export interface ProcessSmaps {
  readonly pid: number;
  readonly name: string;
  /** Target of /proc/PID/exe, when readable: tells the program's binary from the libraries it maps. */
  readonly exePath: string | null;
  readonly mappings: readonly SmapsMapping[];
}

/** smaps of a process tree read at one moment (as close as reading them one after the other allows). */
export interface TreeSmaps {
  /** When the reads started, ms since the run's spawn. */
  readonly atMs: number;
  /** The live tree figure (cgroup usage or Σ RSS) that triggered this capture. */
  readonly treeBytes: number | null;
  readonly processes: readonly ProcessSmaps[];
  /** Processes of the tree whose smaps could not be read (gone meanwhile, or no permission). */
  readonly unreadable: number;
  /** Wall time spent reading and parsing this capture. */
  readonly readMs: number;
}

const nameOf = (text: string): string => text.trim();

/** Reads /proc/PID/smaps (plus comm and exe); null when the process is gone or unreadable. */
export function readProcessSmaps(pid: number, root: ProcRoot = SYSTEM_PROC): ProcessSmaps | null {
  const dir = `${root.proc}/${pid}`;
  try {
    const text = readFileSync(`${dir}/smaps`, 'latin1');
    if (text === '') return null; // a zombie or kernel thread: no address space
    let exePath: string | null = null;
    try {
      exePath = readlinkSync(`${dir}/exe`);
    } catch {
      /* exited meanwhile, or not ours to read */
    }
    return { pid, name: nameOf(readFileSync(`${dir}/comm`, 'utf8')), exePath, mappings: parseSmaps(text, `${dir}/smaps`) };
  } catch (e) {
    if (e instanceof ProbeParseError) throw e;
    return null;
  }
}

/** As readProcessSmaps, without blocking the event loop (the kernel may take many ms on a big process). */
export async function readProcessSmapsAsync(pid: number, root: ProcRoot = SYSTEM_PROC): Promise<ProcessSmaps | null> {
  const dir = `${root.proc}/${pid}`;
  try {
    const [text, comm, exePath] = await Promise.all([
      readFile(`${dir}/smaps`, 'latin1'),
      readFile(`${dir}/comm`, 'utf8').catch(() => '?'),
      readlink(`${dir}/exe`).catch(() => null),
    ]);
    if (text === '') return null;
    return { pid, name: nameOf(comm), exePath, mappings: parseSmaps(text, `${dir}/smaps`) };
  } catch (e) {
    if (e instanceof ProbeParseError) throw e;
    return null;
  }
}
