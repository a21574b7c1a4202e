// Real cgroups on this machine (root, v1 memory controller + v2 tree): create, join before exec, kill as a
// whole, peak of a known allocation, remove, sweep. Skipped, with the reason, where that is not possible.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createRunCgroup,
  killRunCgroupSync,
  listPids,
  planRunCgroup,
  readOomCounters,
  readPeakBytes,
  removeRunCgroupSync,
  sweepStaleGroups,
  systemPlanInput,
  waitEmptySync,
  type CgroupPlan,
  type RunCgroup,
} from '../../src/run/cgroup.js';
import { launch } from '../../src/run/launch.js';
import { MEMFIX, MIB } from '../helpers/fixtures.js';
import { until } from '../helpers/until.js';

const V1_MEMORY = '/sys/fs/cgroup/memory';

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to create cgroups';
  if (!existsSync(V1_MEMORY)) return `no cgroup v1 memory controller at ${V1_MEMORY}`;
  return null;
}

/** Group names carry this process's pid, so concurrent test runs never share a group and no sweep takes ours. */
const groupName = (n: number): string => `membench-${process.pid}-${n}`;

/** Creates the run's group and removes it (killing what is left in it) when the test ends, pass or fail. */
function createGroup(t: TestContext, n: number): RunCgroup {
  const cg = createRunCgroup(planRunCgroup(systemPlanInput(groupName(n))));
  t.after(() => {
    if (cg.plan.dirs.some((d) => existsSync(d))) removeRunCgroupSync(cg);
  });
  return cg;
}

function start(argv: readonly string[], cg: RunCgroup): ChildProcess {
  const child = launch({ argv, cwd: process.cwd(), env: process.env, joinFiles: cg.joinFiles, showOutput: false });
  child.stderr?.resume();
  return child;
}

const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
};
const populated = (plan: CgroupPlan): string | undefined =>
  /^populated (\d)$/m.exec(readFileSync(join(plan.v2Dir!, 'cgroup.events'), 'utf8'))?.[1];

test('run cgroup lifecycle: create, join before exec, kill the whole tree, empty within 1 s, remove', async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const cg = createGroup(t, 101);
  const { plan } = cg;
  for (const d of plan.dirs) assert.ok(existsSync(d), `${d} created`);
  assert.ok(existsSync(cg.usageFile));
  // This machine: v1 memory under membench's own memory group, membership and kill in the v2 tree.
  assert.equal(plan.memory.version, 1);
  assert.ok(plan.memory.dir.startsWith(`${V1_MEMORY}/`), plan.memory.dir);
  assert.equal(plan.killVia, plan.v2Dir ? 'cgroup.kill' : plan.freezerDir ? 'freezer' : 'signals');
  assert.deepEqual(
    cg.joinFiles,
    plan.dirs.map((d) => join(d, 'cgroup.procs')),
  );

  // A tree: the shell the target starts and two grandchildren node never sees.
  const child = start(['/bin/sh', '-c', 'sleep 30 & sleep 30 & wait'], cg);
  const exited = once(child, 'exit');
  const pid = child.pid!;
  const inAll = (): boolean => cg.joinFiles.every((f) => listPids(f).includes(pid));
  assert.ok(
    await until(() => inAll() && listPids(cg.procsFile).length === 3, 5000),
    `pid ${pid} and its two children in ${cg.joinFiles.join(', ')}: ${listPids(cg.procsFile).join(' ')}`,
  );
  assert.equal(cmdline(pid), '/bin/sh -c sleep 30 & sleep 30 & wait', "the join wrapper exec'd the target in place");
  assert.ok(listPids(join(plan.memory.dir, 'cgroup.procs')).includes(pid), 'in the v1 memory group');
  if (plan.v2Dir) {
    assert.ok(listPids(join(plan.v2Dir, 'cgroup.procs')).includes(pid), 'in the v2 group');
    assert.equal(populated(plan), '1');
  }

  if (plan.killVia === 'cgroup.kill') assert.ok(existsSync(join(plan.v2Dir!, 'cgroup.kill')), 'kernel has cgroup.kill (≥ 5.14)');
  killRunCgroupSync(cg);
  // No re-kill: one cgroup.kill must be enough. Exited tasks leave cgroup.procs even before they are reaped.
  assert.equal(waitEmptySync(cg, 1000, false), true, `still in the group after 1 s: ${listPids(cg.procsFile).join(' ')}`);
  assert.deepEqual(listPids(join(plan.memory.dir, 'cgroup.procs')), []);
  assert.deepEqual(await exited, [null, 'SIGKILL']);
  if (plan.v2Dir) assert.equal(populated(plan), '0');

  assert.deepEqual(removeRunCgroupSync(cg), []);
  for (const d of plan.dirs) assert.equal(existsSync(d), false, `${d} removed`);
});

test('run cgroup peak: memfix touching 64 MiB peaks at 64–72 MiB in memory.max_usage_in_bytes', async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  assert.ok(existsSync(MEMFIX), `${MEMFIX} missing: npm run build builds it`);
  const cg = createGroup(t, 102);
  assert.ok(cg.peakFile?.endsWith('memory.max_usage_in_bytes'), String(cg.peakFile));
  const child = start([MEMFIX, 'hold', '64', '300'], cg);
  const [code, signal] = await once(child, 'exit');
  assert.deepEqual([code, signal], [0, null]);
  const peak = readPeakBytes(cg);
  assert.ok(peak !== null);
  // Lower bound: memfix writes every page of a 64 MiB anonymous mapping, all charged to this group.
  // Upper bound +8 MiB: the rest is small — memfix's and the wrapper shell's own anonymous pages (data, bss,
  // stack, libc's heap: well under 1 MiB), page tables (64 MiB / 4 KiB × 8 bytes = 128 KiB of PTEs), kernel
  // stack and task structures (tens of KiB). Program text and libc are page cache already charged to whoever
  // read them first (the build, earlier runs), so they add at most their size, ~2 MiB, on a cold cache.
  assert.ok(peak >= 64 * MIB && peak <= 72 * MIB, `peak ${(peak / MIB).toFixed(2)} MiB`);
  assert.deepEqual(readOomCounters(cg), { oomKills: 0, limitHits: 0 });
  assert.deepEqual(removeRunCgroupSync(cg), []);
});

test('sweepStaleGroups: a real empty group named membench-<dead pid>-1 is removed, a live one is kept', async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  // The sweep works on the parents of the plan's groups. It runs under private parents here (names the
  // sweep's pattern does not match), so it never touches groups of other membench runs on this machine.
  const real = planRunCgroup(systemPlanInput(groupName(103)));
  const parents = real.dirs.map((d) => join(dirname(d), `membench-sweeptest-${process.pid}`));
  const dead = spawn('true');
  await once(dead, 'exit');
  const stale = parents.map((p) => join(p, `membench-${dead.pid}-1`));
  const live = parents.map((p) => join(p, groupName(104)));
  t.after(() => {
    for (const d of [...stale, ...live, ...parents]) {
      try {
        rmdirSync(d);
      } catch {
        /* already gone */
      }
    }
  });
  for (const d of [...parents, ...stale, ...live]) mkdirSync(d);
  const plan: CgroupPlan = { ...real, dirs: parents.map((p) => join(p, groupName(103))) };
  assert.deepEqual(sweepStaleGroups(plan).sort(), [...stale].sort());
  for (const d of stale) assert.equal(existsSync(d), false, d);
  for (const d of live) assert.equal(existsSync(d), true, d);
});
