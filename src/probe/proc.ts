// Small /proc readers shared by the sampler and the runner: page size, children, environ, kernel, vmstat.
import { readFileSync, readdirSync } from 'node:fs';
import { errnoCode } from '../errors.js';
import { parseFlatKeyed } from './cgroup.js';

/** Where /proc is mounted; tests point it at a fixture tree. */
export interface ProcRoot {
  readonly proc: string;
}
export const SYSTEM_PROC: ProcRoot = { proc: '/proc' };

/** AT_PAGESZ (type 6) from an auxv buffer of 64-bit (type, value) pairs. */
export function pageSizeFromAuxv(auxv: Buffer): number | null {
  for (let off = 0; off + 16 <= auxv.length; off += 16) {
    const type = auxv.readBigUInt64LE(off);
    if (type === 0n) break;
    if (type === 6n) return Number(auxv.readBigUInt64LE(off + 8));
  }
  return null;
}

export function readPageSize(root: ProcRoot = SYSTEM_PROC): number {
  try {
    return pageSizeFromAuxv(readFileSync(`${root.proc}/self/auxv`)) ?? 4096;
  } catch {
    return 4096;
  }
}

/** Children of every thread of PID (/proc/PID/task/TID/children, Linux ≥ 3.5 with CONFIG_PROC_CHILDREN). */
export function readChildren(pid: number, root: ProcRoot = SYSTEM_PROC): number[] {
  const out: number[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`${root.proc}/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      for (const p of readFileSync(`${root.proc}/${pid}/task/${tid}/children`, 'latin1').split(' '))
        if (p !== '' && p !== '\n') out.push(Number(p));
    } catch {
      /* thread gone */
    }
  }
  return out;
}

/**
 * True when /proc/PID/environ contains exactly the NUL-separated entry `entry` (e.g. "MEMBENCH_RUN=abc"). The last
 * entry has no NUL after it when a process rewrote its environment area (setproctitle-style), hence the split.
 */
export function environHas(pid: number, entry: string, root: ProcRoot = SYSTEM_PROC): boolean {
  try {
    return readFileSync(`${root.proc}/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false;
  }
}

export function readComm(pid: number, root: ProcRoot = SYSTEM_PROC): string {
  try {
    return readFileSync(`${root.proc}/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

export function readCmdline(pid: number, root: ProcRoot = SYSTEM_PROC, maxChars = 200): string {
  try {
    return cmdlineText(readFileSync(`${root.proc}/${pid}/cmdline`, 'utf8'), maxChars);
  } catch {
    return '';
  }
}

/** The text of /proc/PID/cmdline as shown: arguments joined by spaces, at most maxChars (cut with "…"). */
export function cmdlineText(raw: string, maxChars = 200): string {
  const s = raw.replace(/\0+$/, '').split('\0').join(' ');
  return s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s;
}

export function readKernelRelease(root: ProcRoot = SYSTEM_PROC): string {
  try {
    return readFileSync(`${root.proc}/sys/kernel/osrelease`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** Machine-wide OOM kills so far (/proc/vmstat oom_kill, Linux ≥ 4.13); null when unreadable. */
export function readVmstatOomKills(root: ProcRoot = SYSTEM_PROC): number | null {
  try {
    return parseFlatKeyed(readFileSync(`${root.proc}/vmstat`, 'utf8'), `${root.proc}/vmstat`).get('oom_kill') ?? null;
  } catch {
    return null;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

/** Linux scheduling policies by number (include/uapi/linux/sched.h): SCHED_NORMAL is 'other' as chrt names it. */
const SCHED_POLICIES = { 0: 'other', 1: 'fifo', 2: 'rr', 3: 'batch', 5: 'idle', 6: 'deadline' } as const;
export type SchedPolicy = (typeof SCHED_POLICIES)[keyof typeof SCHED_POLICIES];

/**
 * The scheduling policy in a /proc/PID[/task/TID]/stat line (field 41, `policy`, Linux ≥ 2.5.19); null when the
 * line is cut short or the number is unknown. Fields are counted after the last ')': the comm may hold spaces.
 */
/**
 * The fields of a /proc/PID/stat line after "(comm) ", from field 3 (state) on: field N is index N − 3. The comm
 * may hold spaces and parentheses, hence the last ")". null when the line has none.
 */
export function statFieldsAfterComm(statLine: string): string[] | null {
  const close = statLine.lastIndexOf(')');
  return close < 0 ? null : statLine.slice(close + 2).split(' ');
}

export function schedPolicyOf(statLine: string): SchedPolicy | null {
  // Field 41 (policy) is index 38.
  const field = statFieldsAfterComm(statLine)?.[38];
  if (field === undefined || !/^\d+$/.test(field)) return null;
  return (SCHED_POLICIES as Record<number, SchedPolicy>)[Number(field)] ?? null;
}
