// One reader for every membench document: its text in, a typed document out (run, suite, profile or watch), or
// one line saying what is wrong with it (a usage error, exit 2). Every command that reads a document back —
// report, compare, suite --baseline, profile import — goes through here; the error lines live only here.
import { readFileSync } from 'node:fs';
import { cannotReadError, usageError, type MembenchError } from '../errors.js';
import { ProfileDocumentSchema, PROFILE_SCHEMA_VERSION, type ProfileDocument } from './profile.js';
import { MembenchResultSchema, RUN_KIND, SCHEMA_VERSION, type MembenchResult } from '../result.js';
import { SUITE_SCHEMA_VERSION, SuiteResultSchema, type SuiteResult } from './suite.js';
import { check, issuePath, type Checked } from './check.js';
import { COMPARISON_KIND, PROFILE_DIFF_KIND, PROFILE_KIND, SUITE_KIND, SYSTEM_KIND, TOOL_NAME, TOP_KIND, WATCH_KIND } from './kinds.js';
import { MembenchResultV1Schema, upgradeRunV1 } from './run.js';
import { upgradeWatchV1, WATCH_SCHEMA_VERSION, WatchRecordingSchema, WatchRecordingV1Schema, type WatchRecording } from './watch.js';

export type MembenchDocument =
  | { readonly kind: 'run'; readonly doc: MembenchResult }
  | { readonly kind: 'suite'; readonly doc: SuiteResult }
  | { readonly kind: 'profile'; readonly doc: ProfileDocument }
  | { readonly kind: 'watch'; readonly doc: WatchRecording };
export type DocumentKind = MembenchDocument['kind'];
type AnyDocument = MembenchDocument['doc'];

/** How each kind of document is named in the error lines, which versions are read, and how each is checked. */
interface KindSpec {
  /** "a run result (membench run --json)": what a file of this kind is, when it is not what was asked for. */
  readonly what: string;
  /** What to do with such a file, said when it was given where another kind was expected. */
  readonly use: string;
  /** "result" in "has result schema version 3". */
  readonly versionWords: string;
  /** "membench result" in "does not match the membench result schema". */
  readonly schemaWords: string;
  readonly versions: readonly number[];
  readonly versionHint: (writtenBy: string | null) => string;
  readonly check: (value: unknown, version: number) => Checked<AnyDocument>;
}

const upgraded = <A, B>(c: Checked<A>, upgrade: (a: A) => B): Checked<B> => (c.ok ? { ok: true, value: upgrade(c.value) } : c);
const openWith = (writtenBy: string | null): string =>
  writtenBy === null ? 'open it with the membench that wrote it' : `open it with membench ${writtenBy}, which wrote it`;

const KINDS: Readonly<Record<DocumentKind, KindSpec>> = {
  run: {
    what: 'a run result (membench run --json)',
    use: 'membench report FILE --html PAGE draws it; membench compare A B compares two',
    versionWords: 'result',
    schemaWords: 'membench result',
    versions: [1, SCHEMA_VERSION],
    versionHint: openWith,
    check: (v, version) => (version === 1 ? upgraded(check(MembenchResultV1Schema, v), upgradeRunV1) : check(MembenchResultSchema, v)),
  },
  suite: {
    what: 'a suite result (membench suite --json)',
    use: 'membench report FILE --html PAGE draws it; membench compare A B compares two',
    versionWords: 'suite',
    schemaWords: 'suite result',
    versions: [SUITE_SCHEMA_VERSION],
    versionHint: (by) =>
      `re-record it with this membench (membench suite --save-baseline NAME)${by === null ? '' : `, or compare with membench ${by}, which wrote it`}`,
    check: (v) => check(SuiteResultSchema, v),
  },
  profile: {
    what: 'a heap profile (membench profile --json)',
    use: 'membench profile import FILE shows it (--html FILE draws its treemap); membench profile diff A B compares two',
    versionWords: 'profile',
    schemaWords: 'profile document',
    versions: [PROFILE_SCHEMA_VERSION],
    versionHint: openWith,
    check: (v) => check(ProfileDocumentSchema, v),
  },
  watch: {
    what: 'a watch recording (membench watch --json)',
    use: 'no membench command reads recordings back: read its figures with jq; report and compare read run and suite results',
    versionWords: 'watch',
    schemaWords: 'watch recording',
    versions: [1, WATCH_SCHEMA_VERSION],
    versionHint: openWith,
    check: (v, version) => (version === 1 ? upgraded(check(WatchRecordingV1Schema, v), upgradeWatchV1) : check(WatchRecordingSchema, v)),
  },
};

/** Documents membench writes that no command reads back, told apart by their `kind` or `schema`, named when given. */
const OTHER_DOCUMENTS: readonly { readonly is: (o: Head) => boolean; readonly what: string; readonly use: string }[] = [
  {
    is: (o) => o.kind === PROFILE_DIFF_KIND,
    what: 'a profile diff (membench profile diff --json)',
    use: 'membench profile diff BEFORE AFTER makes it again from the two profiles',
  },
  {
    is: (o) => o.kind === COMPARISON_KIND,
    what: 'a comparison (membench compare --json)',
    use: 'membench compare BASELINE CURRENT makes it again from the two documents',
  },
  {
    // version 1 had `schema: "membench-top/1"` instead of the envelope
    is: (o) => o.kind === TOP_KIND || (typeof o.schema === 'string' && o.schema.startsWith('membench-top/')),
    what: 'a process snapshot (membench top --json)',
    use: 'no membench command reads snapshots back: read it with jq',
  },
  {
    is: (o) => o.kind === SYSTEM_KIND || (typeof o.schema === 'string' && o.schema.startsWith('membench-system/')),
    what: 'a machine report (membench system --json)',
    use: 'no membench command reads it back: read it with jq',
  },
];

/** What a reader asks for: the kinds it takes, and how its error lines name them. */
export interface Expectation {
  readonly kinds: readonly DocumentKind[];
  /** "a membench result": what a file that holds no JSON object is not. */
  readonly thing: string;
  /** "a run or suite result": what a file of another kind is not. */
  readonly words: string;
  /** "membench run --json": what writes such files. */
  readonly writtenBy: string;
  /** The hint when the text is cut short. */
  readonly cutShort: string;
}

export const EXPECT = {
  any: {
    kinds: ['run', 'suite', 'profile', 'watch'],
    thing: 'a membench document',
    words: 'a membench document',
    writtenBy: 'membench',
    cutShort: 'was it cut short? membench writes --json files whole; use a finished copy',
  },
  run: {
    kinds: ['run'],
    thing: 'a membench result',
    words: 'a membench run result',
    writtenBy: 'membench run --json',
    cutShort: 'was it cut short? membench writes --json files whole; use a finished copy',
  },
  /** report and compare: run or suite results; the errors speak of run documents, the common case. */
  result: {
    kinds: ['run', 'suite'],
    thing: 'a membench result',
    words: 'a run or suite result',
    writtenBy: 'membench run --json',
    cutShort: 'was it cut short? membench writes --json files whole; use a finished copy',
  },
  suite: {
    kinds: ['suite'],
    thing: 'a membench suite result',
    words: 'a membench suite result',
    writtenBy: 'membench suite --json or --save-baseline',
    cutShort: 'was it cut short? give a file written by membench suite --json or --save-baseline',
  },
  profile: {
    kinds: ['profile'],
    thing: 'a membench profile document',
    words: 'a membench profile document',
    writtenBy: 'membench profile … --json FILE',
    cutShort: 'was it cut short? profiles are written whole; use a finished copy',
  },
  watch: {
    kinds: ['watch'],
    thing: 'a membench watch recording',
    words: 'a membench watch recording',
    writtenBy: 'membench watch --json',
    cutShort: 'was it cut short? use a finished copy',
  },
} as const satisfies Record<string, Expectation>;

interface Head {
  readonly kind?: unknown;
  readonly schema?: unknown;
  readonly schemaVersion?: unknown;
  readonly tool?: { readonly name?: unknown; readonly version?: unknown } | null;
}

const isHead = (v: unknown): v is Head => typeof v === 'object' && v !== null && !Array.isArray(v);
const holds = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
const giveOne = (e: Expectation): string => `give a file written by ${e.writtenBy}`;
const listed = (vs: readonly number[]): string =>
  vs.length === 1 ? `version ${vs[0]}` : `versions ${vs.slice(0, -1).join(', ')} and ${vs.at(-1)}`;

const KIND_OF: Readonly<Record<string, DocumentKind>> = {
  [RUN_KIND]: 'run',
  [SUITE_KIND]: 'suite',
  [PROFILE_KIND]: 'profile',
  [WATCH_KIND]: 'watch',
};

/** What a document says it is: a kind (and the version its fields follow), another membench document, or nothing. */
function identify(
  o: Head,
): { kind: DocumentKind; version: unknown } | { other: (typeof OTHER_DOCUMENTS)[number] } | { unknownKind: string } | null {
  const other = OTHER_DOCUMENTS.find((d) => d.is(o));
  if (other) return { other };
  if (typeof o.kind === 'string')
    return Object.hasOwn(KIND_OF, o.kind) ? { kind: KIND_OF[o.kind]!, version: o.schemaVersion } : { unknownKind: o.kind };
  // Version-1 watch recordings named themselves in `schema` ("membench-watch/1") and carried no schemaVersion.
  if (typeof o.schema === 'string' && o.schema.startsWith('membench-watch/'))
    return { kind: 'watch', version: Number(o.schema.slice('membench-watch/'.length)) };
  return null;
}

/** "NAME is a heap profile (…), not a run or suite result"; a one-kind reader: "NAME is not a membench suite result: it is …". */
function notExpected(name: string, what: string, use: string, expect: Expectation): MembenchError {
  if (expect.kinds.length === 1) return usageError(`${name} is not ${expect.words}: it is ${what}`, giveOne(expect));
  return usageError(`${name} is ${what}, not ${expect.words}`, use);
}

/**
 * A membench document from its text, or a usage error naming NAME and what is wrong in one line: empty, not
 * complete JSON, not an object, another kind than EXPECT asks for, not written by membench, a schema version this
 * membench does not read, or a field that does not match its schema. Older versions come back in today's shape.
 */
export function readDocument(text: string, name: string, expect: Expectation = EXPECT.any): MembenchDocument {
  if (text.trim() === '') throw usageError(`${name} is empty`, giveOne(expect));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw usageError(`${name} is not complete JSON (${(e as Error).message})`, expect.cutShort);
  }
  if (!isHead(value)) throw usageError(`${name} is not ${expect.thing}: it holds ${holds(value)}, not an object`, giveOne(expect));
  const o = value;
  const toolName = o.tool?.name;
  const writtenBy = typeof o.tool?.version === 'string' ? o.tool.version : null;
  const id = identify(o);
  if (id !== null && 'other' in id) throw notExpected(name, id.other.what, id.other.use, expect);
  if (toolName !== TOOL_NAME) {
    throw usageError(
      `${name} was not written by membench (tool: ${toolName === undefined ? 'none named' : JSON.stringify(toolName)})`,
      giveOne(expect),
    );
  }
  if (id !== null && 'unknownKind' in id) {
    throw usageError(
      `${name} is a membench document of kind ${JSON.stringify(id.unknownKind)}, which this membench does not read`,
      openWith(writtenBy),
    );
  }
  // No kind: a version-1 run document, written before run documents carried the envelope's kind.
  const { kind, version } = id ?? { kind: 'run' as const, version: o.schemaVersion };
  const spec = KINDS[kind];
  if (!expect.kinds.includes(kind)) throw notExpected(name, spec.what, spec.use, expect);
  if (typeof version !== 'number' || !spec.versions.includes(version)) {
    throw usageError(
      `${name} has ${spec.versionWords} schema version ${JSON.stringify(version)}; this membench reads ${listed(spec.versions)}`,
      spec.versionHint(writtenBy),
    );
  }
  const checked = spec.check(value, version);
  if (!checked.ok) {
    const at = issuePath(checked.issue);
    throw usageError(
      `${name} does not match the ${spec.schemaWords} schema${at ? ` at ${at}` : ''}: ${checked.issue.message}`,
      'was it edited by hand?',
    );
  }
  return documentOf(checked.value);
}

/** A checked document with its kind beside it, told by the envelope's kind that every version is given. */
function documentOf(doc: AnyDocument): MembenchDocument {
  switch (doc.kind) {
    case RUN_KIND:
      return { kind: 'run', doc };
    case SUITE_KIND:
      return { kind: 'suite', doc };
    case PROFILE_KIND:
      return { kind: 'profile', doc };
    case WATCH_KIND:
      return { kind: 'watch', doc };
  }
}

/** A run document with at least one run (what report and compare need), or a usage error. */
export function readRunDocument(text: string, name: string): MembenchResult {
  const d = readDocument(text, name, EXPECT.run);
  if (d.kind !== 'run') throw new Error('internal: the run reader returned another kind');
  return withRuns(d.doc, name);
}

function withRuns(doc: MembenchResult, name: string): MembenchResult {
  if (doc.benchmarks.every((b) => b.runs.length === 0))
    throw usageError(`${name} has no runs to report`, 'it was written before the first run finished');
  return doc;
}

export type ResultDocument = Extract<MembenchDocument, { kind: 'run' | 'suite' }>;

/** What report and compare read: a suite result, or a run result with at least one run. */
export function readResultDocument(text: string, name: string): ResultDocument {
  const d = readDocument(text, name, EXPECT.result);
  if (d.kind === 'run') return { kind: 'run', doc: withRuns(d.doc, name) };
  if (d.kind === 'suite') return d;
  throw new Error(`internal: the result reader returned a ${d.kind} document`);
}

export function readSuiteDocument(text: string, name: string): SuiteResult {
  const d = readDocument(text, name, EXPECT.suite);
  if (d.kind !== 'suite') throw new Error(`internal: the suite reader returned a ${d.kind} document`);
  return d.doc;
}

export function readProfileDocument(text: string, name: string): ProfileDocument {
  const d = readDocument(text, name, EXPECT.profile);
  if (d.kind !== 'profile') throw new Error(`internal: the profile reader returned a ${d.kind} document`);
  return d.doc;
}

export function readWatchRecording(text: string, name: string): WatchRecording {
  const d = readDocument(text, name, EXPECT.watch);
  if (d.kind !== 'watch') throw new Error(`internal: the watch reader returned a ${d.kind} document`);
  return d.doc;
}

/** A document file's text, or "cannot read WHAT PATH: no such file or directory" (exit 2). */
export function readDocumentText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw cannotReadError(what, path, e);
  }
}
