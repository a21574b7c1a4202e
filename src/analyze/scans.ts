// Figures across benchmarks of one invocation: the script's own footprint (measured − interpreter baseline)
// and memory against concurrency or payload size, with a least-squares line (src/analyze/linear-fit.ts).
import { FOOTPRINT_METRICS, type BenchmarkResult, type MembenchResult } from '../result.js';
import { linearFit } from './linear-fit.js';

/** footprint = median(measured) − median(baseline), per metric; raw figures stay in each summary. */
export function subtractBaseline(measured: BenchmarkResult, baseline: BenchmarkResult): NonNullable<BenchmarkResult['baseline']> {
  // A baseline that failed measures nothing worth subtracting, whatever --ignore-failure says.
  const failed = baseline.runs.find((r) => !r.warmup && !(r.outcome.state === 'exited' && r.outcome.exitCode === 0));
  const how = failed ? (failed.outcome.state === 'exited' ? `exited with code ${failed.outcome.exitCode}` : failed.outcome.state) : '';
  const problem = failed
    ? `the baseline "${baseline.command}" failed (${how}): no counted run to subtract`
    : baseline.summary.runsIncluded === 0
      ? `the baseline "${baseline.command}" produced no counted run`
      : measured.summary.runsIncluded === 0
        ? 'no counted run of the command'
        : null;
  const metrics = Object.fromEntries(
    FOOTPRINT_METRICS.map((m) => {
      const a = measured.summary.metrics[m];
      const b = baseline.summary.metrics[m];
      return [m, problem || !a || !b ? null : { measuredMedian: a.median, baselineMedian: b.median, footprint: a.median - b.median }];
    }),
  ) as NonNullable<BenchmarkResult['baseline']>['metrics'];
  return { baselineCommand: baseline.command, metrics, problem };
}

type Scan = MembenchResult['scans'][number];

/** Groups measured benchmarks of one command by concurrency or by payload size and fits tree peak against it. */
export function computeScans(benchmarks: readonly BenchmarkResult[]): Scan[] {
  const scans: Scan[] = [];
  const measured = benchmarks.filter((b) => b.role === 'measured');
  const byCommand = new Map<string, BenchmarkResult[]>();
  for (const b of measured) {
    const key = b.argv.join('\0');
    byCommand.set(key, [...(byCommand.get(key) ?? []), b]);
  }
  // --parameter-scan / --parameter-list: one scan per template, when every value is a number.
  const byTemplate = new Map<string, BenchmarkResult[]>();
  for (const b of measured) if (b.parameter) byTemplate.set(b.parameter.template, [...(byTemplate.get(b.parameter.template) ?? []), b]);
  for (const [template, group] of byTemplate) {
    const xs = group.map((b) => Number(b.parameter!.value));
    if (group.length > 1 && xs.every((x) => Number.isFinite(x)) && new Set(xs).size > 1) {
      scans.push({ ...scanOf('parameter', template, group, (b) => Number(b.parameter!.value)), parameter: group[0]!.parameter!.name });
    }
  }
  for (const group of byCommand.values()) {
    const command = group[0]!.command.replace(/ ×\d+| < [\d.]+ (?:B|KiB|MiB|GiB)/g, '');
    const concurrencies = new Set(group.map((b) => b.concurrency));
    const sizes = new Set(group.map((b) => b.payloadBytes).filter((x): x is number => x !== null));
    if (concurrencies.size > 1)
      scans.push(
        scanOf(
          'concurrency',
          command,
          group.filter((b) => b.payloadBytes === group[0]!.payloadBytes),
          (b) => b.concurrency,
        ),
      );
    if (sizes.size > 1)
      scans.push(
        scanOf(
          'payload',
          command,
          group.filter((b) => b.concurrency === group[0]!.concurrency),
          (b) => b.payloadBytes ?? 0,
        ),
      );
  }
  return scans;
}

function scanOf(kind: Scan['kind'], command: string, group: readonly BenchmarkResult[], xOf: (b: BenchmarkResult) => number): Scan {
  const points = group
    .map((b) => {
      // The headline figure (no page cache, never below the largest process), as commands are compared on.
      const y = b.summary.metrics.memoryPeakBytes?.median ?? b.summary.metrics.treePeakBytes?.median ?? null;
      const x = xOf(b);
      return { x, treePeakMedianBytes: y, perUnitBytes: y !== null && x > 0 ? y / x : null };
    })
    .sort((p, q) => p.x - q.x);
  const usable = points.filter((p) => p.treePeakMedianBytes !== null);
  let fit: Scan['fit'] = null;
  if (usable.length >= 2) {
    const f = linearFit(
      usable.map((p) => p.x),
      usable.map((p) => p.treePeakMedianBytes!),
    );
    if (f) fit = { slopeBytesPerUnit: f.slope, interceptBytes: f.intercept, r2: f.r2, verdict: f.verdict };
  }
  return { kind, command, unit: kind === 'concurrency' ? 'instance' : kind === 'payload' ? 'payload-byte' : 'parameter-unit', points, fit };
}
