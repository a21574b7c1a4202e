import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryMarks } from '../../src/api/marks.js';

test('memoryMarks: what a kept allocation adds is seen, to the byte for array buffers', () => {
  const marks = memoryMarks();
  assert.equal(marks.gcAvailable, true);
  marks.mark('start');
  const kept = Array.from({ length: 8 }, () => new ArrayBuffer(256 * 1024));
  marks.mark('buffers');
  const d = marks.delta('start', 'buffers');
  assert.equal(d.arrayBuffersBytes, 8 * 256 * 1024);
  assert.ok(d.retainedBytes >= 8 * 256 * 1024);
  assert.equal(kept.length, 8);
  assert.deepEqual(
    marks.deltas().map((x) => [x.from, x.to]),
    [['start', 'buffers']],
  );
  assert.throws(() => marks.delta('start', 'nope'), /no mark named "nope" \(marks: "start", "buffers"\)/);
});
