// --with python on a fixture with planted sites (fixtures/src/holdsites.py): tracemalloc's sites by file:line and
// function, taken at the highest traced memory, for `python3 script`, `python3 -m module` and a python child; and
// heaptrack on the same program saying that it misses pymalloc's memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteRows } from '../../src/profile/model.js';
import type { ProfileDocument } from '../../src/document/profile.js';
import { ROOT, runCli, unwrap } from '../helpers/fixtures.js';

const SRC = join(ROOT, 'fixtures', 'src');
const dir = mkdtempSync(join(tmpdir(), 'membench-profile-py-'));
// 20000 bytes objects of 1000 B: PyBytes asks for 33 B of header + the bytes.
const BLOBS = 20000 * 1033;

function profile(name: string, args: readonly string[]): { doc: ProfileDocument; stdout: string } {
  const json = join(dir, `${name}.json`);
  const r = runCli(['profile', '--json', json, ...args], { timeoutMs: 300_000 });
  assert.equal(r.status, 0, `membench profile ${args.join(' ')} failed: ${r.stderr}`);
  return { doc: JSON.parse(readFileSync(json, 'utf8')) as ProfileDocument, stdout: r.stdout };
}

function assertPlanted(doc: ProfileDocument): void {
  const self = siteRows(doc.stacks, 'self', { byLine: true });
  const blobs = self.find((r) => r.site === 'make_blobs (holdsites.py:13)');
  // The list holding them (20000 pointers, over-allocated as it grows) is allocated on the same line.
  assert.ok(blobs && blobs.peakBytes >= BLOBS && blobs.peakBytes <= BLOBS + 400_000, JSON.stringify(self.slice(0, 3)));
  assert.ok(blobs.allocations! >= 20000 && blobs.allocations! < 20100, `allocations ${blobs.allocations}`);
  const table = self.find((r) => r.site === 'make_table (holdsites.py:17)');
  // 200000 keys of ~55 B and a dict table of 2^18 entries: well over 10 MiB, under 40.
  assert.ok(table && table.peakBytes > 10 * 2 ** 20 && table.peakBytes < 40 * 2 ** 20, JSON.stringify(table));
  assert.equal(doc.profiler, 'python');
  // Both sites are held together: the snapshot is the peak, not one of the build steps.
  assert.ok(blobs.peakBytes + table.peakBytes > 0.95 * doc.peakBytes);
  const cov = doc.coverage!;
  assert.equal(cov.sitesBytes, doc.peakBytes);
  assert.equal(cov.measuredAt, 'exit');
  assert.ok(cov.processPeakBytes > doc.peakBytes && cov.profilerBytes! > 0, JSON.stringify(cov));
}

test('python3 script.py: make_blobs and make_table at the peak, by line and function', () => {
  const { doc, stdout } = profile('script', ['--with', 'python', '--', 'python3', join(SRC, 'holdsites.py')]);
  assertPlanted(doc);
  assert.match(stdout, /make_blobs \(holdsites\.py:13\)/);
  assert.match(unwrap(stdout), /process peak .* \(VmHWM of python3, pid \d+, exact, read at exit\)/);
  // The snapshot holds (nearly) all of tracemalloc's own peak: the note gives both.
  const note = doc.notes.find((n) => n.startsWith('sites from the snapshot'));
  assert.match(note ?? '', /so the snapshot holds (9[5-9]|100)\.\d %/);
});

test('python3 -m module and a python child are profiled the same way', () => {
  assertPlanted(profile('module', ['--with', 'python', '--cwd', SRC, '--', 'python3', '-m', 'holdsites']).doc);
  const child = profile('child', ['--with', 'python', '--', 'python3', join(SRC, 'holdsites.py'), 'child']);
  assertPlanted(child.doc);
  assert.match(child.doc.notes.join('\n'), /2 processes wrote profiles/);
});

test('heaptrack on small Python objects: far below VmHWM, pointing to --with python', () => {
  // The interpreter itself: a wrapper script (pyenv's shim) would be profiled instead, heaptrack not following exec.
  const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
  // 300000 tuples of an int and a short str: ~40 MiB in pymalloc blocks, whose arenas come from mmap, not malloc;
  // malloc sees the list's 2.4 MB of pointers.
  const code = 'import time\nrows = [(i, str(i)) for i in range(300000)]\ntime.sleep(0.3)';
  const { doc, stdout } = profile('heaptrack', ['--with', 'heaptrack', '--', python, '-c', code]);
  const cov = doc.coverage!;
  assert.equal(cov.verdict, 'far-below', JSON.stringify(cov));
  assert.ok(cov.processPeakBytes > 40 * 2 ** 20 && doc.peakBytes < cov.processPeakBytes / 4, JSON.stringify(cov));
  assert.match(stdout, /pymalloc arenas come from mmap — use --with python/);
});
