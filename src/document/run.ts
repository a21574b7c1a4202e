// Run documents (`membench run --json`) across versions: version 1 had no envelope `kind`; it is read and given one.
import { z } from 'zod';
import { MembenchResultSchema, RUN_KIND, SCHEMA_VERSION, type MembenchResult } from '../result.js';
import type { Envelope } from './envelope.js';

// The run schema writes the envelope out itself (src/result.ts sits below this layer): this stops compiling if they part.
const _runEnvelope: MembenchResult extends Envelope<typeof RUN_KIND, typeof SCHEMA_VERSION> ? true : never = true;
void _runEnvelope;

/** Version 1 (membench 0.1.0): today's fields without `kind`. */
export const MembenchResultV1Schema = MembenchResultSchema.omit({ kind: true }).extend({ schemaVersion: z.literal(1) });

/** A version-1 run document in today's shape; fields it does not know are kept as they were. */
export function upgradeRunV1(v1: z.input<typeof MembenchResultV1Schema>): MembenchResult {
  return { ...v1, kind: RUN_KIND, schemaVersion: SCHEMA_VERSION };
}
