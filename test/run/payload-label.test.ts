// --payload-scan: each payload is named one way, exactly (1 KiB, 1 MiB), in the command label, and the scan
// still groups the sizes under the bare command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MembenchResult } from '../../src/result.js';
import { MEMFIX, runCliOk } from '../helpers/fixtures.js';

test('payload labels read "< 1 KiB" and "< 1 MiB" (not "< 1048576 B"); the payload scan is of the bare command', () => {
  const json = join(mkdtempSync(join(tmpdir(), 'membench-payload-label-')), 'p.json');
  const r = runCliOk(['run', '-r', '1', '--payload-scan', '1K,1M', '--json', json, '--', MEMFIX, 'slurp', '20']);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as MembenchResult;
  assert.deepEqual(
    doc.benchmarks.map((b) => [b.payloadBytes, b.command.replace(MEMFIX, 'memfix')]),
    [
      [1024, 'memfix slurp 20 < 1 KiB'],
      [1024 ** 2, 'memfix slurp 20 < 1 MiB'],
    ],
  );
  const scan = doc.scans.find((s) => s.kind === 'payload');
  assert.ok(scan, 'a payload scan');
  assert.equal(scan.command.replace(MEMFIX, 'memfix'), 'memfix slurp 20');
  assert.deepEqual(
    scan.points.map((p) => p.x),
    [1024, 1024 ** 2],
  );
  assert.doesNotMatch(r.stdout, /1048576|< 1024 B/);
});
