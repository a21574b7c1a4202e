// Wrapping for an 80-column terminal: prose by words; a line of figures between its parts, never inside a figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visibleLength, wrap } from '../../src/report/wrap.js';

const label = (t: string): string => `  ${t.padEnd(19)}`;

test('a line of figures breaks before " · " (dropped) or a "   [" note, so a value keeps its ± and its unit', () => {
  assert.deepEqual(wrap(`${label('Largest process:')}memfix 11.2 MiB (of up to 2 processes) · wall 125.2 ms ± 2.79 ms`, 80, 21), [
    '  Largest process:   memfix 11.2 MiB (of up to 2 processes)',
    '                     wall 125.2 ms ± 2.79 ms',
  ]);
  assert.deepEqual(wrap(`${label('Peak (mean ± σ):')}41.3 MiB ± 28.3 KiB   [memfix's peak, from sh's ru_maxrss at exit, exact]`, 80, 21), [
    '  Peak (mean ± σ):   41.3 MiB ± 28.3 KiB',
    "                     [memfix's peak, from sh's ru_maxrss at exit, exact]",
  ]);
  // With colour codes around the parts: the same breaks, the codes kept, none counted as columns.
  const dim = (s: string): string => `\x1b[2m${s}\x1b[22m`;
  const coloured = wrap(
    `${label('Peak (mean ± σ):')}\x1b[32m41.3 MiB\x1b[39m ± 28.3 KiB${dim("   [memfix's peak, from sh's ru_maxrss at exit, exact]")}`,
    80,
    21,
  );
  assert.equal(coloured.length, 2);
  assert.equal(coloured[1], `                     ${dim("[memfix's peak, from sh's ru_maxrss at exit, exact]")}`);
  assert.ok(coloured.every((l) => visibleLength(l) <= 80));
});

test('prose, or a part too long for a line, wraps by words with the hanging indent', () => {
  const prose = `  ${'word '.repeat(30).trim()}`;
  const lines = wrap(prose, 40, 4);
  assert.ok(lines.length > 1 && lines.every((l) => l.length <= 40));
  assert.ok(lines.slice(1).every((l) => l.startsWith('    word')));
  // One part longer than a line: the words wrap, as before.
  const long = wrap(`  a · ${'b '.repeat(50).trim()}`, 30, 4);
  assert.ok(long.length > 2 && long.every((l) => l.length <= 30), long.join('\n'));
  assert.deepEqual(wrap('short · line', 80), ['short · line']);
});
