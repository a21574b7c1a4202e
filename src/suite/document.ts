// Reading documents back (baselines, `compare` inputs): suite documents checked against their schema and
// version, `membench run` documents through the run reader; one line saying what is wrong otherwise.
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import type { MembenchResult } from '../result.js';
import { parseResultDocument } from '../cli/report-command.js';
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
    throw usageError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? (e as Error).message)}`);
  }
}

/** A suite or run document: suites are recognised by their `kind`, everything else goes to the run reader. */
export function parseAnyDocument(text: string, name: string): AnyDocument {
  let kind: unknown;
  try {
    kind = (JSON.parse(text) as { kind?: unknown } | null)?.kind;
  } catch {
    kind = undefined;
  }
  return kind === SUITE_KIND ? { kind: 'suite', doc: parseSuiteDocument(text, name) } : { kind: 'run', doc: parseResultDocument(text, name) };
}
