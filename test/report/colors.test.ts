// Whether a command colours its output: one rule for run, suite, compare, profile and watch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorsFor, colorWanted } from '../../src/report/colors.js';

test('colorWanted: a terminal, the flag not off and NO_COLOR unset or empty (no-color.org)', () => {
  assert.equal(colorWanted({ flag: true, tty: true, env: {} }), true);
  assert.equal(colorWanted({ tty: true, env: {} }), true, 'a command without --color colours a terminal');
  assert.equal(colorWanted({ flag: true, tty: true, env: { NO_COLOR: '' } }), true, 'an empty NO_COLOR is as if unset');
  assert.equal(colorWanted({ flag: true, tty: true, env: { NO_COLOR: '1' } }), false);
  assert.equal(colorWanted({ flag: true, tty: true, env: { NO_COLOR: '0' } }), false, 'any non-empty value turns colour off');
  assert.equal(colorWanted({ flag: false, tty: true, env: {} }), false, '--no-color');
  assert.equal(colorWanted({ flag: true, tty: false, env: {} }), false, 'a pipe or a file');
});

test('colorsFor: ANSI escapes only when enabled', () => {
  assert.equal(colorsFor(false).red('x'), 'x');
  assert.equal(colorsFor(true).red('x'), '\x1b[31mx\x1b[39m');
});
