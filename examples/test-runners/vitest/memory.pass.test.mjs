import { expect, test } from 'vitest';
import { limitMemory } from 'membench';
import { buildReport, handleRequestFixed } from '../work.mjs';

test('building a report of 100 000 rows peaks under 32 MiB', async () => {
  await expect(() => buildReport(100_000)).toPeakLessThan('32 MiB');
});

test('handling a request leaves less than 16 KiB behind', async () => {
  let id = 0;
  await expect(() => handleRequestFixed(id++)).toRetainLessThan('16 KiB', { warmups: 1, repeats: 3 });
});

test('the plain API works here too, and returns its figures', async () => {
  const r = await limitMemory('32 MiB', () => buildReport(100_000));
  expect(r.peakBytes).toBeGreaterThan(4 * 1024 * 1024);
});
