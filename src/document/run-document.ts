// Reading a run document (membench run --json): its text in, the typed document out, or one line saying what is
// wrong with it. Below cli/ so that every reader (report, suite, compare) can use it without an arrow back up.
import { usageError } from '../errors.js';
import { MembenchResultSchema, SCHEMA_VERSION, type MembenchResult } from '../result.js';

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/**
 * A result document from its text, or a usage error saying in one line what is wrong with it.
 * The document is returned as written, not as parsed: zod drops keys it does not know, and a newer writer's
 * extra fields (a run's `diagnosis`, say) are worth showing.
 */
export function parseResultDocument(text: string, name: string): MembenchResult {
  if (text.trim() === '') throw usageError(`${name} is empty`, 'give a file written by membench run --json');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw usageError(`${name} is not complete JSON (${(e as Error).message})`, 'was it cut short? membench writes --json files whole; use a finished copy');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usageError(`${name} is not a membench result: it holds ${kindOf(value)}, not an object`);
  const o = value as { tool?: { name?: unknown; version?: unknown }; schemaVersion?: unknown };
  if (o.tool?.name !== 'membench') {
    throw usageError(`${name} was not written by membench (tool: ${o.tool?.name === undefined ? 'none named' : JSON.stringify(o.tool.name)})`, 'give a file written by membench run --json');
  }
  if (o.schemaVersion !== SCHEMA_VERSION) {
    throw usageError(
      `${name} has result schema version ${JSON.stringify(o.schemaVersion)}; this membench reads version ${SCHEMA_VERSION}`,
      typeof o.tool.version === 'string' ? `open it with membench ${o.tool.version}, which wrote it` : 'open it with the membench that wrote it',
    );
  }
  const parsed = MembenchResultSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw usageError(`${name} does not match the membench result schema${at ? ` at ${at}` : ''}: ${issue.message}`, 'was it edited by hand?');
  }
  if (parsed.data.benchmarks.every((b) => b.runs.length === 0)) throw usageError(`${name} has no runs to report`, 'it was written before the first run finished');
  return value as MembenchResult;
}

