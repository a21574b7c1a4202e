// Deliberately failing: both limits are crossed, and the failures name the figure, the limit and the sites.
import { expect, test } from '@jest/globals';
import { buildReport, handleRequest } from '../work.mjs';

test('building a report of 100 000 rows peaks under 2 MiB (it does not)', async () => {
  await expect(() => buildReport(100_000)).toPeakLessThan('2 MiB');
});

test('handling a request leaves less than 16 KiB behind (it keeps about 81 KiB)', async () => {
  let id = 0;
  await expect(() => handleRequest(id++)).toRetainLessThan('16 KiB', { warmups: 1, repeats: 3 });
});
