// Columns: rows appended past the initial capacity survive growth; drain hands them over and starts again at 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Columns } from '../../src/sample/columns.js';

test('drain returns the rows so far and empties the columns; later rows start at index 0', () => {
  const c = new Columns(['t', 'v'] as const, 4);
  for (let i = 0; i < 10; i++) c.push(i, i * 2); // grows past 4
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
