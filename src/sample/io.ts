// Reading kernel files from a sampler thread: pread into one reused buffer, errors kept (not thrown),
// the thread's own CPU time and priority. Shared by the fast and the slow sampler threads.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { cmdlineText, schedPolicyOf, type SchedPolicy } from '../probe/proc.js';

/** preadAll: a read this long or longer may be one page of a longer seq_file; a shorter one is its end. */
const SEQ_PAGE_MIN = 2048;

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

  /**
   * /proc/PID/cmdline as readCmdline (probe/proc.ts) gives it — arguments joined by spaces, at most maxChars — read into
   * buf with one open/pread/close: ~15 µs against readFileSync's ~40 µs, for a big tree's thousands of processes.
   */
  cmdline(path: string, maxChars = 200): string {
    const fd = this.open(path);
    if (fd < 0) return '';
    const n = this.pread(fd);
    try {
      closeSync(fd);
    } catch {}
    return n > 0 ? cmdlineText(this.buf.toString('utf8', 0, n), maxChars) : '';
  }

  /** Bytes read at offset 0 into buf, or -1. */
  pread(fd: number): number {
    try {
      return readSync(fd, this.buf, 0, this.buf.length, 0);
    } catch {
      return -1;
    }
  }

  /**
   * The whole file at offset 0 into buf (as far as buf holds), or -1: a seq_file such as cgroup.procs hands over one
   * page per read (about 800 pids), so the reads continue where the last ended until the file ends.
   */
  preadAll(fd: number): number {
    let n = 0;
    try {
      for (;;) {
        const got = readSync(fd, this.buf, n, this.buf.length - n, n);
        if (got <= 0) return n;
        n += got;
        // A seq_file page ends within a record of 4 KiB; a shorter read was the end (one syscall for a small list).
        if (n >= this.buf.length || got < SEQ_PAGE_MIN) return n;
      }
    } catch {
      return n > 0 ? n : -1;
    }
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

/** This thread's kernel id (what /proc/thread-self points at), or null when /proc does not say. */
export function threadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/** Sets this thread's nice value when allowed (raising priority needs root/CAP_SYS_NICE); returns it or null. */
export function setThreadNice(nice: number): number | null {
  const tid = threadId();
  if (tid === null) return null;
  try {
    setPriority(tid, nice);
    return nice;
  } catch {
    return null;
  }
}

/** The scheduling policy this thread runs under, as the kernel reports it (/proc/thread-self/stat); null if unreadable. */
export function threadSchedPolicy(): SchedPolicy | null {
  try {
    return schedPolicyOf(readFileSync('/proc/thread-self/stat', 'latin1'));
  } catch {
    return null;
  }
}

/**
 * Asks for SCHED_FIFO priority 1 for this thread with chrt(1) (util-linux; node has no sched_setscheduler), then
 * reads the policy back from the kernel. null when the thread now runs SCHED_FIFO, else why not, in one line.
 */
export function setThreadFifo(): string | null {
  const tid = threadId();
  if (tid === null) return 'the thread id is not readable from /proc/thread-self';
  const r = spawnSync('chrt', ['-f', '-p', '1', String(tid)], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) {
    return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'chrt is not installed (util-linux)' : `chrt failed: ${r.error.message}`;
  }
  if (r.status !== 0) {
    const said = r.stderr.trim().split('\n')[0] || `chrt exited ${r.status ?? r.signal}`;
    return /not permitted/i.test(said) ? `${said} (SCHED_FIFO needs root or CAP_SYS_NICE)` : said;
  }
  const policy = threadSchedPolicy();
  return policy === 'fifo' ? null : `chrt succeeded but the kernel reports the thread as ${policy ?? 'unreadable'}`;
}

/**
 * The number after `key` in the kernel text in buf[0..n), `key` being a line start ("\nVmHWM:" for a status field,
 * "\ntotal_rss " for memory.stat; the file's first line matches without its "\n"), spaces and tabs skipped;
 * -1 when the key or its digits are absent. Bytes, no string: the slow thread reads these files 100 times a
 * second per process, and strings of them were most of what it allocated.
 */
export function fieldIn(buf: Buffer, n: number, key: Buffer): number {
  let at: number;
  if (n >= key.length - 1 && buf.compare(key, 1, key.length, 0, key.length - 1) === 0) at = key.length - 1;
  else {
    // The first match in the whole buffer: one past n (stale bytes of an earlier read) means absent here.
    at = buf.indexOf(key);
    if (at < 0) return -1;
    at += key.length;
    if (at > n) return -1;
  }
  while (at < n && (buf[at] === 32 || buf[at] === 9)) at++;
  let value = 0;
  let digits = 0;
  for (; at < n; at++) {
    const c = buf[at]!;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    digits++;
  }
  return digits === 0 ? -1 : value;
}

/** A line-start key for fieldIn: "VmHWM:" → "\nVmHWM:". */
export const lineKey = (key: string): Buffer => Buffer.from(`\n${key}`, 'latin1');

export const nowEpoch = (): number => performance.timeOrigin + performance.now();

/**
 * Lets the thread's event loop turn once, at most every `everyMs`. A sampler thread sleeps in Atomics.wait and
 * never returns to its loop, and V8 runs part of its garbage collection as tasks on that loop: the memory
 * reducer and the task that finishes incremental marking. Without a turn a worker only collects its old space
 * when an allocation hits V8's limit (finished via the stack guard instead). Measured in a 30-min churn watch
 * (--trace-gc): with turns each worker ran the memory reducer's full GCs at start-up (6 → 4 MiB), without none;
 * after that both saw the same sawtooth, old space rising from ~4.5 to ~12 MiB over ~15 min until V8's limit
 * started a full GC. One turn with no pending task costs tens of µs.
 */
export class LoopTurn {
  private last: number;
  constructor(private readonly everyMs = 1000) {
    this.last = performance.now();
  }
  due(): boolean {
    return performance.now() - this.last >= this.everyMs;
  }
  async turn(): Promise<void> {
    this.last = performance.now();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
