// Units for people: formatSize writes a size someone asked for exactly (1 MiB, not 1048576 B nor 1.0 MiB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatSize } from '../src/units.js';

test('formatSize: the largest unit that keeps the size exact (≤ 2 decimals), bytes otherwise', () => {
  const cases: [number, string][] = [
    [0, '0 B'],
    [1, '1 B'],
    [1000, '1000 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [1025, '1025 B'],
    [10_000, '10000 B'],
    [100 * 1024, '100 KiB'],
    [1024 ** 2, '1 MiB'],
    [1.25 * 1024 ** 2, '1.25 MiB'],
    [10 * 1024 ** 2 + 1, '10485761 B'],
    [1024 ** 3, '1 GiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
    [3 * 1024 ** 2 + 512 * 1024, '3.5 MiB'],
  ];
  for (const [bytes, text] of cases) assert.equal(formatSize(bytes), text, String(bytes));
  // Exact: reading the text back gives the bytes again.
  const unit: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
  for (let bytes = 0; bytes < 5 * 1024 ** 2; bytes += 4093) {
    const [n, u] = formatSize(bytes).split(' ');
    assert.equal(Number(n) * unit[u!]!, bytes, formatSize(bytes));
  }
  // formatBytes rounds (a measured figure); formatSize never does.
  assert.equal(formatBytes(1024 ** 2), '1.0 MiB');
});
