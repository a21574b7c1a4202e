// Whose OOM kill it was: the kernel's counters and OOM events of the log, attributed to one run by its cgroup (or, on
// the proc backend, its pids) inside its time window — a kill in another run, another job, or on the machine at
// large is never blamed on this one. Pure: runOnce reads the counters and the log and hands them in.
import type { KilledProcess, OomEvent } from '../probe/kmsg.js';

/** Counters moved during the run: the run's own group (cgroup backend) and the whole machine (/proc/vmstat oom_kill). */
export interface RunOomCounters {
  readonly groupOomKills: number | null;
  readonly groupLimitHits: number | null;
  readonly machineOomKills: number | null;
  /** Why the group's counters are unknown although the group exists (its counter file did not parse). */
  readonly groupProblem?: string;
}

/** What a run knows of itself, to recognise its own kills. */
export interface OomRunIdentity {
  /** The run's memory cgroup as the kernel names it (oom_memcg=, task_memcg=), null on the proc backend. */
  readonly cgroupPath: string | null;
  /** Every pid seen in the run's tree. */
  readonly pids: ReadonlySet<number>;
  /** Spawn to the end of the tree, on the kmsg clock (µs since boot). */
  readonly windowUsec: { readonly start: number; readonly end: number };
}

/**
 * Slack around the window. kmsg stamps come from the kernel's local clock, the window from CLOCK_MONOTONIC: they agree
 * within ~1 ms here, but NTP slews only the second, by up to tens of ppm of uptime. The window only guards against old
 * lines of a reused pid or group name; identity (cgroup, pid) is what attributes, so a generous slack costs nothing.
 */
export const WINDOW_SLACK_USEC = 2_000_000;

/**
 * Whether `kernelPath` (as the kernel prints it) is the run's group `runPath` or inside it. The kernel prints the path
 * from the root of the hierarchy; membench sees it from its mount, which in a container or cgroup namespace is a
 * sub-tree: the kernel's path then ends with membench's. Run groups are named membench-PID-N, so a suffix is theirs.
 */
export function namesRunCgroup(kernelPath: string | null, runPath: string): boolean {
  if (kernelPath === null || runPath === '/' || runPath === '') return false;
  return kernelPath === runPath || kernelPath.endsWith(runPath) || kernelPath.includes(`${runPath}/`);
}

/**
 * The events of the log that belong to the run: logged inside its window (± WINDOW_SLACK_USEC), and naming the run's
 * cgroup (oom_memcg= or task_memcg=) — or, on the proc backend or when the kernel did not name a cgroup, killing a pid
 * of the run's tree.
 */
export function attributeOom(events: readonly OomEvent[], run: OomRunIdentity): OomEvent[] {
  return events.filter((e) => {
    if (e.usec < run.windowUsec.start - WINDOW_SLACK_USEC || e.usec > run.windowUsec.end + WINDOW_SLACK_USEC) return false;
    if (run.cgroupPath !== null && (e.oomMemcg !== null || e.taskMemcg !== null)) {
      return namesRunCgroup(e.taskMemcg, run.cgroupPath) || namesRunCgroup(e.oomMemcg, run.cgroupPath);
    }
    return e.killed.some((k) => run.pids.has(k.pid));
  });
}

/** Whether the kernel log is worth reading: a kill in the run's group, or (without one) any kill on the machine. */
export function needsKernelLog(counters: RunOomCounters, run: OomRunIdentity): boolean {
  if (run.cgroupPath !== null && counters.groupOomKills !== null) return counters.groupOomKills > 0;
  return counters.machineOomKills !== 0;
}

/** The run's OOM kills, when it had any. */
export interface OomVerdict {
  /** 'cgroup': the run's own limit; 'machine': the machine, or a limit outside the run. */
  readonly scope: 'cgroup' | 'machine';
  readonly oomKills: number;
  readonly limitHits: number | null;
  /** The run's processes the kernel says it killed (empty when the log is unreadable or holds no line of it). */
  readonly killed: readonly KilledProcess[];
  /** The lines of the run's own events; null when the kernel log is not readable. */
  readonly kernelLog: string[] | null;
  /** The cgroup whose limit the kernel enforced (oom_memcg= of the run's first event); null when machine-wide or unlogged. */
  readonly limitCgroup: string | null;
}

export interface OomJudgement {
  readonly verdict: OomVerdict | null;
  /** What could not be attributed, said as such. */
  readonly notes: readonly string[];
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * Decides the run's OOM kills from the counters and the log (`events` null: /dev/kmsg not readable).
 * - cgroup backend: the group's oom_kill counter is exact for the run; the log adds who and why (scope from oom_memcg).
 * - proc backend: only /proc/vmstat, which counts every kill on the machine; a kill is the run's only when the log names
 *   a pid of its tree. Without the log nothing is blamed, and a note says a kill happened that could not be attributed.
 */
export function judgeOom(
  counters: RunOomCounters,
  events: readonly OomEvent[] | null,
  run: OomRunIdentity,
  memoryLimitBytes: number | null,
): OomJudgement {
  if (counters.groupProblem !== undefined) {
    // Judged as on the proc backend (the machine's count and the log), and said so.
    const judged = judgeOom(
      { groupOomKills: null, groupLimitHits: null, machineOomKills: counters.machineOomKills },
      events,
      run,
      memoryLimitBytes,
    );
    return {
      verdict: judged.verdict,
      notes: [
        `the run's cgroup OOM counters are unknown (${counters.groupProblem}): its OOM kills were judged from /proc/vmstat and the kernel log`,
        ...judged.notes,
      ],
    };
  }
  const own = events === null ? null : attributeOom(events, run);
  const kernelLog = own === null ? null : own.flatMap((e) => [...e.lines]);
  const killed =
    own === null ? [] : dedupe(own.flatMap((e) => [...e.killed]).filter((k) => run.cgroupPath !== null || run.pids.has(k.pid)));
  const limitCgroup = own?.[0]?.oomMemcg ?? null;
  if (run.cgroupPath !== null && counters.groupOomKills !== null) {
    if (counters.groupOomKills === 0) return { verdict: null, notes: [] };
    const byLimit =
      own !== null && own.length > 0 ? own.some((e) => namesRunCgroup(e.oomMemcg, run.cgroupPath!)) : memoryLimitBytes !== null; // unlogged: the run's own limit is the likely one only if membench set it
    return {
      verdict: {
        scope: byLimit ? 'cgroup' : 'machine',
        oomKills: counters.groupOomKills,
        limitHits: counters.groupLimitHits,
        killed,
        kernelLog,
        limitCgroup,
      },
      notes: [],
    };
  }
  const machine = counters.machineOomKills;
  if (own === null) {
    const notes =
      machine !== null && machine > 0
        ? [
            `${plural(machine, 'OOM kill')} happened on the machine during the run (/proc/vmstat oom_kill) and could not be attributed: the kernel log (/dev/kmsg) that names the killed process is not readable (needs root or kernel.dmesg_restrict=0)`,
          ]
        : [];
    return { verdict: null, notes };
  }
  if (machine === 0 || killed.length === 0) return { verdict: null, notes: [] };
  const scope = own.some((e) => namesRunCgroup(e.oomMemcg, run.cgroupPath ?? '')) ? 'cgroup' : 'machine';
  return { verdict: { scope, oomKills: killed.length, limitHits: counters.groupLimitHits, killed, kernelLog, limitCgroup }, notes: [] };
}

function dedupe(killed: readonly KilledProcess[]): KilledProcess[] {
  const seen = new Set<number>();
  return killed.filter((k) => {
    if (seen.has(k.pid)) return false;
    seen.add(k.pid);
    return true;
  });
}

/** The plain-language remark for a kill of the tree that did not end the main command. */
export function oomNote(verdict: OomVerdict | null, outcomeState: string): string | null {
  if (!verdict || outcomeState === 'oom-killed') return null;
  const k = verdict.killed[0];
  return `the OOM killer killed ${k?.name || 'a process'}${k ? ` (pid ${k.pid})` : ''} of the tree, not the main command`;
}
