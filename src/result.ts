// THE result type: one versioned, documented, serialisable shape for everything membench measures.
// Defined once as a zod schema; the TypeScript types and schema/result.schema.json are both derived from it.
import { z } from 'zod';

/** 2: the envelope's `kind: 'membench-run'` added; version-1 documents (no kind) are still read (src/document/run.ts). */
export const SCHEMA_VERSION = 2;
/** The envelope's kind of run documents (the envelope: src/document/envelope.ts). */
export const RUN_KIND = 'membench-run';

const bytes = z.number().int().nonnegative().describe('bytes (integer)');
const nullableBytes = bytes.nullable();
const ms = z.number().nonnegative().describe('milliseconds');

export const OutcomeSchema = z
  .discriminatedUnion('state', [
    z.object({ state: z.literal('exited'), exitCode: z.number().int() }),
    z.object({ state: z.literal('signaled'), signal: z.string() }),
    z.object({
      state: z.literal('oom-killed'),
      signal: z.string(),
      scope: z.enum(['cgroup', 'machine']).describe("whose limit was hit: the run's cgroup or the whole machine"),
      oomKills: z.number().int().nonnegative(),
    }),
    z.object({ state: z.literal('timed-out'), timeoutMs: ms }),
    z.object({ state: z.literal('interrupted'), signal: z.string() }),
    z.object({ state: z.literal('failed-to-start'), message: z.string() }),
  ])
  .describe('How the main command ended');
export type Outcome = z.infer<typeof OutcomeSchema>;

export const BackendSchema = z.object({
  kind: z.enum(['cgroup', 'proc']).describe('cgroup: membership and peak from a cgroup made for the run; proc: /proc walking'),
  cgroupLayout: z.enum(['v1', 'v2', 'hybrid', 'none']),
  memoryAccounting: z.enum(['cgroup-v1', 'cgroup-v2', 'proc']).describe('where the tree figure comes from'),
  membership: z.string().describe('how processes of the tree are found'),
  kill: z.string().describe('how the tree is killed when it must be'),
  fallbackReason: z.string().nullable().describe('why the cgroup backend was not used, when it was not'),
  limitations: z.array(z.string()).describe('what this backend cannot see'),
});
export type Backend = z.infer<typeof BackendSchema>;

export const ProcessRecordSchema = z.object({
  pid: z.number().int(),
  ppid: z.number().int().nullable(),
  name: z.string().describe('comm after exec'),
  cmdline: z.string(),
  firstSeenMs: ms,
  lastSeenMs: ms,
  peakRssBytes: bytes.describe('max(VmHWM read, RSS sampled)'),
  vmHwmBytes: nullableBytes.describe('last VmHWM read while alive (kernel high-water mark)'),
  peakPssBytes: nullableBytes,
  peakUssBytes: nullableBytes,
  outlivedMain: z.boolean().describe('still alive after the main command exited'),
  fate: z.enum(['exited', 'waited-for', 'killed']),
});
export type ProcessRecord = z.infer<typeof ProcessRecordSchema>;

export const PeaksSchema = z.object({
  memoryBytes: nullableBytes
    .optional()
    .describe(
      'THE headline figure, the one commands are ranked and compared on (src/analyze/run-figures.ts): the larger of treeNoCacheBytes ' +
        "(the tree without page cache) and largestProcessBytes (one process's own VmHWM, what /usr/bin/time reports). So it is never below " +
        "the largest process's high-water mark, and page cache written by the command never counts. null when nothing was sampled; absent in older documents",
    ),
  memorySource: z.enum(['tree', 'largest-process']).nullable().optional().describe('which of the two gave memoryBytes'),
  treeNoCacheBytes: nullableBytes
    .optional()
    .describe(
      'peak of the whole tree without page cache: cgroup backend, the peak counter minus the page cache charged at the sampled peak ' +
        '(never below the sampled anonymous peak); proc backend, the Σ PSS peak (shared pages split, not counted once per process)',
    ),
  treeBytes: nullableBytes.describe(
    'peak of the whole tree: the cgroup peak counter (page cache included); on the proc backend the max sampled Σ PSS (Σ RSS for a single process when no PSS was read)',
  ),
  treeSource: z.enum(['cgroup-peak-counter', 'sampled-cgroup-usage', 'sampled-rss-sum', 'sampled-pss-sum']),
  treeAnonBytes: nullableBytes.describe('max sampled anonymous charge of the cgroup (v1 total_rss, v2 anon)'),
  treeFileBytes: nullableBytes.describe('max sampled page-cache charge of the cgroup (v1 total_cache, v2 file)'),
  rssSumBytes: nullableBytes.describe(
    'max over ticks of the sum of RSS: shared pages counted once per process; null when no tick saw a process',
  ),
  pssSumBytes: nullableBytes.describe('max over PSS ticks of the sum of PSS: shared pages split between sharers'),
  ussSumBytes: nullableBytes,
  swapSumBytes: nullableBytes,
  vmDataSumBytes: nullableBytes,
  vszSumBytes: nullableBytes,
  largestProcessBytes: nullableBytes.describe(
    'largest single-process peak: max over processes of max(VmHWM, sampled RSS); null when no process was seen',
  ),
  largestProcessPid: z
    .number()
    .int()
    .nullable()
    .describe(
      'whose peak largestProcessBytes is; with largestProcessSource reaped-rusage, the process the reaper waited for: the peak is its own or that of a descendant it waited for',
    ),
  largestProcessName: z.string().nullable(),
  largestProcessSource: z
    .enum(['reaped-rusage', 'sampled-vmhwm'])
    .optional()
    .describe(
      "where largestProcessBytes comes from. reaped-rusage: the kernel's exit accounting collected by membench's native reaper " +
        '(native/reaper.c, a subreaper outside the tree): wait4 ru_maxrss, the largest VmHWM of every process waited for, however short-lived ' +
        "(the figure is the larger of it and the sampled one, which the kernel's per-CPU RSS counters can put a little above it: CPUs × max(32, 2 × CPUs) pages, at least 1 MiB); " +
        'sampled-vmhwm: VmHWM read while each process lived, and sampled RSS (a process that climbs after its last read, or lives between two reads, ' +
        'is missed). Absent in older documents',
    ),
  largestProcessReapedVia: z
    .object({ pid: z.number().int(), name: z.string().nullable() })
    .optional()
    .describe(
      "with largestProcessSource reaped-rusage: the reaped process whose ru_maxrss gave largestProcessBytes when its own VmHWM stayed far below it (beyond the counters' slack), so the peak was a descendant's it waited for; largestProcessPid/Name then name the largest descendant seen whose own reading is that peak, or are null when none is. Absent when the reaped process's own peak is the figure",
    ),
  reapedMaxRssBytes: nullableBytes
    .optional()
    .describe(
      'the largest ru_maxrss the native reaper reported (itself a largest single-process peak); null when the run had no reaper (not built, MEMBENCH_NATIVE=0)',
    ),
  exact: z
    .object({
      tree: z.boolean().describe("treeBytes is the cgroup's peak counter (no spike escapes it)"),
      largestProcess: z
        .boolean()
        .describe(
          "largestProcessBytes is the reaper's accounting and the reaper saw the whole tree gone: every process was waited for, " +
            'by the reaper or by its parent (a child of a parent that ignores SIGCHLD is reaped by the kernel unaccounted; when such a child was sampled above the reaped figure, this is false)',
        ),
      memory: z.boolean().describe('memoryBytes is exact: both of the above, and no page cache was subtracted from the tree'),
    })
    .optional()
    .describe(
      'which peaks are kernel figures that no spike between two samples can escape, whatever the interval; absent in older documents',
    ),
  processCount: z.number().int().nonnegative().describe('most processes alive at one tick'),
});
export type Peaks = z.infer<typeof PeaksSchema>;

export const FinalSchema = z
  .object({
    atMs: ms
      .nullable()
      .describe(
        "the last tick at or before the main command's exit at which the tree still had resident memory (a zombie's statm reads 0)",
      ),
    treeBytes: nullableBytes.describe('the cgroup usage at atMs (null on the proc backend)'),
    rssSumBytes: nullableBytes.describe('Σ RSS at atMs'),
    pssSumBytes: nullableBytes.describe(
      'Σ PSS of the last PSS reading at or before atMs, when it is at most 1.5 PSS intervals older (with sampling.pssFloorMs: at most the floor + half an interval; pssAtMs); null otherwise',
    ),
    pssAtMs: ms.nullable().optional().describe('when that PSS reading was taken (absent in older documents)'),
  })
  .describe('the memory of the tree at its last sample while the work was still alive');
export type Final = z.infer<typeof FinalSchema>;

export const SamplingSchema = z.object({
  intervalAskedMs: ms,
  intervalAchievedMeanMs: ms.nullable(),
  intervalP50Ms: ms.nullable(),
  intervalP99Ms: ms.nullable(),
  intervalErrorP99Ms: ms.nullable().describe('p99 of |tick start − scheduled time|'),
  ticks: z.number().int().nonnegative(),
  ticksExpected: z.number().int().nonnegative(),
  ticksKeptRatio: z.number().nonnegative().nullable(),
  pssIntervalMs: ms,
  pssTicks: z.number().int().nonnegative(),
  statusIntervalMs: ms,
  statusFloorMs: ms
    .nullable()
    .optional()
    .describe(
      "adaptive status reads: /proc/PID/status was read at the status pass after statm showed the process's RSS or VSZ moved (VmHWM, VmRSS and VmData cannot move otherwise) and at least every statusFloorMs; between, its last reading was carried; memory.stat when the cgroup usage moved and at least as often. null: every pass read every process; absent in older documents",
    ),
  pssFloorMs: ms
    .nullable()
    .optional()
    .describe(
      "PSS by change: a process's smaps_rollup was re-read at the PSS pass after its statm or VmRSS moved (and, in a tree of at most 32 processes, after a process joined or left or the cgroup usage moved) and at least every pssFloorMs; between, its last PSS, USS and swap were carried into the sums. null: every pass read every process; absent in older documents",
    ),
  membershipQuiet: z
    .object({
      afterMs: ms.describe('nothing moved for this long: the tree is quiet'),
      everyMs: ms.describe("a quiet tree's cgroup.procs read spacing"),
      skippedTicks: z.number().int().nonnegative().describe('ticks that did not read cgroup.procs, the tree being quiet'),
    })
    .nullable()
    .optional()
    .describe(
      "quiet-tree membership (cgroup backend): cgroup.procs, which finds new processes, was re-read at every tick while a member's statm, the cgroup usage or the member list had moved within afterMs, else every everyMs; a fork in a quiet tree was seen up to everyMs late (its VmHWM still holds its peak), a process that ended at the next tick (its statm read). null: every tick (the proc backend, or an interval over two thirds of everyMs); absent in older documents",
    ),
  pssReads: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('smaps_rollup reads made by the PSS tier (PSS by change reads fewer than passes × processes); absent in older documents'),
  samplerCpuMs: ms.describe('CPU time of the sampler thread while sampling (from /proc/thread-self/schedstat)'),
  samplerCpuPercentOfCore: z.number().nonnegative().nullable(),
  membenchCpuMs: ms.describe('CPU time of the whole membench process (all threads) over the same window'),
  samplerNice: z.number().int().nullable().describe('nice value of the sampler thread (raised when permitted), null when unchanged'),
  samplerSchedPolicy: z
    .enum(['other', 'fifo', 'rr', 'batch', 'idle', 'deadline'])
    .nullable()
    .optional()
    .describe(
      'scheduling policy of the fast sampler thread as the kernel reported it (/proc/thread-self/stat field 41): fifo when --realtime was granted; null when unreadable, absent in older documents',
    ),
  realtimeAsked: z.boolean().optional().describe('--realtime: SCHED_FIFO priority 1 was asked for the fast sampler thread'),
  realtimeRefused: z
    .string()
    .nullable()
    .optional()
    .describe("why --realtime was not granted (chrt's message, chrt missing); null when granted or not asked"),
  maxStatmPerTick: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('--max-statm-per-tick: statm reads per tick at most, in turn (0 = every process every tick)'),
  rssSumCarriedTicks: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe(
      'ticks whose Σ RSS, Σ VSZ and largest RSS used readings carried from earlier ticks (the cap below the process count); 0 = every figure read at its own tick',
    ),
  fastSampler: z
    .object({
      kind: z
        .enum(['native', 'js'])
        .describe('native: the 1 kHz loop ran in native/bin/sampler (C), handing node batches of records; js: in a node worker thread'),
      fallbackReason: z
        .string()
        .nullable()
        .describe(
          'why the JavaScript sampler ran (MEMBENCH_NATIVE=0, helper not built, backend it does not cover, helper failed to start); null for native',
        ),
    })
    .optional()
    .describe('which fast sampler ran (absent in older documents: the JavaScript one)'),
  adaptations: z
    .array(
      z.object({
        what: z
          .enum(['statm', 'membership', 'status', 'pss', 'smaps'])
          .describe(
            "statm: the fast tier's per-process reads (Σ RSS, Σ VSZ, largest RSS); membership: cgroup.procs (member list, process count); status: the slow tier (VmHWM, VmData, memory.stat); pss: smaps_rollup past 10× its interval; smaps: the capture for the per-mapping breakdown",
          ),
        fromMs: ms.describe('when it began, ms since spawn'),
        detail: z.string().describe('what was read less often, in words'),
      }),
    )
    .optional()
    .describe('parts of the sampler an automatic budget read less often than asked (a big tree), and from when; empty or absent when none'),
});

export const TimelineSchema = z
  .object({
    downsampled: z.boolean().describe('true when buckets were merged: each point then holds the bucket maximum'),
    tMs: z.array(ms),
    treeBytes: z.array(nullableBytes),
    rssSumBytes: z.array(bytes),
    pssSumBytes: z.array(nullableBytes),
    ussSumBytes: z.array(nullableBytes),
    processCount: z.array(z.number().int().nonnegative()),
  })
  .describe('memory over time, columnar; null where the tier was not sampled at that point');
export type Timeline = z.infer<typeof TimelineSchema>;

export const ProcessSeriesSchema = z
  .object({
    source: z
      .literal('status-vmrss')
      .describe(
        'VmRSS of /proc/PID/status, read by the slow sampler thread every statusIntervalMs (with sampling.statusFloorMs: re-read when statm showed its RSS or VSZ moved, carried between)',
      ),
    readsPerPoint: z
      .number()
      .int()
      .positive()
      .describe('status reads merged into one point at most: each point holds the maximum of its reads, so no peak is lost'),
    tMs: z.array(ms).describe('time of each point (its first read), ms since spawn; shared by every series'),
    processes: z
      .array(
        z.object({
          pid: z.number().int(),
          name: z.string(),
          peakBytes: bytes.describe("highest point of this series (VmRSS as read; the process's VmHWM in processes[] may be higher)"),
          rssBytes: z.array(nullableBytes).describe('one per tMs; null where the process was not alive or not read'),
        }),
      )
      .describe('the processes with the highest peaks, largest first'),
    other: z
      .object({
        count: z.number().int().positive().describe('processes summed here'),
        rssBytes: z
          .array(nullableBytes)
          .describe(
            "Σ over those processes of each one's point; when readsPerPoint > 1 an upper bound (their maxima may fall on different reads)",
          ),
      })
      .nullable()
      .describe('every other process read, summed; null when all are in processes'),
  })
  .describe('RSS of each process of the tree over time (bounded: the largest few, the rest summed)');
export type ProcessSeries = z.infer<typeof ProcessSeriesSchema>;

export const LeakVerdictSchema = z
  .object({
    verdict: z
      .enum(['leak', 'no-leak', 'inconclusive', 'grows-until-exit'])
      .describe(
        'grows-until-exit: memory grew until the program exited with no steady phase (repeated work) to judge a leak by — a program that needs that much, or a leak that cannot be told from one from outside',
      ),
    slopeBytesPerSec: z
      .number()
      .int()
      .nullable()
      .describe('Theil–Sen slope of Σ RSS over the steady part (after start-up), bytes per second'),
    confidence: z
      .object({
        level: z.number().describe('0.95'),
        lowBytesPerSec: z.number().int(),
        highBytesPerSec: z.number().int(),
      })
      .nullable()
      .describe('rank-method interval of the slope; it assumes independent samples, so it is optimistic for memory series'),
    reason: z.string().describe('one sentence saying why'),
    steadyFromMs: ms.nullable().describe('the part of the run judged: after start-up …'),
    steadyToMs: ms.nullable().describe('… up to just before the main command exited'),
    baselineBytes: nullableBytes.describe('10th percentile of Σ RSS at the start of the steady part'),
    endLowBytes: nullableBytes.describe('10th percentile of Σ RSS over the last third of the steady part'),
    figures: z
      .record(z.string(), z.number().nullable())
      .optional()
      .describe(
        'the other figures the reason quotes: steadySamples, peakBytes, materialBytes, floor and late-half slopes, cycles of use and release…',
      ),
  })
  .describe('is memory growing without coming back? (src/analyze/leak.ts)');
export type LeakVerdict = z.infer<typeof LeakVerdictSchema>;

export const FragmentationSignalSchema = z
  .object({
    id: z.enum(['uss-growing-steady-work', 'anon-not-returned', 'heap-dominates', 'rss-above-live-heap']),
    observed: z.boolean().nullable().describe('null when it could not be measured on this run'),
    evidence: z.string().describe('what was seen, with its figures, in one sentence'),
    figures: z.record(z.string(), z.number().nullable()),
  })
  .describe('one piece of evidence for (or against) allocator fragmentation; never a verdict on its own');
export type FragmentationSignal = z.infer<typeof FragmentationSignalSchema>;

export const BreakdownGroupSchema = z.object({
  kind: z.enum(['heap', 'stack', 'anon', 'library', 'binary', 'file', 'other']),
  name: z.string().describe('[heap], [stack], anonymous mmap, a library or binary file name, files, vdso/other'),
  mappings: z.number().int().nonnegative(),
  sizeBytes: bytes.describe('virtual size'),
  rssBytes: bytes,
  pssBytes: bytes,
  ussBytes: bytes.describe('Private_Clean + Private_Dirty'),
  swapBytes: bytes,
});
export type BreakdownGroup = z.infer<typeof BreakdownGroupSchema>;

export const BreakdownSchema = z
  .object({
    atMs: ms.describe('when the smaps capture kept (the one with the largest Σ RSS) was read'),
    treeBytes: nullableBytes.describe('the live tree figure when it was read'),
    processCount: z.number().int().nonnegative(),
    unreadable: z.number().int().nonnegative().describe('processes of the tree whose smaps could not be read'),
    captures: z
      .number()
      .int()
      .nonnegative()
      .describe('smaps captures taken during the run (each when the tree had grown ≥ 10 %, ≤ 4 per second)'),
    readMs: ms.describe('time to read and parse the capture kept'),
    totalReadMs: ms.describe('time spent reading smaps over the whole run (membench main thread, not the sampler)'),
    largestProcess: z
      .object({
        pid: z.number().int(),
        name: z.string(),
        rssBytes: bytes,
        groups: z.array(BreakdownGroupSchema),
      })
      .nullable(),
    tree: z.object({
      rssBytes: bytes,
      pssBytes: bytes,
      ussBytes: bytes,
      swapBytes: bytes,
      groups: z.array(BreakdownGroupSchema).describe('summed over the processes; libraries and binaries merged by file name'),
    }),
  })
  .describe('where the memory is, by kind of mapping, from /proc/PID/smaps read near the peak (src/analyze/breakdown.ts)');
export type Breakdown = z.infer<typeof BreakdownSchema>;

export const DiagnosisSchema = z.object({
  leak: LeakVerdictSchema,
  fragmentation: z.object({ signals: z.array(FragmentationSignalSchema) }),
  breakdown: BreakdownSchema.nullable().describe('null when no smaps capture could be read'),
});
export type Diagnosis = z.infer<typeof DiagnosisSchema>;

export const AppliedLimitSchema = z.object({
  name: z.enum(['memory-limit', 'cpu-quota', 'cpuset', 'rlimit-as', 'rlimit-data', 'no-aslr']),
  asked: z.string(),
  applied: z.boolean().describe('false only with --best-effort: the setting could not be applied here'),
  detail: z.string().describe('the file written or mechanism used, or why it was not applied'),
});

export const OomReportSchema = z.object({
  scope: z.enum(['cgroup', 'machine']),
  oomKills: z
    .number()
    .int()
    .nonnegative()
    .describe('OOM kills counted during the run (cgroup memory.oom_control / memory.events, or /proc/vmstat)'),
  limitHits: z.number().int().nonnegative().nullable().describe('v1 memory.failcnt / v2 memory.events max'),
  limitBytes: nullableBytes.describe('the memory limit in force, when membench set one'),
  peakBytes: nullableBytes.describe('the tree peak reached'),
  killedPid: z.number().int().nullable(),
  killedName: z.string().nullable(),
  kernelLog: z.array(z.string()).nullable().describe("the kernel's OOM lines for this run (/dev/kmsg); null when the log is not readable"),
  limitCgroup: z
    .string()
    .nullable()
    .optional()
    .describe(
      'the cgroup whose limit the kernel enforced (oom_memcg=, as the kernel names it); null for a machine-wide OOM or when the log does not say; absent in documents older than it',
    ),
});

export const InstanceOutcomeSchema = z.object({
  instance: z.number().int().positive().describe('1…N in start order (the MEMBENCH_INSTANCE it was given)'),
  pid: z.number().int().positive().describe('its main process'),
  outcome: OutcomeSchema.describe("how this instance's main process ended"),
  wallMs: ms.describe("spawn to this instance's main process exit"),
});
export type InstanceOutcome = z.infer<typeof InstanceOutcomeSchema>;

export const RunResultSchema = z.object({
  index: z.number().int().nonnegative(),
  warmup: z.boolean(),
  startedAt: z.string(),
  outcome: OutcomeSchema.describe(
    'How the main command ended; with several instances (--concurrency), the first death by signal, else the first non-zero exit',
  ),
  instances: z
    .array(InstanceOutcomeSchema)
    .optional()
    .describe('with --concurrency N > 1: how each instance ended; absent for one instance and in documents older than it'),
  wallMs: ms.describe("spawn to main command exit (the last instance's)"),
  treeWallMs: ms.describe('spawn to the last process of the tree gone'),
  peaks: PeaksSchema.nullable().describe('null when the command never started'),
  final: FinalSchema.nullable(),
  processes: z.array(ProcessRecordSchema),
  survivors: z
    .object({
      count: z.number().int().nonnegative(),
      action: z.enum(['none', 'waited-for', 'killed']),
    })
    .describe('processes that outlived the main command'),
  stderrTail: z.string().describe('last lines the command wrote to stderr (captured unless --show-output)'),
  limits: z.array(AppliedLimitSchema).describe('controlled conditions asked for and applied'),
  oom: OomReportSchema.nullable().describe('set when the OOM killer killed a process of the run'),
  notes: z.array(z.string()).describe('plain-language remarks on this run (e.g. an allocation failure under an rlimit)'),
  sampling: SamplingSchema.nullable(),
  timeline: TimelineSchema.nullable(),
  processSeries: ProcessSeriesSchema.nullable()
    .optional()
    .describe('per-process RSS over time; absent in documents older than it and when the command never started'),
  diagnosis: DiagnosisSchema.nullable()
    .optional()
    .describe(
      'leak verdict, fragmentation signals, per-mapping breakdown; absent when the command never started and in documents older than it',
    ),
});
export type RunResult = z.infer<typeof RunResultSchema>;

export const StatsSchema = z.object({
  n: z.number().int().positive(),
  min: z.number(),
  median: z.number(),
  max: z.number(),
  mean: z.number(),
  stddev: z.number().describe('sample standard deviation (n − 1); 0 when n = 1'),
});
export type Stats = z.infer<typeof StatsSchema>;

export const SUMMARY_METRICS = [
  'memoryPeakBytes',
  'treePeakBytes',
  'treeAnonPeakBytes',
  'largestProcessPeakBytes',
  'rssSumPeakBytes',
  'pssSumPeakBytes',
  'ussSumPeakBytes',
  'swapSumPeakBytes',
  'vmDataSumPeakBytes',
  'vszSumPeakBytes',
  'treeFinalBytes',
  'wallMs',
] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];
type SummaryMetricShape = { [K in Exclude<SummaryMetric, 'memoryPeakBytes'>]: z.ZodNullable<typeof StatsSchema> } & {
  memoryPeakBytes: z.ZodOptional<z.ZodNullable<typeof StatsSchema>>;
};

export const FOOTPRINT_METRICS = [
  'memoryPeakBytes',
  'treePeakBytes',
  'treeAnonPeakBytes',
  'largestProcessPeakBytes',
  'pssSumPeakBytes',
  'ussSumPeakBytes',
] as const;

export const BaselineSubtractionSchema = z
  .object({
    baselineCommand: z.string(),
    /** Per metric: medians of the measured and baseline commands and their difference (the script's own footprint). */
    metrics: z.partialRecord(
      z.enum(FOOTPRINT_METRICS),
      z
        .object({
          measuredMedian: z.number(),
          baselineMedian: z.number(),
          footprint: z.number().describe('measuredMedian − baselineMedian (bytes; may be negative within noise)'),
        })
        .nullable(),
    ),
    problem: z.string().nullable().describe('why nothing could be subtracted (the baseline failed), when so'),
  })
  .describe("the interpreter's start-up cost subtracted (--subtract-baseline); raw figures stay in summary");

export const BenchmarkResultSchema = z.object({
  command: z.string().describe('as the user wrote it'),
  role: z.enum(['measured', 'baseline']).describe('baseline: the interpreter doing nothing, measured for --subtract-baseline'),
  concurrency: z.number().int().positive().describe('instances started together in one group'),
  payloadBytes: z.number().int().nonnegative().nullable().describe('size of the generated stdin payload (--payload-scan)'),
  stdin: z.string().nullable().describe('file fed to stdin, null for /dev/null'),
  parameter: z
    .object({ name: z.string(), value: z.string(), template: z.string() })
    .optional()
    .describe('--parameter-scan / --parameter-list: the value substituted for {name} in template'),
  baseline: BaselineSubtractionSchema.nullable(),
  argv: z.array(z.string()).describe("what was exec'd"),
  shell: z.boolean().describe('true when run through /bin/sh -c'),
  cwd: z.string(),
  backend: BackendSchema,
  runs: z.array(RunResultSchema).describe('warm-up runs first (warmup: true), then measured runs; failed runs kept'),
  summary: z.object({
    runsMeasured: z.number().int().nonnegative(),
    runsIncluded: z
      .number()
      .int()
      .nonnegative()
      .describe('measured runs that ended as counted (exit 0, or any finished run with --ignore-failure)'),
    // memoryPeakBytes is newer than the rest: optional, so older documents still validate.
    metrics: z.object(
      Object.fromEntries(
        SUMMARY_METRICS.map((m) => [m, m === 'memoryPeakBytes' ? StatsSchema.nullable().optional() : StatsSchema.nullable()]),
      ) as SummaryMetricShape,
    ),
  }),
});
export type BenchmarkResult = z.infer<typeof BenchmarkResultSchema>;

export const MembenchResultSchema = z.object({
  kind: z.literal(RUN_KIND).describe('what this document is'),
  schemaVersion: z.literal(SCHEMA_VERSION).describe('bumped when a field changes meaning or is removed; new fields are optional'),
  tool: z.object({ name: z.literal('membench'), version: z.string().describe('the membench version that wrote it') }),
  context: z.object({
    startedAt: z.string(),
    finishedAt: z.string().nullable().describe('null while runs are still going (partial document)'),
    complete: z.boolean().describe('false in documents written part-way through'),
    hostname: z.string(),
    kernel: z.string(),
    nodeVersion: z.string(),
    cpuCount: z.number().int().positive(),
    pageSizeBytes: z.number().int().positive(),
    cgroupLayout: z.enum(['v1', 'v2', 'hybrid', 'none']),
  }),
  options: z.object({
    runs: z.number().int().positive(),
    warmup: z.number().int().nonnegative(),
    intervalMs: ms,
    pssIntervalMs: ms,
    timeoutMs: ms.nullable(),
    backend: z.enum(['auto', 'cgroup', 'proc']),
    survivors: z.enum(['wait', 'kill']),
    ignoreFailure: z.boolean(),
    realtime: z.boolean().optional().describe('--realtime asked (absent in older documents)'),
    maxStatmPerTick: z.number().int().nonnegative().optional().describe('--max-statm-per-tick (0 = no cap; absent in older documents)'),
  }),
  benchmarks: z.array(BenchmarkResultSchema),
  scans: z
    .array(
      z.object({
        kind: z.enum(['concurrency', 'payload', 'parameter']),
        command: z.string().describe('the command (for a parameter scan, its template with {NAME})'),
        unit: z.enum(['instance', 'payload-byte', 'parameter-unit']),
        parameter: z.string().optional().describe("--parameter-scan / --parameter-list: the parameter's name"),
        points: z.array(z.object({ x: z.number(), treePeakMedianBytes: z.number().nullable(), perUnitBytes: z.number().nullable() })),
        fit: z
          .object({
            slopeBytesPerUnit: z.number().describe('marginal memory per extra instance / per payload byte'),
            interceptBytes: z.number(),
            r2: z.number(),
            verdict: z.string().describe('linear, not-linear, flat or too-few-points (see src/analyze/linear-fit.ts)'),
          })
          .nullable(),
      }),
    )
    .describe('memory against concurrency or payload size, with a least-squares line'),
});
export type MembenchResult = z.infer<typeof MembenchResultSchema>;

/** JSON Schema (draft 2020-12) of the result document, as published in schema/result.schema.json. */
export function resultJsonSchema(): unknown {
  return z.toJSONSchema(MembenchResultSchema, { target: 'draft-2020-12' });
}
