// planRunCgroup from fixture /proc/self/{mountinfo,cgroup} and fixture cgroup files (injected readFile), and the
// parts of create / kill / sweep that work on plain directories, so every layout is checked on any machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  CgroupUnavailable,
  createRunCgroup,
  detectLayout,
  killRunCgroupSync,
  machineLayout,
  planRunCgroup,
  sweepStaleGroups,
  systemPlanInput,
  type CgroupPlan,
  type PlanInput,
} from '../../src/run/cgroup.js';
import { ROOT } from '../helpers/fixtures.js';

const FIX = join(ROOT, 'test', 'fixtures');
const NAME = 'membench-4000-1';
const procRoot = (layout: string): string => join(FIX, 'proc', layout);

/** A readFile that serves test/fixtures/cgroup/<fixture>/<file> for files of `cgroupDir`, null elsewhere; records what was asked. */
function cgroupFiles(cgroupDir: string, fixture: string): { readFile: PlanInput['readFile']; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    readFile: (p) => {
      asked.push(p);
      if (dirname(p) !== cgroupDir) return null;
      try {
        return readFileSync(join(FIX, 'cgroup', fixture, basename(p)), 'utf8');
      } catch {
        return null;
      }
    },
  };
}

/** Plan input from a fixture /proc, with cgroup files from a fixture directory (or none). */
function input(layout: string, files?: { readFile: PlanInput['readFile'] }): PlanInput {
  return { ...systemPlanInput(NAME, procRoot(layout)), readFile: files?.readFile ?? (() => null) };
}

const unavailable =
  (pattern: RegExp) =>
  (e: unknown): boolean => {
    assert.ok(e instanceof CgroupUnavailable, String(e));
    assert.match(e.reason, pattern);
    assert.equal(e.message, e.reason);
    return true;
  };

test('hybrid (this machine, captured): v1 memory for accounting, membership and cgroup.kill in the v2 tree', () => {
  const files = cgroupFiles('/nowhere', 'v2');
  const plan = planRunCgroup(input('hybrid', files));
  const memoryDir = `/sys/fs/cgroup/memory/process_api/0cde710744738c5625b68a09c7fa5d32/${NAME}`;
  assert.deepEqual(plan, {
    layout: 'hybrid',
    memory: { version: 1, dir: memoryDir },
    v2Dir: `/sys/fs/cgroup/unified/${NAME}`,
    freezerDir: null,
    membershipDir: `/sys/fs/cgroup/unified/${NAME}`,
    killVia: 'cgroup.kill',
    enableMemoryIn: null,
    enableControllers: [],
    cpuDir: null,
    cpusetDir: null,
    cpuVersion: null,
    cpusetVersion: null,
    dirs: [memoryDir, `/sys/fs/cgroup/unified/${NAME}`],
  } satisfies CgroupPlan);
  assert.deepEqual(files.asked, [], 'v1 memory needs no v2 controller files');
});

test('hybrid without a v1 memory hierarchy falls back to the v2 tree, which here lacks memory: unavailable, says why', () => {
  const base = input('hybrid');
  const mounts = base.mounts.filter((m) => !m.controllers.includes('memory'));
  assert.throws(
    () => planRunCgroup({ ...base, mounts, readFile: (p) => (p === '/sys/fs/cgroup/unified/cgroup.controllers' ? 'hugetlb\n' : null) }),
    unavailable(/^the memory controller is not delegated to \/sys\/fs\/cgroup\/unified \(cgroup.controllers: "hugetlb"\)$/),
  );
});

test('v2, memory delegated but not yet enabled for children: enableMemoryIn is the parent', () => {
  const parent = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-r3b1c2d.scope';
  const files = cgroupFiles(parent, 'v2');
  const plan = planRunCgroup(input('v2', files));
  assert.deepEqual(plan, {
    layout: 'v2',
    memory: { version: 2, dir: `${parent}/${NAME}` },
    v2Dir: `${parent}/${NAME}`,
    freezerDir: null,
    membershipDir: `${parent}/${NAME}`,
    killVia: 'cgroup.kill',
    enableMemoryIn: parent,
    enableControllers: ['memory'],
    cpuDir: null,
    cpusetDir: null,
    cpuVersion: null,
    cpusetVersion: null,
    dirs: [`${parent}/${NAME}`],
  } satisfies CgroupPlan);
  assert.deepEqual(files.asked, [`${parent}/cgroup.controllers`, `${parent}/cgroup.subtree_control`]);
});

test('v2, after membench moved itself into its membench-self-PID leaf: runs still go beside the leaf, in the original parent', () => {
  const parent = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-r3b1c2d.scope';
  const files = cgroupFiles(parent, 'v2');
  const base = input('v2', files);
  const moved = base.self.map((m) => (m.hierarchyId === 0 ? { ...m, path: `${m.path}/membench-self-4000` } : m));
  const plan = planRunCgroup({ ...base, self: moved });
  assert.equal(plan.v2Dir, `${parent}/${NAME}`);
  assert.equal(plan.memory.dir, `${parent}/${NAME}`);
});

test('v2, memory already in cgroup.subtree_control: nothing to enable', () => {
  const parent = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-r3b1c2d.scope';
  const plan = planRunCgroup(input('v2', cgroupFiles(parent, 'v2-enabled')));
  assert.equal(plan.enableMemoryIn, null);
  assert.deepEqual(plan.memory, { version: 2, dir: `${parent}/${NAME}` });
});

test('v2, memory not in cgroup.controllers: CgroupUnavailable naming the group and what is delegated', () => {
  const parent = '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-r3b1c2d.scope';
  assert.throws(
    () => planRunCgroup(input('v2', cgroupFiles(parent, 'v2-no-memory'))),
    unavailable(
      new RegExp(
        `^the memory controller is not delegated to ${parent.replace(/[.@]/g, '\\$&')} \\(cgroup.controllers: "cpuset cpu io pids"\\)$`,
      ),
    ),
  );
  // Unreadable cgroup.controllers is the same answer, with nothing listed.
  assert.throws(() => planRunCgroup(input('v2')), unavailable(/not delegated to .*\(cgroup.controllers: ""\)$/));
});

test('v1 only, with freezer: memory + freezer groups, killed by freezing', () => {
  const plan = planRunCgroup(input('v1'));
  assert.deepEqual(plan, {
    layout: 'v1',
    memory: { version: 1, dir: `/sys/fs/cgroup/memory/user.slice/${NAME}` },
    v2Dir: null,
    freezerDir: `/sys/fs/cgroup/freezer/${NAME}`,
    membershipDir: `/sys/fs/cgroup/memory/user.slice/${NAME}`,
    killVia: 'freezer',
    enableMemoryIn: null,
    enableControllers: [],
    cpuDir: null,
    cpusetDir: null,
    cpuVersion: null,
    cpusetVersion: null,
    dirs: [`/sys/fs/cgroup/memory/user.slice/${NAME}`, `/sys/fs/cgroup/freezer/${NAME}`],
  } satisfies CgroupPlan);
});

test('v1 only, no freezer: SIGKILL every pid', () => {
  const base = input('v1');
  const plan = planRunCgroup({ ...base, mounts: base.mounts.filter((m) => !m.controllers.includes('freezer')) });
  assert.equal(plan.killVia, 'signals');
  assert.equal(plan.freezerDir, null);
  assert.deepEqual(plan.dirs, [`/sys/fs/cgroup/memory/user.slice/${NAME}`]);
});

test('v1 without a memory hierarchy, and no cgroup mounts at all: unavailable with the reason', () => {
  const base = input('v1');
  assert.throws(
    () => planRunCgroup({ ...base, mounts: base.mounts.filter((m) => !m.controllers.includes('memory')) }),
    unavailable(/no memory controller is mounted/),
  );
  assert.throws(() => planRunCgroup(input('none')), unavailable(/^no cgroup filesystem is mounted$/));
});

test('v1 in a container: the mount root (its own directory) is stripped from the process path', () => {
  const plan = planRunCgroup(input('v1-docker'));
  assert.equal(plan.layout, 'v1');
  assert.deepEqual(plan.memory, { version: 1, dir: `/sys/fs/cgroup/memory/${NAME}` });
  const base = input('v1-docker');
  const nested = base.self.map((s) => ({ ...s, path: `${s.path}/app` }));
  assert.equal(planRunCgroup({ ...base, self: nested }).memory.dir, `/sys/fs/cgroup/memory/app/${NAME}`);
  // A sibling whose name merely starts with the mount root is not inside it.
  const sibling = base.self.map((s) => ({ ...s, path: `${s.path}0` }));
  assert.notEqual(planRunCgroup({ ...base, self: sibling }).memory.dir, `/sys/fs/cgroup/memory/0/${NAME}`);
});

test('detectLayout / machineLayout: named-only v1 hierarchies (name=systemd) do not make a machine hybrid', () => {
  assert.equal(machineLayout(procRoot('hybrid')), 'hybrid');
  assert.equal(machineLayout(procRoot('v2')), 'v2');
  assert.equal(machineLayout(procRoot('v1')), 'v1');
  assert.equal(machineLayout(procRoot('none')), 'none');
  assert.equal(machineLayout(join(FIX, 'proc', 'no-such-root')), 'none');
  const v2 = input('v2').mounts;
  assert.equal(detectLayout([...v2, { version: 1, mountPoint: '/sys/fs/cgroup/systemd', root: '/', controllers: ['name=systemd'] }]), 'v2');
});

/** A plan over plain directories in a temp dir (no cgroup filesystem): the kernel's files never appear. */
function tempPlan(t: { after: (fn: () => void) => void }, killVia: CgroupPlan['killVia'] = 'signals'): { base: string; plan: CgroupPlan } {
  const base = mkdtempSync(join(tmpdir(), 'membench-cgroup-plan-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  mkdirSync(join(base, 'memory'));
  mkdirSync(join(base, 'freezer'));
  const memoryDir = join(base, 'memory', NAME);
  const freezerDir = killVia === 'freezer' ? join(base, 'freezer', NAME) : null;
  return {
    base,
    plan: {
      layout: 'v1',
      memory: { version: 1, dir: memoryDir },
      v2Dir: null,
      freezerDir,
      membershipDir: memoryDir,
      killVia,
      enableMemoryIn: null,
      enableControllers: [],
      cpuDir: null,
      cpusetDir: null,
      cpuVersion: null,
      cpusetVersion: null,
      dirs: freezerDir ? [memoryDir, freezerDir] : [memoryDir],
    },
  };
}

test('createRunCgroup: a directory where no memory files appear is removed again and reported', (t) => {
  const { plan } = tempPlan(t, 'freezer');
  assert.throws(() => createRunCgroup(plan), unavailable(/memory\.usage_in_bytes did not appear: the memory controller is not active in /));
  for (const d of plan.dirs) assert.equal(existsSync(d), false, d);
});

test('createRunCgroup: a failed mkdir removes the directories already made and names the one that failed', (t) => {
  const { base, plan } = tempPlan(t);
  const missing = join(base, 'no-such-parent', NAME);
  assert.throws(
    () => createRunCgroup({ ...plan, dirs: [...plan.dirs, missing] }),
    unavailable(new RegExp(`^cannot create ${missing}: ENOENT$`)),
  );
  assert.equal(existsSync(plan.memory.dir), false);
});

test('killRunCgroupSync via freezer: freezes, kills every listed pid, thaws (plain files standing in for the freezer)', async (t) => {
  const { plan } = tempPlan(t, 'freezer');
  for (const d of plan.dirs) mkdirSync(d);
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const exited = once(child, 'exit');
  writeFileSync(join(plan.freezerDir!, 'cgroup.procs'), `${child.pid}\n`);
  writeFileSync(join(plan.freezerDir!, 'freezer.state'), 'THAWED\n');
  killRunCgroupSync({
    plan,
    usageFile: '',
    peakFile: null,
    statFile: '',
    procsFile: join(plan.membershipDir, 'cgroup.procs'),
    joinFiles: [],
  });
  assert.deepEqual(await exited, [null, 'SIGKILL']);
  assert.equal(readFileSync(join(plan.freezerDir!, 'freezer.state'), 'utf8'), 'THAWED');
});

test("sweepStaleGroups: removes membench-<dead pid>-N beside the plan's groups; keeps live and foreign names", async (t) => {
  const { base, plan } = tempPlan(t, 'freezer');
  const dead = spawn('true');
  await once(dead, 'exit');
  const parents = [join(base, 'memory'), join(base, 'freezer')];
  const stale = parents.map((p) => join(p, `membench-${dead.pid}-1`));
  const keep = parents.flatMap((p) => [join(p, `membench-${process.pid}-7`), join(p, `membench-${dead.pid}-x`), join(p, 'other')]);
  for (const d of [...stale, ...keep]) mkdirSync(d);
  assert.deepEqual(sweepStaleGroups(plan).sort(), [...stale].sort());
  for (const d of stale) assert.equal(existsSync(d), false, d);
  for (const d of keep) assert.equal(existsSync(d), true, d);
});
