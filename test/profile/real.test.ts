// Real profilers on fixtures with known allocation sites (fixtures/src/allocsites.c, allocsites.mjs), through
// the CLI: valgrind massif, heaptrack and V8's sampling heap profiler must find the sites with the byte counts
// planted, and set their total beside the process's VmHWM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteRows } from '../../src/profile/model.js';
import type { ProfileDocument } from '../../src/document/profile.js';
import { MIB, ROOT, runCli } from '../helpers/fixtures.js';

const ALLOCSITES = join(ROOT, 'fixtures', 'bin', 'allocsites');
const ALLOCSITES_JS = join(ROOT, 'fixtures', 'src', 'allocsites.mjs');
const PEAKSITES_JS = join(ROOT, 'fixtures', 'src', 'peaksites.mjs');
const dir = mkdtempSync(join(tmpdir(), 'membench-profile-test-'));

function profile(name: string, args: readonly string[]): { doc: ProfileDocument; stdout: string } {
  const json = join(dir, `${name}.json`);
  const r = runCli(['profile', '--json', json, '--html', join(dir, `${name}.html`), ...args]);
  assert.equal(r.status, 0, `membench profile ${args.join(' ')} failed: ${r.stderr}`);
  return { doc: JSON.parse(readFileSync(json, 'utf8')) as ProfileDocument, stdout: r.stdout };
}
const self = (doc: ProfileDocument, fn: string) => siteRows(doc.stacks, 'self').find((r) => r.site.startsWith(`${fn} `) || r.site === fn);

test('massif: make_jobs 10 MiB and make_cache 4 MiB at the peak, main inclusive 14 MiB', () => {
  const { doc, stdout } = profile('massif', ['--with', 'massif', '--', ALLOCSITES]);
  // massif records the size asked for; membench runs it with --peak-inaccuracy=0.0 and a detailed snapshot at every
  // snapshot, so the sites are those of the exact peak: they sum to the timeline's maximum.
  assert.equal(doc.peakBytes, Math.max(...doc.timeline!.heapBytes));
  const slack = 0;
  assert.ok(Math.abs(self(doc, 'make_jobs')!.peakBytes - 10 * MIB) <= slack, JSON.stringify(self(doc, 'make_jobs')));
  assert.ok(Math.abs(self(doc, 'make_cache')!.peakBytes - 4 * MIB) <= slack, JSON.stringify(self(doc, 'make_cache')));
  const main = siteRows(doc.stacks, 'inclusive').find((r) => r.site.startsWith('main '));
  assert.ok(main && Math.abs(main.peakBytes - 14 * MIB) <= slack);
  assert.ok(doc.timeline && doc.timeline.t.length > 3 && doc.timeline.unit === 'ms');
  assert.match(stdout, /10\.0 MiB\s+71\.\d %\s+make_jobs/);
  // VmHWM of the valgrind process holds the program's 14 MiB and valgrind itself.
  const cov = doc.coverage!;
  assert.ok(cov.processPeakBytes > 14 * MIB && cov.profilerBytes! > 0, JSON.stringify(cov));
  assert.equal(cov.verdict, 'close', cov.sentence);
  assert.match(stdout, /Heap over time/);
  assert.match(readFileSync(join(dir, 'massif.html'), 'utf8'), /<svg[\s\S]*make_jobs[\s\S]*make_cache/);
});

test('heaptrack: exact bytes at the peak and exact call counts per site', () => {
  const { doc } = profile('heaptrack', ['--with', 'heaptrack', '--', ALLOCSITES]);
  // heaptrack sees every malloc and free, so the peak and the counts are exact.
  assert.deepEqual([self(doc, 'make_jobs')?.peakBytes, self(doc, 'make_jobs')?.allocations], [10 * MIB, 10240]);
  assert.deepEqual([self(doc, 'make_cache')?.peakBytes, self(doc, 'make_cache')?.allocations], [4 * MIB, 64]);
  // The rest is libc/libstdc++ start-up (an emergency exception pool of ~72 KiB), not the program's.
  assert.ok(doc.peakBytes - 14 * MIB < 256 * 1024, `peak ${doc.peakBytes}`);
  // The timeline is rebuilt from heaptrack's own allocation records: its maximum is the same exact peak.
  assert.equal(Math.max(...doc.timeline!.heapBytes), doc.peakBytes);
  // 14 MiB written: VmHWM (program ~1.5 MiB, heaptrack's preload a few MiB more) is above it, and not far.
  const cov = doc.coverage!;
  assert.ok(cov.processPeakBytes > 14 * MIB && cov.processPeakBytes < 40 * MIB, JSON.stringify(cov));
  assert.notEqual(cov.verdict, 'far-above');
  assert.notEqual(cov.verdict, 'far-below');
});

test('heaptrack: 256 MiB asked of malloc but 1 MiB written is far above VmHWM, and said so', () => {
  const { doc, stdout } = profile('untouched', ['--with', 'heaptrack', '--', ALLOCSITES, 'untouched']);
  assert.equal(self(doc, 'make_untouched')?.peakBytes, 256 * MIB);
  const cov = doc.coverage!;
  // Resident: 14 MiB of sites + 1 MiB written + program and preload — far from 270 MiB.
  assert.equal(cov.verdict, 'far-above', JSON.stringify(cov));
  assert.ok(cov.processPeakBytes < 64 * MIB);
  assert.match(stdout, /^sites asked for at the peak 270\.\d MiB/m);
  assert.match(stdout, /never touched \(or only partly\) is not resident/);
});

test('v8: makeJobs ≈ 16 MiB, makeCache ≈ 4 MiB, held to exit: the peak view and the exit view agree', () => {
  const { doc } = profile('v8', ['--with', 'v8', '--sample-interval', '4K', '--', process.execPath, ALLOCSITES_JS]);
  // Sampled every ~4 KiB: about 4 000 samples for makeJobs (≈ 1.6 % relative error) and every 64 KiB array of
  // makeCache sampled; arrays carry a 16 B header and a 32 B JSArray. ±10 % is many standard errors wide.
  const jobs = self(doc, 'makeJobs')!;
  const cache = self(doc, 'makeCache')!;
  assert.ok(Math.abs(jobs.peakBytes - 16 * MIB) <= 1.6 * MIB, `makeJobs ${jobs.peakBytes}`);
  assert.ok(Math.abs(cache.peakBytes - 4 * MIB) <= 0.4 * MIB, `makeCache ${cache.peakBytes}`);
  assert.match(jobs.site, /allocsites\.mjs/);
  const exit = doc.views!.find((v) => v.view === 'live-at-exit')!;
  const exitJobs = siteRows(exit.stacks, 'self').find((r) => r.site.startsWith('makeJobs '))!;
  assert.ok(Math.abs(exitJobs.peakBytes - 16 * MIB) <= 1.6 * MIB, `makeJobs at exit ${exitJobs.peakBytes}`);
});

test('v8: data dropped before exit is in the peak-time view, not in the live-at-exit one', () => {
  const { doc, stdout } = profile('v8-peak', ['--with', 'v8', '--sample-interval', '4K', '--', process.execPath, PEAKSITES_JS]);
  // 256 arrays of 8192 small integers (64 KiB + 16 B each, and a 32 B JSArray) held together at the peak.
  const batch = self(doc, 'makeBatch')!;
  assert.ok(Math.abs(batch.peakBytes - 16 * MIB) <= 1.6 * MIB, `makeBatch ${batch.peakBytes}`);
  const exit = doc.views!.find((v) => v.view === 'live-at-exit')!;
  const atExit = siteRows(exit.stacks, 'self').find((r) => r.site.startsWith('makeBatch '));
  assert.ok(!atExit || atExit.peakBytes < MIB, `makeBatch at exit ${atExit?.peakBytes}`);
  assert.ok(exit.peakBytes < doc.peakBytes / 4);
  assert.match(stdout, /Other view: live-at-exit/);
  assert.ok(doc.coverage && doc.coverage.processPeakBytes > doc.peakBytes, JSON.stringify(doc.coverage));
});

test('diff: a planted 3 MiB allocation shows as a new site and trips --fail-above 10 %', () => {
  const before = join(dir, 'before.json');
  const after = join(dir, 'after.json');
  assert.equal(runCli(['profile', '--with', 'heaptrack', '--json', before, '--', ALLOCSITES]).status, 0);
  assert.equal(runCli(['profile', '--with', 'heaptrack', '--json', after, '--', ALLOCSITES, 'plant']).status, 0);
  const r = runCli(['profile', 'diff', before, after, '--fail-above', '10%']);
  assert.equal(r.status, 6, r.stderr);
  assert.match(r.stdout, /\+3\.0 MiB\s+make_extra \(new\)/);
  assert.match(r.stdout, /FAILED/);
  const ok = runCli(['profile', 'diff', before, after, '--fail-above', '30%']);
  assert.equal(ok.status, 0, ok.stderr);
});

test('import: raw massif output is read without running anything; other files are refused', () => {
  const r = runCli(['profile', 'import', join(ROOT, 'fixtures', 'src', 'allocsites.c')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not a profile membench can read/);
  const massif = join(dir, 'massif.out.1');
  writeFileSync(
    massif,
    'desc: x\ncmd: ./a\ntime_unit: i\n#-----------\nsnapshot=0\n#-----------\ntime=0\nmem_heap_B=12\nmem_heap_extra_B=4\nmem_stacks_B=0\nheap_tree=peak\nn1: 12 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n n0: 12 0x1: f (a.c:3)\n',
  );
  const ok = runCli(['profile', 'import', massif, '--no-chart']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /12 B\s+100\.0 %\s+f \(a\.c\)/);
  writeFileSync(massif, 'desc: x\n#-----------\nsnapshot=0\n#-----------\ntime=0\nmem_heap_B=twelve\n');
  const bad = runCli(['profile', 'import', massif]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /massif\.out\.1 line 6: mem_heap_B is not a byte count/);
});

test('usage errors: no profiler named, unknown action, missing command', () => {
  assert.equal(runCli(['profile', '--', ALLOCSITES]).status, 2);
  assert.equal(runCli(['profile', 'explode']).status, 2);
  const missing = runCli(['profile', '--with', 'massif', '--', join(dir, 'no-such-program')]);
  assert.equal(missing.status, 3);
  assert.match(missing.stderr, /no such file/);
});
