// The terminal report. Compact by default (hyperfine's shape: headline peak, range, largest process, verdict, a
// ranking); --verbose adds every figure, how it was sampled, the diagnosis and the chart. Reads run-rows.ts's facts.
import type { Colors } from './colors.js';
import type { BenchmarkResult, MembenchResult, RunResult } from '../result.js';
import { formatBytes, formatMs, formatPercent, formatSize } from './units.js';
import { renderDiagnosis, verdictColor } from './diagnosis.js';
import {
  commandLine,
  failuresOf,
  headlineOf,
  headlineSource,
  metricRows,
  pssCadence,
  ranking,
  statusCadence,
  shownRun,
  verdictOf,
} from './run-rows.js';
import { wrapAll } from './wrap.js';
import { instanceLines } from '../analyze/outcome-words.js';
import { labelledTable } from './text-table.js';

interface Row {
  readonly label: string;
  readonly cells: readonly string[];
  readonly note?: string;
}

function survivorLine(runs: readonly RunResult[], c: Colors): string | null {
  const last = [...runs].reverse().find((r) => r.survivors.count > 0);
  if (!last) return null;
  const names = last.processes
    .filter((p) => p.outlivedMain)
    .slice(0, 4)
    .map((p) => `${p.pid} ${p.name}`)
    .join(', ');
  const verb = last.survivors.action === 'killed' ? 'killed' : 'waited for';
  return c.yellow(
    `  ${last.survivors.count} process${last.survivors.count === 1 ? '' : 'es'} outlived the main command and ${last.survivors.count === 1 ? 'was' : 'were'} ${verb}${names ? ` (${names})` : ''}`,
  );
}

/** How each sampled tier was read, for the legend under the table: "≈ sampled: …". */
function samplingLegend(b: BenchmarkResult): string | null {
  const s = b.runs.find((r) => !r.warmup && r.sampling)?.sampling;
  if (!s) return null;
  // With the reaper, every process's VmHWM is also taken at its exit (wait4): no peak between reads is missed.
  const reaped = b.runs.filter((r) => !r.warmup && r.peaks).every((r) => r.peaks!.exact?.largestProcess === true);
  const hwm = reaped
    ? "VmHWM, also taken at each process's exit"
    : `VmHWM, read every ${formatMs(s.statusIntervalMs)} while the process lives, so a process that ends sooner after its peak may have climbed past the last read`;
  return (
    `≈ sampled: Σ RSS every ${formatMs(s.intervalAskedMs)}, PSS/USS/swap ${pssCadence(s)}, anon/VmData ${statusCadence(s)}; ` +
    `other figures are kernel counters, exact between samples (the cgroup's peak; ${hwm}). ¹ Σ RSS counts a shared page once per process.`
  );
}

/** Runs so short that a sampled tier was read only a few times: its peak may be far from the true one. */
function shortRunNote(b: BenchmarkResult): string | null {
  const runs = b.runs.filter((r) => !r.warmup && r.sampling && r.peaks);
  const short = runs.filter((r) => r.wallMs < 3 * r.sampling!.pssIntervalMs);
  if (short.length === 0) return null;
  const r = short[0]!;
  return (
    `Σ PSS/USS were read ${r.sampling!.pssTicks} time${r.sampling!.pssTicks === 1 ? '' : 's'} in run ${r.index + 1}, which lasted ${formatMs(r.wallMs)}: ` +
    `their peaks may be well below the true ones — PSS is read ${pssCadence(r.sampling)}`
  );
}

/** The full report of one command (--verbose): every figure, how it was sampled, survivors, failures, notes. */
export function renderBenchmark(b: BenchmarkResult, index: number, c: Colors): string {
  const measured = b.runs.filter((r) => !r.warmup);
  const warm = b.runs.length - measured.length;
  const backend = b.backend.kind === 'cgroup' ? `cgroup ${b.backend.memoryAccounting.replace('cgroup-', '')}` : 'proc';
  const out: string[] = [];
  out.push(`${c.bold(`Benchmark ${index + 1}:`)} ${c.cyan(commandLine(b.command))}`);
  out.push(
    c.dim(
      `  ${b.summary.runsIncluded}/${measured.length} runs counted${warm ? `, ${warm} warm-up` : ''} · backend ${backend}${b.backend.fallbackReason ? ` (fallback: ${b.backend.fallbackReason})` : ''}`,
    ),
  );
  if (b.summary.runsIncluded > 0) {
    out.push(...labelledTable(['', 'min', 'median', 'max', 'mean ± σ'], metricRows(b), c).map((l) => `  ${l}`));
    const legend = samplingLegend(b);
    if (legend) out.push(c.dim(`  ${legend}`));
    const run = shownRun(b);
    const src = run ? headlineSource(b, run) : null;
    if (src)
      out.push(c.dim(`  peak (headline) = the larger of the tree without page cache and the largest process's VmHWM; here ${src.text}.`));
    const peak = run?.peaks;
    if (peak?.treeFileBytes)
      out.push(
        c.dim(`  the tree's cgroup counter includes page cache charged to the run (up to ${formatBytes(peak.treeFileBytes)} sampled).`),
      );
    const short = shortRunNote(b);
    if (short) out.push(c.yellow(`  ${short}`));
  }
  const sampled = measured.filter((r) => r.sampling);
  if (sampled.length > 0) {
    const s = sampled[sampled.length - 1]!.sampling!;
    const kept = Math.min(...sampled.map((r) => r.sampling!.ticksKeptRatio ?? 1));
    const cpu = Math.max(...sampled.map((r) => r.sampling!.samplerCpuPercentOfCore ?? 0));
    out.push(
      c.dim(
        `  sampling: every ${formatMs(s.intervalAskedMs)} (achieved ${formatMs(s.intervalAchievedMeanMs)}, p99 ${formatMs(s.intervalP99Ms)}), ${formatPercent(kept)} ticks kept, PSS ${pssCadence(s)}, membench CPU ≤ ${cpu.toFixed(1)} % of a core${samplingExtras(sampled.map((r) => r.sampling!))}`,
      ),
    );
    const refused = sampled.map((r) => r.sampling!.realtimeRefused).filter((x): x is string => typeof x === 'string');
    if (refused.length > 0)
      out.push(
        c.dim(
          `  realtime refused in ${refused.length} of ${sampled.length} run(s), sampled at normal priority: ${refused[refused.length - 1]}`,
        ),
      );
  }
  const h = headlineOf(b);
  if (h.largest)
    out.push(
      c.dim(
        `  largest process of run ${shownRun(b)!.index + 1}: ${h.largest.name} (pid ${h.largest.pid}), ${formatBytes(h.largest.bytes)}; most processes at once: ${h.largest.processCount}`,
      ),
    );
  const exactness = exactnessSentence(shownRun(b));
  if (exactness) out.push(c.dim(`  ${exactness}`));
  const surv = survivorLine(measured, c);
  if (surv) out.push(surv);
  for (const f of failuresOf(b)) {
    const r = f.run;
    const peakNote = r.peaks?.memoryBytes && r.outcome.state !== 'oom-killed' ? `; peak ${formatBytes(r.peaks.memoryBytes)}` : '';
    out.push(c.red(`  ${f.label}: ${f.text}${peakNote}`));
    const tail = f.stderrTail.split('\n').slice(-1)[0];
    if (tail && r.outcome.state !== 'failed-to-start') out.push(c.dim(`    stderr: ${tail.slice(0, 200)}`));
    for (const line of instanceLines(r)) out.push(c.red(`    ${line}`));
    if (f.kernelLine) out.push(c.dim(`    kernel: ${f.kernelLine}`));
  }
  const notes = [...new Set(b.runs.flatMap((r) => r.notes))];
  for (const n of notes) out.push(c.yellow(`  note: ${n}`));
  const limits = measured[0]?.limits ?? [];
  if (limits.length > 0) {
    out.push(c.dim(`  conditions: ${limits.map((l) => `${l.name} ${l.asked}${l.applied ? '' : ' (NOT applied)'}`).join(', ')}`));
  }
  return wrapAll(out).join('\n');
}

/** Which peaks of a run are kernel figures no spike can escape, and which are sampled (and how often), from peaks.exact. */
export function exactnessSentence(r: RunResult | null | undefined): string | null {
  const p = r?.peaks;
  if (!p?.exact || !r?.sampling) return null;
  const s = r.sampling;
  const tree = p.exact.tree
    ? 'the tree (cgroup peak counter)'
    : `the tree (${p.treeSource === 'sampled-pss-sum' ? `Σ PSS ${pssCadence(s)}` : `every ${formatMs(s.intervalAskedMs)}`})`;
  const largest = p.exact.largestProcess
    ? "the largest process (the kernel's exit accounting, wait4 ru_maxrss, of every process of the tree)"
    : `the largest process (VmHWM read every ${formatMs(s.statusIntervalMs)} while each process lived: one that lived between two reads can be missed)`;
  const exact = [...(p.exact.tree ? [tree] : []), ...(p.exact.largestProcess ? [largest] : [])];
  const sampled = [...(p.exact.tree ? [] : [tree]), ...(p.exact.largestProcess ? [] : [largest])];
  return `peaks exact at any interval: ${exact.join(' and ') || 'none'}; sampled: ${sampled.join(' and ') || 'none'}.`;
}

/** The short report of one command (the default): headline, range, largest process and wall time, verdict, failures. */
export function renderCompact(b: BenchmarkResult, index: number, c: Colors): string {
  const h = headlineOf(b);
  const out: string[] = [`${c.bold(`Benchmark ${index + 1}:`)} ${c.cyan(commandLine(b.command))}`];
  const s = h.stats;
  const label = (t: string): string => `  ${t.padEnd(19)}`;
  if (s) {
    const src = h.source ? c.dim(`   [${h.source.text}]`) : '';
    out.push(
      `${label(s.n > 1 ? 'Peak (mean ± σ):' : 'Peak:')}${c.green(c.bold(formatBytes(s.mean)))}${s.n > 1 ? ` ± ${c.green(formatBytes(s.stddev))}` : ''}${src}`,
    );
    if (s.n > 1)
      out.push(`${label('Range (min … max):')}${c.cyan(formatBytes(s.min))} … ${c.magenta(formatBytes(s.max))}   ${c.dim(`${s.n} runs`)}`);
  } else if (h.runsCounted > 0) {
    const r = shownRun(b);
    out.push(
      c.yellow(
        `${label('Peak:')}not measured: the command ended before the first sample (wall ${formatMs(r?.wallMs ?? null)}, sampled every ${formatMs(r?.sampling?.intervalAskedMs ?? null)})`,
      ),
    );
  }
  const wall = h.wall ? `${formatMs(h.wall.mean)}${h.wall.n > 1 ? ` ± ${formatMs(h.wall.stddev)}` : ''}` : '—';
  // Nothing counted: no figure stands for the command, only what went wrong (below).
  if (h.runsCounted > 0 && h.largest) {
    const of = h.largest.processCount > 1 ? ` (of up to ${h.largest.processCount} processes)` : '';
    out.push(`${label('Largest process:')}${h.largest.name} ${formatBytes(h.largest.bytes)}${of} · wall ${wall}`);
  } else if (h.runsCounted > 0) out.push(`${label('Wall time:')}${wall}`);
  const v = h.runsCounted > 0 ? verdictOf(b) : null;
  if (v) {
    if (v.tally.length > 1) {
      // The runs disagree: say so, with the count of each, rather than one run's verdict as if it were all.
      out.push(
        `${label('Verdict:')}${c.yellow('runs disagree')}: ${v.tally.map((t) => `${t.words} in ${t.runs}`).join(', ')} of ${v.of} (-v: why)`,
      );
    } else {
      const agree = v.of > 1 ? ` (${v.agree}/${v.of})` : '';
      out.push(`${label('Verdict:')}${verdictColor(c, v.verdict)(v.words)}${agree}${verdictClause(b)}`);
    }
  }
  // Failures and notes are prose: they hang under the text, not under the value column.
  const prose: string[] = [];
  for (const f of failuresOf(b)) {
    prose.push(c.red(`  ${f.label}: ${f.text}`));
    const tail = f.stderrTail
      .split('\n')
      .filter((l) => l.trim() !== '')
      .at(-1);
    if (tail && f.run.outcome.state !== 'failed-to-start') prose.push(c.dim(`    stderr: ${tail.slice(0, 200)}`));
  }
  if (b.baseline && !b.baseline.problem) {
    const m = b.baseline.metrics.memoryPeakBytes;
    if (m)
      prose.push(
        `${label('Own footprint:')}${formatBytes(m.footprint)} ${c.dim(`(median ${formatBytes(m.measuredMedian)} − ${formatBytes(m.baselineMedian)} for ${b.baseline.baselineCommand})`)}`,
      );
  } else if (b.baseline?.problem) prose.push(c.yellow(`  baseline not subtracted: ${b.baseline.problem}`));
  for (const n of new Set(b.runs.flatMap((r) => r.notes))) prose.push(c.yellow(`  note: ${n}`));
  return [...wrapAll(out, 80, 21), ...wrapAll(prose, 80, 4)].join('\n');
}

/** The verdict's reason, kept short on the compact line: the figure for a leak, the reason when it cannot tell. */
function verdictClause(b: BenchmarkResult): string {
  const d = shownRun(b)?.diagnosis?.leak;
  if (!d) return '';
  if (d.verdict === 'leak' && d.slopeBytesPerSec)
    return `: +${formatBytes(d.slopeBytesPerSec)}/s after start-up, never back to its baseline`;
  if (d.verdict === 'grows-until-exit') return ': no steady phase to judge a leak by';
  if (d.verdict === 'inconclusive') {
    // The compact line names the kind of reason; -v and the JSON give the whole sentence with its figures. An
    // inconclusive verdict with no slope was never judged (src/analyze/leak.ts): no steady part, or one too short.
    if (d.slopeBytesPerSec === null) return d.steadyFromMs === null ? ': too few samples to judge' : ': run too short to judge (-v: why)';
    return `: ${d.reason}`;
  }
  return '';
}

/** hyperfine's summary for memory: each command against the one that used the least, with propagated σ. */
export function renderComparison(doc: MembenchResult, c: Colors): string | null {
  const rows = ranking(doc);
  if (rows.length < 2) return null;
  const best = rows[0]!;
  const lines = [c.bold('Summary'), `  ${c.cyan(commandLine(best.command))} used the least memory`];
  for (const r of rows.slice(1)) {
    const ratio = `${r.ratio.toFixed(2)}${r.ratioStddev !== null ? ` ± ${r.ratioStddev.toFixed(2)}` : ''}`;
    lines.push(`    ${c.bold(c.green(ratio))} × less than ${c.magenta(commandLine(r.command))}`);
  }
  return wrapAll(lines, 80, 6).join('\n');
}

function renderBaseline(b: BenchmarkResult, c: Colors): string | null {
  const s = b.baseline;
  if (!s) return null;
  if (s.problem) return c.yellow(`  baseline not subtracted: ${s.problem}`);
  const rows: Row[] = [];
  const label: Record<string, string> = {
    treePeakBytes: 'tree peak',
    treeAnonPeakBytes: 'tree anon peak',
    largestProcessPeakBytes: 'largest process',
    pssSumPeakBytes: 'Σ PSS peak',
    ussSumPeakBytes: 'Σ USS peak',
  };
  for (const [m, v] of Object.entries(s.metrics))
    if (v)
      rows.push({ label: label[m] ?? m, cells: [formatBytes(v.measuredMedian), formatBytes(v.baselineMedian), formatBytes(v.footprint)] });
  return [
    c.dim(`  own footprint = measured − baseline (${s.baselineCommand}), medians:`),
    ...labelledTable(['', 'measured', 'baseline', 'footprint'], rows, c).map((l) => `  ${l}`),
  ].join('\n');
}

export function renderScans(doc: MembenchResult, c: Colors): string[] {
  return doc.scans.map((s) => {
    const title =
      s.kind === 'concurrency' ? 'Concurrency' : s.kind === 'payload' ? 'Payload scan' : `Parameter scan (${s.parameter ?? '?'})`;
    const perUnit = (v: number | null): string => (v === null ? '—' : s.kind === 'payload' ? `${v.toFixed(2)} B/B` : formatBytes(v));
    const rows: Row[] = s.points.map((p) => ({
      label:
        s.kind === 'concurrency'
          ? `${p.x} instance${p.x === 1 ? '' : 's'}`
          : s.kind === 'payload'
            ? formatSize(p.x)
            : `${s.parameter ?? 'x'} = ${p.x}`,
      cells: [formatBytes(p.treePeakMedianBytes), perUnit(p.perUnitBytes)],
    }));
    const fixed = s.fit ? `fixed ${formatBytes(s.fit.interceptBytes)}, R² ${s.fit.r2.toFixed(4)} (${s.fit.verdict})` : '';
    const fit = !s.fit
      ? 'not enough counted points for a fit'
      : s.kind === 'concurrency'
        ? `marginal cost ${formatBytes(s.fit.slopeBytesPerUnit)} per extra instance, ${fixed}`
        : s.kind === 'payload'
          ? `${s.fit.slopeBytesPerUnit.toFixed(3)} bytes of memory per byte of payload, ${fixed}`
          : `${formatBytes(s.fit.slopeBytesPerUnit)} per unit of ${s.parameter ?? 'the parameter'}, ${fixed}`;
    const unitHeader =
      s.kind === 'concurrency' ? 'per instance' : s.kind === 'payload' ? 'per payload byte' : `per unit of ${s.parameter ?? 'x'}`;
    return [
      `${c.bold(title)}: ${c.cyan(commandLine(s.command))}`,
      ...labelledTable(['', 'peak (median)', unitHeader], rows, c).map((l) => `  ${l}`),
      `  ${fit}`,
    ].join('\n');
  });
}

/** What --realtime got and how many ticks carried Σ RSS under --max-statm-per-tick, when either was asked. */
function samplingExtras(runs: readonly NonNullable<RunResult['sampling']>[]): string {
  let text = '';
  // Which fast sampler ran (sampling.fastSampler) and the adaptive status reads (sampling.statusFloorMs).
  const kinds = [...new Set(runs.map((s) => s.fastSampler?.kind).filter((k) => k !== undefined))];
  if (kinds.length === 1)
    text +=
      kinds[0] === 'native'
        ? ', fast tier in C (native/bin/sampler)'
        : `, fast tier in JavaScript (${runs[0]!.fastSampler!.fallbackReason ?? 'fallback'})`;
  else if (kinds.length > 1)
    text += `, fast tier in C in ${runs.filter((s) => s.fastSampler?.kind === 'native').length} of ${runs.length} runs`;
  const floor = runs[0]!.statusFloorMs;
  if (typeof floor === 'number') text += `, status read when statm moved and at least every ${formatMs(floor)}`;
  // The quiet-tree membership (sampling.membershipQuiet): how often new processes were looked for, and on how many ticks.
  const quiet = runs.filter((s) => s.membershipQuiet);
  if (quiet.length > 0) {
    const q = quiet[0]!.membershipQuiet!;
    const skipped = quiet.reduce((a, s) => a + s.membershipQuiet!.skippedTicks, 0);
    const ticks = quiet.reduce((a, s) => a + s.ticks, 0);
    text += `, new processes looked for every ${formatMs(q.everyMs)} once the tree was quiet for ${formatMs(q.afterMs)} (${formatPercent(ticks > 0 ? skipped / ticks : 0)} of ticks skipped the look)`;
  }
  const asked = runs.filter((s) => s.realtimeAsked);
  if (asked.length > 0) {
    const fifo = asked.filter((s) => s.samplerSchedPolicy === 'fifo').length;
    text +=
      fifo === asked.length ? ', fast thread SCHED_FIFO' : fifo > 0 ? `, fast thread SCHED_FIFO in ${fifo} of ${asked.length} runs` : '';
  }
  const carried = runs.reduce((a, s) => a + (s.rssSumCarriedTicks ?? 0), 0);
  if (carried > 0) {
    const ticks = runs.reduce((a, s) => a + s.ticks, 0);
    text += `, Σ RSS from carried statm readings on ${formatPercent(carried / ticks)} of ticks (${runs[0]!.maxStatmPerTick ? `≤ ${runs[0]!.maxStatmPerTick} reads per tick` : 'automatic budget, a big tree'})`;
  }
  const adapted = [...new Set(runs.flatMap((s) => (s.adaptations ?? []).map((a) => a.what)))];
  if (adapted.length > 0) text += `, read less often for a big tree: ${adapted.join(', ')} (see the notes)`;
  return text;
}

export interface TerminalOptions {
  /** The full report (table, sampling, diagnosis, breakdowns, chart) instead of the compact one. */
  readonly verbose?: boolean;
  readonly chart?: boolean;
}

export function renderTerminal(doc: MembenchResult, c: Colors, opts: TerminalOptions = {}): string {
  const verbose = opts.verbose === true;
  const parts = doc.benchmarks.map((b, i) =>
    verbose
      ? [renderBenchmark(b, i, c), renderBaseline(b, c), ...wrapAll(renderDiagnosis(b, c, { chart: opts.chart ?? true }))]
          .filter((x) => x !== null)
          .join('\n')
      : renderCompact(b, i, c),
  );
  if (verbose) parts.push(...renderScans(doc, c).map((x) => wrapAll(x.split('\n')).join('\n')));
  else parts.push(...doc.scans.map((s) => scanLine(s, c)));
  const cmp = renderComparison(doc, c);
  if (cmp) parts.push(cmp);
  if (!doc.context.complete) parts.push(c.yellow('Interrupted: the runs above are all that were measured.'));
  return `${parts.join('\n\n')}\n`;
}

/** One line per scan in the compact report: the fitted cost per unit. */
function scanLine(s: MembenchResult['scans'][number], c: Colors): string {
  const what =
    s.kind === 'concurrency'
      ? 'per extra instance'
      : s.kind === 'payload'
        ? 'per byte of payload'
        : `per unit of ${s.parameter ?? 'the parameter'}`;
  const slope = s.fit
    ? s.kind === 'payload'
      ? `${s.fit.slopeBytesPerUnit.toFixed(3)} bytes of memory`
      : formatBytes(s.fit.slopeBytesPerUnit)
    : null;
  return wrapAll([
    `${c.bold('Scan')}: ${c.cyan(commandLine(s.command))}: ${slope ? `${slope} ${what}, R² ${s.fit!.r2.toFixed(3)} (${s.fit!.verdict})` : 'not enough counted points for a fit'}`,
  ]).join('\n');
}
