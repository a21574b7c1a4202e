// Validating a parsed document against its zod schema and keeping the value itself: zod's parsed copy drops the
// keys it does not know, and a newer writer's extra fields (a run's `diagnosis`, say) are worth keeping.
import type { z } from 'zod';

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: z.core.$ZodIssue };

/** The schema accepted it: with no transforms or defaults in the document schemas, what it accepts is its output type. */
const accepted = <T>(_value: unknown, success: boolean): _value is T => success;

/** VALUE typed by SCHEMA when it matches (unknown keys kept at every depth), or the first issue. */
export function check<S extends z.ZodType>(schema: S, value: unknown): Checked<z.input<S>> {
  const r = schema.safeParse(value);
  if (accepted<z.input<S>>(value, r.success)) return { ok: true, value };
  return { ok: false, issue: r.error!.issues[0]! };
}

/** "benchmarks[0].runs[1].peaks" from a zod issue's path. */
export const issuePath = (issue: z.core.$ZodIssue): string =>
  issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
