// parseStatm and its hot-path twin parseStatmInto, on statm text captured on this machine (test/fixtures/proc/root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeParseError } from '../../src/probe/errors.js';
import { parseStatm, parseStatmInto } from '../../src/probe/statm.js';
import { parseStatus } from '../../src/probe/status.js';
import { ROOT } from '../helpers/fixtures.js';

const PROC = join(ROOT, 'test', 'fixtures', 'proc', 'root');
const read = (rel: string): string => readFileSync(join(PROC, rel), 'latin1');
const PAGE = 4096;

test('parseStatm: a stopped sleep (captured) in bytes, page size applied', () => {
  // "730 439 412 5 0 89 0"
  assert.deepEqual(parseStatm(read('6683/statm'), PAGE), {
    sizeBytes: 730 * PAGE,
    residentBytes: 439 * PAGE,
    sharedBytes: 412 * PAGE,
    textBytes: 5 * PAGE,
    dataBytes: 89 * PAGE,
  });
});

test('parseStatm agrees with status of the same stopped process: VmSize, VmRSS, VmData + VmStk', () => {
  const statm = parseStatm(read('6683/statm'), PAGE);
  const status = parseStatus(read('6683/status'));
  assert.equal(statm.sizeBytes, status.vmSizeBytes);
  assert.equal(statm.residentBytes, status.vmRssBytes);
  assert.equal(statm.sharedBytes, status.rssFileBytes! + status.rssShmemBytes!);
  // statm "data" is VmData + VmStk (proc(5)); VmStk is 132 kB in the capture.
  assert.equal(statm.dataBytes, status.vmDataBytes! + 132 * 1024);
});

test('parseStatm: zombie and kernel thread read as all zeros, which is valid', () => {
  for (const pid of ['6701', '2']) {
    const s = parseStatm(read(`${pid}/statm`), PAGE);
    assert.deepEqual(Object.values(s), [0, 0, 0, 0, 0]);
  }
});

test('parseStatm: too few fields or a non-number throws ProbeParseError naming the file and line 1', () => {
  assert.throws(
    () => parseStatm('1 2 3\n', PAGE, '/proc/9/statm'),
    (e: unknown) => e instanceof ProbeParseError && /\/proc\/9\/statm line 1/.test(e.message),
  );
  assert.throws(() => parseStatm('1 2 x 4 5 6 7\n', PAGE, 'statm'), ProbeParseError);
  assert.throws(() => parseStatm('', PAGE, 'statm'), ProbeParseError);
});

test('parseStatmInto: same numbers as parseStatm on every captured statm', () => {
  for (const pid of ['6683', '6701', '2']) {
    const buf = readFileSync(join(PROC, pid, 'statm'));
    const out = new Float64Array(3);
    assert.equal(parseStatmInto(buf, buf.length, out), true, pid);
    const ref = parseStatm(buf.toString('latin1'), PAGE);
    assert.deepEqual([out[0]! * PAGE, out[1]! * PAGE, out[2]! * PAGE], [ref.sizeBytes, ref.residentBytes, ref.dataBytes], pid);
  }
});

test('parseStatmInto: honours len (a reused buffer with stale bytes after it) and rejects short input', () => {
  const buf = Buffer.alloc(64, 0x39); // '9' everywhere: stale bytes must not be read
  const n = buf.write('730 439 412 5 0 89 0\n', 'latin1');
  const out = new Float64Array(3);
  assert.equal(parseStatmInto(buf, n, out), true);
  assert.deepEqual([...out], [730, 439, 89]);
  const short = Buffer.from('730 439 412\n');
  assert.equal(parseStatmInto(short, short.length, new Float64Array(3)), false);
  assert.equal(parseStatmInto(buf, 0, new Float64Array(3)), false);
});
