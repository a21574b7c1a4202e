// The fast sampler's tick without its thread, over a fixture /proc tree: what a tick reads and sums, when a
// member is added or retired under each membership, the statm cap, and roots added while sampling.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Columns } from '../../src/sample/columns.js';
import { AUTO_STATM_WHOLE_TREE, FastTicker, quietOutput } from '../../src/sample/fast-ticker.js';
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
    procRoot,
    pageSizeBytes: PAGE,
    intervalMs: 1,
    statusEveryTicks: 10,
    pssEveryTicks: 50,
    pssBudget: null,
    markerScanEveryTicks: 50,
    maxStatmPerTick,
    realtime: false,
    membership,
    usageFile: null,
    memoryStatFile: null,
    memoryStatVersion: 1,
    control: new SharedArrayBuffer(CTRL.SLOTS * 4),
    live: new SharedArrayBuffer(LIVE.SLOTS * 8),
    members: new SharedArrayBuffer(MEMBERS.SLOTS * 4),
    processGridBuckets: 0,
    nativeSampler: null,
    nativeFallbackReason: null,
  };
}

const noMessages = (): undefined => undefined;
const lastRow = (t: FastTicker): Record<string, number> => {
  const a = t.fast.toArrays();
  const i = a.tMs.length - 1;
  return {
    tMs: a.tMs[i]!,
    rssSumBytes: a.rssSumBytes[i]!,
    vszSumBytes: a.vszSumBytes[i]!,
    largestRssBytes: a.largestRssBytes[i]!,
    processCount: a.processCount[i]!,
  };
};

test("roots: a tick sums the members' statm; a changed statm is read again; a zero statm retires the member", (t) => {
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
  assert.deepEqual(
    chunk.processes.map((p) => p.pid),
    [100, 101],
    'finished, then the live ones',
  );
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
  assert.deepEqual(
    [lastRow(ticker).processCount, lastRow(ticker).rssSumBytes],
    [2, 5 * MIB],
    'a zombie still listed stays a member, at 0 bytes',
  );
  writeFileSync(procsFile, '300\n');
  ticker.tick(2, 3);
  assert.equal(lastRow(ticker).processCount, 1);
  assert.deepEqual(
    ticker.finished.map((p) => p.pid),
    [301],
  );
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

/** A Preader whose every statm-sized read costs `msPerRead` on the clock it gives the ticker. */
class CostlyReader extends Preader {
  clock = 0;
  reads = 0;
  constructor(private readonly msPerRead: number) {
    super();
  }
  override pread(fd: number): number {
    this.clock += this.msPerRead;
    this.reads++;
    return super.pread(fd);
  }
}

test('automatic statm budget: a big tree reads as many as fit in the budget, in turn, carried and recorded; a small one whole', (t) => {
  const f = fixtureProc();
  t.after(f.cleanup);
  for (let pid = 1000; pid < 1100; pid++) f.proc(pid, 8, 2);
  // 10 µs a read, a budget of 20 % of a 1 ms tick: 20 reads a tick.
  const cfg = { ...config(f.root, { kind: 'roots' }), statmBudget: 0.2 };
  const io = new CostlyReader(0.01);
  const ticker = new FastTicker(cfg, io, noMessages, () => io.clock);
  for (let pid = 1000; pid < 1100; pid++) ticker.addMember(pid, 0);
  io.reads = 0;
  ticker.tick(0, 1); // no cost measured yet: all 100
  assert.equal(io.reads, 100);
  assert.deepEqual(ticker.adaptations(), []);
  assert.ok(Math.abs(ticker.statmReadMs! - 0.01) < 1e-9, `measured ${ticker.statmReadMs} ms a read`);
  io.reads = 0;
  ticker.tick(1, 2);
  assert.equal(io.reads, 20, 'as many as fit in 0.2 ms at 10 µs');
  assert.deepEqual(lastRow(ticker), {
    tMs: 2,
    rssSumBytes: 200 * MIB,
    vszSumBytes: 800 * MIB,
    largestRssBytes: 2 * MIB,
    processCount: 100,
  });
  // One child grows: within 100 / 20 = 5 ticks its reading is taken, and the sums and largest follow it.
  f.proc(1077, 8, 6);
  for (let i = 2; i < 7; i++) ticker.tick(i, i + 1);
  assert.deepEqual(lastRow(ticker), {
    tMs: 7,
    rssSumBytes: 204 * MIB,
    vszSumBytes: 800 * MIB,
    largestRssBytes: 6 * MIB,
    processCount: 100,
  });
  // It shrinks back: the largest is found again among the others.
  f.proc(1077, 8, 1);
  for (let i = 7; i < 12; i++) ticker.tick(i, i + 1);
  assert.deepEqual(lastRow(ticker), {
    tMs: 12,
    rssSumBytes: 199 * MIB,
    vszSumBytes: 800 * MIB,
    largestRssBytes: 2 * MIB,
    processCount: 100,
  });
  assert.equal(ticker.rssSumCarriedTicks, 11);
  const [a, ...rest] = ticker.adaptations();
  assert.deepEqual(rest, []);
  assert.equal(a!.what, 'statm');
  assert.equal(a!.fromMs, 2, 'from the first tick that read fewer than all');
  assert.match(
    a!.detail,
    /^statm read for as few as 20 of up to 100 processes per tick, in turn, to keep those reads within 20 % of the 1 ms tick/,
  );

  // A tree of AUTO_STATM_WHOLE_TREE processes or fewer is read whole at any cost.
  const g = fixtureProc();
  t.after(g.cleanup);
  for (let pid = 2000; pid < 2000 + AUTO_STATM_WHOLE_TREE; pid++) g.proc(pid, 8, 2);
  const dear = new CostlyReader(1);
  const small = new FastTicker({ ...config(g.root, { kind: 'roots' }), statmBudget: 0.05 }, dear, noMessages, () => dear.clock);
  for (let pid = 2000; pid < 2000 + AUTO_STATM_WHOLE_TREE; pid++) small.addMember(pid, 0);
  dear.reads = 0;
  for (let i = 0; i < 5; i++) small.tick(i, i + 1);
  assert.equal(dear.reads, 5 * AUTO_STATM_WHOLE_TREE);
  assert.equal(small.rssSumCarriedTicks, 0);
  assert.deepEqual(small.adaptations(), []);
});

test('membership budget: a dear cgroup.procs is re-read every few ticks, the count carried between, and recorded', (t) => {
  const f = fixtureProc();
  t.after(f.cleanup);
  // 40 processes: a big tree (more than BIG_TREE_PROCESSES); a smaller one re-reads the list every tick.
  for (let pid = 3000; pid < 3040; pid++) f.proc(pid, 8, 2);
  const procsFile = join(f.root, 'cgroup.procs');
  writeFileSync(procsFile, `${Array.from({ length: 40 }, (_, i) => 3000 + i).join('\n')}\n`);
  // The clock advances 0.01 ms per statm read and 0.2 ms per read of the list (4 ticks' worth of a 5 % budget).
  let clock = 0;
  class ListReader extends Preader {
    override pread(fd: number): number {
      clock += 0.01;
      return super.pread(fd);
    }
    override preadAll(fd: number): number {
      clock += 0.2;
      return super.preadAll(fd);
    }
  }
  const ticker = new FastTicker(
    { ...config(f.root, { kind: 'cgroup', procsFile }), membershipBudget: 0.05 },
    new ListReader(),
    noMessages,
    () => clock,
  );
  ticker.tick(0, 1);
  assert.equal(lastRow(ticker).processCount, 40);
  f.proc(3040, 8, 2);
  writeFileSync(procsFile, `${Array.from({ length: 41 }, (_, i) => 3000 + i).join('\n')}\n`);
  // 0.2 ms / (5 % of 1 ms) = every 4 ticks: ticks 1–3 carry the list, tick 4 re-reads it.
  for (let i = 1; i < 4; i++) ticker.tick(i, i + 1);
  assert.equal(lastRow(ticker).processCount, 40, 'carried until the next read of the list');
  ticker.tick(4, 5);
  assert.equal(lastRow(ticker).processCount, 41);
  const [a] = ticker.adaptations();
  assert.equal(a!.what, 'membership');
  assert.equal(a!.fromMs, 1);
  assert.match(
    a!.detail,
    /^cgroup\.procs \(the member list and the process count\) re-read as seldom as every 4 ticks instead of every tick, with up to 41 processes/,
  );
});

/** One process in a fixture cgroup list, ticked with a quiet-tree policy; counts the reads of the list. */
function quietTree(t: TestContext, pid: number, afterMs: number) {
  const f = fixtureProc();
  t.after(f.cleanup);
  f.proc(pid, 10, 5);
  const procsFile = join(f.root, 'cgroup.procs');
  writeFileSync(procsFile, `${pid}\n`);
  const counter = { listReads: 0 };
  class Counting extends Preader {
    override preadAll(fd: number): number {
      counter.listReads++;
      return super.preadAll(fd);
    }
  }
  const cfg = { ...config(f.root, { kind: 'cgroup', procsFile }), membershipQuiet: { afterMs, everyMs: 4 } };
  return { f, procsFile, cfg, counter, ticker: new FastTicker(cfg, new Counting(), noMessages) };
}

test('quiet tree: cgroup.procs every everyMs once nothing moved for afterMs, every tick again once something moves', (t) => {
  const { f, procsFile, cfg, counter, ticker } = quietTree(t, 400, 20);
  // Ticks 0–19 (tMs 1–20): not yet quiet for 20 ms, the list is read at every tick.
  for (let i = 0; i < 20; i++) ticker.tick(i, i + 1);
  assert.equal(counter.listReads, 20, 'every tick until the tree has been quiet for afterMs');
  // Ticks 20–39: quiet, the list is read every 4th tick only.
  for (let i = 20; i < 40; i++) ticker.tick(i, i + 1);
  assert.equal(counter.listReads, 25, 'one read in four while quiet');
  assert.equal(ticker.quietSkipped, 15);
  // A fork in the quiet tree is found within everyMs.
  f.proc(401, 10, 7);
  writeFileSync(procsFile, '400\n401\n');
  let found = -1;
  for (let i = 40; i < 48 && found < 0; i++) {
    ticker.tick(i, i + 1);
    if (lastRow(ticker).processCount === 2) found = i;
  }
  assert.ok(found >= 40 && found < 44, `found at tick ${found}, within 4 ticks of the fork`);
  // Something moved (the list): every tick again.
  const before = counter.listReads;
  for (let i = found + 1; i < found + 11; i++) ticker.tick(i, i + 1);
  assert.equal(counter.listReads - before, 10, 'every tick again after a move');
  assert.deepEqual(
    quietOutput(cfg, ticker.quietSkipped),
    { afterMs: 20, everyMs: 4, skippedTicks: ticker.quietSkipped },
    'recorded with the ticks it skipped',
  );
  assert.equal(quietOutput({ ...cfg, intervalMs: 5 }, 0), null, 'no policy where the interval is over two thirds of everyMs');
  assert.equal(quietOutput({ ...cfg, membership: { kind: 'roots' } }, 0), null, 'no policy without a cgroup list');
});

test('quiet tree: a statm move wakes the membership to every tick', (t) => {
  const { f, counter, ticker } = quietTree(t, 500, 10);
  for (let i = 0; i < 30; i++) ticker.tick(i, i + 1);
  const quietReads = counter.listReads;
  writeFileSync(join(f.root, '500', 'statm'), `${(10 * MIB) / PAGE} ${(6 * MIB) / PAGE} 0 0 0 0 0\n`);
  ticker.tick(30, 31); // the move is seen at this tick's statm read
  const at = counter.listReads;
  for (let i = 31; i < 39; i++) ticker.tick(i, i + 1);
  assert.equal(counter.listReads - at, 8, 'the 8 ticks after the move each read the list');
  assert.ok(quietReads < 20, `the quiet ticks read it less (${quietReads} of 30)`);
});
