// `membench watch PID`: attach read-only, a live line on stderr, a recording (and leak verdict) at the end.
import { writeTextAtomic } from '../store/atomic.js';
import { parseCount, parseDurationMs } from './parse-values.js';
import { watch, type WatchRecording } from '../live/watch.js';
import { pidAlive } from '../probe/proc.js';
import { formatBytes, formatMs } from '../report/units.js';
import { EXIT, usageError } from '../errors.js';

export interface RawWatchOptions {
  interval: string;
  duration?: string;
  json?: string;
}

const OUTCOME: Record<WatchRecording['outcome']['state'], string> = {
  'duration-reached': 'the duration was reached',
  'target-exited': 'the process exited',
  interrupted: 'interrupted',
  'in-progress': 'it is still running (checkpoint)',
};

export function renderWatch(r: WatchRecording): string {
  return [
    `membench watch ${r.pid}: ${r.command || '(no command line)'}`,
    `watched ${formatMs(r.watchedMs)}, ended because ${OUTCOME[r.outcome.state]}; ${r.ticks} samples at ${formatMs(r.intervalMsAchieved)} (asked ${formatMs(r.intervalMsAsked)})`,
    `peak Σ RSS ${formatBytes(r.peakRssSumBytes)}, last ${formatBytes(r.finalRssSumBytes)}; peak Σ PSS ${formatBytes(r.peakPssSumBytes)}; up to ${r.maxProcesses ?? '—'} process${r.maxProcesses === 1 ? '' : 'es'}`,
    `leak: ${r.leak.verdict} — ${r.leak.reason}`,
    '',
  ].join('\n');
}

export async function watchCommand(raw: RawWatchOptions, args: readonly string[]): Promise<number> {
  const pid = parseCount('PID', args[0] ?? '', 1);
  const intervalMs = parseDurationMs('--interval', raw.interval);
  if (intervalMs < 1 || intervalMs > 10_000) throw usageError(`--interval: ${raw.interval} is out of range`, 'use 1ms … 10s');
  const durationMs = raw.duration === undefined ? null : parseDurationMs('--duration', raw.duration);
  if (!pidAlive(pid)) throw usageError(`no process ${pid}`, 'check the pid with ps');
  const live = process.stderr.isTTY === true;
  const interrupted = new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const rec = await watch({
    pid, intervalMs, durationMs, interrupted, timelinePoints: 2000,
    // Every 5 s the recording so far replaces the file whole: a SIGKILL loses at most the last seconds.
    onCheckpoint: raw.json === undefined || raw.json === '-' ? undefined : (partial) => writeTextAtomic(raw.json!, `${JSON.stringify(partial, null, 2)}\n`),
    onProgress: (bytes, n, ms) => {
      if (live) process.stderr.write(`\r\x1b[Kpid ${pid}: Σ RSS ${formatBytes(bytes)} in ${n} process${n === 1 ? '' : 'es'}, ${formatMs(ms)}`);
    },
  });
  if (live) process.stderr.write('\r\x1b[K');
  if (raw.json !== undefined) {
    const text = `${JSON.stringify(rec, null, 2)}\n`;
    if (raw.json === '-') process.stdout.write(text);
    else writeTextAtomic(raw.json, text);
  }
  if (raw.json !== '-') process.stdout.write(renderWatch(rec));
  return rec.outcome.state === 'interrupted' ? EXIT.INTERRUPTED : EXIT.OK;
}
