// The terminal chart: within 80 columns, the peak's column marked '#', plain ASCII without colours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartModel, renderChart } from '../../src/report/chart.js';
import { colorsFor, NO_COLORS } from '../../src/report/colors.js';
import type { Timeline } from '../../src/result.js';

const MIB = 1024 * 1024;
function timeline(n: number, f: (i: number) => number, tree = true): Timeline {
  const tMs = Array.from({ length: n }, (_, i) => i * 5);
  const v = tMs.map((_, i) => Math.round(f(i)));
  return {
    downsampled: false,
    tMs,
    treeBytes: tree ? v : v.map(() => null),
    rssSumBytes: v,
    pssSumBytes: v.map(() => null),
    ussSumBytes: v.map(() => null),
    processCount: v.map(() => 1),
  };
}

test('a spike in the middle: ≤ 80 columns, one # column at the spike, y label = the peak in MiB', () => {
  const lines = renderChart(
    timeline(800, (i) => (i === 400 ? 300 * MIB : 100 * MIB)),
    NO_COLORS,
  );
  assert.ok(lines.length >= 14);
  for (const l of lines) assert.ok(l.length <= 80, `${l.length}: ${l}`);
  const plot = lines.filter((l) => /^\s*[\d.]*[|^]/.test(l));
  const hashCols = new Set(plot.flatMap((l) => [...l].flatMap((ch, i) => (ch === '#' ? [i] : []))));
  assert.equal(hashCols.size, 1, 'the peak is one column');
  assert.match(lines.join('\n'), /300\^/);
  assert.match(lines[0]!, /peak 300 MiB at 2\.000 s/);
  const col = [...hashCols][0]! - 6;
  assert.ok(Math.abs(col - 36) <= 1, `peak column ${col} of 72`);
  assert.ok(lines.some((l) => l.includes('+---') && l.endsWith('>s')));
});

test('no escape codes without colour; with colour the same text once stripped', () => {
  const tl = timeline(100, (i) => i * MIB);
  const plain = renderChart(tl, NO_COLORS).join('\n');
  assert.ok(!plain.includes('\x1b['));
  // eslint-disable-next-line no-control-regex
  assert.equal(
    renderChart(tl, colorsFor(true))
      .join('\n')
      .replace(/\x1b\[[0-9;]*m/g, ''),
    plain,
  );
});

test('Σ RSS is charted when there is no tree figure (proc backend); nothing to draw → no lines', () => {
  assert.match(
    renderChart(
      timeline(50, (i) => i * MIB, false),
      NO_COLORS,
    )[0]!,
    /Σ RSS/,
  );
  assert.deepEqual(
    renderChart(
      timeline(0, () => 0),
      NO_COLORS,
    ),
    [],
  );
});

test('chartModel: columns never exceed the plot height and a narrower width is honoured', () => {
  const m = chartModel(
    timeline(3, (i) => (i + 1) * MIB),
    { width: 40, height: 6 },
  )!;
  assert.equal(m.heights.length, 32);
  assert.ok(m.heights.every((h) => h >= 0 && h <= 6));
  assert.equal(Math.max(...m.heights), 6);
});
