// Columns: rows appended across chunks come back whole and in order; drain hands them over and starts again at 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Columns } from '../../src/sample/columns.js';

test('drain returns the rows so far and empties the columns; later rows start at index 0', () => {
  const c = new Columns(['t', 'v'] as const, 4);
  for (let i = 0; i < 10; i++) c.push(i, i * 2); // three chunks of 4 rows
  const first = c.drain();
  assert.deepEqual([...first.t], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...first.v], [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  assert.equal(c.length, 0);
  c.push(100);
  const second = c.toArrays();
  assert.deepEqual([...second.t], [100]);
  assert.ok(Number.isNaN(second.v[0]!), 'a value not given is NaN');
  first.t[0] = -1; // the drained arrays are copies: writing to them does not touch the columns
  c.push(101, 1);
  assert.deepEqual([...c.drain().t], [100, 101]);
  assert.deepEqual([...c.drain().t], []);
});

test('any number of rows, any chunk size: toArrays equals the rows pushed, in order, and length counts them', () => {
  for (const chunkRows of [1, 3, 64]) {
    for (const rows of [0, 1, chunkRows - 1, chunkRows, chunkRows + 1, 5 * chunkRows + 2]) {
      if (rows < 0) continue;
      const c = new Columns(['a', 'b', 'c', 'd', 'e', 'f'] as const, chunkRows);
      for (let i = 0; i < rows; i++) c.push(i, -i, i / 2, i * 3, 7, i % 5);
      assert.equal(c.length, rows);
      const out = c.toArrays();
      assert.deepEqual(
        [...out.a],
        Array.from({ length: rows }, (_, i) => i),
        `chunk ${chunkRows}, ${rows} rows`,
      );
      assert.deepEqual(
        [...out.f],
        Array.from({ length: rows }, (_, i) => i % 5),
      );
      // toArrays copies: the columns still hold the rows afterwards.
      assert.equal(c.toArrays().b.length, rows);
    }
  }
});
