// The watch recording (`membench watch --json`): the envelope, then what was followed, how it ended, sampling asked
// vs achieved, peaks, the leak verdict, a bounded timeline and the processes seen. Version 1 was the envelope-less
// `schema: 'membench-watch/1'` form with `intervalMsAsked`/`intervalMsAchieved`; it is still read (upgraded here).
import { z } from 'zod';
import { LeakVerdictSchema } from '../result.js';
import type { ProcessSeen } from '../sample/protocol.js';
import { envelope } from './envelope.js';
import { WATCH_KIND, WATCH_SCHEMA_VERSION, WATCH_V1_SCHEMA } from './kinds.js';

export { WATCH_SCHEMA_VERSION, WATCH_V1_SCHEMA };

const int = z.number().int();
const ms = z.number().nonnegative().describe('milliseconds');
const bytes = int.nonnegative().describe('bytes (integer)');

export const WatchOutcomeSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('duration-reached'), durationMs: ms }),
  z.object({ state: z.literal('target-exited') }),
  z.object({ state: z.literal('interrupted'), signal: z.enum(['SIGINT', 'SIGTERM']) }),
  z.object({ state: z.literal('in-progress') }).describe('a checkpoint written while the watch runs: what a SIGKILL leaves behind'),
]);
export type WatchOutcome = z.infer<typeof WatchOutcomeSchema>;

export const ProcessSeenSchema = z.object({
  pid: int,
  ppid: int.nullable(),
  name: z.string(),
  cmdline: z.string(),
  firstSeenMs: ms,
  lastSeenMs: ms,
  maxRssBytes: bytes,
  vmHwmBytes: bytes.nullable(),
  maxPssBytes: bytes.nullable(),
  maxUssBytes: bytes.nullable(),
  maxVmDataBytes: bytes.nullable(),
  nameAtEnd: z.string().optional().describe('its comm as the sampler retired it, when it differs from what status said'),
});
// The sampler's record and the document's must stay the same shape: this line stops compiling when they part.
const _sameProcessShape: [ProcessSeen, z.infer<typeof ProcessSeenSchema>] extends [z.infer<typeof ProcessSeenSchema>, ProcessSeen]
  ? true
  : never = true;
void _sameProcessShape;

export const WatchRecordingSchema = z.object({
  ...envelope(WATCH_KIND, WATCH_SCHEMA_VERSION),
  pid: int.positive(),
  extraPids: z.array(int.positive()).describe('further pids watched from the start (--name: every process with the name then)'),
  name: z.string().nullable().describe('--name: the name followed (processes with it started later join), else null'),
  lateJoins: z
    .array(z.object({ pid: int.positive(), joinedMs: ms.describe('when a rescan found it, since the watch began') }))
    .describe('--name: processes found after the start, the latest ones'),
  lateJoinsNotKept: int.nonnegative().describe('late joins left out of lateJoins (the earliest), so a watch of days stays bounded'),
  children: z.boolean().describe('whether descendants were followed (--children)'),
  command: z.string(),
  startedAtEpochMs: ms,
  watchedMs: ms,
  outcome: WatchOutcomeSchema,
  intervalAskedMs: ms.describe('--interval'),
  intervalAchievedMs: ms.nullable().describe('mean gap between ticks; null with fewer than two'),
  ticks: int.nonnegative(),
  missedTicks: int.nonnegative(),
  peakRssSumBytes: bytes.nullable(),
  finalRssSumBytes: bytes.nullable(),
  peakPssSumBytes: bytes.nullable(),
  maxProcesses: int.nonnegative().nullable(),
  leak: LeakVerdictSchema,
  leakFirstSeenMs: ms.nullable().describe('when the running verdict first said "leak", since the watch began'),
  timeline: z
    .object({ tMs: z.array(ms), rssSumBytes: z.array(bytes), processCount: z.array(int.nonnegative()) })
    .describe('Σ RSS over time, each point the maximum of its bucket'),
  processes: z
    .array(ProcessSeenSchema)
    .describe(
      'live processes in tree order (each parent before its children, siblings as first seen), then the finished ones with the largest peaks',
    ),
  finishedProcessesNotKept: int.nonnegative().describe('finished processes left out of processes (smaller peaks)'),
});
export type WatchRecording = z.infer<typeof WatchRecordingSchema>;

/** Version 1: no envelope kind or version, `schema: 'membench-watch/1'`, the interval's unit before its role. */
export const WatchRecordingV1Schema = WatchRecordingSchema.omit({
  kind: true,
  schemaVersion: true,
  intervalAskedMs: true,
  intervalAchievedMs: true,
}).extend({
  schema: z.literal(WATCH_V1_SCHEMA),
  intervalMsAsked: ms,
  intervalMsAchieved: ms.nullable(),
});

/** A version-1 recording in today's shape; fields it does not know are kept as they were. */
export function upgradeWatchV1(v1: z.input<typeof WatchRecordingV1Schema>): WatchRecording {
  const { schema: _schema, intervalMsAsked, intervalMsAchieved, ...rest } = v1;
  return {
    ...rest,
    kind: WATCH_KIND,
    schemaVersion: WATCH_SCHEMA_VERSION,
    intervalAskedMs: intervalMsAsked,
    intervalAchievedMs: intervalMsAchieved,
  };
}
