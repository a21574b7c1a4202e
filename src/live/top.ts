// One pass over every process: RSS, PSS, USS and swap from smaps_rollup, with the command line — `membench top`.
import { readFileSync, readdirSync } from 'node:fs';
import { errnoCode } from '../errors.js';
import { parseSmapsRollup } from '../probe/smaps-rollup.js';
import { SYSTEM_PROC, type ProcRoot } from '../probe/proc.js';
import { THIS_TOOL, TOP_KIND, TOP_SCHEMA_VERSION } from '../document/kinds.js';

export const TOP_SORT_KEYS = ['pss', 'uss', 'rss', 'swap'] as const;
export type TopSortKey = (typeof TOP_SORT_KEYS)[number];

export interface TopProcess {
  readonly pid: number;
  readonly name: string;
  /** argv joined by spaces, or "[name]" for a process without one. */
  readonly command: string;
  readonly rssBytes: number;
  readonly pssBytes: number;
  readonly ussBytes: number;
  readonly swapBytes: number;
}

/** A process whose smaps_rollup could not be read (another user's, without root or CAP_SYS_PTRACE). */
export interface UnreadableProcess {
  readonly pid: number;
  readonly name: string;
  /** errno code, e.g. "EACCES". */
  readonly reason: string;
}

export interface TopTotals {
  readonly processes: number;
  readonly rssBytes: number;
  readonly pssBytes: number;
  readonly ussBytes: number;
  readonly swapBytes: number;
}

export interface TopSnapshot {
  readonly kind: typeof TOP_KIND;
  readonly schemaVersion: typeof TOP_SCHEMA_VERSION;
  readonly tool: typeof THIS_TOOL;
  readonly takenAtEpochMs: number;
  readonly scanMs: number;
  readonly sortedBy: TopSortKey;
  /** Totals over every readable process, not only the ones listed. */
  readonly totals: TopTotals;
  readonly processes: readonly TopProcess[];
  /** How many processes were left out by --limit. */
  readonly omitted: number;
  readonly unreadable: readonly UnreadableProcess[];
  /** Kernel threads have no user memory (empty smaps_rollup) and are counted, not listed. */
  readonly kernelThreads: number;
}

/** File reading, injectable so that permission errors can be tested as root. */
export type ReadText = (path: string) => string;
const readText: ReadText = (p) => readFileSync(p, 'utf8');

const GONE = new Set(['ENOENT', 'ESRCH']);

export interface ScanResult {
  readonly processes: TopProcess[];
  readonly unreadable: UnreadableProcess[];
  readonly kernelThreads: number;
}

/** comm and command line of one process ("?" and "" when they cannot be read, e.g. it exited meanwhile). */
function namesOf(pid: number, root: ProcRoot, read: ReadText): { name: string; command: string } {
  let name = '?';
  try {
    name = read(`${root.proc}/${pid}/comm`).trim();
  } catch {
    /* gone: keep the figures read */
  }
  let cmd = '';
  try {
    cmd = read(`${root.proc}/${pid}/cmdline`).replace(/\0+$/, '').split('\0').join(' ');
  } catch {
    /* gone between reads */
  }
  return { name, command: cmd === '' ? `[${name}]` : cmd };
}

/**
 * Reads every /proc/PID; a process that exits during the pass is skipped, not reported. With `names: false` the
 * comm and cmdline reads (two of the three per process) are left out: `name` and `command` stay "" until
 * withNames() fills them for the rows shown, which is what a terminal view of 25 rows needs.
 */
export function scanProcesses(root: ProcRoot = SYSTEM_PROC, read: ReadText = readText, pids?: readonly number[], names = true): ScanResult {
  const list =
    pids ??
    readdirSync(root.proc)
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  const processes: TopProcess[] = [];
  const unreadable: UnreadableProcess[] = [];
  let kernelThreads = 0;
  for (const pid of list) {
    let rollup: string;
    try {
      rollup = read(`${root.proc}/${pid}/smaps_rollup`);
    } catch (e) {
      const code = errnoCode(e) ?? 'EIO';
      if (!GONE.has(code)) unreadable.push({ pid, name: namesOf(pid, root, read).name, reason: code });
      continue;
    }
    if (rollup === '') {
      kernelThreads++;
      continue;
    }
    const r = parseSmapsRollup(rollup, `${root.proc}/${pid}/smaps_rollup`);
    const { name, command } = names ? namesOf(pid, root, read) : { name: '', command: '' };
    processes.push({ pid, name, command, rssBytes: r.rssBytes, pssBytes: r.pssBytes, ussBytes: r.ussBytes, swapBytes: r.swapBytes });
  }
  return { processes, unreadable, kernelThreads };
}

/** The snapshot with name and command read for the processes it lists (after a scan with `names: false`). */
export function withNames(t: TopSnapshot, root: ProcRoot = SYSTEM_PROC, read: ReadText = readText): TopSnapshot {
  return { ...t, processes: t.processes.map((p) => (p.name === '' ? { ...p, ...namesOf(p.pid, root, read) } : p)) };
}

const FIELD: Record<TopSortKey, keyof TopProcess & `${string}Bytes`> = {
  pss: 'pssBytes',
  uss: 'ussBytes',
  rss: 'rssBytes',
  swap: 'swapBytes',
};

export function sumProcesses(ps: readonly TopProcess[]): TopTotals {
  const t = { processes: ps.length, rssBytes: 0, pssBytes: 0, ussBytes: 0, swapBytes: 0 };
  for (const p of ps) {
    t.rssBytes += p.rssBytes;
    t.pssBytes += p.pssBytes;
    t.ussBytes += p.ussBytes;
    t.swapBytes += p.swapBytes;
  }
  return t;
}

/** Sorts descending by the key (ties by pid), keeps `limit` (null = all), totals over all. */
export function buildTop(
  scan: ScanResult,
  sortedBy: TopSortKey,
  limit: number | null,
  takenAtEpochMs: number,
  scanMs: number,
): TopSnapshot {
  const f = FIELD[sortedBy];
  const sorted = [...scan.processes].sort((a, b) => b[f] - a[f] || a.pid - b.pid);
  const shown = limit === null ? sorted : sorted.slice(0, limit);
  return {
    kind: TOP_KIND,
    schemaVersion: TOP_SCHEMA_VERSION,
    tool: THIS_TOOL,
    takenAtEpochMs,
    scanMs: Math.round(scanMs * 1000) / 1000,
    sortedBy,
    totals: sumProcesses(scan.processes),
    processes: shown,
    omitted: sorted.length - shown.length,
    unreadable: [...scan.unreadable].sort((a, b) => a.pid - b.pid),
    kernelThreads: scan.kernelThreads,
  };
}
