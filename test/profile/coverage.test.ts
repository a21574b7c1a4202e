// Coverage of a profile against the process's VmHWM: verdicts at their thresholds, and sentences whose figures
// are the document's own (recomputed here from the fields).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coverageVerdict, profileCoverage, type ProcessPeakInput } from '../../src/profile/coverage.js';
import { formatBytes, formatPercent } from '../../src/units.js';

const MIB = 1024 * 1024;
const proc = (vmHwmBytes: number, over: Partial<ProcessPeakInput> = {}): ProcessPeakInput => ({
  pid: 42,
  name: 'prog',
  vmHwmBytes,
  measuredAt: 'polled',
  profilerBytes: null,
  program: 'prog',
  ...over,
});

test("verdicts: far-above on the whole process, the others on the program's part", () => {
  assert.equal(coverageVerdict(1.21, 1.21), 'far-above');
  assert.equal(coverageVerdict(1.2, 1.2), 'close');
  assert.equal(coverageVerdict(0.8, 0.8), 'close');
  assert.equal(coverageVerdict(0.79, 0.79), 'below');
  assert.equal(coverageVerdict(0.5, 0.5), 'below');
  assert.equal(coverageVerdict(0.49, 0.49), 'far-below');
  // massif: 14 MiB of a 43 MiB valgrind process is not "far below" once valgrind's share is set aside.
  assert.equal(coverageVerdict(14 / 43, 14 / 7), 'close');
});

test('heaptrack on python: far below, says why and what to use, with the two figures', () => {
  const c = profileCoverage('heaptrack', 16.5 * MIB, proc(101 * MIB, { name: 'python3', program: 'python3' }));
  assert.equal(c.verdict, 'far-below');
  assert.equal(c.ratio, 16.5 / 101);
  assert.ok(c.sentence.startsWith(`heaptrack saw ${formatBytes(c.sitesBytes)} of ${formatBytes(c.processPeakBytes)}`), c.sentence);
  assert.match(c.sentence, /pymalloc arenas come from mmap — use --with python/);
  assert.ok(c.sentence.includes(formatPercent(c.ratio)));
});

test('sort under heaptrack: far above — asked for, not resident — never headlined as held', () => {
  const c = profileCoverage('heaptrack', 1.39 * 1024 * MIB, proc(213 * MIB, { name: 'sort', program: 'sort' }));
  assert.equal(c.verdict, 'far-above');
  assert.match(c.sentence, /^heaptrack counts 1\.39 GiB asked for at its peak, but the process's resident peak was 213\.0 MiB/);
  assert.match(c.sentence, /never touched .* is not resident/);
});

test("the profiler's own memory is set aside for the verdict and named in the sentence", () => {
  const c = profileCoverage('python', 100 * MIB, proc(300 * MIB, { profilerBytes: 150 * MIB }), 2_600_000);
  assert.equal(c.programRatio, 100 / 150);
  assert.equal(c.verdict, 'below');
  assert.match(c.sentence, /of which 150\.0 MiB is the profiler's own bookkeeping/);
  assert.match(c.sentence, /each of the 2600000 live blocks/);
  const close = profileCoverage(
    'massif',
    14 * MIB,
    proc(43 * MIB, { profilerBytes: 36 * MIB, name: 'massif-amd64-li', program: 'allocsites' }),
  );
  assert.equal(close.verdict, 'close');
  // valgrind running /bin/true (36 MiB) is more than the 29 MiB the sites leave of 43 MiB: no "% of the rest" is said.
  assert.match(close.sentence, /valgrind included\): .*valgrind's own part cannot be told apart here \(36\.0 MiB running \/bin\/true/);
  const roomy = profileCoverage(
    'massif',
    14 * MIB,
    proc(60 * MIB, { profilerBytes: 36 * MIB, name: 'massif-amd64-li', program: 'allocsites' }),
  );
  assert.match(roomy.sentence, /includes valgrind itself: 36\.0 MiB running \/bin\/true\): 23\.3 %, 58\.3 % of the 24\.0 MiB left/);
});

test('massif: when valgrind running /bin/true is more than the sites leave of the peak, no share of "the rest" is said', () => {
  const MiB = 1024 * 1024;
  const c = profileCoverage('massif', 20.9 * MiB, {
    pid: 7,
    name: 'massif-amd64-li',
    vmHwmBytes: 36.7 * MiB,
    measuredAt: 'polled',
    profilerBytes: 36.1 * MiB,
    program: 'sort',
  });
  assert.doesNotMatch(c.sentence, /of the .* left/);
  assert.match(
    c.sentence,
    /valgrind included\): 56\.9 %; valgrind's own part cannot be told apart here \(36\.1 MiB running \/bin\/true, more than the 15\.8 MiB the sites leave of the peak\)/,
  );
});
