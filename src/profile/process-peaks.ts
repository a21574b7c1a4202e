// The real peak of the profiled processes: VmHWM of every process of the profiler's tree, read while each runs,
// so a profile's sites can be set beside what the kernel says the process held at its highest.
import { readFileSync } from 'node:fs';
import { readModuleBases } from '../probe/maps.js';
import { readChildren, SYSTEM_PROC, type ProcRoot } from '../probe/proc.js';
import { kibFieldBytes } from '../probe/status.js';

export interface ProcessPeak {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  /** Largest VmHWM read (bytes) of its last program image (VmHWM restarts at exec, and so does this). */
  readonly vmHwmBytes: number;
  /** Whether the process is one the profiler profiles (not the profiler's own helper, e.g. heaptrack_interpret). */
  readonly profiled: boolean;
  /** Reads that found it alive. */
  readonly reads: number;
  /**
   * Load address of each file mapped in it (/proc/PID/maps), read when it was first seen profiled and again as
   * its VmHWM rose (at most every 100 ms): names unsymbolized frames by module and offset. Libraries loaded
   * after the last read are missing; empty when never read.
   */
  readonly moduleBases: Readonly<Record<string, number>>;
}

interface Entry {
  pid: number;
  ppid: number;
  name: string;
  vmHwmBytes: number;
  profiled: boolean;
  reads: number;
  moduleBases: Record<string, number>;
  mapsAtMs: number;
}

const MAPS_EVERY_MS = 100;

/**
 * Polls the tree under `rootPid` every `intervalMs` and keeps each process's largest VmHWM. VmHWM is exact up to
 * the last read: growth in a process's last interval before it exits is missed, and a process that lives less
 * than one interval may not be seen at all.
 */
export class ProcessPeakWatcher {
  private readonly seen = new Map<number, Entry>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly rootPid: number,
    private readonly isProfiled: (pid: number) => boolean,
    private readonly intervalMs = 5,
    private readonly root: ProcRoot = SYSTEM_PROC,
    /** Read /proc/PID/maps too (for profilers whose frames can lack symbols: massif, heaptrack). */
    private readonly readMaps = false,
  ) {}

  start(): this {
    this.read();
    this.timer = setInterval(() => this.read(), this.intervalMs);
    return this;
  }

  /** One pass over the tree (also called once more when the root exits). */
  read(): void {
    const todo = [this.rootPid];
    const visited = new Set<number>();
    while (todo.length > 0) {
      const pid = todo.pop()!;
      if (visited.has(pid)) continue;
      visited.add(pid);
      let text: string;
      try {
        text = readFileSync(`${this.root.proc}/${pid}/status`, 'latin1');
      } catch {
        continue;
      }
      const hwm = kibFieldBytes(text, 'VmHWM'); // bytes, -1 for zombies
      const name = /^Name:\s*(.*)$/m.exec(text)?.[1] ?? '?';
      const ppid = Number(/^PPid:\s*(\d+)/m.exec(text)?.[1] ?? 0);
      let e = this.seen.get(pid);
      if (!e) {
        e = { pid, ppid, name, vmHwmBytes: 0, profiled: false, reads: 0, moduleBases: {}, mapsAtMs: -Infinity };
        this.seen.set(pid, e);
      }
      if (e.name !== name) {
        // A new program image (exec): its VmHWM starts again, and the profiler may not have followed it.
        e.name = name;
        e.vmHwmBytes = 0;
        e.profiled = false;
        e.moduleBases = {};
        e.mapsAtMs = -Infinity;
      }
      // Asked until it says yes: a process seen between fork and exec has not yet the profiler's environment.
      if (!e.profiled) e.profiled = this.isProfiled(pid);
      if (hwm >= 0) {
        const rose = hwm > e.vmHwmBytes;
        e.vmHwmBytes = Math.max(e.vmHwmBytes, hwm);
        e.reads++;
        const now = performance.now();
        if (this.readMaps && e.profiled && (rose || e.mapsAtMs < 0) && now - e.mapsAtMs >= MAPS_EVERY_MS) {
          const bases = readModuleBases(pid, this.root);
          if (bases) Object.assign(e.moduleBases, bases);
          e.mapsAtMs = now;
        }
      }
      todo.push(...readChildren(pid, this.root));
    }
  }

  stop(): ProcessPeak[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return [...this.seen.values()].filter((e) => e.reads > 0).map(({ mapsAtMs: _, ...e }) => ({ ...e, moduleBases: { ...e.moduleBases } }));
  }
}

/** True when /proc/PID/environ has VAR=… containing `part` (e.g. LD_PRELOAD with heaptrack's library). */
export function environValueHas(pid: number, variable: string, part: string, root: ProcRoot = SYSTEM_PROC): boolean {
  try {
    return readFileSync(`${root.proc}/${pid}/environ`, 'latin1')
      .split('\0')
      .some((e) => e.startsWith(`${variable}=`) && e.includes(part));
  } catch {
    return false;
  }
}
