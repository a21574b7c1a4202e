// The serve poller: targets (a tree, a name), PSS cached between its own reads, peaks kept, vanished processes dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { LivePoller } from '../../src/live/poller.js';
import { liveRegistry } from '../../src/live/metrics.js';
import { resolveTargets } from '../../src/live/targets.js';
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
    assert.match(text, /membench_process_peak_rss_bytes\{pid="\d+",command="memfix"\} \d+/);
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
  } finally {
    a.kill('SIGKILL');
  }
});
