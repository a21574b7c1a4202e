// The published JSON Schema is the one derived from the result type, and real documents validate against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { MembenchResultSchema, resultJsonSchema } from '../src/result.js';
import { MEMFIX, ROOT, runCli, runCliOk } from './helpers/fixtures.js';

const published = JSON.parse(readFileSync(join(ROOT, 'schema', 'result.schema.json'), 'utf8')) as object;

test('schema/result.schema.json is up to date with src/result.ts (regenerate with npm run schema)', () => {
  assert.deepEqual(published, JSON.parse(JSON.stringify(resultJsonSchema())));
});

test('a real run document validates against the published schema and the zod type', () => {
  const r = runCliOk(['run', '-r', '2', '--warmup', '1', '--json', '-', '--', MEMFIX, 'tree', '2', '10', '100']);
  const doc = JSON.parse(r.stdout) as unknown;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(published);
  assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 3)));
  const parsed = MembenchResultSchema.safeParse(doc);
  assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
  const runs = parsed.data!.benchmarks[0]!.runs;
  assert.deepEqual(
    runs.map((x) => x.warmup),
    [true, false, false],
  );
  assert.equal(parsed.data!.benchmarks[0]!.summary.runsIncluded, 2);
});

test('the schema rejects a document with byte counts that are not integers', () => {
  const ajv = new Ajv2020({ strict: false });
  const validate = ajv.compile(published);
  const r = runCli(['run', '-r', '1', '--json', '-', '--', MEMFIX, 'hold', '1', '10']);
  const doc = JSON.parse(r.stdout) as { benchmarks: { runs: { peaks: { rssSumBytes: number } }[] }[] };
  doc.benchmarks[0]!.runs[0]!.peaks.rssSumBytes = 1.5;
  assert.equal(validate(doc), false);
});
