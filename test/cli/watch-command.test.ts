// `membench watch PID` without --children on a process that has children: one line says so and names the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childrenHint } from '../../src/cli/watch-command.js';
import { readChildren } from '../../src/probe/proc.js';
import { MEMFIX, runCliOk } from '../helpers/fixtures.js';
import { until } from '../helpers/until.js';

/** A fake /proc where PID's threads list CHILDREN (one thread per list). */
function fakeProc(tree: Record<number, number[][]>): { proc: string } {
  const proc = mkdtempSync(join(tmpdir(), 'membench-fake-proc-'));
  for (const [pid, threads] of Object.entries(tree)) {
    threads.forEach((kids, i) => {
      const t = join(proc, pid, 'task', String(Number(pid) + i));
      mkdirSync(t, { recursive: true });
      writeFileSync(join(t, 'children'), kids.map((k) => `${k} `).join(''));
    });
  }
  return { proc };
}

test('childrenHint: counts the children of every thread, leaves out roots, says nothing without children', () => {
  const root = fakeProc({ 100: [[101, 102], [103]], 200: [[]], 300: [[301, 302, 303, 304, 305, 306]] });
  assert.equal(childrenHint([100], root), 'process 100 has 3 child processes (101, 102, 103), not watched: add --children to include them');
  assert.equal(childrenHint([200], root), null);
  assert.equal(
    childrenHint([300], root),
    'process 300 has 6 child processes (301, 302, 303, 304, 305, …), not watched: add --children to include them',
  );
  // --name roots that are children of one another (nginx and its workers) are all watched already.
  assert.equal(childrenHint([100, 101, 102, 103], root), null);
  assert.equal(
    childrenHint([200, 100, 101], root),
    '1 of the 3 processes has 2 child processes (102, 103), not watched: add --children to include them',
  );
});

test('watch PID on a process with children: one line suggests --children; with --children, or without children, none', async (t) => {
  const tree = spawn(MEMFIX, ['tree', '2', '1', '20000'], { stdio: 'ignore' });
  const single = spawn(MEMFIX, ['hold', '1', '20000'], { stdio: 'ignore' });
  t.after(() => {
    tree.kill('SIGKILL');
    single.kill('SIGKILL');
  });
  assert.ok(await until(() => readChildren(tree.pid!).length === 2, 10_000), 'memfix tree never had its 2 children');
  const kids = readChildren(tree.pid!); // in the kernel's order, which the hint keeps
  const hint = `membench: process ${tree.pid} has 2 child processes (${kids.join(', ')}), not watched: add --children to include them`;
  const without = runCliOk(['watch', String(tree.pid), '--duration', '200ms', '--interval', '20ms']);
  assert.deepEqual(
    without.stderr.split('\n').filter((l) => l !== ''),
    [hint],
  );
  const withChildren = runCliOk(['watch', String(tree.pid), '--children', '--duration', '200ms', '--interval', '20ms']);
  assert.doesNotMatch(withChildren.stderr, /--children/);
  assert.match(withChildren.stdout, /with descendants/);
  const alone = runCliOk(['watch', String(single.pid), '--duration', '200ms', '--interval', '20ms']);
  assert.doesNotMatch(alone.stderr, /--children/);
});
