// Synthetic result documents for reporter tests: valid against the schema, numbers chosen to be recognisable.
import { computeStats } from '../../src/analyze/stats.js';
import { RUN_KIND, SCHEMA_VERSION, SUMMARY_METRICS, type BenchmarkResult, type MembenchResult, type RunResult } from '../../src/result.js';

const MIB = 1024 * 1024;

/** A run that climbs to `peakMiB` at its middle sample, with PSS/USS every 10th sample. */
export function syntheticRun(
  index: number,
  peakBytes: number,
  opts: { points?: number; warmup?: boolean; exitCode?: number } = {},
): RunResult {
  const n = opts.points ?? 100;
  const tMs = Array.from({ length: n }, (_, i) => 1 + i * 2);
  const mid = Math.floor(n / 2);
  const tree = tMs.map((_, i) => (i === mid ? peakBytes - 4096 : Math.round((peakBytes * 0.8 * Math.min(i, mid)) / mid / 4096) * 4096));
  const rss = tree.map((v) => v + MIB);
  const pss = tree.map((v, i) => (i % 10 === 0 ? v : null));
  return {
    index,
    warmup: opts.warmup ?? false,
    startedAt: '2025-01-01T00:00:00.000Z',
    outcome: { state: 'exited', exitCode: opts.exitCode ?? 0 },
    wallMs: n * 2,
    treeWallMs: n * 2 + 1,
    peaks: {
      memoryBytes: peakBytes,
      memorySource: 'tree',
      treeNoCacheBytes: peakBytes,
      treeBytes: peakBytes,
      treeSource: 'cgroup-peak-counter',
      treeAnonBytes: peakBytes - MIB,
      treeFileBytes: 0,
      rssSumBytes: peakBytes + MIB,
      pssSumBytes: peakBytes,
      ussSumBytes: peakBytes - 8192,
      swapSumBytes: 0,
      vmDataSumBytes: peakBytes,
      vszSumBytes: peakBytes + 4 * MIB,
      largestProcessBytes: peakBytes - MIB,
      largestProcessPid: 1000 + index,
      largestProcessName: 'memfix',
      processCount: 1,
    },
    final: { atMs: n * 2, treeBytes: MIB, rssSumBytes: MIB, pssSumBytes: MIB },
    processes: [],
    survivors: { count: 0, action: 'none' },
    stderrTail: '',
    limits: [],
    oom: null,
    notes: [],
    sampling: {
      intervalAskedMs: 1,
      intervalAchievedMeanMs: 1.05,
      intervalP50Ms: 1,
      intervalP99Ms: 2.5,
      intervalErrorP99Ms: 1,
      ticks: n,
      ticksExpected: n,
      ticksKeptRatio: 0.98,
      pssIntervalMs: 50,
      pssTicks: n / 10,
      statusIntervalMs: 10,
      samplerCpuMs: 10,
      samplerCpuPercentOfCore: 5,
      membenchCpuMs: 12,
      samplerNice: null,
    },
    timeline: {
      downsampled: false,
      tMs,
      treeBytes: tree,
      rssSumBytes: rss,
      pssSumBytes: pss,
      ussSumBytes: pss,
      processCount: tMs.map(() => 1),
    },
  };
}

export function syntheticBenchmark(command: string, runs: readonly RunResult[]): BenchmarkResult {
  const counted = runs.filter((r) => !r.warmup && r.outcome.state === 'exited' && r.outcome.exitCode === 0);
  const of = (m: (typeof SUMMARY_METRICS)[number]): number[] =>
    counted.map((r) =>
      m === 'wallMs' ? r.wallMs : m === 'treePeakBytes' || m === 'memoryPeakBytes' ? r.peaks!.treeBytes! : r.peaks!.rssSumBytes!,
    );
  return {
    command,
    argv: ['/bin/sh', '-c', command],
    shell: true,
    cwd: '/tmp',
    role: 'measured',
    concurrency: 1,
    payloadBytes: null,
    stdin: null,
    baseline: null,
    backend: {
      kind: 'cgroup',
      cgroupLayout: 'v2',
      memoryAccounting: 'cgroup-v2',
      membership: 'cgroup.procs',
      kill: 'cgroup.kill',
      fallbackReason: null,
      limitations: [],
    },
    runs: [...runs],
    summary: {
      runsMeasured: runs.filter((r) => !r.warmup).length,
      runsIncluded: counted.length,
      metrics: Object.fromEntries(SUMMARY_METRICS.map((m) => [m, computeStats(of(m))])) as BenchmarkResult['summary']['metrics'],
    },
  };
}

export function syntheticDoc(benchmarks: readonly BenchmarkResult[]): MembenchResult {
  return {
    kind: RUN_KIND,
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'membench', version: '0.0.0-test' },
    context: {
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:00:05.000Z',
      complete: true,
      hostname: 'testhost',
      kernel: '6.1.0-test',
      nodeVersion: 'v20.0.0',
      cpuCount: 2,
      pageSizeBytes: 4096,
      cgroupLayout: 'v2',
    },
    options: {
      runs: 3,
      warmup: 0,
      intervalMs: 1,
      pssIntervalMs: 50,
      timeoutMs: null,
      backend: 'auto',
      survivors: 'wait',
      ignoreFailure: false,
    },
    benchmarks: [...benchmarks],
    scans: [],
  };
}
