// PidList parses pid lists as the kernel writes them (and torn or odd ones) exactly as a string split would;
// ProcsFile re-reads a changing file and says whether the list is the one it handled last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Preader } from '../../src/sample/io.js';
import { PidList, ProcsFile } from '../../src/sample/pid-list.js';
import { mulberry32 } from '../helpers/prng.js';

test('PidList.parse equals splitting on non-digits, for random lists, separators and lengths past its first array', () => {
  const rng = mulberry32(0x91d5);
  const list = new PidList();
  const buf = Buffer.alloc(1 << 16);
  for (let i = 0; i < 300; i++) {
    const count = i % 50 === 0 ? 3000 : Math.floor(rng() * 40);
    const seps = ['\n', ' ', '\t', ' \n', ''];
    let text = rng() < 0.3 ? '\n' : '';
    for (let k = 0; k < count; k++) text += String(1 + Math.floor(rng() * 4194304)) + seps[Math.floor(rng() * 4)]!;
    if (rng() < 0.2) text = text.slice(0, Math.floor(rng() * text.length)); // a torn read
    const n = buf.write(text, 0, 'latin1');
    const want = text.split(/\D+/).filter(Boolean).map(Number);
    const got = list.parse(buf, n);
    assert.equal(got, want.length, `case ${i}`);
    assert.deepEqual([...list.pids.subarray(0, got)], want, `case ${i}`);
  }
});

test('ProcsFile: sameAsLast is false for a new or changed list, true for a repeated one; forget() makes it handle the list again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'membench-procs-'));
  try {
    const file = join(dir, 'cgroup.procs');
    writeFileSync(file, '10\n11\n');
    const io = new Preader();
    const procs = new ProcsFile(io, file);
    let n = procs.read();
    assert.equal(io.buf.toString('latin1', 0, n), '10\n11\n');
    assert.equal(procs.sameAsLast(n), false, 'first list');
    assert.equal(procs.sameAsLast(procs.read()), true, 'the same list again');
    writeFileSync(file, '10\n12\n');
    n = procs.read();
    assert.equal(io.buf.toString('latin1', 0, n), '10\n12\n', 'a changed file is read anew (not a cached list)');
    assert.equal(procs.sameAsLast(n), false, 'changed list');
    procs.forget();
    assert.equal(procs.sameAsLast(procs.read()), false, 'forgotten');
    assert.equal(procs.sameAsLast(procs.read()), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
