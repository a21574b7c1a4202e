// Reading documents back (baselines, `compare` inputs): suite documents checked against their schema and
// version, `membench run` documents through the run reader; one line saying what is wrong otherwise.
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import { errnoWords } from '../store/atomic.js';
import type { MembenchResult } from '../result.js';
import { parseResultDocument } from '../document/run-document.js';
import { SUITE_KIND, SUITE_SCHEMA_VERSION, SuiteResultSchema, type SuiteResult } from './result.js';

export type AnyDocument = { readonly kind: 'suite'; readonly doc: SuiteResult } | { readonly kind: 'run'; readonly doc: MembenchResult };

/** A suite document from its text, or a usage error naming the file and the problem. */
export function parseSuiteDocument(text: string, name: string): SuiteResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw usageError(`${name} is not complete JSON (${(e as Error).message})`, 'was it cut short? give a file written by membench suite --json or --save-baseline');
  }
  const o = value as { kind?: unknown; schemaVersion?: unknown; tool?: { version?: unknown } } | null;
  if (typeof o !== 'object' || o === null || o.kind !== SUITE_KIND) throw usageError(`${name} is not a membench suite result`, 'give a file written by membench suite --json or --save-baseline');
  if (o.schemaVersion !== SUITE_SCHEMA_VERSION) {
    throw usageError(
      `${name} has suite schema version ${JSON.stringify(o.schemaVersion)}; this membench reads version ${SUITE_SCHEMA_VERSION}`,
      `re-record it with this membench (membench suite --save-baseline NAME)${typeof o.tool?.version === 'string' ? `, or compare with membench ${o.tool.version}, which wrote it` : ''}`,
    );
  }
  const parsed = SuiteResultSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw usageError(`${name} does not match the suite result schema${at ? ` at ${at}` : ''}: ${issue.message}`, 'was it edited by hand?');
  }
  return parsed.data;
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw usageError(`cannot read ${what} ${path}: ${code === undefined ? (e as Error).message : errnoWords(code)}`);
  }
}

/**
 * Documents membench writes that are neither run nor suite results, told apart by their `schema` or `kind`, and
 * what reads them: `report` and `compare` name them in one line instead of failing on the run schema.
 */
const OTHER_DOCUMENTS: readonly { readonly is: (o: { schema?: unknown; kind?: unknown }) => boolean; readonly what: string; readonly hint: string }[] = [
  {
    is: (o) => o.kind === 'membench-profile', what: 'a heap profile (membench profile --json)',
    hint: 'membench profile import FILE shows it (--html FILE draws its treemap); membench profile diff A B compares two',
  },
  { is: (o) => o.kind === 'membench-profile-diff', what: 'a profile diff (membench profile diff --json)', hint: 'membench profile diff BEFORE AFTER makes it again from the two profiles' },
  { is: (o) => o.kind === 'membench-comparison', what: 'a comparison (membench compare --json)', hint: 'membench compare BASELINE CURRENT makes it again from the two documents' },
  {
    is: (o) => typeof o.schema === 'string' && o.schema.startsWith('membench-watch/'), what: 'a watch recording (membench watch --json)',
    hint: 'no membench command reads recordings back: read its figures with jq; report and compare read run and suite results',
  },
  { is: (o) => typeof o.schema === 'string' && o.schema.startsWith('membench-top/'), what: 'a process snapshot (membench top --json)', hint: 'no membench command reads snapshots back: read it with jq' },
  { is: (o) => typeof o.schema === 'string' && o.schema.startsWith('membench-system/'), what: 'a machine report (membench system --json)', hint: 'no membench command reads it back: read it with jq' },
];

/** A suite or run document: suites are recognised by their `kind`, other membench documents are named, everything else goes to the run reader. */
export function parseAnyDocument(text: string, name: string): AnyDocument {
  let head: { schema?: unknown; kind?: unknown } | null = null;
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) head = v as { schema?: unknown; kind?: unknown };
  } catch {
    head = null;
  }
  const other = head === null ? undefined : OTHER_DOCUMENTS.find((d) => d.is(head!));
  if (other) throw usageError(`${name} is ${other.what}, not a run or suite result`, other.hint);
  return head?.kind === SUITE_KIND ? { kind: 'suite', doc: parseSuiteDocument(text, name) } : { kind: 'run', doc: parseResultDocument(text, name) };
}
