// The kernel log (/dev/kmsg, readable by root or with kernel.dmesg_restrict=0): the OOM killer's own lines.
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';

export interface KmsgRecord {
  /** Microseconds since boot (the record's timestamp field). */
  readonly usec: number;
  readonly message: string;
}

/** Parses one /dev/kmsg record: "prio,seq,usec,flags[,…];message" (continuation lines are dropped). */
export function parseKmsgRecord(text: string): KmsgRecord | null {
  const semi = text.indexOf(';');
  if (semi < 0) return null;
  const fields = text.slice(0, semi).split(',');
  const usec = Number(fields[2]);
  if (fields.length < 4 || !Number.isFinite(usec)) return null;
  return { usec, message: text.slice(semi + 1).split('\n')[0]! };
}

/** Seconds since boot, for comparing with record timestamps. */
export function uptimeSec(procRoot = '/proc'): number | null {
  try {
    return Number(readFileSync(`${procRoot}/uptime`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/**
 * Reads every record still in the kernel's ring buffer (non-blocking) and keeps OOM-killer lines logged at or
 * after `sinceUsec`. Returns null when /dev/kmsg cannot be read (no permission, restricted): say so, don't guess.
 */
export function readOomKernelLines(sinceUsec: number, path = '/dev/kmsg'): string[] | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  const buf = Buffer.alloc(8192);
  const lines: string[] = [];
  try {
    for (let i = 0; i < 100_000; i++) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue; // records were overwritten while reading: carry on with the next
        break; // EAGAIN: the end of the buffer
      }
      if (n <= 0) break;
      const rec = parseKmsgRecord(buf.toString('utf8', 0, n));
      if (rec && rec.usec >= sinceUsec && /out of memory|oom-kill|Killed process/i.test(rec.message)) lines.push(rec.message);
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

/** "Memory cgroup out of memory: Killed process 1234 (memfix) total-vm:…" → pid and name. */
export function killedProcessOf(lines: readonly string[]): { pid: number; name: string } | null {
  for (const l of lines) {
    const m = /Killed process (\d+) \(([^)]*)\)/.exec(l);
    if (m) return { pid: Number(m[1]), name: m[2]! };
  }
  return null;
}
