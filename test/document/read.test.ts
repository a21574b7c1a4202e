// The document layer: one reader for run, suite, profile and watch documents (old versions upgraded, unknown keys
// kept), one writer, and the error lines, fed documents written by membench 0.1.0 and synthetic ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EXPECT,
  readDocument,
  readProfileDocument,
  readResultDocument,
  readRunDocument,
  readSuiteDocument,
  readWatchRecording,
} from '../../src/document/read.js';
import { documentText } from '../../src/document/write.js';
import { WATCH_SCHEMA_VERSION } from '../../src/document/watch.js';
import { EXIT, type MembenchError } from '../../src/errors.js';
import { profileDocument } from '../../src/profile/model.js';
import { MembenchResultSchema, RUN_KIND, SCHEMA_VERSION } from '../../src/result.js';
import { ROOT } from '../helpers/fixtures.js';
import { syntheticBenchmark, syntheticDoc, syntheticRun } from '../helpers/result-doc.js';
import { suiteDoc } from '../helpers/suite-doc.js';

const MIB = 1024 * 1024;
const fixture = (name: string): string => readFileSync(join(ROOT, 'test', 'fixtures', 'documents', name), 'utf8');
/** `membench run --runs 2 --export-json … -- memfix hold 8 150`, written by membench 0.1.0 (schema version 1, no kind). */
const RUN_V1 = fixture('run-v1.json');
/** `membench watch PID --duration 1s --json …` of `memfix hold 6 2500`, written by membench 0.1.0 (schema: 'membench-watch/1'). */
const WATCH_V1 = fixture('watch-v1.json');

/** The one line a usage error shows, after checking it is one (exit 2). */
function lineOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    const m = e as MembenchError;
    assert.equal(m.exitCode, EXIT.USAGE, m.message);
    const line = m.line();
    assert.doesNotMatch(line, /\n/);
    return line;
  }
  assert.fail('no error thrown');
}

test("a version-1 run document written by membench 0.1.0 reads, in today's shape, with its figures as written", () => {
  const raw = JSON.parse(RUN_V1);
  assert.equal(raw.schemaVersion, 1);
  assert.equal('kind' in raw, false, 'version 1 had no kind');
  const doc = readRunDocument(RUN_V1, 'run-v1.json');
  assert.equal(doc.kind, RUN_KIND);
  assert.equal(doc.schemaVersion, SCHEMA_VERSION);
  assert.equal(MembenchResultSchema.safeParse(doc).success, true, "the upgraded document validates against today's schema");
  // memfix touched 8 MiB; the headline peak is that plus the program itself, as written by 0.1.0.
  const peak = doc.benchmarks[0]!.summary.metrics.memoryPeakBytes!;
  assert.equal(peak.n, 2);
  assert.equal(peak.median, raw.benchmarks[0].summary.metrics.memoryPeakBytes.median);
  assert.ok(peak.min >= 8 * MIB && peak.max < 16 * MIB, `${peak.min / MIB}…${peak.max / MIB} MiB for an 8 MiB program`);
  assert.deepEqual(doc.benchmarks, raw.benchmarks, 'nothing else changed');
  assert.equal(readDocument(RUN_V1, 'r').kind, 'run');
});

test("a version-1 watch recording reads with the interval renamed unit-last; today's recordings carry the envelope", () => {
  const raw = JSON.parse(WATCH_V1);
  const rec = readWatchRecording(WATCH_V1, 'watch-v1.json');
  assert.equal(rec.kind, 'membench-watch');
  assert.equal(rec.schemaVersion, WATCH_SCHEMA_VERSION);
  assert.equal(rec.intervalAskedMs, raw.intervalMsAsked);
  assert.equal(rec.intervalAchievedMs, raw.intervalMsAchieved);
  assert.equal('intervalMsAsked' in rec || 'schema' in rec, false);
  assert.equal(rec.peakRssSumBytes, raw.peakRssSumBytes);
  assert.ok(rec.peakRssSumBytes! >= 6 * MIB, 'memfix held 6 MiB');
  // Written back by the one writer, it reads as the same recording.
  assert.deepEqual(readWatchRecording(documentText(rec), 'w2.json'), rec);
  const wrongVersion = JSON.stringify({ ...raw, schema: 'membench-watch/7' });
  assert.match(
    lineOf(() => readWatchRecording(wrongVersion, 'w7.json')),
    /^w7\.json has watch schema version 7; this membench reads versions 1 and 2 \(open it with membench 0\.1\.0, which wrote it\)$/,
  );
});

test("one reader, a discriminated union: each kind comes back tagged, and the writer's text reads back equal", () => {
  const run = syntheticDoc([syntheticBenchmark('memfix hold 20 100', [syntheticRun(0, 21 * MIB)])]);
  const suite = suiteDoc({ push: { 10: [100, 110], 20: [200, 210] } });
  const profile = profileDocument(
    {
      profiler: 'massif',
      command: 'x',
      measures: 'heap',
      peakAt: null,
      timeline: null,
      notes: [],
      stacks: [{ frames: [{ function: 'main', file: null, line: null }], peakBytes: 4096, allocations: 1 }],
    },
    'massif.out',
    '0.0.0-test',
  );
  const cases = [
    ['run', run],
    ['suite', suite],
    ['profile', profile],
  ] as const;
  for (const [kind, doc] of cases) {
    const text = documentText(doc);
    assert.ok(text.endsWith('}\n'));
    const read = readDocument(text, `${kind}.json`);
    assert.equal(read.kind, kind);
    assert.deepEqual(read.doc, doc);
  }
  assert.deepEqual(readSuiteDocument(documentText(suite), 's'), suite);
  assert.deepEqual(readProfileDocument(documentText(profile), 'p'), profile);
  assert.equal(readResultDocument(documentText(suite), 's').kind, 'suite');
});

test('keys a newer writer adds are kept at every depth, in every kind', () => {
  const suite = JSON.parse(documentText(suiteDoc({ push: { 10: [100] } })));
  suite.benchmarks[0].sizes[0].later = { kept: true };
  assert.deepEqual((readSuiteDocument(JSON.stringify(suite), 's') as unknown as typeof suite).benchmarks[0].sizes[0].later, { kept: true });
  const watch = JSON.parse(WATCH_V1);
  watch.processes[0].later = 1;
  assert.equal((readWatchRecording(JSON.stringify(watch), 'w') as unknown as typeof watch).processes[0].later, 1);
  const v1 = JSON.parse(RUN_V1);
  v1.context.later = 'x';
  assert.equal((readRunDocument(JSON.stringify(v1), 'r') as unknown as typeof v1).context.later, 'x');
});

test('what each reader refuses, in one line naming the file and what it is', () => {
  const suiteText = documentText(suiteDoc({ push: { 10: [100] } }));
  const runText = RUN_V1;
  assert.match(
    lineOf(() => readRunDocument(suiteText, 's.json')),
    /^s\.json is not a membench run result: it is a suite result \(membench suite --json\) \(give a file written by membench run --json\)$/,
  );
  assert.match(
    lineOf(() => readSuiteDocument(runText, 'r.json')),
    /^r\.json is not a membench suite result: it is a run result \(membench run --json\)/,
  );
  assert.match(
    lineOf(() => readSuiteDocument(JSON.stringify({ results: [] }), 'h.json')),
    /^h\.json was not written by membench \(tool: none named\) \(give a file written by membench suite --json or --save-baseline\)$/,
  );
  assert.match(
    lineOf(() => readResultDocument(WATCH_V1, 'w.json')),
    /^w\.json is a watch recording \(membench watch --json\), not a run or suite result \(no membench command reads recordings back/,
  );
  const future = JSON.stringify({ kind: 'membench-heapdump', schemaVersion: 1, tool: { name: 'membench', version: '9.0.0' } });
  assert.match(
    lineOf(() => readDocument(future, 'f.json')),
    /^f\.json is a membench document of kind "membench-heapdump", which this membench does not read \(open it with membench 9\.0\.0, which wrote it\)$/,
  );
  const inherited = JSON.stringify({ kind: 'toString', schemaVersion: 1, tool: { name: 'membench', version: '9.0.0' } });
  assert.match(
    lineOf(() => readDocument(inherited, 't.json')),
    /^t\.json is a membench document of kind "toString"/,
    'a kind is looked up among own keys only',
  );
  assert.match(
    lineOf(() => readProfileDocument('{"kind": "membench-profile", ', 'p.json')),
    /^p\.json is not complete JSON \(.+\) \(was it cut short\?/,
  );
  const badProfile = JSON.stringify({
    kind: 'membench-profile',
    schemaVersion: 1,
    tool: { name: 'membench', version: '0' },
    profiler: 'massif',
  });
  assert.match(
    lineOf(() => readProfileDocument(badProfile, 'p.json')),
    /^p\.json does not match the profile document schema at source: .+ \(was it edited by hand\?\)$/,
  );
  assert.match(
    lineOf(() => readDocument('  \n', 'e.json', EXPECT.watch)),
    /^e\.json is empty \(give a file written by membench watch --json\)$/,
  );
  // A kind-less document of version 2 is neither a version-1 run document nor a today's one.
  const kindless = JSON.stringify({ ...JSON.parse(RUN_V1), schemaVersion: SCHEMA_VERSION });
  assert.match(
    lineOf(() => readRunDocument(kindless, 'k.json')),
    /^k\.json does not match the membench result schema at kind: /,
  );
});
