// parseStatus and its hot-path twin kibFieldBytes, on /proc/PID/status captured on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeParseError } from '../../src/probe/errors.js';
import { kibFieldBytes, parseStatus } from '../../src/probe/status.js';
import { ROOT } from '../helpers/fixtures.js';

const PROC = join(ROOT, 'test', 'fixtures', 'proc', 'root');
const read = (rel: string): string => readFileSync(join(PROC, rel), 'utf8');
const KIB = 1024;

test('parseStatus: a stopped sleep (captured): identity and kB fields as bytes', () => {
  assert.deepEqual(parseStatus(read('6683/status')), {
    name: 'sleep',
    ppid: 6681,
    vmHwmBytes: 1756 * KIB,
    vmRssBytes: 1756 * KIB,
    vmSizeBytes: 2920 * KIB,
    vmDataBytes: 224 * KIB,
    vmSwapBytes: 0,
    rssAnonBytes: 108 * KIB,
    rssFileBytes: 1648 * KIB,
    rssShmemBytes: 0,
  });
});

test('parseStatus: zombie and kernel thread have no Vm fields: null, not 0', () => {
  const zombie = parseStatus(read('6701/status'));
  assert.equal(zombie.name, 'sleep');
  assert.equal(zombie.ppid, 6699);
  const kthread = parseStatus(read('2/status'));
  assert.equal(kthread.name, 'kthreadd');
  assert.equal(kthread.ppid, 0);
  for (const s of [zombie, kthread]) {
    assert.deepEqual(
      [s.vmHwmBytes, s.vmRssBytes, s.vmSizeBytes, s.vmDataBytes, s.vmSwapBytes, s.rssAnonBytes, s.rssFileBytes, s.rssShmemBytes],
      Array(8).fill(null),
    );
  }
});

test('parseStatus: a bad kB value names the file and the line', () => {
  const lines = read('6683/status').split('\n');
  const at = lines.findIndex((l) => l.startsWith('VmHWM:'));
  lines[at] = 'VmHWM:\t    17 MB';
  assert.throws(
    () => parseStatus(lines.join('\n'), '/proc/6683/status'),
    (e: unknown) =>
      e instanceof ProbeParseError &&
      e.file === '/proc/6683/status' &&
      e.line === at + 1 &&
      e.message.includes(`/proc/6683/status line ${at + 1}`),
  );
});

test('parseStatus: missing Name or PPid is an error; a key named like an Object property is not a kB field', () => {
  assert.throws(() => parseStatus('PPid:\t1\n'), ProbeParseError);
  assert.throws(() => parseStatus('Name:\tx\n'), ProbeParseError);
  // "constructor" and "toString" are on every object's prototype: they must not be taken for kB fields.
  const s = parseStatus('Name:\tx\nPPid:\t1\nconstructor:\t5 kB\ntoString:\tyes\nVmHWM:\t8 kB\n');
  assert.deepEqual(Object.keys(s).sort(), [
    'name',
    'ppid',
    'rssAnonBytes',
    'rssFileBytes',
    'rssShmemBytes',
    'vmDataBytes',
    'vmHwmBytes',
    'vmRssBytes',
    'vmSizeBytes',
    'vmSwapBytes',
  ]);
  assert.equal(s.vmHwmBytes, 8 * KIB);
});

test('kibFieldBytes agrees with parseStatus on every kB field of every captured status', () => {
  const keys = {
    VmHWM: 'vmHwmBytes',
    VmRSS: 'vmRssBytes',
    VmSize: 'vmSizeBytes',
    VmData: 'vmDataBytes',
    VmSwap: 'vmSwapBytes',
    RssAnon: 'rssAnonBytes',
    RssFile: 'rssFileBytes',
    RssShmem: 'rssShmemBytes',
  } as const;
  for (const pid of ['6683', '6701', '2']) {
    const text = read(`${pid}/status`);
    const ref = parseStatus(text);
    for (const [key, field] of Object.entries(keys)) {
      assert.equal(kibFieldBytes(text, key), ref[field] ?? -1, `${pid} ${key}`);
    }
  }
});

test('kibFieldBytes: -1 when absent or not a number; whole key only (VmHWM is not VmHWMx)', () => {
  assert.equal(kibFieldBytes('Name:\tx\nVmHWMx:\t5 kB\n', 'VmHWM'), -1);
  assert.equal(kibFieldBytes('Name:\tx\nVmHWM:\t kB\n', 'VmHWM'), -1);
  assert.equal(kibFieldBytes('Name:\tx\nVmHWM:\t12 kB', 'VmHWM'), 12 * KIB);
});

test('parseStatus: a kB count that is safe but not once × 1024 is rejected, not returned as an inexact byte count', () => {
  assert.throws(
    () => parseStatus('Name:\tx\nPPid:\t1\nVmHWM:\t4503599627370496 kB\n', 'st'),
    (e: unknown) => e instanceof ProbeParseError && e.line === 3,
  );
});
