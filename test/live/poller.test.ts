// The serve poller: targets (a tree, a name), PSS cached between its own reads, peaks kept, vanished processes dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { LivePoller } from '../../src/live/poller.js';
import { liveRegistry } from '../../src/live/metrics.js';
import { resolveTargets } from '../../src/live/targets.js';
import { createRunCgroup, planRunCgroup, removeRunCgroupSync, systemPlanInput } from '../../src/run/cgroup.js';
import { launch } from '../../src/run/launch.js';
import { MEMFIX, MIB } from '../helpers/fixtures.js';

const PROC = { proc: '/proc' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function untilRss(poller: LivePoller, bytes: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    poller.poll();
    if (poller.totals.rssBytes >= bytes) return;
    assert.ok(Date.now() < deadline, `Σ RSS stayed at ${poller.totals.rssBytes / MIB} MiB`);
    await sleep(100);
  }
}

test('a tree of 3 children: every process found, PSS read only when its cache is older than the interval', async () => {
  const root = spawn(MEMFIX, ['tree', '3', '10', '20000'], { stdio: 'ignore' });
  let clock = 0;
  try {
    const poller = new LivePoller({ root: PROC, target: { kind: 'pid', pid: root.pid! }, pssIntervalMs: 5000, now: () => clock });
    await untilRss(poller, 30 * MIB);
    assert.equal(poller.totals.processes, 4);
    const reads = poller.health.pssReads;
    clock += 1000; // within the PSS interval: status re-read, PSS served from the cache
    poller.poll();
    assert.equal(poller.health.pssReads, reads);
    assert.equal(poller.oldestPssAgeMs()! >= 1000, true);
    clock += 5000;
    poller.poll();
    assert.equal(poller.health.pssReads, reads + 4);
    assert.ok(poller.totals.pssBytes >= 30 * MIB && poller.totals.ussBytes >= 30 * MIB);
    const peak = poller.totals.peakRssBytes;
    const text = await liveRegistry(poller, { kind: 'pid', pid: root.pid! }, () => clock).metrics();
    assert.match(text, new RegExp(`membench_target_processes\\{target="pid:${root.pid}"\\} 4`));
    assert.match(text, /membench_process_peak_rss_bytes\{pid="\d+",command="memfix",cgroup="\/[^"]*"\} \d+/);
    root.kill('SIGKILL');
    for (let i = 0; i < 50 && poller.processes.has(root.pid!); i++) {
      await sleep(50);
      poller.poll();
    }
    assert.equal(poller.processes.has(root.pid!), false, 'the killed root is dropped');
    assert.equal(poller.totals.peakRssBytes, peak, 'the peak outlives the processes');
  } finally {
    root.kill('SIGKILL');
  }
});

test('--name matches comm or the basename of argv[0]; a gone pid resolves to nothing', async () => {
  const a = spawn(MEMFIX, ['hold', '1', '20000'], { stdio: 'ignore' });
  try {
    await sleep(100);
    assert.ok(resolveTargets({ kind: 'name', name: 'memfix' }, PROC).includes(a.pid!));
    assert.deepEqual(resolveTargets({ kind: 'pid', pid: 999_999_999 }, PROC), []);
    assert.ok(resolveTargets({ kind: 'all' }, PROC).includes(process.pid));
    // serve --name node: membench (a node process) does not count itself; --all still lists it.
    const byName = new LivePoller({
      root: PROC,
      target: { kind: 'name', name: 'node' },
      pssIntervalMs: 1000,
      now: () => performance.now(),
    });
    byName.poll();
    assert.equal(byName.processes.has(process.pid), false);
    assert.ok(resolveTargets({ kind: 'name', name: 'node' }, PROC).includes(process.pid), 'this test runs in node');
  } finally {
    a.kill('SIGKILL');
  }
});

/** Polls every 100 ms on the real clock until `done` or `ms` pass; returns the poller. */
async function pollUntil(poller: LivePoller, done: () => boolean, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; !done() && Date.now() < deadline; await sleep(100)) poller.poll();
}

test('leak verdict and slope over Σ RSS: a fixture leaking 4 MiB/s is judged a leak at ~4 MiB/s; one holding steady is not', async () => {
  const leaking = spawn(MEMFIX, ['leak', '4', '60000'], { stdio: 'ignore' });
  const holding = spawn(MEMFIX, ['hold', '30', '60000'], { stdio: 'ignore' });
  try {
    const now = (): number => performance.now();
    const a = new LivePoller({ root: PROC, target: { kind: 'pid', pid: leaking.pid! }, pssIntervalMs: 1000, now, verdictEveryMs: 500 });
    const b = new LivePoller({ root: PROC, target: { kind: 'pid', pid: holding.pid! }, pssIntervalMs: 1000, now, verdictEveryMs: 500 });
    await untilRss(b, 30 * MIB); // the holder's pages are touched: what follows is its steady state
    await pollUntil(
      a,
      () => {
        b.poll();
        return a.leak?.verdict === 'leak';
      },
      30_000,
    );
    assert.equal(a.leak?.verdict, 'leak', JSON.stringify(a.leak));
    // memfix touches 4 MiB/s in 10 ms steps; VmRSS follows within the kernel's per-thread counter batching (64 pages).
    const slope = a.leak!.slopeBytesPerSec!;
    assert.ok(slope > 3 * MIB && slope < 5 * MIB, `slope ${slope / MIB} MiB/s`);
    const text = await liveRegistry(a, { kind: 'pid', pid: leaking.pid! }, now).metrics();
    assert.match(text, new RegExp(`membench_target_leak\\{target="pid:${leaking.pid}",verdict="leak"\\} 1\\n`));
    assert.match(text, new RegExp(`membench_target_leak\\{target="pid:${leaking.pid}",verdict="no-leak"\\} 0\\n`));
    assert.match(text, new RegExp(`membench_target_leak_slope_bytes_per_second\\{target="pid:${leaking.pid}"\\} ${slope}\\n`));
    // The holder, polled as long: never a leak (no-leak once enough samples, inconclusive before).
    assert.notEqual(b.leak?.verdict, 'leak', JSON.stringify(b.leak));
    assert.ok(b.timeline.samples >= 20);
  } finally {
    leaking.kill('SIGKILL');
    holding.kill('SIGKILL');
  }
});

test('the cgroup label: a process started in a fresh cgroup is labelled with that group (v1 memory hierarchy, else v2)', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to create a cgroup');
    return;
  }
  const name = `membench-${process.pid}-label`;
  const cg = createRunCgroup(planRunCgroup(systemPlanInput(name)));
  const child = launch({
    argv: [MEMFIX, 'hold', '5', '20000'],
    cwd: process.cwd(),
    env: process.env,
    joinFiles: cg.joinFiles,
    showOutput: false,
  });
  child.stderr?.resume();
  try {
    const poller = new LivePoller({ root: PROC, target: { kind: 'pid', pid: child.pid! }, pssIntervalMs: 0, now: () => performance.now() });
    await untilRss(poller, 5 * MIB);
    const p = poller.processes.get(child.pid!)!;
    // Launched through a shell that joins the group and then execs memfix: the name follows the exec.
    assert.equal(p.command, 'memfix');
    assert.ok(p.cgroup.endsWith(`/${name}`), `label ${p.cgroup}`);
    const text = await liveRegistry(poller, { kind: 'pid', pid: child.pid! }, () => performance.now()).metrics();
    assert.match(text, new RegExp(`membench_process_rss_bytes\\{pid="${child.pid}",command="memfix",cgroup="[^"]*/${name}"\\} \\d+`));
  } finally {
    child.kill('SIGKILL');
    await sleep(100);
    removeRunCgroupSync(cg);
  }
});
