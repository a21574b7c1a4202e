// The native reaper's report (native/reaper.c): the target's pid, the kernel's exit accounting (wait4 ru_maxrss) of
// every process it reaped, and RUSAGE_CHILDREN's ru_maxrss once the whole tree is gone. Parsing is pure; the channel
// turns the lines of one reaper into promises the run follows.
import { constants } from 'node:os';
import type { Readable } from 'node:stream';

/** One line of the reaper's report. */
export type ReaperEvent =
  | { readonly kind: 'child'; readonly pid: number }
  | { readonly kind: 'reaped'; readonly pid: number; readonly maxRssBytes: number; readonly status: number }
  | { readonly kind: 'children'; readonly maxRssBytes: number };

/** Parses one line ("P pid", "R pid maxrssKiB status", "C maxrssKiB"); null for anything else. */
export function parseReaperLine(line: string): ReaperEvent | null {
  const f = line.trim().split(' ');
  const n = f.slice(1).map(Number);
  if (!n.every(Number.isInteger)) return null;
  if (f[0] === 'P' && n.length === 1 && n[0]! > 0) return { kind: 'child', pid: n[0]! };
  if (f[0] === 'R' && n.length === 3 && n[0]! > 0 && n[1]! >= 0)
    return { kind: 'reaped', pid: n[0]!, maxRssBytes: n[1]! * 1024, status: n[2]! };
  if (f[0] === 'C' && n.length === 1 && n[0]! >= 0) return { kind: 'children', maxRssBytes: n[0]! * 1024 };
  return null;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, num]) => [num, name as NodeJS.Signals]));

/** A wait status as node reports a child's end: (code, null) for an exit, (null, signal) for a death by signal. */
export function decodeWaitStatus(status: number): { code: number | null; signal: NodeJS.Signals | null } {
  const sig = status & 0x7f;
  if (sig === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal: SIGNAL_NAMES.get(sig) ?? null };
}

/** What one reaper reported by the end of the run. */
export interface ReaperReport {
  /** Every process it reaped, with its ru_maxrss: the largest VmHWM of it and of every descendant it waited for. */
  readonly reaped: ReadonlyMap<number, number>;
  /** RUSAGE_CHILDREN ru_maxrss once every descendant was gone; null when the reaper did not get that far. */
  readonly childrenMaxRssBytes: number | null;
}

/** The lines of one reaper as they arrive. */
export class ReaperChannel {
  /** The target's pid (the reaper's child), or null when the reaper ended without naming it. */
  readonly childPid: Promise<number | null>;
  /** The target's wait status, as soon as the reaper has reaped it. */
  readonly childStatus: Promise<number>;
  /** Resolves when the reaper has said all it will say (its final line, or its report closed). */
  readonly done: Promise<ReaperReport>;
  private readonly reaped = new Map<number, number>();
  private childrenMax: number | null = null;

  constructor(stream: Readable) {
    let onPid: (pid: number | null) => void = () => undefined;
    let onStatus: (status: number) => void = () => undefined;
    let onDone: (r: ReaperReport) => void = () => undefined;
    this.childPid = new Promise((r) => {
      onPid = r;
    });
    this.childStatus = new Promise((r) => {
      onStatus = r;
    });
    this.done = new Promise((r) => {
      onDone = r;
    });
    let child: number | null = null;
    let buffered = '';
    const finish = (): void => {
      onPid(null);
      onDone({ reaped: this.reaped, childrenMaxRssBytes: this.childrenMax });
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const e = parseReaperLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (e?.kind === 'child') {
          child = e.pid;
          onPid(e.pid);
        } else if (e?.kind === 'reaped') {
          this.reaped.set(e.pid, Math.max(this.reaped.get(e.pid) ?? 0, e.maxRssBytes));
          if (e.pid === child) onStatus(e.status);
        } else if (e?.kind === 'children') {
          this.childrenMax = e.maxRssBytes;
          finish();
        }
      }
    });
    stream.on('error', finish);
    stream.on('close', finish);
    stream.on('end', finish);
  }
}

/** The reaped figures of a run (all its instances), as the peaks take them. */
export interface ReapedPeaks {
  /** The largest ru_maxrss reported: the largest single-process peak of every process that was waited for. */
  readonly maxRssBytes: number;
  /** The reaped process whose ru_maxrss that is: it, or a descendant it waited for, had that peak. */
  readonly pid: number | null;
  /** True when every reaper saw its whole tree gone (ECHILD): every process of the run was waited for by someone. */
  readonly complete: boolean;
  /** Every pid reaped. */
  readonly pids: readonly number[];
  /** How far a sampled peak may lie above ru_maxrss of the same process (the kernel's per-CPU counters). */
  readonly slackBytes: number;
}

/** Folds the reports of a run's reapers; null when there were none. */
export function reapedPeaks(reports: readonly (ReaperReport | null)[], slackBytes: number): ReapedPeaks | null {
  const got = reports.filter((r): r is ReaperReport => r !== null);
  if (got.length === 0) return null;
  let max = 0;
  let pid: number | null = null;
  const pids: number[] = [];
  for (const r of got) {
    for (const [p, bytes] of r.reaped) {
      pids.push(p);
      if (bytes > max) {
        max = bytes;
        pid = p;
      }
    }
    if (r.childrenMaxRssBytes !== null && r.childrenMaxRssBytes > max) {
      max = r.childrenMaxRssBytes;
      pid = null;
    }
  }
  return {
    maxRssBytes: max,
    pid,
    complete: got.length === reports.length && got.every((r) => r.childrenMaxRssBytes !== null),
    pids,
    slackBytes,
  };
}
