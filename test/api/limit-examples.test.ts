// The runner examples (examples/test-runners) run by the runners themselves, in one process each, without
// --expose-gc: the passing files pass, the deliberately failing ones fail with the limit, the figure and the sites.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EXAMPLES = join(ROOT, 'examples', 'test-runners');
// NODE_TEST_CONTEXT is how node --test tells a file it runs under it: the example's own node --test must not see it.
const { NODE_TEST_CONTEXT: _context, ...inherited } = process.env;
const ENV = { ...inherited, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', NODE_OPTIONS: '' };

function run(dir: string, argv: readonly string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, argv, { cwd: join(EXAMPLES, dir), encoding: 'utf8', env: ENV, timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** What every runner must show for the failing file: both verdicts with their figures, and both sites. */
function assertFailures(out: string): void {
  assert.match(out, /limitMemory: peak 1\d\.\d MiB is above the limit of 2\.0 MiB \(V8 heap used 1\d\.\d MiB/);
  assert.match(out, /limitLeaks: 8\d\.\d KiB left reachable per call is above the limit of 16\.0 KiB \(median of 3 repeats: /);
  assert.match(out, /\d MiB {2}\S*work\.mjs:\d+:buildReport {2}\(called from memory\.fail\.test\.mjs:\d+/);
  assert.match(out, /\d KiB {2}\S*work\.mjs:\d+:handleRequest {2}\(called from memory\.fail\.test\.mjs:\d+/);
}

test('node:test example: 2 pass, 2 fail with the expected messages', () => {
  const { code, out } = run('node-test', ['--test', '--test-reporter=spec', 'memory.pass.test.mjs', 'memory.fail.test.mjs']);
  assert.equal(code, 1, out);
  assert.match(out, /ℹ pass 2\nℹ fail 2\n/);
  assertFailures(out);
});

test('node:test example under --expose-gc: the same verdicts', () => {
  const { code, out } = run('node-test', ['--expose-gc', '--test', '--test-reporter=spec', 'memory.pass.test.mjs', 'memory.fail.test.mjs']);
  assert.equal(code, 1, out);
  assert.match(out, /ℹ pass 2\nℹ fail 2\n/);
  assertFailures(out);
});

test('vitest example: 3 pass, 2 fail with the expected messages', () => {
  const { code, out } = run('vitest', [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'vitest.config.mjs']);
  assert.equal(code, 1, out);
  assert.match(out, /Tests +2 failed \| 3 passed \(5\)/);
  assertFailures(out);
});

test('jest example: 3 pass, 2 fail with the expected messages', () => {
  const { code, out } = run('jest', [
    '--experimental-vm-modules',
    join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
    '-i',
    '--config',
    'jest.config.mjs',
  ]);
  assert.equal(code, 1, out);
  assert.match(out, /Tests: +2 failed, 3 passed, 5 total/);
  assertFailures(out);
});
