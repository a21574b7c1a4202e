import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBaselineName, listBaselines, loadBaseline, saveBaseline } from '../../src/store/baselines.js';
import { MembenchError } from '../../src/errors.js';
import { suiteDoc } from '../helpers/suite-doc.js';

/** Matches the one line the user sees (message and hint). */
const line =
  (re: RegExp) =>
  (e: unknown): boolean =>
    e instanceof MembenchError && re.test(e.line());

const root = mkdtempSync(join(tmpdir(), 'membench-baselines-'));

test('baselines: saved whole under NAME.json, listed, loaded back identical', () => {
  const dir = join(root, 'a', 'baselines');
  const doc = suiteDoc({ items: { 10: [100, 101], 20: [200, 201] } });
  const path = saveBaseline(dir, 'main', doc);
  assert.equal(path, join(dir, 'main.json'));
  assert.deepEqual(readdirSync(dir), ['main.json']);
  assert.deepEqual(listBaselines(dir), ['main']);
  assert.deepEqual(loadBaseline(dir, 'main'), doc);
});

test('baselines: names are file names; incomplete suites are not saved; missing and foreign files are one line', () => {
  const dir = join(root, 'b');
  for (const bad of ['', '../x', 'a/b', 'x.json', '.hidden']) assert.throws(() => checkBaselineName(bad), /is not usable as a file name/);
  assert.equal(checkBaselineName('pr-123.v2_x'), 'pr-123.v2_x');
  const partial = suiteDoc({ items: { 10: [1] } });
  partial.context.complete = false;
  assert.throws(() => saveBaseline(dir, 'p', partial), /not saving baseline p: the suite did not complete/);
  assert.equal(existsSync(dir), false);
  assert.throws(
    () => loadBaseline(dir, 'main'),
    line(/no baseline named "main" in .* \(save one first: membench suite --save-baseline main\)/),
  );
  saveBaseline(dir, 'other', suiteDoc({ items: { 1: [1] } }));
  assert.throws(() => loadBaseline(dir, 'main'), line(/\(saved baselines: other\)/));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ schemaVersion: 1, tool: { name: 'membench' } }));
  assert.throws(() => loadBaseline(dir, 'run'), /is not a membench suite result/);
  writeFileSync(join(dir, 'cut.json'), '{"kind": "membench-suite", "sche');
  assert.throws(() => loadBaseline(dir, 'cut'), /is not complete JSON/);
});
