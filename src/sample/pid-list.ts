// The pid lists the fast sampler thread reads every tick (cgroup.procs, task/PID/children): parsed into one reused
// Int32Array, and cgroup.procs read so that changes are seen on cgroup v1 too and an unchanged list costs no work.
import { closeSync, statfsSync } from 'node:fs';
import type { Preader } from './io.js';

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** Pids parsed from a read buffer; `pids` is reused and grown, never allocated per tick. */
export class PidList {
  pids = new Int32Array(1024);

  /**
   * Parses whitespace/newline-separated pids from buf[0..n) into `pids`; returns how many. Callers add them only
   * afterwards: adding reads other files into the same buffer, so parsing must be finished first (reading into it
   * mid-parse once produced phantom pids).
   */
  parse(buf: Uint8Array, n: number): number {
    let count = 0;
    let v = 0;
    let inNum = false;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? buf[i]! : 32;
      if (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        inNum = true;
      } else if (inNum) {
        if (count === this.pids.length) {
          const grown = new Int32Array(count * 2);
          grown.set(this.pids);
          this.pids = grown;
        }
        this.pids[count++] = v;
        v = 0;
        inNum = false;
      }
    }
    return count;
  }
}

/**
 * A cgroup.procs file read each tick into io.buf. cgroup v1 caches a group's pid list per reader for as long as
 * reads keep coming (< 1 s apart): pread at 0 on a kept-open v1 cgroup.procs returns the list of the first read,
 * new and ended processes unseen (checked here: a process that joined was never listed, one that exited stayed).
 * So outside a cgroup2 mount it is reopened per read.
 */
export class ProcsFile {
  private readonly reopen: boolean;
  private readonly fd: number;
  /** The list as read when membership was last brought up to date. */
  private readonly last: Buffer;
  private lastLength = -1;

  constructor(
    private readonly io: Preader,
    private readonly path: string,
  ) {
    this.reopen = !onCgroup2(path);
    this.fd = this.reopen ? -1 : io.open(path);
    this.last = Buffer.alloc(io.buf.length);
  }

  /** Reads the list into io.buf: bytes read, or -1. */
  read(): number {
    if (!this.reopen) return this.io.preadAll(this.fd);
    const fd = this.io.open(this.path);
    if (fd < 0) return -1;
    const n = this.io.preadAll(fd);
    closeSync(fd);
    return n;
  }

  /** Whether io.buf[0..n) is the list remembered; if not, it is remembered now. */
  sameAsLast(n: number): boolean {
    const buf = this.io.buf;
    if (n === this.lastLength && buf.compare(this.last, 0, n, 0, n) === 0) return true;
    buf.copy(this.last, 0, 0, n);
    this.lastLength = n;
    return false;
  }

  /** Forgets the list remembered: the next read is handled in full even if it is the same. */
  forget(): void {
    this.lastLength = -1;
  }
}

function onCgroup2(path: string): boolean {
  try {
    return statfsSync(path).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return true;
  }
}
