// The fast thread on a cgroup v1 cgroup.procs: v1 hands a kept-open reader the pid list of its first read for as
// long as reads keep coming, so the thread must see a process that joins later, and one that leaves, anyway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sampler } from '../../src/sample/sampler.js';
import { removeWhenEmpty } from './cgroup-dir.js';
import { readPageSize } from '../../src/probe/proc.js';
import { until } from '../helpers/until.js';

const V1_MEMORY = '/sys/fs/cgroup/memory';

test('v1 memory cgroup.procs: a process that joins after the first read is sampled, one that leaves is retired', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to create cgroups');
  if (!existsSync(V1_MEMORY)) return t.skip(`no cgroup v1 memory controller at ${V1_MEMORY}`);
  const dir = join(V1_MEMORY, `membench-${process.pid}-v1procs`);
  mkdirSync(dir);
  const kids: ChildProcess[] = [];
  const join_ = (): ChildProcess => {
    const c = spawn('sleep', ['30'], { stdio: 'ignore' });
    kids.push(c);
    writeFileSync(join(dir, 'cgroup.procs'), String(c.pid));
    return c;
  };
  const sampler = await Sampler.start({
    procRoot: '/proc',
    pageSizeBytes: readPageSize(),
    intervalMs: 2,
    statusIntervalMs: 100,
    pssIntervalMs: 1000,
    pssBudget: null,
    markerScanIntervalMs: 1000,
    membership: { kind: 'cgroup', procsFile: join(dir, 'cgroup.procs') },
    usageFile: join(dir, 'memory.usage_in_bytes'),
    memoryStatFile: null,
    memoryStatVersion: 1,
  });
  try {
    const first = join_();
    sampler.begin(first.pid!, performance.timeOrigin + performance.now());
    assert.ok(await until(() => sampler.memberPids.includes(first.pid!), 2000), 'the first process is sampled');
    await sleep(50); // many reads of the list with one process in it
    const late = join_();
    assert.ok(
      await until(() => sampler.memberPids.includes(late.pid!), 2000),
      `the process that joined later is sampled: ${sampler.memberPids}`,
    );
    late.kill('SIGKILL');
    await new Promise((r) => late.once('exit', r));
    assert.ok(await until(() => !sampler.memberPids.includes(late.pid!), 2000), 'the process that ended is retired');
    first.kill('SIGKILL');
    const out = await sampler.stop();
    assert.deepEqual(out.processes.map((p) => p.pid).sort(), [first.pid!, late.pid!].sort());
  } finally {
    for (const c of kids) c.kill('SIGKILL');
    await sampler.kill();
    await removeWhenEmpty(dir);
  }
});
