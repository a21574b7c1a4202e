// Reading kernel files from a sampler thread: pread into one reused buffer, errors kept (not thrown),
// the thread's own CPU time and priority. Shared by the fast and the slow sampler threads.
import { openSync, readFileSync, readSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export class Preader {
  readonly buf = Buffer.alloc(1 << 16);
  /** Unexpected errors by file (PID replaced by "PID"): EACCES, EPERM… — ENOENT/ESRCH are processes ending. */
  readonly errors = new Map<string, string>();

  open(path: string): number {
    try {
      return openSync(path, 'r');
    } catch (e) {
      this.note(path, e);
      return -1;
    }
  }

  note(path: string, e: unknown): void {
    const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    if (code !== 'ENOENT' && code !== 'ESRCH' && this.errors.size < 20) this.errors.set(path.replace(/\/\d+\//, '/PID/'), code);
  }

  /** Bytes read at offset 0 into buf, or -1. */
  pread(fd: number): number {
    try {
      return readSync(fd, this.buf, 0, this.buf.length, 0);
    } catch {
      return -1;
    }
  }

  preadText(fd: number): string | null {
    const n = this.pread(fd);
    return n <= 0 ? null : this.buf.toString('latin1', 0, n);
  }

  /** The leading decimal number of the file (usage_in_bytes, memory.current), NaN when unreadable. */
  readNumber(fd: number): number {
    const n = this.pread(fd);
    if (n <= 0) return NaN;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const c = this.buf[i]!;
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    return v;
  }
}

/** This thread's own CPU time in ms, from /proc/thread-self/schedstat (ns precision); NaN if unreadable. */
export function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** Sets this thread's nice value when allowed (raising priority needs root/CAP_SYS_NICE); returns it or null. */
export function setThreadNice(nice: number): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, nice);
    return nice;
  } catch {
    return null;
  }
}

/** memory.stat value of `key` ("total_rss " for v1, "anon " for v2) in bytes; NaN if absent. */
export function statField(text: string, key: string): number {
  const at = text.startsWith(key) ? 0 : text.indexOf(`\n${key}`) + 1;
  if (at <= 0 && !text.startsWith(key)) return NaN;
  let i = at + key.length;
  let v = 0;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) v = v * 10 + (c - 48);
  return v;
}

export const nowEpoch = (): number => performance.timeOrigin + performance.now();
