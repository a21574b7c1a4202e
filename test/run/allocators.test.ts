// run --allocator: commands × mallocs through LD_PRELOAD; a missing library names its Debian package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MembenchError } from '../../src/errors.js';
import { expandAllocators, resolveAllocator } from '../../src/run/allocators.js';
import { runCliOk } from '../helpers/fixtures.js';

test('a missing allocator library is one line naming the package; an unknown name is a usage error', () => {
  const empty = mkdtempSync(join(tmpdir(), 'membench-nolibs-'));
  assert.throws(
    () => resolveAllocator('jemalloc', [empty]),
    (e: unknown) =>
      e instanceof MembenchError &&
      e.exitCode === 4 &&
      /libjemalloc\.so\.2 not found \(install the Debian package libjemalloc2/.test(e.line()),
  );
  assert.throws(() => resolveAllocator('tcmalloc', [empty]), /libtcmalloc_minimal\.so\.4 not found/);
  assert.deepEqual(resolveAllocator('glibc', [empty]), { name: 'glibc', preload: null });
  assert.throws(
    () => resolveAllocator('mimalloc'),
    (e: unknown) => e instanceof MembenchError && e.exitCode === 2,
  );
});

test('expandAllocators: every command under every allocator, named, LD_PRELOAD prepended to an inherited one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'membench-libs-'));
  const fake: { display: string; env?: Readonly<Record<string, string>> } = { display: 'prog', env: { A: '1' } };
  assert.throws(() => expandAllocators([fake], 'glibc,glibc', undefined, [dir]), /twice/);
  const out = expandAllocators([fake], 'glibc', '/x/other.so', [dir]);
  assert.deepEqual(out, [{ display: 'prog [glibc]', env: { A: '1', MEMBENCH_ALLOCATOR: 'glibc' } }]);
  const real = expandAllocators([fake], 'jemalloc', '/x/other.so');
  assert.match(real[0]!.env!.LD_PRELOAD!, /^\/.*libjemalloc\.so\.2:\/x\/other\.so$/);
});

test('membench run --allocator glibc,jemalloc,tcmalloc: three benchmarks, each process maps its malloc', () => {
  const dir = mkdtempSync(join(tmpdir(), 'membench-alloc-'));
  const json = join(dir, 'r.json');
  const r = runCliOk([
    'run',
    '--runs',
    '1',
    '--no-chart',
    '--allocator',
    'glibc,jemalloc,tcmalloc',
    '--json',
    json,
    `cat /proc/self/maps > ${dir}/maps.$MEMBENCH_ALLOCATOR`,
  ]);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as { benchmarks: { command: string }[] };
  assert.deepEqual(
    doc.benchmarks.map((b) => b.command.replace(/^.* \[/, '[')),
    ['[glibc]', '[jemalloc]', '[tcmalloc]'],
  );
  const maps = (a: string): string => readFileSync(join(dir, `maps.${a}`), 'utf8');
  assert.doesNotMatch(maps('glibc'), /jemalloc|tcmalloc/);
  assert.match(maps('jemalloc'), /libjemalloc\.so\.2/);
  assert.match(maps('tcmalloc'), /libtcmalloc_minimal\.so\.4/);
  assert.match(r.stdout, /\[jemalloc\]/);
});
