// A big tree at default settings (issue 20): 1000 forked children, each touching 1 MiB and holding it 2 s. The
// sampler's automatic budgets read statm in turn and cgroup.procs every few ticks; the result says so in words,
// the cgroup counter is still read at every tick, and the carried Σ RSS still reaches what the children touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MembenchResult } from '../../src/result.js';
import { STATUS_FLOOR_MS } from '../../src/sample/settings.js';
import { MEMFIX, MIB, runCliOk, unwrap } from '../helpers/fixtures.js';

const K = 1000;

test(`cgroup: ${K} children at the default 1 ms — statm and membership budgeted, recorded, the tree figures whole`, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'membench-bigtree-')), 'r.json');
  const r = runCliOk(['run', '--runs', '1', '--backend', 'cgroup', '--json', out, '--', MEMFIX, 'tree', String(K), '1', '2000']);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as MembenchResult;
  const run = doc.benchmarks[0]!.runs[0]!;
  const s = run.sampling!;
  const what = (s.adaptations ?? []).map((a) => a.what);
  // ~2–6 µs a statm read here: 1001 of them would take 2–6 ms of a 1 ms tick, far past the 2 % budget (never fewer
  // than 8 reads a tick, so at most ~125 ticks between two reads of one child, within its 2 s hold).
  assert.ok(what.includes('statm'), `adaptations: ${what.join(', ')}`);
  assert.ok(s.rssSumCarriedTicks! > s.ticks / 2, `carried ${s.rssSumCarriedTicks} of ${s.ticks} ticks`);
  for (const a of s.adaptations!) {
    assert.ok(a.fromMs >= 0 && a.fromMs < run.wallMs, `${a.what} from ${a.fromMs} ms`);
    assert.ok(
      run.notes.some((n) => n.includes(a.detail)),
      `a note says: ${a.detail}`,
    );
  }
  // Every report shows the notes: the compact terminal one says it in words too.
  assert.match(unwrap(r.stdout), /Big tree: from \d+\.\d{3} s on, statm read for as few as \d+ of up to 1001 processes per tick/);
  // The status floor of a process whose statm did not move: 1001 first reads (status, the command line at the name's
  // change) take ~40–90 µs each here, 2–4.5 % of a core at a 1 s floor, past the 2 % budget: stretched, said in words,
  // and the result's floor is the longest one used.
  assert.ok(s.statusFloorMs! > STATUS_FLOOR_MS, `status floor ${s.statusFloorMs} ms`);
  assert.ok(
    s.adaptations!.some(
      (a) => a.what === 'status' && /read at least every \d+ ms instead of every 1000 ms, with up to \d+ processes/.test(a.detail),
    ),
    s.adaptations!.map((a) => a.detail).join('\n'),
  );
  // Tree-level figures: the cgroup counter at every tick (no gap in the timeline), all 1001 processes seen (cgroup.procs
  // holds more than one page of pids here: read whole), the peak count whole.
  // (0 before the wrapper joined the group: a reading still.)
  assert.ok(
    run.timeline!.treeBytes.every((b) => b !== null && b >= 0),
    'the cgroup counter at every timeline point',
  );
  assert.equal(run.peaks!.processCount, K + 1);
  assert.equal(run.processes.length, K + 1);
  // The children touch 1 MiB each (+ ~0.2–1 MiB of program each): the cgroup peak, exact, and the carried Σ RSS reach it.
  assert.ok(run.peaks!.treeBytes! >= K * MIB && run.peaks!.treeBytes! < K * 2.5 * MIB, `tree peak ${run.peaks!.treeBytes! / MIB} MiB`);
  assert.ok(
    run.peaks!.rssSumBytes! >= K * MIB && run.peaks!.rssSumBytes! < K * 2.5 * MIB,
    `Σ RSS peak ${run.peaks!.rssSumBytes! / MIB} MiB`,
  );
});

test('a small tree (memfix tree 4) at the default settings: nothing adapted, nothing carried', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'membench-smalltree-')), 'r.json');
  runCliOk(['run', '--runs', '1', '--backend', 'cgroup', '--json', out, '--', MEMFIX, 'tree', '4', '20', '300']);
  const run = (JSON.parse(readFileSync(out, 'utf8')) as MembenchResult).benchmarks[0]!.runs[0]!;
  assert.deepEqual(run.sampling!.adaptations, []);
  assert.equal(run.sampling!.rssSumCarriedTicks, 0);
  assert.ok(!run.notes.some((n) => n.startsWith('Big tree')), run.notes.join('\n'));
});
