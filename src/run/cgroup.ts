// A cgroup made for one run: planned from the machine's layout (v1, v2, hybrid), created, joined by the
// target before it execs, killed as a whole, removed. Plan (pure) and apply (I/O) are separate so the v2
// paths are tested from fixtures on any machine.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseBytesOrMax,
  parseCgroupMounts,
  parseFlatKeyed,
  parsePids,
  parseProcCgroup,
  type CgroupMembership,
  type CgroupMount,
  type OomCounters,
} from '../probe/cgroup.js';
import { pidAlive } from '../probe/proc.js';
import { parseCount, ProbeParseError } from '../probe/errors.js';
import type { RunOomCounters } from './oom.js';
import { errnoCode } from '../errors.js';

export type CgroupLayout = 'v1' | 'v2' | 'hybrid' | 'none';

export function detectLayout(mounts: readonly CgroupMount[]): CgroupLayout {
  const v1 = mounts.some((m) => m.version === 1 && m.controllers.some((c) => !c.startsWith('name=')));
  const v2 = mounts.some((m) => m.version === 2);
  return v1 && v2 ? 'hybrid' : v1 ? 'v1' : v2 ? 'v2' : 'none';
}

export interface CgroupPlan {
  readonly layout: CgroupLayout;
  readonly memory: { readonly version: 1 | 2; readonly dir: string };
  /** v2 directory of the run (hybrid or v2), giving cgroup.kill and cgroup.events. */
  readonly v2Dir: string | null;
  /** v1 freezer directory, used to kill a v1-only tree without fork races. */
  readonly freezerDir: string | null;
  /** Where cgroup.procs lists the tree. */
  readonly membershipDir: string;
  readonly killVia: 'cgroup.kill' | 'freezer' | 'signals';
  /** A v2 parent whose cgroup.subtree_control needs these controllers enabled before the run's group has their files. */
  readonly enableMemoryIn: string | null;
  readonly enableControllers: readonly string[];
  /** Directories of the run's group for the cpu and cpuset controllers, when limits asked for them. */
  readonly cpuDir: string | null;
  readonly cpusetDir: string | null;
  /** Version of the hierarchy those belong to (file names differ: cpu.cfs_quota_us vs cpu.max). */
  readonly cpuVersion: 1 | 2 | null;
  readonly cpusetVersion: 1 | 2 | null;
  /** Every directory to create (parents first) and remove (reverse). */
  readonly dirs: readonly string[];
}

export class CgroupUnavailable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CgroupUnavailable';
  }
}

export interface PlanInput {
  readonly mounts: readonly CgroupMount[];
  readonly self: readonly CgroupMembership[];
  /** Name of the run's group, e.g. "membench-1234-1". */
  readonly name: string;
  /** Reads a cgroup file, or null when absent/unreadable (injected: tests use fixture maps). */
  readonly readFile: (path: string) => string | null;
  /** Controllers needed beside memory, for limits (--cpu-quota, --cpuset). */
  readonly extraControllers?: readonly ('cpu' | 'cpuset')[];
}

function dirOf(mount: CgroupMount, selfPath: string): string {
  // The process's path is relative to the hierarchy root; the mount may expose a sub-tree of it.
  // Whole path components only: a mount of "/docker/abc" does not contain "/docker/abcdef".
  const inside = selfPath === mount.root || selfPath.startsWith(`${mount.root}/`);
  const rel = mount.root !== '/' && inside ? selfPath.slice(mount.root.length) : selfPath;
  // join() keeps the trailing "/" of a process in the hierarchy root ("0::/"); drop it so paths read cleanly in messages.
  return join(mount.mountPoint, rel).replace(/(?<=.)\/$/, '');
}

/** Decides where the run's cgroup goes and what it can do; throws CgroupUnavailable with the reason. */
export function planRunCgroup(input: PlanInput): CgroupPlan {
  const { mounts, self, name, readFile } = input;
  const layout = detectLayout(mounts);
  if (layout === 'none') throw new CgroupUnavailable('no cgroup filesystem is mounted');
  const v1Dir = (controller: string): string | null => {
    const mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
    const member = self.find((s) => s.controllers.includes(controller));
    return mount && member ? dirOf(mount, member.path) : null;
  };
  const v2Mount = mounts.find((m) => m.version === 2);
  const v2Self = self.find((s) => s.hierarchyId === 0);
  // Once membench has moved itself into its own leaf (see enableControllers), runs still go beside that leaf.
  const v2SelfPath = v2Self ? v2Self.path.replace(/\/membench-self-\d+$/, '') || '/' : null;
  const v2Parent = v2Mount && v2SelfPath !== null ? dirOf(v2Mount, v2SelfPath) : null;
  const v2Dir = v2Parent ? join(v2Parent, name) : null;
  const freezerParent = v1Dir('freezer');
  const freezerDir = freezerParent ? join(freezerParent, name) : null;

  let memory: CgroupPlan['memory'] | null = null;
  let enableMemoryIn: string | null = null;
  const v1Memory = v1Dir('memory');
  if (v1Memory) {
    memory = { version: 1, dir: join(v1Memory, name) };
  } else if (v2Parent && v2Dir) {
    const available = (readFile(join(v2Parent, 'cgroup.controllers')) ?? '').split(/\s+/);
    if (!available.includes('memory')) {
      throw new CgroupUnavailable(
        `the memory controller is not delegated to ${v2Parent} (cgroup.controllers: "${available.join(' ').trim()}")`,
      );
    }
    const enabled = (readFile(join(v2Parent, 'cgroup.subtree_control')) ?? '').split(/\s+/);
    if (!enabled.includes('memory')) enableMemoryIn = v2Parent;
    memory = { version: 2, dir: v2Dir };
  }
  if (!memory) throw new CgroupUnavailable('no memory controller is mounted (neither cgroup v1 "memory" nor v2 with memory)');
  const enable: string[] = enableMemoryIn ? ['memory'] : [];
  const extra: Record<'cpu' | 'cpuset', { dir: string; version: 1 | 2 } | null> = { cpu: null, cpuset: null };
  for (const c of input.extraControllers ?? []) {
    const v1 = v1Dir(c);
    if (v1) {
      extra[c] = { dir: join(v1, name), version: 1 };
      continue;
    }
    const available = v2Parent ? (readFile(join(v2Parent, 'cgroup.controllers')) ?? '').split(/\s+/) : [];
    if (!v2Parent || !v2Dir || !available.includes(c)) {
      throw new CgroupUnavailable(
        `the ${c} controller is not available to membench (neither a cgroup v1 "${c}" hierarchy nor delegated in cgroup v2)`,
      );
    }
    if (!(readFile(join(v2Parent, 'cgroup.subtree_control')) ?? '').split(/\s+/).includes(c)) enable.push(c);
    extra[c] = { dir: v2Dir, version: 2 };
  }
  const dirs = [
    ...new Set([
      memory.dir,
      ...(v2Dir ? [v2Dir] : []),
      ...(freezerDir && !v2Dir ? [freezerDir] : []),
      ...(extra.cpu ? [extra.cpu.dir] : []),
      ...(extra.cpuset ? [extra.cpuset.dir] : []),
    ]),
  ];
  return {
    layout,
    memory,
    v2Dir,
    freezerDir: v2Dir ? null : freezerDir,
    membershipDir: v2Dir ?? memory.dir,
    killVia: v2Dir ? 'cgroup.kill' : freezerDir ? 'freezer' : 'signals',
    enableMemoryIn: enable.length > 0 ? (enableMemoryIn ?? v2Parent) : null,
    enableControllers: enable,
    cpuDir: extra.cpu?.dir ?? null,
    cpusetDir: extra.cpuset?.dir ?? null,
    cpuVersion: extra.cpu?.version ?? null,
    cpusetVersion: extra.cpuset?.version ?? null,
    dirs,
  };
}

/**
 * A group's path as the kernel prints it in OOM lines (oom_memcg=, task_memcg=), from the mount that shows `dir`: the
 * hierarchy root of that mount plus the path below it. In a cgroup namespace the kernel's path is longer and ends
 * with this one. Null when `dir` is under no cgroup mount.
 */
export function kernelCgroupPath(dir: string, mounts: readonly CgroupMount[]): string | null {
  const under = mounts
    .filter((m) => dir === m.mountPoint || dir.startsWith(`${m.mountPoint.replace(/\/$/, '')}/`))
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
  if (!under) return null;
  return join(under.root, dir.slice(under.mountPoint.replace(/\/$/, '').length)).replace(/(?<=.)\/$/, '');
}

/** The machine's own view, read from /proc/self. */
export function systemPlanInput(name: string, procRoot = '/proc'): PlanInput {
  return {
    mounts: parseCgroupMounts(readFileSync(`${procRoot}/self/mountinfo`, 'utf8')),
    self: parseProcCgroup(readFileSync(`${procRoot}/self/cgroup`, 'utf8')),
    name,
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return null;
      }
    },
  };
}

export function machineLayout(procRoot = '/proc'): CgroupLayout {
  try {
    return detectLayout(parseCgroupMounts(readFileSync(`${procRoot}/self/mountinfo`, 'utf8')));
  } catch {
    return 'none';
  }
}

/** A created run cgroup: the files the sampler and the runner need. */
export interface RunCgroup {
  readonly plan: CgroupPlan;
  readonly usageFile: string;
  readonly peakFile: string | null;
  readonly statFile: string;
  readonly procsFile: string;
  /** cgroup.procs files the target writes its own pid into before exec. */
  readonly joinFiles: readonly string[];
}

const errCode = (e: unknown): string => errnoCode(e) ?? String(e);

/** Creates the directories of a plan; on any failure removes what was made and throws CgroupUnavailable. */
export function createRunCgroup(plan: CgroupPlan): RunCgroup {
  const made: string[] = [];
  try {
    if (plan.enableMemoryIn) enableControllers(plan.enableMemoryIn, plan.enableControllers);
    for (const dir of plan.dirs) {
      mkdirSync(dir);
      made.push(dir);
      // A v1 cpuset group starts with no CPUs and no memory nodes: nobody can join it until they are set.
      if (dir === plan.cpusetDir && plan.cpusetVersion === 1) {
        for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(join(dir, f), readFileSync(join(dir, '..', f), 'utf8').trim());
      }
    }
  } catch (e) {
    for (const d of made.reverse()) tryRmdir(d);
    if (e instanceof CgroupUnavailable) throw e;
    throw new CgroupUnavailable(
      `cannot create ${plan.dirs[made.length] ?? plan.dirs[0]}: ${errCode(e)}${errCode(e) === 'EACCES' || errCode(e) === 'EPERM' || errCode(e) === 'EROFS' ? ' (no write access to the cgroup tree: run as root, or in a delegated subtree, e.g. systemd-run --user --scope -p Delegate=yes)' : ''}`,
    );
  }
  const m = plan.memory;
  const usageFile = join(m.dir, m.version === 1 ? 'memory.usage_in_bytes' : 'memory.current');
  const peak = join(m.dir, m.version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak');
  const cg: RunCgroup = {
    plan,
    usageFile,
    peakFile: existsSync(peak) ? peak : null,
    statFile: join(m.dir, 'memory.stat'),
    procsFile: join(plan.membershipDir, 'cgroup.procs'),
    joinFiles: plan.dirs.map((d) => join(d, 'cgroup.procs')),
  };
  if (!existsSync(usageFile)) {
    removeRunCgroupSync(cg);
    throw new CgroupUnavailable(`${usageFile} did not appear: the memory controller is not active in ${m.dir}`);
  }
  return cg;
}

/** v2: enable controllers for children of `parent`. If `parent` holds processes (the
 * "no internal processes" rule answers EBUSY), membench moves itself into a leaf first. */
function enableControllers(parent: string, controllers: readonly string[]): void {
  const ctl = join(parent, 'cgroup.subtree_control');
  const line = controllers.map((c) => `+${c}`).join(' ');
  try {
    writeFileSync(ctl, line);
    return;
  } catch (e) {
    if (errCode(e) !== 'EBUSY') throw new CgroupUnavailable(`cannot enable ${controllers.join(', ')} in ${ctl}: ${errCode(e)}`);
  }
  const leaf = join(parent, `membench-self-${process.pid}`);
  try {
    if (!existsSync(leaf)) mkdirSync(leaf);
    writeFileSync(join(leaf, 'cgroup.procs'), String(process.pid));
    writeFileSync(ctl, line);
  } catch (e) {
    throw new CgroupUnavailable(
      `cannot enable ${controllers.join(', ')} in ${ctl}: other processes share membench's cgroup (${errCode(e)}); run membench in its own scope (systemd-run --user --scope -p Delegate=yes membench …)`,
    );
  }
}

export function readPeakBytes(cg: RunCgroup): number | null {
  if (!cg.peakFile) return null;
  try {
    return parseBytesOrMax(readFileSync(cg.peakFile, 'utf8'), cg.peakFile);
  } catch {
    return null;
  }
}

/**
 * The group's OOM counters (v1 memory.oom_control and memory.failcnt, v2 memory.events); null when a file cannot be
 * read (the group is gone). A file that reads but does not parse throws ProbeParseError naming the file and the line,
 * as probe/ does: text the kernel wrote and membench cannot read is not "no counters".
 */
export function readOomCounters(cg: RunCgroup): OomCounters | null {
  const dir = cg.plan.memory.dir;
  const read = (name: string): { file: string; text: string } | null => {
    const file = join(dir, name);
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch {
      return null;
    }
  };
  if (cg.plan.memory.version === 1) {
    const oom = read('memory.oom_control');
    const failcnt = read('memory.failcnt');
    if (oom === null || failcnt === null) return null;
    return {
      oomKills: parseFlatKeyed(oom.text, oom.file).get('oom_kill') ?? 0,
      limitHits: parseCount(failcnt.text.trim(), failcnt.file, 1, 'failcnt'),
    };
  }
  const events = read('memory.events');
  if (events === null) return null;
  const counts = parseFlatKeyed(events.text, events.file);
  return { oomKills: counts.get('oom_kill') ?? 0, limitHits: counts.get('max') ?? 0 };
}

/** The group's fields of a run's OOM counters; a counter file that does not parse is said in groupProblem. */
export function groupOomCounters(cg: RunCgroup): Omit<RunOomCounters, 'machineOomKills'> {
  try {
    const group = readOomCounters(cg);
    return { groupOomKills: group?.oomKills ?? null, groupLimitHits: group?.limitHits ?? null };
  } catch (e) {
    if (!(e instanceof ProbeParseError)) throw e;
    return { groupOomKills: null, groupLimitHits: null, groupProblem: e.message };
  }
}

export function listPids(procsFile: string): number[] {
  try {
    return parsePids(readFileSync(procsFile, 'utf8'), procsFile);
  } catch {
    return [];
  }
}

function killEach(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Kills every process in the run's group (cgroup.kill, or freeze + SIGKILL + thaw, or SIGKILL loop). Synchronous so it is usable from exit handlers. */
export function killRunCgroupSync(cg: RunCgroup): void {
  const via = cg.plan.killVia;
  if (via === 'cgroup.kill') {
    try {
      writeFileSync(join(cg.plan.v2Dir!, 'cgroup.kill'), '1');
      return;
    } catch {
      /* kernel < 5.14: fall through to signals */
    }
  }
  if (via === 'freezer' && cg.plan.freezerDir) {
    const state = join(cg.plan.freezerDir, 'freezer.state');
    try {
      writeFileSync(state, 'FROZEN');
      killEach(listPids(join(cg.plan.freezerDir, 'cgroup.procs')));
      writeFileSync(state, 'THAWED');
    } catch {
      /* fall back to signals */
    }
  }
  killEach(listPids(cg.procsFile));
}

/** Blocks (busy-waits with short sleeps) until the group is empty or `timeoutMs` passes; re-kills while waiting. */
export function waitEmptySync(cg: RunCgroup, timeoutMs: number, rekill: boolean): boolean {
  const deadline = Date.now() + timeoutMs;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    if (listPids(cg.procsFile).length === 0) return true;
    if (Date.now() > deadline) return false;
    if (rekill) killRunCgroupSync(cg);
    Atomics.wait(nap, 0, 0, 5);
  }
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    return errCode(e) === 'ENOENT';
  }
}

/** Kills what is left, waits up to 1 s for the group to empty, removes every directory. Returns leftovers. */
export function removeRunCgroupSync(cg: RunCgroup): string[] {
  if (listPids(cg.procsFile).length > 0) {
    killRunCgroupSync(cg);
    waitEmptySync(cg, 1000, true);
  }
  const left: string[] = [];
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (const dir of [...cg.plan.dirs].reverse()) {
    let ok = tryRmdir(dir);
    for (let i = 0; !ok && i < 50; i++) {
      Atomics.wait(nap, 0, 0, 10); // a dying task can keep the group busy for a few ms
      ok = tryRmdir(dir);
    }
    if (!ok) left.push(dir);
  }
  return left;
}

/** Removes groups left by membench processes that no longer exist (e.g. a membench killed with SIGKILL). */
export function sweepStaleGroups(plan: CgroupPlan): string[] {
  const swept: string[] = [];
  const parents = new Set(plan.dirs.map((d) => join(d, '..')));
  for (const parent of parents) {
    let names: string[] = [];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const n of names) {
      const m = /^membench-(\d+)-\d+$/.exec(n) ?? /^membench-self-(\d+)$/.exec(n);
      if (!m || pidAlive(Number(m[1]))) continue;
      const dir = join(parent, n);
      killEach(listPids(join(dir, 'cgroup.procs')));
      if (tryRmdir(dir)) swept.push(dir);
    }
  }
  return swept;
}
