// The corpus: real programs (sort, xz, gzip, python3, perl, node, gcc on generated inputs) and fixtures (leaking and
// plateau servers, sawtooth, staircases), each run through the CLI twice with the leak verdict it must get: no batch
// program called a leak, every planted leak found, the same verdict in every run, and every number in every
// diagnosis sentence recomputed from the JSON beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MembenchResult } from '../../src/result.js';
import { runCliOk } from '../helpers/fixtures.js';
import { CONSTANTS, unexplained } from '../helpers/arithmetic.js';
import { corpus } from './programs.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-corpus-'));
const RUNS = 2;
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

for (const p of corpus(dir)) {
  const missing = !p.argv[0]!.startsWith('/') && !has(p.argv[0]!);
  test(`${p.name} (${p.shape}): ${p.expect} in each of ${RUNS} runs`, { skip: missing ? `${p.argv[0]} not installed` : false }, () => {
    const out = join(dir, `${p.name.replace(/\W+/g, '-')}.json`);
    runCliOk(['run', '--runs', String(RUNS), '--no-chart', '--json', out, '--', ...p.argv], { timeoutMs: 150_000 });
    const runs = (JSON.parse(readFileSync(out, 'utf8')) as MembenchResult).benchmarks[0]!.runs;
    const leaks = runs.map((run) => run.diagnosis!.leak);
    const said = leaks.map((l) => `${l.verdict}: ${l.reason}`).join('\n');
    if (!p.planted)
      assert.ok(
        leaks.every((l) => l.verdict !== 'leak'),
        `not a leak, yet:\n${said}`,
      );
    assert.deepEqual(
      leaks.map((l) => l.verdict),
      runs.map(() => p.expect),
      said,
    );
    for (const run of runs) {
      const d = run.diagnosis!;
      assert.deepEqual(unexplained(d.leak.reason, d.leak, CONSTANTS), [], `${d.leak.reason}\n${JSON.stringify(d.leak)}`);
      for (const s of d.fragmentation.signals)
        assert.deepEqual(unexplained(s.evidence, s.figures, CONSTANTS), [], `${s.id}: ${s.evidence}\n${JSON.stringify(s.figures)}`);
      // Growth the program needed is no evidence about its allocator.
      if (p.expect === 'grows-until-exit')
        assert.notEqual(d.fragmentation.signals.find((s) => s.id === 'uss-growing-steady-work')!.observed, true);
    }
  });
}
