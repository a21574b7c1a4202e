import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgePerUnit, parseByteRange, rangeFromPair } from '../../src/suite/expect.js';

test('parseByteRange: the forms users write', () => {
  assert.deepEqual(parseByteRange('1..2 KiB'), { text: '1..2 KiB', minBytes: 1024, maxBytes: 2048 });
  assert.deepEqual(parseByteRange('10 KiB..50 KiB'), { text: '10 KiB..50 KiB', minBytes: 10240, maxBytes: 51200 });
  assert.deepEqual(parseByteRange('512 B..1 MiB'), { text: '512 B..1 MiB', minBytes: 512, maxBytes: 1024 ** 2 });
  assert.deepEqual(parseByteRange('10-50 KiB'), { text: '10-50 KiB', minBytes: 10240, maxBytes: 51200 });
  assert.deepEqual(parseByteRange(' 1.9..2.3 B '), { text: '1.9..2.3 B', minBytes: 1.9, maxBytes: 2.3 });
  assert.deepEqual(parseByteRange('<= 2 KiB'), { text: '<= 2 KiB', minBytes: 0, maxBytes: 2048 });
  assert.deepEqual(parseByteRange('>=1 B'), { text: '>=1 B', minBytes: 1, maxBytes: Infinity });
  assert.deepEqual(rangeFromPair([1000, 2000]), { text: '1000..2000 B', minBytes: 1000, maxBytes: 2000 });
});

test('parseByteRange: what it refuses, and why', () => {
  assert.throws(() => parseByteRange('1-2 KB'), /"KB" is ambiguous: write KiB/);
  assert.throws(() => parseByteRange('1..2 parsecs'), /not a unit: use B, KiB, MiB or GiB/);
  assert.throws(() => parseByteRange('about 2 KiB'), /is not a range/);
  assert.throws(() => parseByteRange('2..1 KiB'), /runs backwards/);
  assert.throws(() => rangeFromPair([5, 1]), /not a range of bytes/);
});

test('judgePerUnit: below, within (ends included), above', () => {
  const r = parseByteRange('1..2 KiB');
  assert.equal(judgePerUnit(r, 1000), 'below');
  assert.equal(judgePerUnit(r, 1024), 'within');
  assert.equal(judgePerUnit(r, 2048), 'within');
  assert.equal(judgePerUnit(r, 2049), 'above');
});
