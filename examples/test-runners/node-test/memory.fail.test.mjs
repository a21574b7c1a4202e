// Deliberately failing: both limits are crossed, and the failures name the figure, the limit and the sites.
import { test } from 'node:test';
import { limitLeaks, limitMemory } from 'membench';
import { buildReport, handleRequest } from '../work.mjs';

test('building a report of 100 000 rows peaks under 2 MiB (it does not)', async () => {
  await limitMemory('2 MiB', () => buildReport(100_000));
});

test('handling a request leaves less than 16 KiB behind (it keeps about 81 KiB)', async () => {
  let id = 0;
  await limitLeaks('16 KiB', () => handleRequest(id++), { warmups: 1, repeats: 3 });
});
