// The two ways to follow a tree — a cgroup made for the run, or /proc walking plus an environment marker —
// behind one interface, chosen once per invocation (auto tries the cgroup and says why it fell back).
import { existsSync, readdirSync } from 'node:fs';
import type { Backend } from '../result.js';
import type { Membership } from '../sample/protocol.js';
import { environHas, readChildren, readVmstatOomKills } from '../probe/proc.js';
import type { RunOomCounters } from './oom.js';
import { MembenchError } from '../errors.js';
import {
  CgroupUnavailable,
  createRunCgroup,
  groupOomCounters,
  kernelCgroupPath,
  killRunCgroupSync,
  listPids,
  machineLayout,
  planRunCgroup,
  readPeakBytes,
  removeRunCgroupSync,
  sweepStaleGroups,
  systemPlanInput,
  waitEmptySync,
  type CgroupPlan,
  type RunCgroup,
} from './cgroup.js';
import { MARKER_VAR } from './launch.js';
import { applyCgroupLimits, extraControllersFor, refuseCgroupLimits, NO_LIMITS, type AppliedLimit, type LimitsRequest } from './limits.js';
import { registerCleanup } from './cleanup.js';
import type { GuardTargets } from './guard.js';
import { join } from 'node:path';

export type BackendChoice = 'auto' | 'cgroup' | 'proc';

/** One run's view of its backend. */
export interface PreparedRun {
  readonly joinFiles: readonly string[];
  readonly extraEnv: Readonly<Record<string, string>>;
  readonly membership: Membership;
  readonly usageFile: string | null;
  readonly memoryStatFile: string | null;
  readonly memoryStatVersion: 1 | 2;
  /** What a guard must kill and remove if membench dies (the cgroup part; process groups are added by the runner). */
  readonly guard: GuardTargets;
  /** cgroup limits asked for, and whether each was applied. */
  readonly limits: readonly AppliedLimit[];
  /** The memory limit in force on the group, when one was applied. */
  readonly memoryLimitBytes: number | null;
  /** Kills every process of the tree (synchronous: usable from signal and exit handlers). */
  killTree(rootPid: number | null): void;
  /** The kernel's peak for the group, when the backend has one. */
  peakBytes(): number | null;
  /** OOM kills counted since prepare: in the run's group (cgroup backend) and on the whole machine (/proc/vmstat). */
  oom(): RunOomCounters;
  /** The run's memory cgroup as the kernel names it in OOM lines (oom_memcg=, task_memcg=); null on the proc backend. */
  readonly cgroupPath: string | null;
  /** Pids of the tree right now: cgroup.procs, or the root's descendants plus processes carrying the marker. */
  listPids(rootPid: number): number[];
  /** Kills what is left, removes the group; returns anything that could not be removed. */
  cleanup(rootPid: number | null): string[];
}

export interface RunBackend {
  readonly info: Backend;
  prepare(runName: string): PreparedRun;
}

const PROC_LIMITATIONS = [
  'tree peak is the sampled maximum of the sum of RSS: a spike shorter than one interval can be missed, and shared pages are counted once per process (see pssSumBytes)',
  'a child that starts and exits between two membership scans is not seen',
  'a re-parented daemon is found only through the MEMBENCH_RUN environment marker: one that clears its environment escapes',
];

const CGROUP_LIMITATIONS = [
  'the cgroup peak counts page cache first faulted by the run (see treeFileBytes) and not library pages already cached by others',
];

/** SIGKILL to the process group led by pid (the target is spawned detached, so pid = pgid). */
export function killProcessGroup(pid: number): boolean {
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

function machineOomKillsSince(before: number | null, procRoot: string): number | null {
  const after = readVmstatOomKills({ proc: procRoot });
  return before === null || after === null ? null : after - before;
}

/** proc backend: the root and its descendants (task/TID/children, recursively), plus re-parented marker carriers. */
function procTreePids(rootPid: number, markerEntry: string, procRoot: string): number[] {
  const seen = new Set<number>();
  const todo = [rootPid];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    todo.push(...readChildren(pid, { proc: procRoot }));
  }
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (!seen.has(pid) && pid !== process.pid && environHas(pid, markerEntry, { proc: procRoot })) seen.add(pid);
  }
  return [...seen].filter((pid) => existsSync(`${procRoot}/${pid}`));
}

function procBackend(
  layout: Backend['cgroupLayout'],
  fallbackReason: string | null,
  procRoot: string,
  limitsReq: LimitsRequest,
): RunBackend {
  const limits = refuseCgroupLimits(limitsReq, fallbackReason ?? 'proc backend');
  return {
    info: {
      kind: 'proc',
      cgroupLayout: layout,
      memoryAccounting: 'proc',
      membership: '/proc/PID/task/*/children walked from the root, plus a /proc scan for the MEMBENCH_RUN environment marker',
      kill: 'SIGKILL to the process group and to every process carrying the marker, repeated until none is left',
      fallbackReason,
      limitations: PROC_LIMITATIONS,
    },
    prepare(runName) {
      const markerEntry = `${MARKER_VAR}=${runName}`;
      const oomBefore = readVmstatOomKills({ proc: procRoot });
      const killTree = (rootPid: number | null): void => {
        for (let round = 0; round < 20; round++) {
          let found = 0;
          if (rootPid && killProcessGroup(rootPid)) found++;
          for (const name of readdirSync(procRoot)) {
            if (!/^\d+$/.test(name)) continue;
            const pid = Number(name);
            if (pid !== process.pid && environHas(pid, markerEntry, { proc: procRoot })) {
              try {
                process.kill(pid, 'SIGKILL');
                found++;
              } catch {
                /* gone */
              }
            }
          }
          if (found === 0) return;
        }
      };
      let unregister = (): void => undefined;
      const run: PreparedRun = {
        joinFiles: [],
        extraEnv: { [MARKER_VAR]: runName },
        membership: { kind: 'proc', markerEntry },
        usageFile: null,
        memoryStatFile: null,
        memoryStatVersion: 1,
        guard: { procsFile: '', killFile: '', dirs: [], markerEntry },
        limits,
        memoryLimitBytes: null,
        cgroupPath: null,
        killTree,
        peakBytes: () => null,
        oom: () => ({ groupOomKills: null, groupLimitHits: null, machineOomKills: machineOomKillsSince(oomBefore, procRoot) }),
        listPids: (rootPid) => procTreePids(rootPid, markerEntry, procRoot),
        cleanup: (rootPid) => {
          killTree(rootPid);
          unregister();
          return [];
        },
      };
      unregister = registerCleanup(() => killTree(null));
      return run;
    },
  };
}

function cgroupBackend(plan: CgroupPlan, procRoot: string, limitsReq: LimitsRequest): RunBackend {
  return {
    info: {
      kind: 'cgroup',
      cgroupLayout: plan.layout,
      memoryAccounting: plan.memory.version === 1 ? 'cgroup-v1' : 'cgroup-v2',
      membership: `cgroup.procs of a group made for each run (${plan.membershipDir.replace(/[^/]+$/, '<run>')}), joined by the target before exec`,
      kill:
        plan.killVia === 'cgroup.kill'
          ? 'cgroup v2 cgroup.kill'
          : plan.killVia === 'freezer'
            ? 'v1 freezer: freeze, SIGKILL every pid, thaw'
            : 'SIGKILL every pid in cgroup.procs until empty',
      fallbackReason: null,
      limitations: CGROUP_LIMITATIONS,
    },
    prepare(runName) {
      const input = systemPlanInput(runName, procRoot);
      const cg: RunCgroup = createRunCgroup(planRunCgroup({ ...input, extraControllers: extraControllersFor(limitsReq) }));
      let limits: AppliedLimit[];
      try {
        limits = applyCgroupLimits(cg.plan, limitsReq);
      } catch (e) {
        removeRunCgroupSync(cg);
        throw e;
      }
      const memoryLimit = limits.find((l) => l.name === 'memory-limit' && l.applied) ? limitsReq.memoryBytes : null;
      const oomBefore = readVmstatOomKills({ proc: procRoot });
      const unregister = registerCleanup(() => removeRunCgroupSync(cg));
      return {
        joinFiles: cg.joinFiles,
        extraEnv: {},
        membership: { kind: 'cgroup', procsFile: cg.procsFile },
        usageFile: cg.usageFile,
        memoryStatFile: cg.statFile,
        memoryStatVersion: cg.plan.memory.version,
        guard: {
          procsFile: cg.procsFile,
          killFile: cg.plan.v2Dir ? join(cg.plan.v2Dir, 'cgroup.kill') : '',
          dirs: [...cg.plan.dirs].reverse(),
          markerEntry: '',
        },
        limits,
        memoryLimitBytes: memoryLimit,
        cgroupPath: kernelCgroupPath(cg.plan.memory.dir, input.mounts),
        killTree: (rootPid) => {
          // The process group covers the moment before the wrapper has joined the group.
          if (rootPid) killProcessGroup(rootPid);
          killRunCgroupSync(cg);
          waitEmptySync(cg, 1000, true);
        },
        peakBytes: () => readPeakBytes(cg),
        oom: () => ({ ...groupOomCounters(cg), machineOomKills: machineOomKillsSince(oomBefore, procRoot) }),
        listPids: () => listPids(cg.procsFile),
        cleanup: () => {
          const left = removeRunCgroupSync(cg);
          unregister();
          return left;
        },
      };
    },
  };
}

/** Chooses the backend once. auto: cgroup when a test group can be created and removed, else proc with the reason. */
export function resolveBackend(choice: BackendChoice, procRoot = '/proc', limits: LimitsRequest = NO_LIMITS): RunBackend {
  const layout = machineLayout(procRoot);
  if (choice === 'proc') return procBackend(layout, 'forced with --backend proc', procRoot, limits);
  try {
    const plan = planRunCgroup({
      ...systemPlanInput(`membench-${process.pid}-0`, procRoot),
      extraControllers: extraControllersFor(limits),
    });
    sweepStaleGroups(plan);
    const probe = createRunCgroup(plan);
    const left = removeRunCgroupSync(probe);
    if (left.length > 0) throw new CgroupUnavailable(`cannot remove test group ${left[0]}`);
    if (listPids(probe.procsFile).length > 0) throw new CgroupUnavailable('test group not empty');
    return cgroupBackend(plan, procRoot, limits);
  } catch (e) {
    const reason = e instanceof CgroupUnavailable ? e.reason : `cgroup setup failed: ${(e as Error).message}`;
    if (choice === 'cgroup') {
      throw new MembenchError(
        'environment',
        `cannot use the cgroup backend: ${reason}`,
        'use --backend proc or --backend auto to fall back to /proc sampling',
      );
    }
    return procBackend(layout, reason, procRoot, limits);
  }
}
