// The heap profile document (`membench profile --json`): the one model all heap profilers are read into —
// allocation stacks with bytes at the peak, the profiler's own timeline — and how much of the process's real
// peak the sites account for. The code that builds and reads it: src/profile/.
import { z } from 'zod';
import { envelope, PROFILE_KIND } from './envelope.js';
import { PROFILERS } from './profilers.js';

const bytes = z.number().int().nonnegative();

export const COVERAGE_VERDICTS = ['close', 'below', 'far-below', 'far-above'] as const;

export const CoverageSchema = z.object({
  sitesBytes: bytes.describe("the profile's total at its peak (the document's peakBytes)"),
  processPeakBytes: bytes.describe(
    "VmHWM of the profiled process in the same run: the kernel's exact high-water mark of its resident memory",
  ),
  pid: z.number().int().positive(),
  processName: z.string(),
  measuredAt: z
    .enum(['exit', 'polled'])
    .describe(
      'exit: read by the process itself as it exited (through the preload), so no growth before then is missed; membench also polled it and the larger read is kept. polled: read every 5 ms while it ran (growth in its last few ms can be missed)',
    ),
  profilerBytes: bytes
    .nullable()
    .describe(
      "the profiler's own memory inside the process, where membench can tell: tracemalloc's reported bookkeeping (python); valgrind's peak on /bin/true (massif, an estimate: valgrind reuses start-up memory for the program's heap)",
    ),
  ratio: z.number().nonnegative().describe('sitesBytes / processPeakBytes'),
  programRatio: z
    .number()
    .nonnegative()
    .describe('sitesBytes / (processPeakBytes - profilerBytes): what the verdicts below and above 0.8 are judged on'),
  verdict: z
    .enum(COVERAGE_VERDICTS)
    .describe('far-above: ratio > 1.2; otherwise by programRatio: close >= 0.8, below 0.5-0.8, far-below < 0.5'),
  sentence: z.string(),
});
export type Coverage = z.infer<typeof CoverageSchema>;

export const PROFILE_SCHEMA_VERSION = 1;

export const FrameSchema = z.object({
  function: z.string().describe('function name; "???" when the profiler could not name it'),
  file: z.string().nullable().describe('source file, or the binary / library when there is no debug info'),
  line: z.number().int().positive().nullable(),
});
export type Frame = z.infer<typeof FrameSchema>;

export const StackSchema = z.object({
  frames: z.array(FrameSchema).min(1).describe('outermost caller first, the allocating function last'),
  peakBytes: bytes.describe('bytes allocated from this stack and still live at the peak (v8: live when the profile was written)'),
  allocations: z
    .number()
    .int()
    .nonnegative()
    .nullable()
    .describe('calls to allocation functions from this stack, where the profiler counts them'),
});
export type Stack = z.infer<typeof StackSchema>;

export const ProfileTimelineSchema = z.object({
  unit: z.enum(['ms', 'instructions', 'bytes-allocated']).describe('what t counts (massif --time-unit: ms, i, B)'),
  t: z.array(z.number().nonnegative()),
  heapBytes: z.array(bytes).describe('live heap bytes asked for by the program'),
  extraBytes: z.array(bytes).nullable().describe('allocator overhead (headers, alignment) where known'),
});
export type ProfileTimeline = z.infer<typeof ProfileTimelineSchema>;

export const ProfileDocumentSchema = z.object({
  ...envelope(PROFILE_KIND, PROFILE_SCHEMA_VERSION),
  profiler: z.enum(PROFILERS),
  source: z.string().describe('the profiler output file this was read from'),
  command: z.string().nullable().describe('the profiled command, when known'),
  measures: z.string().describe('what peakBytes means for this profiler'),
  peakBytes: bytes.describe('sum of peakBytes over stacks'),
  peakAt: z.number().nonnegative().nullable().describe('when the peak happened, in timeline units'),
  stacks: z.array(StackSchema).describe('largest first'),
  timeline: ProfileTimelineSchema.nullable(),
  notes: z.array(z.string()),
  coverage: CoverageSchema.nullable()
    .optional()
    .describe(
      "the sites' total beside the profiled process's real peak (VmHWM) in the same run; null when the process was not measured (imported files)",
    ),
  views: z
    .array(
      z.object({
        view: z.string().describe('e.g. "live-at-exit": what this other moment of the same run shows'),
        measures: z.string(),
        peakBytes: bytes,
        at: z.number().nonnegative().nullable().describe('when it was taken, in the timeline units (ms) when known'),
        stacks: z.array(StackSchema),
      }),
    )
    .optional()
    .describe('other views of the same run besides the main one (stacks): v8 keeps the live-at-exit profile beside the peak-time one'),
});
export type ProfileDocument = z.infer<typeof ProfileDocumentSchema>;
