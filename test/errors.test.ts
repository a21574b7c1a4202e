// The shared error helpers: the errno code of a failed system call, and the exit code of a caught signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errnoCode, EXIT, exitForSignal } from '../src/errors.js';

test('errnoCode: the code of a real failed call; undefined for an error without one, or a thrown non-error', () => {
  assert.throws(
    () => readFileSync('/nonexistent/membench'),
    (e: unknown) => errnoCode(e) === 'ENOENT',
  );
  assert.throws(
    () => readFileSync('/proc'),
    (e: unknown) => errnoCode(e) === 'EISDIR',
  );
  assert.equal(errnoCode(new Error('plain')), undefined);
  assert.equal(errnoCode(Object.assign(new Error('odd'), { code: 42 })), undefined, 'a code that is not a string is not an errno');
  for (const thrown of [undefined, null, 'ENOENT', 3]) assert.equal(errnoCode(thrown), undefined, String(thrown));
});

test('exitForSignal: 143 for SIGTERM, 130 for SIGINT, as a shell reports 128 + the signal number', () => {
  assert.equal(exitForSignal('SIGTERM'), EXIT.TERMINATED);
  assert.equal(EXIT.TERMINATED, 128 + 15);
  assert.equal(exitForSignal('SIGINT'), EXIT.INTERRUPTED);
  assert.equal(EXIT.INTERRUPTED, 128 + 2);
});
