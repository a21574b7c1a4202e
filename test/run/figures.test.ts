// Memory figures of real processes whose memory is known (fixtures/bin/memfix), on both backends,
// checked against the kernel's own counters (cgroup peak, VmHWM) with tolerances stated per test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MembenchResult, RunResult } from '../../src/result.js';
import { MEMFIX, MIB, runCli, unwrap } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-fig-'));
let seq = 0;

/** Runs membench once with --json and returns the document and the first measured run. */
function measure(
  backend: 'cgroup' | 'proc',
  args: readonly string[],
  extra: readonly string[] = [],
): { doc: MembenchResult; run: RunResult; status: number | null; stdout: string } {
  const out = join(dir, `r${seq++}.json`);
  // A fixed PSS interval: the default one stretches with smaps_rollup's cost, which varies with machine load.
  const pss = extra.includes('--pss-interval') ? [] : ['--pss-interval', '20ms'];
  const r = runCli(['run', '-v', '--runs', '1', '--backend', backend, '--json', out, ...pss, ...extra, '--', MEMFIX, ...args]);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as MembenchResult;
  return { doc, run: doc.benchmarks[0]!.runs[0]!, status: r.status, stdout: unwrap(r.stdout) };
}

const within = (actual: number, lo: number, hi: number, what: string): void =>
  assert.ok(
    actual >= lo && actual <= hi,
    `${what}: ${(actual / MIB).toFixed(2)} MiB not in [${(lo / MIB).toFixed(2)}, ${(hi / MIB).toFixed(2)}] MiB`,
  );

// The program itself adds ~0.5–2 MiB of RSS (libc and binary text, stack, page tables) beside what it touches.
const PROGRAM_SLACK = 6 * MIB;

for (const backend of ['cgroup', 'proc'] as const) {
  test(`${backend}: one process touching 100 MiB — tree and largest-process peaks`, () => {
    const { run, doc } = measure(backend, ['hold', '100', '300']);
    assert.equal(doc.benchmarks[0]!.backend.kind, backend);
    assert.deepEqual(run.outcome, { state: 'exited', exitCode: 0 });
    const p = run.peaks!;
    within(p.treeBytes!, 100 * MIB, 100 * MIB + PROGRAM_SLACK, 'tree peak');
    within(p.largestProcessBytes!, 100 * MIB, 100 * MIB + PROGRAM_SLACK, 'largest process (VmHWM)');
    assert.equal(p.treeSource, backend === 'cgroup' ? 'cgroup-peak-counter' : 'sampled-pss-sum');
    // The headline is never below the process's own high-water mark, and equals /usr/bin/time's figure here.
    assert.ok(p.memoryBytes! >= p.largestProcessBytes!, `headline ${p.memoryBytes} ≥ VmHWM ${p.largestProcessBytes}`);
    within(p.memoryBytes!, 100 * MIB, 100 * MIB + PROGRAM_SLACK, 'headline');
    // "final" is the last tick with the process alive: 100 MiB still held, not the 0 of its zombie.
    within(run.final!.rssSumBytes!, 100 * MIB, 100 * MIB + PROGRAM_SLACK, 'final Σ RSS');
    assert.ok(run.final!.atMs! <= run.wallMs, 'final is read before the exit');
    if (run.final!.pssSumBytes !== null) within(run.final!.pssSumBytes, 100 * MIB, 100 * MIB + PROGRAM_SLACK, 'final Σ PSS');
    // USS of a process that wrote 100 MiB privately is at least those 100 MiB.
    within(p.ussSumBytes!, 100 * MIB, 100 * MIB + PROGRAM_SLACK, 'Σ USS');
    assert.equal(p.largestProcessName, 'memfix');
    assert.ok(run.sampling!.ticks > 100, 'sampled at 1 kHz for ≥ 300 ms');
    // A one-process tree ends with its process: two empty ticks later (tree-wait.ts), plus a late poll or two on a
    // shared machine. The native helper once sent those ticks in its 100 ms batches: the tree then "ended" ~200 ms late.
    assert.ok(run.treeWallMs - run.wallMs < 60, `tree wall ${run.treeWallMs} ms vs main ${run.wallMs} ms`);
  });

  test(`${backend}: tree of 4 × 100 MiB children — Σ PSS and Σ RSS within 2 % of the tree peak`, () => {
    const { run } = measure(backend, ['tree', '4', '100', '600']);
    const p = run.peaks!;
    within(p.treeBytes!, 400 * MIB, 400 * MIB + 4 * PROGRAM_SLACK, 'tree peak');
    assert.ok(p.processCount >= 5, `5 processes at once, saw ${p.processCount}`);
    const rel = (a: number, b: number): number => Math.abs(a - b) / b;
    assert.ok(rel(p.pssSumBytes!, p.treeBytes!) < 0.02, `Σ PSS ${p.pssSumBytes} vs tree ${p.treeBytes}`);
    assert.ok(rel(p.rssSumBytes!, p.treeBytes!) < 0.02, `Σ RSS ${p.rssSumBytes!} vs tree ${p.treeBytes}`);
    within(p.largestProcessBytes!, 100 * MIB, 100 * MIB + PROGRAM_SLACK, 'largest single process');
  });

  test(`${backend}: a double-forked setsid daemon is counted and waited for`, () => {
    const { run } = measure(backend, ['daemon', '50', '500']);
    const p = run.peaks!;
    within(p.treeBytes!, 50 * MIB, 50 * MIB + 2 * PROGRAM_SLACK, 'tree peak including the daemon');
    assert.equal(run.survivors.action, 'waited-for');
    // Exactly the daemon: neither the main process nor the child it reaped just before exiting "outlived" it.
    assert.equal(run.survivors.count, 1, JSON.stringify(run.processes.map((x) => [x.pid, x.lastSeenMs, x.outlivedMain])));
    const daemon = run.processes.find((x) => x.outlivedMain);
    assert.ok(daemon, 'the daemon is listed as outliving the main command');
    within(daemon.peakRssBytes, 50 * MIB, 50 * MIB + PROGRAM_SLACK, 'daemon VmHWM');
    // The main command returns at once; the tree ends when the daemon does (500 ms of hold after touching).
    assert.ok(run.treeWallMs >= run.wallMs + 400, `tree wall ${run.treeWallMs} ms vs main ${run.wallMs} ms`);
  });

  test(`${backend}: --survivors kill ends a daemon when the main command exits`, () => {
    const { run } = measure(backend, ['daemon', '10', '30000'], ['--survivors', 'kill']);
    assert.equal(run.survivors.action, 'killed');
    assert.ok(run.treeWallMs < 10_000, `tree ended after ${run.treeWallMs} ms`);
    assert.equal(run.processes.find((x) => x.outlivedMain)?.fate, 'killed');
  });

  test(`${backend}: a 300 MiB spike freed at once is not missed`, () => {
    // Touch 300 MiB, hold 0 ms, unmap, then live 300 ms more at 10 MiB.
    const { run } = measure(backend, ['spike', '10', '300', '0', '300']);
    const p = run.peaks!;
    // VmHWM is a high-water mark: exact whatever the spike length.
    within(p.largestProcessBytes!, 310 * MIB, 310 * MIB + PROGRAM_SLACK, 'largest process (VmHWM)');
    if (backend === 'cgroup') within(p.treeBytes!, 310 * MIB, 310 * MIB + PROGRAM_SLACK, 'cgroup peak counter');
    // Sampled: first touch of 300 MiB takes ≥ 100 ms here, so 1 kHz sampling sees most of the climb.
    assert.ok(p.rssSumBytes! >= 250 * MIB, `sampled Σ RSS peak ${p.rssSumBytes! / MIB} MiB`);
    // …and the end of the run is back near 10 MiB.
    assert.ok(run.final!.rssSumBytes! < 20 * MIB, `final Σ RSS ${run.final!.rssSumBytes! / MIB} MiB`);
  });

  test(`${backend}: 20 processes sharing 20 MiB copy-on-write — Σ RSS counts it 21 times, Σ PSS once`, () => {
    const { run } = measure(backend, ['share', '20', '20', '800'], ['--pss-interval', '20ms']);
    const p = run.peaks!;
    assert.ok(p.processCount >= 21, `21 processes, saw ${p.processCount}`);
    assert.ok(p.rssSumBytes! >= 20 * 20 * MIB, `Σ RSS ${p.rssSumBytes! / MIB} MiB ≥ 400 MiB`);
    // PSS splits each shared page among its sharers: Σ PSS ≈ 20 MiB + 21 × (private pages, ≤ 0.5 MiB each).
    within(p.pssSumBytes!, 20 * MIB, 20 * MIB + 21 * 0.5 * MIB + PROGRAM_SLACK, 'Σ PSS');
    assert.ok(p.rssSumBytes! > 8 * p.pssSumBytes!, 'Σ RSS is more than 8× Σ PSS here');
    // The tree figure never counts a shared page once per process: the cgroup charges it once; without a cgroup
    // the tree is Σ PSS (the proc backend used to report Σ RSS here: 400+ MiB for 20 MiB of memory).
    within(p.treeBytes!, 20 * MIB, 20 * MIB + 21 * 0.5 * MIB + PROGRAM_SLACK, 'tree peak');
    within(p.memoryBytes!, 20 * MIB, 20 * MIB + 21 * 0.5 * MIB + PROGRAM_SLACK, 'headline');
  });
}

for (const backend of ['cgroup', 'proc'] as const) {
  test(`${backend}: tree of 4 × 50 MiB children — one RSS series per child, each peaking at its 50 MiB`, () => {
    const { run } = measure(backend, ['tree', '4', '50', '300']);
    const ps = run.processSeries!;
    assert.ok(ps, 'processSeries present');
    assert.equal(ps.source, 'status-vmrss');
    assert.equal(ps.other, null, '5 processes fit under the 12 drawn one by one');
    const root = run.processes.find((p) => p.ppid !== null && !run.processes.some((q) => q.pid === p.ppid))!;
    const children = run.processes.filter((p) => p.ppid === root.pid);
    assert.equal(children.length, 4, `4 children of pid ${root.pid}`);
    // The four largest series are the four children, largest first.
    assert.deepEqual(new Set(ps.processes.slice(0, 4).map((s) => s.pid)), new Set(children.map((c) => c.pid)));
    for (const c of children) {
      const s = ps.processes.find((x) => x.pid === c.pid)!;
      assert.equal(s.name, 'memfix');
      assert.equal(s.rssBytes.length, ps.tMs.length);
      assert.equal(s.peakBytes, Math.max(...s.rssBytes.map((v) => v ?? 0)));
      // Status is read every 10 ms and each child holds its 50 MiB for 300 ms, so reads land on the full
      // size: 50 MiB touched, plus the program's own pages (libc, binary, stack: PROGRAM_SLACK).
      within(s.peakBytes, 50 * MIB, 50 * MIB + PROGRAM_SLACK, `series peak of pid ${c.pid}`);
      // A read of VmRSS can never exceed the kernel's high-water mark of the same process.
      assert.ok(s.peakBytes <= c.vmHwmBytes!, `series ${s.peakBytes} ≤ VmHWM ${c.vmHwmBytes}`);
    }
    const parent = ps.processes.find((s) => s.pid === root.pid)!;
    assert.ok(parent.peakBytes < 10 * MIB, `the parent touches nothing: ${(parent.peakBytes / MIB).toFixed(2)} MiB`);
  });
}

test('cgroup: tree of 14 × 5 MiB children — 12 series drawn, the rest summed as other processes', () => {
  const { run } = measure('cgroup', ['tree', '14', '5', '400']);
  const ps = run.processSeries!;
  assert.equal(ps.processes.length, 12);
  // 15 processes were read (14 children and their parent): 3 left over, the parent (touching nothing) among them.
  assert.equal(ps.other?.count, 3);
  const root = run.processes.find((p) => p.ppid !== null && !run.processes.some((q) => q.pid === p.ppid))!;
  assert.ok(!ps.processes.some((s) => s.pid === root.pid), 'the parent is not among the 12 largest');
  for (const s of ps.processes) within(s.peakBytes, 5 * MIB, 5 * MIB + PROGRAM_SLACK, `series peak of pid ${s.pid}`);
  const otherPeak = Math.max(...ps.other!.rssBytes.map((v) => v ?? 0));
  // Two 5 MiB children and the parent: at least one child's 5 MiB, at most all three with their own pages.
  within(otherPeak, 5 * MIB, 10 * MIB + 3 * PROGRAM_SLACK, 'other processes');
});

test('proc: --max-statm-per-tick 2 on a tree of 6 × 10 MiB — Σ RSS carried on most ticks and said so, peaks within the same tolerances', () => {
  const { run, doc, stdout } = measure('proc', ['tree', '6', '10', '800'], ['--max-statm-per-tick', '2']);
  assert.deepEqual(run.outcome, { state: 'exited', exitCode: 0 });
  assert.equal(doc.options.maxStatmPerTick, 2);
  const s = run.sampling!;
  assert.equal(s.maxStatmPerTick, 2);
  // 7 processes > 2 for the 800 ms hold: every tick with more than 2 members carried readings.
  assert.ok(s.rssSumCarriedTicks! > s.ticks / 2 && s.rssSumCarriedTicks! <= s.ticks, `carried ${s.rssSumCarriedTicks} of ${s.ticks}`);
  assert.match(stdout, /Σ RSS from carried statm readings on \d+(\.\d)? % of ticks \(≤ 2 reads per tick\)/);
  const p = run.peaks!;
  // Each child is read every 4th tick at most (7 members, 2 per tick) and holds 800 ms: the held state is reached.
  within(p.treeBytes!, 60 * MIB, 60 * MIB + 6 * PROGRAM_SLACK, 'tree peak (Σ RSS, carried)');
  assert.equal(p.processCount, 7, 'the count is whole at every tick');
  // The largest process comes from VmHWM (status, the slow thread): the cap does not touch it.
  within(p.largestProcessBytes!, 10 * MIB, 10 * MIB + PROGRAM_SLACK, 'largest process (VmHWM)');
  const children = run.processes.filter((q) => q.ppid !== null && run.processes.some((r) => r.pid === q.ppid));
  assert.equal(children.length, 6);
  for (const c of children) {
    within(c.vmHwmBytes!, 10 * MIB, 10 * MIB + PROGRAM_SLACK, `VmHWM of child ${c.pid}`);
  }
});

test('no cap by default: every figure read at its own tick, nothing said', () => {
  const { run, stdout } = measure('proc', ['tree', '3', '10', '200']);
  assert.equal(run.sampling!.maxStatmPerTick, 0);
  assert.equal(run.sampling!.rssSumCarriedTicks, 0);
  assert.doesNotMatch(stdout, /carried statm/);
});

test('cgroup: page cache the command writes is charged to its group but is not its headline figure', () => {
  // head writes 100 MiB to a file: the cgroup's peak counter holds that page cache; the program itself is tiny.
  const file = join(dir, 'cache-100m.bin');
  const out = join(dir, `r${seq++}.json`);
  runCli(['run', '--runs', '1', '--backend', 'cgroup', '--json', out, '--', '/bin/sh', '-c', `head -c 104857600 /dev/zero > ${file}`]);
  const run = (JSON.parse(readFileSync(out, 'utf8')) as MembenchResult).benchmarks[0]!.runs[0]!;
  const p = run.peaks!;
  // Page cache is charged as written; the kernel may write back and reclaim a little before the end.
  assert.ok(p.treeBytes! >= 80 * MIB, `cgroup counter ${p.treeBytes! / MIB} MiB holds the file's cache`);
  // head and sh each hold a few MiB; the headline leaves the cache out (≤ 2 sampled-cache readings of error).
  assert.ok(p.memoryBytes! < 20 * MIB, `headline ${p.memoryBytes! / MIB} MiB`);
  assert.ok(p.memoryBytes! >= p.largestProcessBytes!, 'never below the largest process');
});
