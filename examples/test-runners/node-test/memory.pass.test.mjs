// node:test needs no adapter: limitMemory and limitLeaks throw an AssertionError when a limit is crossed.
import { test } from 'node:test';
import { limitLeaks, limitMemory } from 'membench';
import { buildReport, handleRequestFixed } from '../work.mjs';

test('building a report of 100 000 rows peaks under 32 MiB', async () => {
  await limitMemory('32 MiB', () => buildReport(100_000));
});

test('handling a request leaves less than 16 KiB behind', async () => {
  let id = 0;
  await limitLeaks('16 KiB', () => handleRequestFixed(id++), { warmups: 1, repeats: 3 });
});
