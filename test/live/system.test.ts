// membench system: the report built from captured files, each warning's trigger, and the CLI end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildSystemReport, type SystemInputs } from '../../src/live/system.js';
import { readSystemInputs } from '../../src/live/system-read.js';
import { renderSystem } from '../../src/live/system-render.js';
import { parseBuddyinfo } from '../../src/probe/buddyinfo.js';
import { ROOT, runCli, runCliOk } from '../helpers/fixtures.js';

const SYSROOT = { proc: join(ROOT, 'test', 'fixtures', 'sysroot', 'proc') };
const MIB = 1024 * 1024;

/** Captured inputs over a fake 2 s window (vmstat.later adds 50 000 faults and 10 major faults). */
async function captured(): Promise<SystemInputs> {
  let t = 0;
  return readSystemInputs(
    SYSROOT,
    2000,
    async (ms) => {
      t += ms;
    },
    () => t,
    'vmstat.later',
  );
}

test('system report from captured files: rates over the window, fragmentation, top slabs, no warnings on a healthy machine', async () => {
  const r = buildSystemReport(await captured(), 5);
  assert.equal(r.activity.windowMs, 2000);
  assert.equal(r.activity.faultsPerSec, 25_000);
  assert.equal(r.activity.majorFaultsPerSec, 5);
  assert.equal(r.activity.swapInPagesPerSec, 0);
  assert.equal(r.memory.totalBytes, 24684092 * 1024);
  assert.equal(r.fragmentation.hugePageOrder, 9);
  assert.deepEqual(
    r.fragmentation.zones.map((z) => z.zone),
    ['DMA', 'DMA32', 'Normal'],
  );
  assert.equal(r.slab.top.length, 5);
  assert.deepEqual(
    r.slab.top.map((c) => c.bytes),
    [...r.slab.top.map((c) => c.bytes)].sort((a, b) => b - a),
  );
  assert.deepEqual(r.warnings, []);
  const text = renderSystem(r);
  for (const s of ['no warnings', 'memory (/proc/meminfo)', 'fragmentation', 'slab caches', 'swappiness 60', 'some 0.00'])
    assert.ok(text.includes(s), s);
});

test('each warning fires on the condition it names', async () => {
  const base = await captured();
  const meminfo = new Map(base.meminfo);
  meminfo.set('MemAvailable', 100 * MIB);
  meminfo.set('SUnreclaim', 4000 * MIB);
  const vmstatAfter = new Map(base.vmstatAfter);
  vmstatAfter.set('pswpout', (base.vmstatBefore.get('pswpout') ?? 0) + 200);
  vmstatAfter.set('pgmajfault', (base.vmstatBefore.get('pgmajfault') ?? 0) + 1000);
  vmstatAfter.set('oom_kill', (base.vmstatBefore.get('oom_kill') ?? 0) + 2);
  const r = buildSystemReport({
    ...base,
    meminfo,
    vmstatAfter,
    buddy: parseBuddyinfo('Node 0, zone Normal 40000 0 0 0 0 0 0 0 0 0 0\n'),
    tunables: { ...base.tunables, overcommitMemory: 2 },
    pressure: { some: { avg10: 30, avg60: 5, avg300: 1, totalUs: 1 }, full: { avg10: 5, avg60: 1, avg300: 0, totalUs: 1 } },
  });
  const by = (section: string): string =>
    r.warnings
      .filter((w) => w.section === section)
      .map((w) => w.message)
      .join(' | ');
  assert.match(by('memory'), /only 100 MiB of \d+ MiB is available/);
  assert.match(by('activity'), /swapping right now: 0 pages\/s in, 100 pages\/s out/);
  assert.match(by('activity'), /500 major faults\/s/);
  assert.match(by('activity'), /the OOM killer ended 2 processes during the window/);
  assert.match(by('fragmentation'), /100 % of the 156 MiB free is in blocks smaller than 2 MiB/);
  assert.match(by('slab'), /unreclaimable slab is 4000 MiB/);
  assert.match(by('tunables'), /strict/);
  assert.match(by('pressure'), /PSI some/);
  assert.match(by('pressure'), /PSI full/);
});

test('fragmentation view: said to cover part of MemFree only when the listed zones hold under 90 % of it', async () => {
  const base = await captured();
  // One Normal zone with 40 000 free 4 KiB pages = 156.25 MiB.
  const buddy = parseBuddyinfo('Node 0, zone Normal 40000 0 0 0 0 0 0 0 0 0 0\n');
  const withFree = (freeBytes: number): string =>
    renderSystem(buildSystemReport({ ...base, buddy, meminfo: new Map([...base.meminfo, ['MemFree', freeBytes]]) }));
  assert.match(
    withFree(1024 * MIB),
    /the zones listed hold 156\.3 MiB of the 1\.00 GiB free that meminfo counts: this view covers that part only/,
  );
  assert.doesNotMatch(withFree(160 * MIB), /the zones listed hold/);
});

test('membench system --json on this machine: every section present', () => {
  const r = runCliOk(['system', '--json', '--window', '200ms']);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  for (const k of ['memory', 'activity', 'fragmentation', 'slab', 'tunables', 'pressure', 'warnings']) assert.ok(k in doc, k);
  assert.equal(runCli(['system', '--window', 'soon']).status, 2);
});
