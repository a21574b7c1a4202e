// fixtures/bin/memfix, the example program of the README and the tests: its usage lists every mode it runs,
// with their arguments, and a wrong call exits 2 after saying what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEMFIX, ROOT } from './helpers/fixtures.js';

const memfix = (...args: string[]): SpawnSyncReturns<string> => spawnSync(MEMFIX, args, { encoding: 'utf8', timeout: 10_000 });
/** The modes main() dispatches on, read from the source: the usage must show each of them. */
const MODES = [...readFileSync(join(ROOT, 'fixtures', 'src', 'memfix.c'), 'utf8').matchAll(/!strcmp\(mode, "([a-z]+)"\)/g)]
  .map((m) => m[1]!)
  .filter((m) => m !== 'help');

test('memfix alone prints every mode with its arguments and defaults on stderr, exit 2; --help on stdout, exit 0', () => {
  assert.ok(MODES.length >= 17, `modes found in the source: ${MODES.join(' ')}`);
  const r = memfix();
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^usage: memfix MODE \[ARG\.\.\.\]\n/);
  for (const mode of MODES) assert.match(r.stderr, new RegExp(`^  memfix ${mode}( \\[[A-Z]+(=-?\\d+)?\\])*$`, 'm'), mode);
  assert.match(r.stderr, /^ {2}memfix hold \[MIB=10\] \[MS=100\]$/m);
  assert.match(r.stderr, /^ {2}memfix tree \[K=4\] \[MIB=10\] \[MS=100\]$/m);
  for (const line of r.stderr.trimEnd().split('\n')) assert.ok([...line].length <= 80, `wider than 80 columns: ${line}`);
  const help = memfix('--help');
  assert.equal(help.status, 0);
  assert.equal(help.stdout, r.stderr);
});

test('memfix with a bad mode, a non-integer or one argument too many: what is wrong, then the usage; exit 2', () => {
  const unknown = memfix('hodl', '10');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^memfix: unknown mode "hodl"\nusage: memfix MODE/);
  const notInt = memfix('hold', '10MiB');
  assert.equal(notInt.status, 2);
  assert.equal(
    notInt.stderr,
    'memfix: hold: MIB must be an integer, got "10MiB"\nusage:\n  memfix hold [MIB=10] [MS=100]\n      touch MIB, hold MS, exit 0\n',
  );
  const tooMany = memfix('exit', '3', '4');
  assert.equal(tooMany.status, 2);
  assert.match(tooMany.stderr, /^memfix: exit takes at most 1 argument, got 2\n/);
  // The checks do not get in the way of a good call: exit 3 is memfix doing what it was asked.
  assert.equal(memfix('exit', '3').status, 3);
  assert.equal(memfix('hold', '1', '0').status, 0);
});
