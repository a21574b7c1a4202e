// The fast sampler's tick without its thread, over a fixture /proc tree: what a tick reads and sums, when a
// member is added or retired under each membership, the statm cap, and roots added while sampling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Columns } from '../../src/sample/columns.js';
import { FastTicker } from '../../src/sample/fast-ticker.js';
import { Preader } from '../../src/sample/io.js';
import { CTRL, LIVE, MEMBERS, type Membership, type SamplerConfig } from '../../src/sample/protocol.js';

const PAGE = 4096;
const MIB = 1024 * 1024;

/** A fixture /proc: one folder per pid with statm (size, resident in pages), comm, an empty children file. */
function fixtureProc(): { root: string; proc: (pid: number, vszMiB: number, rssMiB: number, comm?: string) => void; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'membench-fastticker-'));
  const proc = (pid: number, vszMiB: number, rssMiB: number, comm = `p${pid}`): void => {
    mkdirSync(join(root, String(pid), 'task', String(pid)), { recursive: true });
    // statm: size resident shared text lib data dt, in pages
    writeFileSync(join(root, String(pid), 'statm'), `${(vszMiB * MIB) / PAGE} ${(rssMiB * MIB) / PAGE} 0 0 0 0 0\n`);
    writeFileSync(join(root, String(pid), 'comm'), `${comm}\n`);
    writeFileSync(join(root, String(pid), 'task', String(pid), 'children'), '');
  };
  return { root, proc, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function config(procRoot: string, membership: Membership, maxStatmPerTick = 0): SamplerConfig {
  return {
    procRoot, pageSizeBytes: PAGE, intervalMs: 1, statusEveryTicks: 10, pssEveryTicks: 50, pssBudget: null, markerScanEveryTicks: 50,
    maxStatmPerTick, realtime: false, membership, usageFile: null, memoryStatFile: null, memoryStatVersion: 1,
    control: new SharedArrayBuffer(CTRL.SLOTS * 4), live: new SharedArrayBuffer(LIVE.SLOTS * 8),
    members: new SharedArrayBuffer((MEMBERS.PIDS + MEMBERS.MAX) * 4), processGridBuckets: 0,
  };
}

const noMessages = (): undefined => undefined;
const lastRow = (t: FastTicker): Record<string, number> => {
  const a = t.fast.toArrays();
  const i = a.tMs.length - 1;
  return { tMs: a.tMs[i]!, rssSumBytes: a.rssSumBytes[i]!, vszSumBytes: a.vszSumBytes[i]!, largestRssBytes: a.largestRssBytes[i]!, processCount: a.processCount[i]! };
};

test('roots: a tick sums the members\' statm; a changed statm is read again; a zero statm retires the member', (t) => {
  const f = fixtureProc();
  t.after(f.cleanup);
  f.proc(100, 40, 10, 'memfix');
  f.proc(101, 20, 3);
  const cfg = config(f.root, { kind: 'roots' });
  const ticker = new FastTicker(cfg, new Preader(), noMessages);
  ticker.addMember(100, 0);
  ticker.addMember(101, 0);
  ticker.addMember(100, 0); // already a member
  ticker.addMember(999, 0); // no such process
  const shared = new Int32Array(cfg.members);
  assert.equal(Atomics.load(shared, MEMBERS.COUNT), 2, 'the member list is published for the slow thread');
  ticker.tick(0, 1);
  assert.deepEqual(lastRow(ticker), { tMs: 1, rssSumBytes: 13 * MIB, vszSumBytes: 60 * MIB, largestRssBytes: 10 * MIB, processCount: 2 });
  assert.equal(new Float64Array(cfg.live)[LIVE.RSS_SUM_BYTES], 13 * MIB);
  assert.equal(Atomics.load(new Int32Array(cfg.control), CTRL.ALIVE), 2);

  f.proc(100, 40, 25, 'memfix');
  ticker.tick(1, 2);
  assert.equal(lastRow(ticker).rssSumBytes, 28 * MIB);
  writeFileSync(join(f.root, '100', 'statm'), '0 0 0 0 0 0 0\n'); // a zombie reads as zeros
  ticker.tick(2, 3);
  assert.deepEqual(lastRow(ticker), { tMs: 3, rssSumBytes: 3 * MIB, vszSumBytes: 20 * MIB, largestRssBytes: 3 * MIB, processCount: 1 });
  assert.equal(ticker.finished.length, 1);
  assert.equal(ticker.finished[0]!.pid, 100);
  assert.equal(ticker.finished[0]!.maxRssBytes, 25 * MIB);
  assert.equal(ticker.finished[0]!.lastSeenMs, 2);
  assert.equal(ticker.finished[0]!.nameAtEnd, 'memfix');
  const chunk = ticker.drainChunk(3, 0, new Columns(['gap'] as const));
  assert.equal(chunk.fast.tMs.length, 3);
  assert.deepEqual(chunk.processes.map((p) => p.pid), [100, 101], 'finished, then the live ones');
  assert.deepEqual(chunk.livePids, [101]);
  assert.equal(ticker.finished.length, 0, 'drained');
});

test('maxStatmPerTick 1: one statm per tick in turn, the other carried, and the tick counted as carried', (t) => {
  const f = fixtureProc();
  t.after(f.cleanup);
  f.proc(200, 10, 4);
  f.proc(201, 10, 6);
  const ticker = new FastTicker(config(f.root, { kind: 'roots' }, 1), new Preader(), noMessages);
  ticker.addMember(200, 0);
  ticker.addMember(201, 0);
  ticker.tick(0, 1); // reads 200, and 201 too: not read yet
  assert.equal(lastRow(ticker).rssSumBytes, 10 * MIB);
  f.proc(200, 10, 8);
  f.proc(201, 10, 9);
  ticker.tick(1, 2); // reads 201 only: 200 carries 4 MiB
  assert.equal(lastRow(ticker).rssSumBytes, 13 * MIB);
  ticker.tick(2, 3); // reads 200
  assert.equal(lastRow(ticker).rssSumBytes, 17 * MIB);
  assert.equal(ticker.rssSumCarriedTicks, 3);
});

test('cgroup: members come from cgroup.procs; a listed zombie stays; a pid no longer listed is retired', (t) => {
  const f = fixtureProc();
  t.after(f.cleanup);
  f.proc(300, 10, 5);
  f.proc(301, 10, 7);
  const procsFile = join(f.root, 'cgroup.procs');
  writeFileSync(procsFile, '300\n301\n');
  const ticker = new FastTicker(config(f.root, { kind: 'cgroup', procsFile }), new Preader(), noMessages);
  ticker.tick(0, 1);
  assert.equal(lastRow(ticker).processCount, 2);
  writeFileSync(join(f.root, '301', 'statm'), '0 0 0 0 0 0 0\n');
  ticker.tick(1, 2);
  assert.deepEqual([lastRow(ticker).processCount, lastRow(ticker).rssSumBytes], [2, 5 * MIB], 'a zombie still listed stays a member, at 0 bytes');
  writeFileSync(procsFile, '300\n');
  ticker.tick(2, 3);
  assert.equal(lastRow(ticker).processCount, 1);
  assert.deepEqual(ticker.finished.map((p) => p.pid), [301]);
});

test('proc: children found through task/PID/children; a root added while sampling is taken once counted', (t) => {
  const f = fixtureProc();
  t.after(f.cleanup);
  f.proc(400, 10, 2);
  f.proc(401, 10, 3);
  f.proc(500, 10, 11);
  const cfg = config(f.root, { kind: 'proc', markerEntry: 'MEMBENCH_RUN=test' });
  const queue = [{ message: { type: 'add-roots', pids: [500] } }];
  const ticker = new FastTicker(cfg, new Preader(), () => queue.shift());
  ticker.addMember(400, 0);
  ticker.tick(0, 1);
  assert.equal(lastRow(ticker).processCount, 1);
  writeFileSync(join(f.root, '400', 'task', '400', 'children'), '401 ');
  ticker.tick(1, 2);
  assert.deepEqual([lastRow(ticker).processCount, lastRow(ticker).rssSumBytes], [2, 5 * MIB]);
  ticker.tick(2, 3);
  assert.equal(lastRow(ticker).processCount, 2, 'the message is not taken before the main thread counts it');
  Atomics.store(new Int32Array(cfg.control), CTRL.ROOTS_ADDED, 1);
  ticker.tick(3, 4);
  assert.deepEqual([lastRow(ticker).processCount, lastRow(ticker).rssSumBytes], [3, 16 * MIB]);
});
