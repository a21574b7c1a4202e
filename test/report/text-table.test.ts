// Terminal tables: the layout every terminal renderer shares (run, suite, diagnosis, top, system).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorsFor, NO_COLORS } from '../../src/report/colors.js';
import { labelledTable, textTable } from '../../src/report/text-table.js';

const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

test('textTable: columns padded to their widest cell, two spaces apart, aligned as asked, no trailing blanks', () => {
  assert.deepEqual(
    textTable(
      [
        ['size', 'median', 'note'],
        ['2000', '111.3 KiB', ''],
        ['8000', '439.8 KiB', 'σ 0 B'],
      ],
      { align: ['r', 'r'] },
    ),
    ['size     median  note', '2000  111.3 KiB', '8000  439.8 KiB  σ 0 B'],
  );
  assert.deepEqual(textTable([['a', 'b']], { indent: '    ' }), ['    a  b']);
  assert.deepEqual(textTable([]), []);
});

test('textTable: colour escapes take no room, a wide character takes two columns', () => {
  const c = colorsFor(true);
  const painted = textTable(
    [
      ['verdict', 'x'],
      ['REGRESSED', '1'],
      ['ok', '2'],
    ],
    { paint: (row, col, s) => (row === 0 && col === 0 ? c.red(s) : s) },
  );
  assert.ok(painted[1]!.includes('\x1b[31mREGRESSED\x1b[39m'), 'the painted cell keeps its colour');
  assert.deepEqual(painted.map(strip), ['verdict    x', 'REGRESSED  1', 'ok         2']);
  // A process named in CJK: 2 columns per character on a terminal, so the next column stays aligned.
  assert.deepEqual(
    textTable(
      [
        ['名前', 'RSS'],
        ['sort', '1 MiB'],
      ],
      { align: ['l', 'r'] },
    ),
    ['名前    RSS', 'sort  1 MiB'],
  );
});

test('labelledTable: labels left, figures right, the header dimmed', () => {
  const rows = [
    { label: 'tree peak', cells: ['10.0 MiB', '12.5 MiB'] },
    { label: 'Σ PSS', cells: ['≈ 9.9 MiB', '10.1 MiB'] },
  ];
  assert.deepEqual(labelledTable(['', 'min', 'max'], rows, NO_COLORS, '  '), [
    '                   min       max',
    '  tree peak   10.0 MiB  12.5 MiB',
    '  Σ PSS      ≈ 9.9 MiB  10.1 MiB',
  ]);
  const dim = labelledTable(['', 'min', 'max'], rows, colorsFor(true));
  assert.match(dim[0]!, /^\x1b\[2m.*min.*max\x1b\[22m$/);
  assert.equal(dim[1], 'tree peak   10.0 MiB  12.5 MiB');
});
