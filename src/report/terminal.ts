// The terminal report: per command, rows of (figure, min, median, max, mean ± σ), then how it was measured,
// what outlived the command, and runs that failed. Builds rows first, then renders them.
import pc from 'picocolors';
import type { BenchmarkResult, MembenchResult, RunResult, Stats, SummaryMetric } from '../result.js';
import { formatBytes, formatMs, formatPercent } from './units.js';
import { renderDiagnosis } from './diagnosis.js';
import { describeRun, instanceLines } from './outcome.js';

export interface Colors {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  green: (s: string) => string;
  cyan: (s: string) => string;
}
const id = (s: string): string => s;
export const NO_COLORS: Colors = { bold: id, dim: id, red: id, yellow: id, green: id, cyan: id };
export const colorsFor = (enabled: boolean): Colors => (enabled ? pc.createColors(true) : NO_COLORS);

interface Row {
  readonly label: string;
  readonly cells: readonly string[];
  readonly note?: string;
}

const METRIC_ROWS: readonly { metric: SummaryMetric; label: (b: BenchmarkResult) => string; bytes: boolean }[] = [
  { metric: 'treePeakBytes', label: (b) => (b.backend.kind === 'cgroup' ? 'tree peak (cgroup counter)' : 'tree peak (Σ RSS, sampled)'), bytes: true },
  { metric: 'treeAnonPeakBytes', label: () => 'tree anon peak (no cache)', bytes: true },
  { metric: 'largestProcessPeakBytes', label: () => 'largest process (VmHWM)', bytes: true },
  { metric: 'pssSumPeakBytes', label: () => 'Σ PSS peak', bytes: true },
  { metric: 'ussSumPeakBytes', label: () => 'Σ USS peak', bytes: true },
  { metric: 'rssSumPeakBytes', label: () => 'Σ RSS peak ¹', bytes: true },
  { metric: 'swapSumPeakBytes', label: () => 'Σ swap peak', bytes: true },
  { metric: 'vmDataSumPeakBytes', label: () => 'Σ VmData peak', bytes: true },
  { metric: 'vszSumPeakBytes', label: () => 'Σ VSZ peak', bytes: true },
  { metric: 'treeFinalBytes', label: () => 'tree at exit (final)', bytes: true },
  { metric: 'wallMs', label: () => 'wall time', bytes: false },
];

function statCells(s: Stats | null, bytes: boolean): string[] {
  const f = bytes ? formatBytes : formatMs;
  if (!s) return ['—', '—', '—', '—'];
  if (s.n === 1) return [f(s.min), f(s.median), f(s.max), f(s.mean)];
  return [f(s.min), f(s.median), f(s.max), `${f(s.mean)} ± ${f(s.stddev)}`];
}

export function metricRows(b: BenchmarkResult): Row[] {
  return METRIC_ROWS.flatMap(({ metric, label, bytes }) => {
    const s = b.summary.metrics[metric] ?? null;
    if (!s && metric !== 'treePeakBytes') return [];
    return [{ label: label(b), cells: statCells(s, bytes) }];
  });
}

function renderTable(header: readonly string[], rows: readonly Row[], c: Colors): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 0 ? r.label : r.cells[i - 1] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [c.dim(line(header)), ...rows.map((r) => line([r.label, ...r.cells]))];
}

function survivorLine(runs: readonly RunResult[], c: Colors): string | null {
  const last = [...runs].reverse().find((r) => r.survivors.count > 0);
  if (!last) return null;
  const names = last.processes.filter((p) => p.outlivedMain).slice(0, 4).map((p) => `${p.pid} ${p.name}`).join(', ');
  const verb = last.survivors.action === 'killed' ? 'killed' : 'waited for';
  return c.yellow(`  ${last.survivors.count} process${last.survivors.count === 1 ? '' : 'es'} outlived the main command and ${last.survivors.count === 1 ? 'was' : 'were'} ${verb}${names ? ` (${names})` : ''}`);
}

export function renderBenchmark(b: BenchmarkResult, index: number, c: Colors): string {
  const measured = b.runs.filter((r) => !r.warmup);
  const warm = b.runs.length - measured.length;
  const backend = b.backend.kind === 'cgroup' ? `cgroup ${b.backend.memoryAccounting.replace('cgroup-', '')}` : 'proc';
  const out: string[] = [];
  out.push(`${c.bold(`Command ${index + 1}:`)} ${c.cyan(b.command)}`);
  out.push(c.dim(`  ${b.summary.runsIncluded}/${measured.length} runs counted${warm ? `, ${warm} warm-up` : ''} · backend ${backend}${b.backend.fallbackReason ? ` (fallback: ${b.backend.fallbackReason})` : ''}`));
  if (b.summary.runsIncluded > 0) {
    out.push(...renderTable(['', 'min', 'median', 'max', 'mean ± σ'], metricRows(b), c).map((l) => `  ${l}`));
    out.push(c.dim('  ¹ Σ RSS counts pages shared between processes once per process; Σ PSS splits them.'));
    const peak = measured.find((r) => r.peaks)?.peaks;
    if (peak?.treeFileBytes) out.push(c.dim(`  tree peak includes page cache charged to the run (up to ${formatBytes(peak.treeFileBytes)} sampled).`));
  }
  const sampled = measured.filter((r) => r.sampling);
  if (sampled.length > 0) {
    const s = sampled[sampled.length - 1]!.sampling!;
    const kept = Math.min(...sampled.map((r) => r.sampling!.ticksKeptRatio ?? 1));
    const cpu = Math.max(...sampled.map((r) => r.sampling!.samplerCpuPercentOfCore ?? 0));
    out.push(c.dim(`  sampling: every ${formatMs(s.intervalAskedMs)} (achieved ${formatMs(s.intervalAchievedMeanMs)}, p99 ${formatMs(s.intervalP99Ms)}), ${formatPercent(kept)} ticks kept, PSS every ${formatMs(s.pssIntervalMs)}, membench CPU ≤ ${cpu.toFixed(1)} % of a core${samplingExtras(sampled.map((r) => r.sampling!))}`));
    const refused = sampled.map((r) => r.sampling!.realtimeRefused).filter((x): x is string => typeof x === 'string');
    if (refused.length > 0) out.push(c.dim(`  realtime refused in ${refused.length} of ${sampled.length} run(s), sampled at normal priority: ${refused[refused.length - 1]}`));
  }
  const largest = measured.find((r) => r.peaks?.largestProcessName)?.peaks;
  if (largest) out.push(c.dim(`  largest process: ${largest.largestProcessName} (pid ${largest.largestProcessPid}); most processes at once: ${largest.processCount}`));
  const surv = survivorLine(measured, c);
  if (surv) out.push(surv);
  for (const r of b.runs) {
    if (r.outcome.state === 'exited' && r.outcome.exitCode === 0) continue;
    const tail = r.stderrTail.trim().split('\n').slice(-1)[0];
    const peakNote = r.peaks?.treeBytes && r.outcome.state !== 'oom-killed' ? `; peak ${formatBytes(r.peaks.treeBytes)}` : '';
    out.push(c.red(`  ${r.warmup ? 'warm-up' : 'run'} ${r.index + 1}: ${describeRun(r)}${peakNote}`) + (tail && r.outcome.state !== 'failed-to-start' ? c.dim(`  stderr: ${tail.slice(0, 120)}`) : ''));
    for (const line of instanceLines(r)) out.push(c.red(`    ${line}`));
    if (r.oom?.kernelLog?.[0]) out.push(c.dim(`    kernel: ${r.oom.kernelLog.find((l) => /Killed process/.test(l)) ?? r.oom.kernelLog[0]}`));
  }
  const notes = [...new Set(b.runs.flatMap((r) => r.notes))];
  for (const n of notes) out.push(c.yellow(`  note: ${n}`));
  const limits = measured[0]?.limits ?? [];
  if (limits.length > 0) {
    out.push(c.dim(`  conditions: ${limits.map((l) => `${l.name} ${l.asked}${l.applied ? '' : ' (NOT applied)'}`).join(', ')}`));
  }
  return out.join('\n');
}

/** Compares tree peaks of several commands against the smallest, like hyperfine's "N× faster than". */
export function renderComparison(doc: MembenchResult, c: Colors): string | null {
  const peaks = doc.benchmarks.map((b) => ({ b, peak: b.summary.metrics.treePeakBytes?.median ?? null })).filter((x) => x.peak !== null && x.peak > 0);
  if (peaks.length < 2) return null;
  peaks.sort((x, y) => x.peak! - y.peak!);
  const best = peaks[0]!;
  const lines = [`${c.bold('Summary')}: ${c.cyan(best.b.command)} has the smallest median tree peak (${formatBytes(best.peak)})`];
  for (const other of peaks.slice(1)) lines.push(`  ${(other.peak! / best.peak!).toFixed(2)}× that: ${c.cyan(other.b.command)} (${formatBytes(other.peak)})`);
  return lines.join('\n');
}

function renderBaseline(b: BenchmarkResult, c: Colors): string | null {
  const s = b.baseline;
  if (!s) return null;
  if (s.problem) return c.yellow(`  baseline not subtracted: ${s.problem}`);
  const rows: Row[] = [];
  const label: Record<string, string> = { treePeakBytes: 'tree peak', treeAnonPeakBytes: 'tree anon peak', largestProcessPeakBytes: 'largest process', pssSumPeakBytes: 'Σ PSS peak', ussSumPeakBytes: 'Σ USS peak' };
  for (const [m, v] of Object.entries(s.metrics)) if (v) rows.push({ label: label[m] ?? m, cells: [formatBytes(v.measuredMedian), formatBytes(v.baselineMedian), formatBytes(v.footprint)] });
  return [c.dim(`  own footprint = measured − baseline (${s.baselineCommand}), medians:`), ...renderTable(['', 'measured', 'baseline', 'footprint'], rows, c).map((l) => `  ${l}`)].join('\n');
}

export function renderScans(doc: MembenchResult, c: Colors): string[] {
  return doc.scans.map((s) => {
    const head = s.kind === 'concurrency' ? `${c.bold('Concurrency')}: ${c.cyan(s.command)}` : `${c.bold('Payload scan')}: ${c.cyan(s.command)}`;
    const rows: Row[] = s.points.map((p) => ({
      label: s.kind === 'concurrency' ? `${p.x} instance${p.x === 1 ? '' : 's'}` : formatBytes(p.x),
      cells: [formatBytes(p.treePeakMedianBytes), s.kind === 'concurrency' ? formatBytes(p.perUnitBytes) : p.perUnitBytes === null ? '—' : `${p.perUnitBytes.toFixed(2)} B/B`],
    }));
    const fit = s.fit
      ? s.kind === 'concurrency'
        ? `marginal cost ${formatBytes(s.fit.slopeBytesPerUnit)} per extra instance, fixed ${formatBytes(s.fit.interceptBytes)}, R² ${s.fit.r2.toFixed(4)} (${s.fit.verdict})`
        : `${s.fit.slopeBytesPerUnit.toFixed(3)} bytes of memory per byte of payload, fixed ${formatBytes(s.fit.interceptBytes)}, R² ${s.fit.r2.toFixed(4)} (${s.fit.verdict})`
      : 'not enough counted points for a fit';
    return [head, ...renderTable(['', 'tree peak (median)', s.kind === 'concurrency' ? 'per instance' : 'per payload byte'], rows, c).map((l) => `  ${l}`), `  ${fit}`].join('\n');
  });
}

/** What --realtime got and how many ticks carried Σ RSS under --max-statm-per-tick, when either was asked. */
function samplingExtras(runs: readonly NonNullable<RunResult['sampling']>[]): string {
  let text = '';
  const asked = runs.filter((s) => s.realtimeAsked);
  if (asked.length > 0) {
    const fifo = asked.filter((s) => s.samplerSchedPolicy === 'fifo').length;
    text += fifo === asked.length ? ', fast thread SCHED_FIFO' : fifo > 0 ? `, fast thread SCHED_FIFO in ${fifo} of ${asked.length} runs` : '';
  }
  const carried = runs.reduce((a, s) => a + (s.rssSumCarriedTicks ?? 0), 0);
  if (carried > 0) {
    const ticks = runs.reduce((a, s) => a + s.ticks, 0);
    text += `, Σ RSS from carried statm readings on ${formatPercent(carried / ticks)} of ticks (≤ ${runs[0]!.maxStatmPerTick} reads per tick)`;
  }
  return text;
}

export function renderTerminal(doc: MembenchResult, c: Colors, opts: { chart?: boolean } = {}): string {
  const parts = doc.benchmarks.map((b, i) => [renderBenchmark(b, i, c), renderBaseline(b, c)].filter((x) => x !== null).join('\n'));
  doc.benchmarks.forEach((b, i) => {
    const diagnosis = renderDiagnosis(b, c, { chart: opts.chart ?? false });
    if (diagnosis.length > 0) parts[i] = [parts[i]!, ...diagnosis].join('\n');
  });
  parts.push(...renderScans(doc, c));
  const cmp = renderComparison(doc, c);
  if (cmp) parts.push(cmp);
  if (!doc.context.complete) parts.push(c.yellow('Interrupted: the runs above are all that were measured.'));
  return `${parts.join('\n\n')}\n`;
}
