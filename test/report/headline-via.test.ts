// The headline's source in words when the largest process's peak came through another process's exit accounting
// (peaks.largestProcessReapedVia): `sh -c 'gcc …'` is cc1's peak, not sh's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headlineSource } from '../../src/report/run-rows.js';
import { syntheticBenchmark, syntheticRun } from '../helpers/result-doc.js';

const MIB = 1024 * 1024;

function run(name: string | null, via: { pid: number; name: string | null } | undefined) {
  const r = syntheticRun(0, 26 * MIB);
  const peaks = {
    ...r.peaks!,
    memoryBytes: 26.5 * MIB,
    memorySource: 'largest-process' as const,
    treeNoCacheBytes: 20 * MIB,
    largestProcessBytes: 26.5 * MIB,
    largestProcessName: name,
    largestProcessPid: name === null ? null : 22,
    largestProcessSource: 'reaped-rusage' as const,
    ...(via ? { largestProcessReapedVia: via } : {}),
    exact: { tree: true, largestProcess: true, memory: false },
  };
  return { ...r, peaks };
}

test("a descendant's peak through sh's accounting: named with both, or as a process sh waited for", () => {
  const named = run('cc1', { pid: 20, name: 'sh' });
  assert.equal(headlineSource(syntheticBenchmark('gcc', [named]), named)?.text, "cc1's peak, from sh's ru_maxrss at exit, exact");
  const unnamed = run(null, { pid: 20, name: 'sh' });
  assert.equal(
    headlineSource(syntheticBenchmark('gcc', [unnamed]), unnamed)?.text,
    "a process sh waited for, from sh's ru_maxrss at exit, exact",
  );
  const own = run('sort', undefined);
  assert.equal(headlineSource(syntheticBenchmark('sort', [own]), own)?.text, "sort's ru_maxrss at exit, exact");
});
