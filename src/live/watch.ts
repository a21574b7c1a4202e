// `membench watch PID`: follow a running process (or tree) read-only with the sampler, until a duration, the
// target's exit or Ctrl-C; a live state about twice a second, then a recording with peaks, a timeline and the
// leak verdict. Memory stays flat: the sampler is drained every second into bounded buffers.
import { randomBytes } from 'node:crypto';
import { leakVerdict } from '../analyze/leak.js';
import type { LeakVerdict } from '../result.js';
import type { ProcessSeen, SamplerColumns } from '../sample/protocol.js';
import { Sampler } from '../sample/sampler.js';
import { readCmdline, readPageSize, pidAlive, SYSTEM_PROC } from '../probe/proc.js';
import { BoundedTimeline, VERDICT_POINTS, bucketMax } from './timeline.js';
import { ProcessTable } from './process-table.js';
import { RecentMax, type WatchLiveState } from './watch-view.js';
import { NameFollower, type FollowName } from './name-follow.js';
import { samplerSettings } from '../sample/settings.js';
import { THIS_TOOL, WATCH_KIND, WATCH_SCHEMA_VERSION } from '../document/kinds.js';
import type { WatchOutcome, WatchRecording } from '../document/watch.js';

export type { WatchOutcome, WatchRecording };

export interface WatchOptions {
  readonly pid: number;
  /** Further roots watched alongside pid (e.g. every process with a name). */
  readonly extraPids?: readonly number[];
  /**
   * Follow a name: rescan for processes with it and add the new ones as roots; the watch then ends as
   * target-exited only once none has been alive for the grace period (see name-follow.ts).
   */
  readonly followName?: FollowName;
  /** Follow descendants of the roots (/proc/PID/task/TID/children), or the roots alone. */
  readonly children: boolean;
  readonly intervalMs: number;
  readonly durationMs: number | null;
  /** Called about twice a second with the live state (see watch-view.ts). */
  readonly onUpdate?: (state: WatchLiveState) => void;
  /** Resolves when the user asks to stop (Ctrl-C / SIGTERM). */
  readonly interrupted: Promise<'SIGINT' | 'SIGTERM'>;
  readonly timelinePoints: number;
  /** Called with a partial recording (outcome in-progress) every `checkpointMs` (default 5 s). */
  readonly onCheckpoint?: (partial: WatchRecording) => void;
  readonly checkpointMs?: number;
  /** Samples kept in memory whatever the duration; older ones are merged pairwise (default 8192). */
  readonly maxSamples?: number;
  /** How often the sampler's buffers are drained into the bounded ones (default 1 s). */
  readonly drainMs?: number;
  /** How often the running leak verdict is recomputed (default 2 s, on at most VERDICT_POINTS bucket means). */
  readonly verdictEveryMs?: number;
  /** Finished processes kept with their figures, the largest peaks first (default 100). */
  readonly keepFinishedProcesses?: number;
  /** Seconds of the sparkline (default 60). */
  readonly recentSeconds?: number;
}

const maxN = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one sampler for the whole watch and drains it every `drainMs`: its columns restart at length 0 each
 * time, and what they held is folded into a BoundedTimeline, a per-second ring for the sparkline, running
 * maxima and a ProcessTable. Memory is one drain interval plus those fixed-size buffers, whatever the duration.
 */
export async function watch(o: WatchOptions): Promise<WatchRecording> {
  const command = readCmdline(o.pid, SYSTEM_PROC);
  const extraPids = [...(o.extraPids ?? [])];
  const roots = [o.pid, ...extraPids];
  const checkpointMs = o.checkpointMs ?? 5000;
  const drainMs = o.drainMs ?? 1000;
  const verdictEveryMs = o.verdictEveryMs ?? 2000;
  const sampler = await Sampler.start({
    procRoot: SYSTEM_PROC.proc,
    pageSizeBytes: readPageSize(SYSTEM_PROC),
    ...samplerSettings({ use: 'watch', intervalMs: o.intervalMs }),
    // --children: a marker no process carries, so the tree is followed through /proc/PID/task/*/children
    // alone (read-only attach); otherwise the roots alone.
    membership: o.children ? { kind: 'proc', markerEntry: `MEMBENCH_WATCH=${randomBytes(8).toString('hex')}` } : { kind: 'roots' },
    usageFile: null,
    memoryStatFile: null,
    memoryStatVersion: 1,
  });
  const startedAtEpochMs = performance.timeOrigin + performance.now();
  const t0 = performance.now();
  sampler.begin(o.pid, startedAtEpochMs, extraPids);
  const names = o.followName === undefined ? null : new NameFollower(o.followName, roots);

  const timeline = new BoundedTimeline(o.maxSamples ?? 8192);
  // The leak verdict (every 2 s and at each checkpoint) is judged on its own coarser copy: see VERDICT_POINTS.
  const judged = new BoundedTimeline(Math.min(VERDICT_POINTS, o.maxSamples ?? 8192));
  const recent = new RecentMax(o.recentSeconds ?? 60);
  const table = new ProcessTable(o.keepFinishedProcesses ?? 100);
  let firstT: number | null = null;
  let lastT = -Infinity;
  let peakRss: number | null = null;
  let peakPss: number | null = null;
  let maxProcs: number | null = null;
  let lastLive: number | null = null;
  let lastAliveT: number | null = null;
  let rollup: { pssBytes: number; ussBytes: number; swapBytes: number; tMs: number } | null = null;
  let missed = 0;

  const fold = (columns: SamplerColumns, processes: readonly ProcessSeen[], livePids: readonly number[], missedTicks: number): void => {
    const f = columns.fast;
    for (let i = 0; i < f.tMs.length; i++) {
      const t = f.tMs[i]!;
      const rss = f.rssSumBytes[i]!;
      if (!(t > lastT) || !Number.isFinite(rss)) continue;
      lastT = t;
      firstT ??= t;
      const n = Number.isFinite(f.processCount[i]!) ? f.processCount[i]! : 0;
      timeline.push(t, rss, n);
      judged.push(t, rss, n);
      recent.push(t, rss);
      peakRss = maxN(peakRss, rss);
      maxProcs = maxN(maxProcs, n);
      if (rss > 0) {
        lastLive = rss;
        lastAliveT = t;
      }
    }
    const p = columns.pss;
    for (let i = 0; i < p.tMs.length; i++) {
      if (!Number.isFinite(p.pssSumBytes[i]!)) continue;
      peakPss = maxN(peakPss, p.pssSumBytes[i]!);
      rollup = { pssBytes: p.pssSumBytes[i]!, ussBytes: p.ussSumBytes[i]!, swapBytes: p.swapSumBytes[i]!, tMs: p.tMs[i]! };
    }
    table.fold(processes, livePids);
    missed = Math.max(missed, missedTicks);
  };

  // Judged up to the last sample while the tree was alive: after the target exits, Σ RSS is 0 and says nothing.
  // Only a target that exited can have grown "until exit"; a watch that stops first saw it still running.
  const verdict = (watchedMs: number, exited = false): LeakVerdict =>
    leakVerdict({ tMs: judged.tMs, bytes: judged.mean }, (lastAliveT ?? watchedMs) + 1, { endsAtExit: exited });
  let liveLeak: LeakVerdict | null = null;
  let liveLeakAtMs = 0;
  let leakFirstSeenMs: number | null = null;

  const recording = (outcome: WatchOutcome, watchedMs: number): WatchRecording => {
    const thinned = bucketMax(timeline.tMs, timeline.max, o.timelinePoints);
    const leak = verdict(watchedMs, outcome.state === 'target-exited');
    if (leak.verdict === 'leak') leakFirstSeenMs ??= watchedMs;
    return {
      kind: WATCH_KIND,
      schemaVersion: WATCH_SCHEMA_VERSION,
      tool: THIS_TOOL,
      pid: o.pid,
      extraPids,
      name: o.followName?.name ?? null,
      lateJoins: names?.lateJoins() ?? [],
      lateJoinsNotKept: names?.lateJoinsNotKept ?? 0,
      children: o.children,
      command,
      startedAtEpochMs: Math.round(startedAtEpochMs),
      watchedMs: Math.round(watchedMs),
      outcome,
      intervalAskedMs: o.intervalMs,
      // The mean gap between ticks is (last − first) / (n − 1): no per-gap buffer needed.
      intervalAchievedMs: firstT !== null && timeline.samples > 1 ? (lastT - firstT) / (timeline.samples - 1) : null,
      ticks: timeline.samples,
      missedTicks: missed,
      peakRssSumBytes: peakRss,
      finalRssSumBytes: lastLive,
      peakPssSumBytes: peakPss,
      maxProcesses: maxProcs,
      leak,
      leakFirstSeenMs: leakFirstSeenMs === null ? null : Math.round(leakFirstSeenMs),
      timeline: {
        tMs: thinned.tMs.map((t) => Math.round(t * 1000) / 1000),
        rssSumBytes: thinned.bytes.map(Math.round),
        processCount: thinned.index.map((i) => timeline.countMax[i]!),
      },
      processes: table.list(),
      finishedProcessesNotKept: table.finishedNotKept,
    };
  };

  const liveState = (elapsedMs: number): WatchLiveState => {
    const current = sampler.latestTreeBytes;
    return {
      pid: o.pid,
      command,
      elapsedMs,
      currentBytes: current,
      processes: sampler.alive,
      peakBytes: maxN(peakRss, Number.isFinite(current) ? current : null),
      recent: recent.series(),
      rollup:
        rollup === null
          ? null
          : { pssBytes: rollup.pssBytes, ussBytes: rollup.ussBytes, swapBytes: rollup.swapBytes, ageMs: elapsedMs - rollup.tMs },
      leak: liveLeak,
      leakAgeMs: liveLeak === null ? null : elapsedMs - liveLeakAtMs,
      leakFirstSeenMs,
      ...(names === null ? {} : { followed: { name: names.name, lateJoins: names.lateJoinsSeen } }),
    };
  };

  let outcome: WatchOutcome | null = null;
  o.interrupted.then(
    (signal) => (outcome ??= { state: 'interrupted', signal }),
    () => undefined,
  );
  let lastUpdate = -Infinity;
  let lastDrain = 0;
  let lastVerdict = 0;
  let lastCheckpoint = 0;
  try {
    while (outcome === null) {
      await sleep(Math.min(100, o.intervalMs * 2));
      let elapsed = performance.now() - t0;
      if (elapsed - lastDrain >= drainMs) {
        lastDrain = elapsed;
        const c = await sampler.drain();
        fold(c.columns, c.processes, c.livePids, c.missedTicks);
        elapsed = performance.now() - t0;
      }
      if (elapsed - lastVerdict >= verdictEveryMs && timeline.samples > 0) {
        lastVerdict = elapsed;
        liveLeak = verdict(elapsed);
        liveLeakAtMs = elapsed;
        if (liveLeak.verdict === 'leak') leakFirstSeenMs ??= elapsed;
      }
      if (elapsed - lastUpdate >= 500) {
        lastUpdate = elapsed;
        o.onUpdate?.(liveState(elapsed));
      }
      names?.step(elapsed, sampler);
      if (o.durationMs !== null && elapsed >= o.durationMs) outcome = { state: 'duration-reached', durationMs: o.durationMs };
      else if (sampler.ticks > 2 && sampler.alive === 0 && (names === null ? !roots.some((pid) => pidAlive(pid)) : names.gone(elapsed)))
        outcome = { state: 'target-exited' };
      else if (elapsed - lastCheckpoint >= checkpointMs) {
        lastCheckpoint = elapsed;
        o.onCheckpoint?.(recording({ state: 'in-progress' }, elapsed));
      }
    }
  } catch (e) {
    await sampler.kill();
    throw e;
  }
  const watchedMs = performance.now() - t0;
  const out = await sampler.stop();
  // The sampler retires every member at stop(); those still running stay "live" in the recording.
  fold(
    out.columns,
    out.processes,
    out.processes.map((p) => p.pid).filter((pid) => pidAlive(pid)),
    out.missedTicks,
  );
  return recording(outcome, watchedMs);
}
