// `membench watch PID | --name NAME`: attach read-only, a live view on stderr (a TTY only), a recording and
// the leak verdict at the end.
import { writeDocument } from '../store/atomic.js';
import { documentText } from '../document/write.js';
import { parseCount, parseDurationMs } from './parse-values.js';
import { watch, type WatchRecording } from '../live/watch.js';
import { renderWatchView, watchViewRows } from '../live/watch-view.js';
import { processesNamed, unwatchableNamed } from '../live/targets.js';
import type { FollowName } from '../live/name-follow.js';
import { CTRL } from '../sample/protocol.js';
import { pidAlive, readChildren, SYSTEM_PROC, type ProcRoot } from '../probe/proc.js';
import { colorsFor, colorWanted } from '../report/colors.js';
import { formatBytes, formatMs } from '../report/units.js';
import { wrapAll } from '../report/wrap.js';
import { commandLine, verdictWords } from '../report/run-rows.js';
import { EXIT, exitForSignal, usageError } from '../errors.js';
import { checkWritableOutput } from './output-paths.js';

export interface RawWatchOptions {
  interval: string;
  duration?: string;
  json?: string;
  name?: string;
  rescan: string;
  grace?: string;
  children?: boolean;
}

const OUTCOME: Record<WatchRecording['outcome']['state'], string> = {
  'duration-reached': 'the duration was reached',
  'target-exited': 'the process exited',
  interrupted: 'interrupted',
  'in-progress': 'it is still running (checkpoint)',
};

export function renderWatch(r: WatchRecording): string {
  const more = r.extraPids.length === 0 ? `${r.pid}` : `${r.pid} and ${r.extraPids.length} more`;
  const late = r.lateJoins.length + r.lateJoinsNotKept;
  const roots = r.name === null ? more : `--name ${r.name} (${more} at the start${late > 0 ? `, ${late} joined later` : ''})`;
  const dropped = r.finishedProcessesNotKept > 0 ? `; ${r.finishedProcessesNotKept} finished processes with smaller peaks not listed` : '';
  const largest = r.processes.reduce<WatchRecording['processes'][number] | null>(
    (a, p) => (p.vmHwmBytes !== null && (a === null || p.vmHwmBytes > a.vmHwmBytes!) ? p : a),
    null,
  );
  const own =
    largest === null
      ? []
      : [
          `largest process peak: ${largest.name} (pid ${largest.pid}) ${formatBytes(largest.vmHwmBytes)} (VmHWM: over its whole life, from before the watch began)`,
        ];
  return [
    ...wrapAll([
      `membench watch ${roots}${r.children ? ' with descendants' : ''}: ${commandLine(r.command) || '(no command line)'}`,
      `watched ${formatMs(r.watchedMs)}, ended because ${OUTCOME[r.outcome.state]}; ${r.ticks} samples at ${formatMs(r.intervalAchievedMs)} (asked ${formatMs(r.intervalAskedMs)})`,
      `peak Σ RSS ${formatBytes(r.peakRssSumBytes)}, last ${formatBytes(r.finalRssSumBytes)}; peak Σ PSS ${formatBytes(r.peakPssSumBytes)}; up to ${r.maxProcesses ?? '—'} process${r.maxProcesses === 1 ? '' : 'es'}${dropped}`,
      ...own,
      `memory: ${verdictWords(r.leak.verdict)} — ${r.leak.reason}${r.leakFirstSeenMs === null ? '' : ` (first said leak after ${formatMs(r.leakFirstSeenMs)})`}`,
    ]),
    '',
  ].join('\n');
}

/** membench itself and the process that started it (a shell, npx) are never watched by name. */
const SELF = [process.pid, process.ppid];

/** The roots to watch: the PID argument, or every process with --name (lowest pid first). */
function rootsOf(raw: RawWatchOptions, args: readonly string[]): number[] {
  if (raw.name !== undefined && args[0] !== undefined) throw usageError('watch takes a PID or --name, not both', 'give one of them');
  if (raw.name === undefined) {
    if (args[0] === undefined)
      throw usageError('watch needs a PID or --name NAME', 'e.g. membench watch 4242, or membench watch --name nginx');
    const pid = parseCount('PID', args[0], 1);
    if (!pidAlive(pid)) throw usageError(`no process ${pid}`, 'check the pid with ps');
    return [pid];
  }
  const pids = processesNamed(raw.name, SYSTEM_PROC, new Set(SELF)).map((p) => p.pid);
  if (pids.length === 0) {
    const only = unwatchableNamed(raw.name, SYSTEM_PROC, new Set(SELF));
    if (only === 'kernel threads')
      throw usageError(
        `${raw.name} is a kernel thread: it has no user memory to watch`,
        "see membench system for the kernel's own memory (slab caches)",
      );
    if (only === 'zombies')
      throw usageError(
        `every process named ${raw.name} has exited (zombies: no memory left)`,
        'watch its parent with --children, or start the watch before it exits',
      );
    throw usageError(`no process named ${raw.name}`, 'the name is the comm (ps -o comm) or the basename of argv[0]; check with pgrep -l');
  }
  if (pids.length > 1 + CTRL.MAX_EXTRA_ROOTS)
    throw usageError(
      `${pids.length} processes are named ${raw.name}: at most ${1 + CTRL.MAX_EXTRA_ROOTS} can be watched`,
      'watch a parent with --children instead',
    );
  return pids;
}

/**
 * Without --children only the roots are watched; when they already have children at the start, one line says so
 * and how to include them. (Children forked after the start are not noticed: without --children nobody reads the tree.)
 */
export function childrenHint(roots: readonly number[], root: ProcRoot = SYSTEM_PROC): string | null {
  const kids = roots.flatMap((r) =>
    readChildren(r, root)
      .filter((c) => !roots.includes(c))
      .map((c) => ({ parent: r, child: c })),
  );
  if (kids.length === 0) return null;
  const parents = [...new Set(kids.map((k) => k.parent))];
  const who = roots.length === 1 ? `process ${parents[0]}` : `${parents.length} of the ${roots.length} processes`;
  const shown = kids
    .slice(0, 5)
    .map((k) => k.child)
    .join(', ');
  return `${who} ${parents.length === 1 ? 'has' : 'have'} ${kids.length} child process${kids.length === 1 ? '' : 'es'} (${shown}${kids.length > 5 ? ', …' : ''}), not watched: add --children to include them`;
}

/** --name: the rescan and the grace period (two rescans unless --grace says otherwise). */
function nameFollowing(raw: RawWatchOptions): FollowName | undefined {
  if (raw.name === undefined) {
    if (raw.grace !== undefined) throw usageError('--grace applies to --name only', 'drop --grace, or watch --name NAME');
    return undefined;
  }
  const rescanMs = parseDurationMs('--rescan', raw.rescan);
  if (rescanMs < 50 || rescanMs > 600_000)
    throw usageError(`--rescan: ${raw.rescan} is out of range`, 'use 50ms … 10m (each rescan reads the name of every process)');
  const graceMs = raw.grace === undefined ? 2 * rescanMs : parseDurationMs('--grace', raw.grace);
  return { name: raw.name, rescanMs, graceMs, excludePids: SELF };
}

export async function watchCommand(raw: RawWatchOptions, args: readonly string[]): Promise<number> {
  const intervalMs = parseDurationMs('--interval', raw.interval);
  if (intervalMs < 1 || intervalMs > 10_000) throw usageError(`--interval: ${raw.interval} is out of range`, 'use 1ms … 10s');
  const durationMs = raw.duration === undefined ? null : parseDurationMs('--duration', raw.duration);
  if (raw.json !== undefined) checkWritableOutput('--json', raw.json);
  const [pid, ...extraPids] = rootsOf(raw, args);
  const followName = nameFollowing(raw);
  if (raw.children !== true) {
    const hint = childrenHint([pid!, ...extraPids]);
    if (hint !== null) process.stderr.write(`membench: ${hint}\n`);
  }
  const live = process.stderr.isTTY === true;
  const colors = colorsFor(colorWanted({ tty: live, env: process.env }));
  const interrupted = new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // The view is redrawn in place: move up over the lines drawn last time, clear to the end of the screen.
  let drawnLines = 0;
  const erase = (): string => (drawnLines > 0 ? `\x1b[${drawnLines}F\x1b[J` : '');
  const rec = await watch({
    pid: pid!,
    extraPids,
    followName,
    children: raw.children === true,
    intervalMs,
    durationMs,
    interrupted,
    timelinePoints: 2000,
    // Every 5 s the recording so far replaces the file whole: a SIGKILL loses at most the last seconds.
    onCheckpoint: raw.json === undefined || raw.json === '-' ? undefined : (partial) => writeDocument(raw.json!, partial),
    onUpdate: live
      ? (state) => {
          const text = renderWatchView(watchViewRows(state), colors, Math.max(20, (process.stderr.columns || 80) - 1));
          process.stderr.write(`${erase()}${text}\n`);
          drawnLines = text.split('\n').length;
        }
      : undefined,
  });
  if (live) process.stderr.write(erase());
  if (raw.json !== undefined) {
    if (raw.json === '-') process.stdout.write(documentText(rec));
    else writeDocument(raw.json, rec);
  }
  if (raw.json !== '-') process.stdout.write(renderWatch(rec));
  // 130 after Ctrl-C, 143 after SIGTERM (128 + the signal), as a shell reports a command the signal ended.
  return rec.outcome.state === 'interrupted' ? exitForSignal(rec.outcome.signal) : EXIT.OK;
}
