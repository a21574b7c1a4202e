// The suite result document (`membench suite --json`, baselines): one versioned zod schema, types derived from it.
// Separate from run results (src/result.ts): a suite holds values per size and fits, not timelines.
import { z } from 'zod';
import { envelope, SUITE_KIND } from './envelope.js';
import { StatsSchema } from '../result.js';

export const SUITE_SCHEMA_VERSION = 1;
export { SUITE_KIND };

const int = z.number().int();
const bytes = int.describe('bytes (integer; deltas may be negative)');
const ms = z.number().nonnegative().describe('milliseconds');

export const InProcessRepeatSchema = z.object({
  heapUsedBytes: bytes.describe('V8 heapUsed after − before, each after a full collection'),
  externalBytes: bytes.describe('external (C++ memory bound to JS objects, array buffers included) after − before'),
  arrayBuffersBytes: bytes,
  rssBytes: bytes.describe('resident set after − before'),
  peakRssBytes: bytes.nullable().describe('VmHWM after the call − RSS before it (high-water mark reset first); null off Linux'),
  durationMs: ms,
});
export type InProcessRepeat = z.infer<typeof InProcessRepeatSchema>;

export const CommandRepeatSchema = z.object({
  treePeakBytes: bytes.nullable(),
  treeAnonPeakBytes: bytes.nullable(),
  wallMs: ms,
});
export type CommandRepeat = z.infer<typeof CommandRepeatSchema>;

export const SizeResultSchema = z.object({
  size: int.nonnegative(),
  valuesBytes: z.array(bytes).describe("the benchmark's metric, one value per repeat, in run order"),
  stats: StatsSchema.nullable(),
  inProcess: z.array(InProcessRepeatSchema).nullable().describe('per repeat, for in-process benchmarks'),
  command: z.array(CommandRepeatSchema).nullable().describe('per repeat, for command benchmarks'),
});
export type SizeResult = z.infer<typeof SizeResultSchema>;

export const FitSchema = z
  .object({
    points: int.positive(),
    distinctSizes: int.positive(),
    slopeBytesPerUnit: z.number(),
    interceptBytes: z.number(),
    r2: z.number(),
    r2OfMeans: z.number().describe('R² of the per-size means: what the linearity verdict reads'),
    residualStdDevBytes: z.number().nullable(),
    slopeStdErrBytes: z.number().nullable(),
    slopeIntervalBytes: z.tuple([z.number(), z.number()]).nullable().describe('95 % interval of the slope'),
    verdict: z.enum(['linear', 'not-linear', 'flat', 'too-few-points']),
    reason: z.string(),
  })
  .describe('least-squares line through every (size, value) point: the cost per unit is its slope');
export type Fit = z.infer<typeof FitSchema>;

export const MetricSchema = z
  .enum(['retainedBytes', 'treePeakBytes', 'treeAnonPeakBytes'])
  .describe(
    "retainedBytes: V8 heap + external kept alive by the function's return value; tree*: figures of the command's whole process tree",
  );
export type SuiteMetric = z.infer<typeof MetricSchema>;

export const SuiteBenchmarkSchema = z.object({
  name: z.string(),
  kind: z.enum(['in-process', 'command']),
  file: z.string().describe('suite file that defines it'),
  unit: z.string(),
  metric: MetricSchema,
  command: z.string().nullable().describe('the command template, for command benchmarks'),
  backend: z.string().nullable().describe('how command trees were measured (cgroup v1/v2, proc)'),
  runs: int.positive(),
  sizes: z.array(SizeResultSchema),
  fit: FitSchema.nullable(),
  expect: z
    .object({
      perUnit: z.object({ text: z.string(), minBytes: z.number(), maxBytes: z.number().nullable().describe('null: no upper bound') }),
    })
    .nullable(),
  expectVerdict: z.enum(['within', 'below', 'above', 'no-fit']).nullable(),
});
export type SuiteBenchmark = z.infer<typeof SuiteBenchmarkSchema>;

export const SuiteResultSchema = z.object({
  ...envelope(SUITE_KIND, SUITE_SCHEMA_VERSION),
  context: z.object({
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    complete: z.boolean().describe('false in documents written part-way through, or when a benchmark failed'),
    hostname: z.string(),
    kernel: z.string(),
    nodeVersion: z.string(),
    cpuCount: int.positive(),
  }),
  suiteFiles: z.array(z.string()),
  failure: z
    .object({ benchmark: z.string(), size: int.nullable(), message: z.string() })
    .nullable()
    .describe('the benchmark that stopped the suite, when one did'),
  benchmarks: z.array(SuiteBenchmarkSchema),
});
export type SuiteResult = z.infer<typeof SuiteResultSchema>;
