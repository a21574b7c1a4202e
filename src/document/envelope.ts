// The envelope every membench document opens with: what it is (`kind`), its schema version, and the tool that
// wrote it. Suite, profile and watch schemas spread it into their first fields; the run schema (src/result.ts, below
// this layer) writes the same three fields out, checked against it in run.ts.
import { z } from 'zod';
import { TOOL_NAME } from './kinds.js';

export { PROFILE_KIND, SUITE_KIND, TOOL_NAME, WATCH_KIND } from './kinds.js';

export const ToolSchema = z.object({ name: z.literal(TOOL_NAME), version: z.string().describe('the membench version that wrote it') });

/** The envelope's fields for documents of KIND at schema VERSION, to spread first into their z.object. */
export const envelope = <K extends string, V extends number>(kind: K, version: V) => ({
  kind: z.literal(kind).describe('what this document is'),
  schemaVersion: z.literal(version).describe('bumped when a field changes meaning or is removed; new fields are optional'),
  tool: ToolSchema,
});

/** The envelope of a document of KIND at schema VERSION, as a type. */
export type Envelope<K extends string, V extends number> = {
  readonly kind: K;
  readonly schemaVersion: V;
  readonly tool: z.infer<typeof ToolSchema>;
};
