// Per-mapping breakdown of captured smaps: each mapping in its group, groups summing to the process, trees merged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { breakdownOf, classifyMapping, processGroups } from '../../src/analyze/breakdown.js';
import { parseSmaps, type ProcessSmaps, type SmapsMapping } from '../../src/probe/smaps.js';
import { ROOT } from '../helpers/fixtures.js';

const TEXT = readFileSync(join(ROOT, 'test', 'fixtures', 'proc', 'root', '7017', 'smaps'), 'utf8');
const EXE = '/work/main/fixtures/bin/memfix';
const proc = (pid: number, exePath: string | null = EXE): ProcessSmaps => ({ pid, name: 'memfix', exePath, mappings: parseSmaps(TEXT) });
const mapping = (pathname: string): SmapsMapping => ({ ...parseSmaps(TEXT)[0]!, pathname });

test('classifyMapping: heap, stack, anonymous, libraries by file name, the binary, other files, vdso/other', () => {
  const cases: [string, string, string][] = [
    ['', 'anon', 'anonymous mmap'],
    ['[heap]', 'heap', '[heap]'],
    ['[stack]', 'stack', '[stack]'],
    ['[anon:v8 heap]', 'anon', 'anonymous mmap'],
    ['/usr/lib/x86_64-linux-gnu/libc.so.6', 'library', 'libc.so.6'],
    ['/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so', 'library', '_ssl.cpython-311-x86_64-linux-gnu.so'],
    ['/usr/lib/x86_64-linux-gnu/libtinfo.so.6.4', 'library', 'libtinfo.so.6.4'],
    [EXE, 'binary', 'memfix'],
    [`${EXE} (deleted)`, 'binary', 'memfix'],
    ['/usr/lib/locale/C.utf8/LC_CTYPE', 'file', 'files'],
    ['[vdso]', 'other', 'vdso/other'],
    ['[vvar]', 'other', 'vdso/other'],
  ];
  for (const [path, kind, name] of cases) assert.deepEqual(classifyMapping(mapping(path), EXE), { kind, name }, path);
});

test('processGroups: groups sum to the process totals; [heap] is the largest for the fragmenter', () => {
  const p = proc(7017);
  const groups = processGroups(p);
  const sum = (f: (m: SmapsMapping) => number): number => p.mappings.reduce((a, m) => a + f(m), 0);
  assert.equal(
    groups.reduce((a, g) => a + g.rssBytes, 0),
    sum((m) => m.rssBytes),
  );
  assert.equal(
    groups.reduce((a, g) => a + g.sizeBytes, 0),
    sum((m) => m.sizeBytes),
  );
  assert.equal(
    groups.reduce((a, g) => a + g.mappings, 0),
    p.mappings.length,
  );
  assert.equal(groups[0]!.kind, 'heap');
  assert.deepEqual(
    groups.filter((g) => g.kind === 'binary').map((g) => [g.name, g.mappings]),
    [['memfix', 5]],
  );
  assert.deepEqual(
    groups
      .filter((g) => g.kind === 'library')
      .map((g) => g.name)
      .sort(),
    ['ld-linux-x86-64.so.2', 'libc.so.6'],
  );
  for (let i = 1; i < groups.length; i++) assert.ok(groups[i - 1]!.rssBytes >= groups[i]!.rssBytes, 'largest RSS first');
});

test('processGroups without /proc/PID/exe: the first non-library file mapping is taken as the binary', () => {
  assert.ok(processGroups(proc(7017, null)).some((g) => g.kind === 'binary' && g.name === 'memfix'));
});

test('breakdownOf: the tree sums its processes group by group; the largest process is the one with most RSS', () => {
  const small: ProcessSmaps = { pid: 2, name: 'sh', exePath: '/bin/sh', mappings: parseSmaps(TEXT).filter((m) => m.pathname !== '[heap]') };
  const b = breakdownOf(
    { atMs: 120.5, treeBytes: 50e6, processes: [small, proc(7017)], unreadable: 1, readMs: 3.2 },
    { captures: 4, totalReadMs: 9.5 },
  );
  assert.equal(b.largestProcess!.pid, 7017);
  assert.equal(b.processCount, 2);
  assert.equal(b.unreadable, 1);
  assert.equal(b.captures, 4);
  const one = processGroups(proc(7017));
  const libc = (gs: readonly { name: string; rssBytes: number }[]): number => gs.find((g) => g.name === 'libc.so.6')!.rssBytes;
  assert.equal(libc(b.tree.groups), 2 * libc(one), 'libc counted in both processes (Σ RSS semantics)');
  assert.equal(
    b.tree.rssBytes,
    b.tree.groups.reduce((a, g) => a + g.rssBytes, 0),
  );
  assert.equal(
    b.tree.groups.filter((g) => g.kind === 'binary').length,
    1,
    'the "sh" process maps memfix\'s file, not /bin/sh: counted as a file',
  );
});

test('breakdownOf an empty capture: no largest process, zero totals', () => {
  const b = breakdownOf({ atMs: 0, treeBytes: null, processes: [], unreadable: 0, readMs: 0 }, { captures: 0, totalReadMs: 0 });
  assert.equal(b.largestProcess, null);
  assert.equal(b.tree.rssBytes, 0);
});
