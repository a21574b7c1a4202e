// Small /proc readers, pointed at a fixture /proc (test/fixtures/proc/root) and, where harmless, at the real one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  environHas,
  pageSizeFromAuxv,
  schedPolicyOf,
  pidAlive,
  readChildren,
  readCmdline,
  readComm,
  readKernelRelease,
  readPageSize,
  readVmstatOomKills,
  type ProcRoot,
} from '../../src/probe/proc.js';
import { ROOT } from '../helpers/fixtures.js';

const FIXTURE: ProcRoot = { proc: join(ROOT, 'test', 'fixtures', 'proc', 'root') };
const MISSING: ProcRoot = { proc: join(ROOT, 'test', 'fixtures', 'proc', 'no-such-root') };

/** An auxv buffer of 64-bit little-endian (type, value) pairs. */
function auxv(pairs: ReadonlyArray<readonly [number, number]>): Buffer {
  const b = Buffer.alloc(pairs.length * 16);
  pairs.forEach(([type, value], i) => {
    b.writeBigUInt64LE(BigInt(type), i * 16);
    b.writeBigUInt64LE(BigInt(value), i * 16 + 8);
  });
  return b;
}

test('pageSizeFromAuxv: finds AT_PAGESZ (6) among other entries, stops at AT_NULL, ignores a torn tail', () => {
  assert.equal(
    pageSizeFromAuxv(
      auxv([
        [33, 0x7fff0000],
        [16, 0xbfebfbff],
        [6, 16384],
        [0, 0],
      ]),
    ),
    16384,
  );
  assert.equal(
    pageSizeFromAuxv(
      auxv([
        [16, 1],
        [0, 0],
        [6, 65536],
      ]),
    ),
    null,
  );
  assert.equal(pageSizeFromAuxv(auxv([[16, 1]])), null);
  assert.equal(pageSizeFromAuxv(Buffer.concat([auxv([[16, 1]]), Buffer.from([6, 0, 0])])), null);
  assert.equal(pageSizeFromAuxv(Buffer.alloc(0)), null);
});

test('readPageSize: the real /proc/self/auxv agrees with getconf PAGESIZE; a missing root falls back to 4096', () => {
  const getconf = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' });
  if (getconf.status === 0) assert.equal(readPageSize(), Number(getconf.stdout.trim()));
  assert.equal(pageSizeFromAuxv(readFileSync('/proc/self/auxv')), readPageSize());
  assert.equal(readPageSize(MISSING), 4096);
});

test('readChildren: children of every thread, trailing spaces and empty files handled', () => {
  assert.deepEqual(
    readChildren(4242, FIXTURE).sort((a, b) => a - b),
    [4250, 4251, 4260],
  );
  assert.deepEqual(readChildren(4243, FIXTURE), []);
});

test('readChildren: real /proc: a child spawned by this process is listed', async () => {
  const child = spawn('sleep', ['5'], { stdio: 'ignore' });
  try {
    await once(child, 'spawn');
    assert.ok(readChildren(process.pid).includes(child.pid!));
  } finally {
    child.kill('SIGKILL');
  }
});

test('environHas: whole NUL-separated entries only', () => {
  assert.equal(environHas(4242, 'MEMBENCH_RUN=membench-4000-1', FIXTURE), true);
  assert.equal(environHas(4242, 'HOME=/root', FIXTURE), true);
  assert.equal(environHas(4242, 'PATH=/usr/bin:/bin', FIXTURE), true);
  assert.equal(environHas(4242, 'MEMBENCH_RUN=membench-4000', FIXTURE), false);
  assert.equal(environHas(4242, 'RUN=membench-4000-1', FIXTURE), false);
  assert.equal(environHas(9999, 'HOME=/root', FIXTURE), false);
  // 4243's environ ends without a NUL (its last entry rewritten in place): the last entry still counts, a prefix does not.
  assert.equal(environHas(4243, 'MEMBENCH_RUN=membench-4000-2', FIXTURE), true);
  assert.equal(environHas(4243, 'MEMBENCH_RUN=membench-4000', FIXTURE), false);
});

test('readComm / readCmdline: trimmed name, NULs as spaces, truncated with an ellipsis; "?" and "" when gone', () => {
  assert.equal(readComm(4242, FIXTURE), 'memfix');
  assert.equal(readCmdline(4242, FIXTURE), 'fixtures/bin/memfix tree 4 10 300');
  assert.equal(readCmdline(4242, FIXTURE, 10), 'fixtures/…');
  assert.equal(readCmdline(4242, FIXTURE, 10).length, 10);
  assert.equal(readComm(9999, FIXTURE), '?');
  assert.equal(readCmdline(9999, FIXTURE), '');
});

test('readKernelRelease and readVmstatOomKills: captured files; "unknown" and null when unreadable', () => {
  assert.equal(readKernelRelease(FIXTURE), '6.18.44-fc-v657');
  assert.equal(readVmstatOomKills(FIXTURE), 0);
  assert.equal(readKernelRelease(MISSING), 'unknown');
  assert.equal(readVmstatOomKills(MISSING), null);
  assert.equal(typeof readVmstatOomKills(), 'number'); // the real /proc/vmstat parses whole
});

test('pidAlive: this process yes, an exited and reaped child no', () => {
  assert.equal(pidAlive(process.pid), true);
  const r = spawnSync('/bin/sh', ['-c', 'sleep 0 & echo $!; wait'], { encoding: 'utf8' });
  assert.equal(pidAlive(Number(r.stdout.trim())), false);
});

test('schedPolicyOf: field 41 of a stat line, counted after the last ")" (a comm may hold spaces and parens)', () => {
  // This thread's real stat line with its policy field replaced: field 3 (state) is index 0 after ") ", 41 is 38.
  const real = readFileSync('/proc/thread-self/stat', 'latin1');
  const after = real.slice(real.lastIndexOf(')') + 2).split(' ');
  const line = (comm: string, policy: string): string => `42 (${comm}) ${after.map((f, i) => (i === 38 ? policy : f)).join(' ')}`;
  // The test runner itself is not realtime (and the field is the one the kernel fills: see realtime.test.ts, where chrt agrees).
  assert.equal(schedPolicyOf(real), 'other');
  assert.equal(schedPolicyOf(line('node', '1')), 'fifo');
  assert.equal(schedPolicyOf(line('a (b) c', '1')), 'fifo');
  assert.equal(schedPolicyOf(line('x', '3')), 'batch');
  assert.equal(schedPolicyOf(line('x', '6')), 'deadline');
  assert.equal(schedPolicyOf(line('x', '4')), null, '4 is not a policy');
  assert.equal(schedPolicyOf(line('x', '')), null);
  assert.equal(schedPolicyOf('42 (x) S 1 1'), null, 'a torn line');
  assert.equal(schedPolicyOf('garbage'), null);
});
