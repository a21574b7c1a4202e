// `membench watch PID`: follow a running process tree read-only with the sampler, until a duration, the
// target's exit or Ctrl-C; then a recording with peaks, a timeline and the leak verdict.
import { randomBytes } from 'node:crypto';
import { leakVerdict } from '../analyze/leak.js';
import { finiteSeries } from '../analyze/trend.js';
import type { LeakVerdict } from '../result.js';
import type { SamplerOutput } from '../sample/protocol.js';
import { Sampler } from '../sample/sampler.js';
import { readCmdline, readPageSize, pidAlive, SYSTEM_PROC } from '../probe/proc.js';
import { VERSION } from '../version.js';

export type WatchOutcome =
  | { readonly state: 'duration-reached'; readonly durationMs: number }
  | { readonly state: 'target-exited' }
  | { readonly state: 'interrupted'; readonly signal: 'SIGINT' | 'SIGTERM' };

export interface WatchRecording {
  readonly schema: 'membench-watch/1';
  readonly tool: { readonly name: 'membench'; readonly version: string };
  readonly pid: number;
  readonly command: string;
  readonly startedAtEpochMs: number;
  readonly watchedMs: number;
  readonly outcome: WatchOutcome;
  readonly intervalMsAsked: number;
  readonly intervalMsAchieved: number | null;
  readonly ticks: number;
  readonly missedTicks: number;
  readonly peakRssSumBytes: number | null;
  readonly finalRssSumBytes: number | null;
  readonly peakPssSumBytes: number | null;
  readonly maxProcesses: number | null;
  readonly leak: LeakVerdict;
  readonly timeline: { readonly tMs: number[]; readonly rssSumBytes: number[]; readonly processCount: number[] };
  readonly processes: SamplerOutput['processes'];
}

export interface WatchOptions {
  readonly pid: number;
  readonly intervalMs: number;
  readonly durationMs: number | null;
  /** Called about twice a second with the latest Σ RSS, the process count and the elapsed time. */
  readonly onProgress: (treeBytes: number, processes: number, elapsedMs: number) => void;
  /** Resolves when the user asks to stop (Ctrl-C / SIGTERM). */
  readonly interrupted: Promise<'SIGINT' | 'SIGTERM'>;
  readonly timelinePoints: number;
}

const maxOf = (a: ArrayLike<number>): number | null => {
  let m: number | null = null;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]!)) m = Math.max(m ?? -Infinity, a[i]!);
  return m;
};

/** Keeps at most `points` samples: the maximum of each bucket (peaks survive thinning). */
export function bucketMax(tMs: readonly number[], bytes: readonly number[], points: number): { tMs: number[]; bytes: number[] } {
  if (tMs.length <= points) return { tMs: [...tMs], bytes: [...bytes] };
  const outT: number[] = [];
  const outB: number[] = [];
  const per = tMs.length / points;
  for (let b = 0; b < points; b++) {
    const from = Math.floor(b * per);
    const to = Math.min(tMs.length, Math.floor((b + 1) * per));
    let best = from;
    for (let i = from; i < to; i++) if (bytes[i]! > bytes[best]!) best = i;
    outT.push(tMs[best]!);
    outB.push(bytes[best]!);
  }
  return { tMs: outT, bytes: outB };
}

export async function watch(o: WatchOptions): Promise<WatchRecording> {
  const command = readCmdline(o.pid, SYSTEM_PROC);
  const sampler = await Sampler.start({
    procRoot: SYSTEM_PROC.proc, pageSizeBytes: readPageSize(SYSTEM_PROC), intervalMs: o.intervalMs,
    statusIntervalMs: Math.max(o.intervalMs, 50), pssIntervalMs: Math.max(o.intervalMs, 500), pssBudget: 0.02,
    markerScanIntervalMs: Math.max(1000, o.intervalMs),
    // A marker no process carries: the tree is followed through /proc/PID/task/*/children alone (read-only attach).
    membership: { kind: 'proc', markerEntry: `MEMBENCH_WATCH=${randomBytes(8).toString('hex')}` },
    usageFile: null, memoryStatFile: null, memoryStatVersion: 1,
  });
  const startedAtEpochMs = performance.timeOrigin + performance.now();
  const t0 = performance.now();
  sampler.begin(o.pid, startedAtEpochMs);
  let outcome: WatchOutcome | null = null;
  o.interrupted.then((signal) => (outcome ??= { state: 'interrupted', signal }), () => undefined);
  let lastProgress = -Infinity;
  while (outcome === null) {
    await new Promise((r) => setTimeout(r, Math.min(100, o.intervalMs * 2)));
    const elapsed = performance.now() - t0;
    if (elapsed - lastProgress >= 500) {
      lastProgress = elapsed;
      o.onProgress(sampler.latestTreeBytes, sampler.alive, elapsed);
    }
    if (o.durationMs !== null && elapsed >= o.durationMs) outcome = { state: 'duration-reached', durationMs: o.durationMs };
    else if (sampler.ticks > 2 && sampler.alive === 0 && !pidAlive(o.pid)) outcome = { state: 'target-exited' };
  }
  const watchedMs = performance.now() - t0;
  const out = await sampler.stop();
  const rss = finiteSeries(out.columns.fast.tMs, out.columns.fast.rssSumBytes);
  const counts = finiteSeries(out.columns.fast.tMs, out.columns.fast.processCount);
  const lastLive = [...rss.bytes].reverse().find((b) => b > 0) ?? null;
  const thinned = bucketMax(rss.tMs, rss.bytes, o.timelinePoints);
  const countAt = new Map(counts.tMs.map((t, i) => [t, counts.bytes[i]!]));
  // Judge up to the last sample while the tree was alive: after the target exits, Σ RSS is 0 and says nothing.
  let lastAlive = rss.bytes.length - 1;
  while (lastAlive >= 0 && !(rss.bytes[lastAlive]! > 0)) lastAlive--;
  const endMs = lastAlive >= 0 ? rss.tMs[lastAlive]! : watchedMs;
  return {
    schema: 'membench-watch/1', tool: { name: 'membench', version: VERSION },
    pid: o.pid, command, startedAtEpochMs: Math.round(startedAtEpochMs), watchedMs: Math.round(watchedMs), outcome,
    intervalMsAsked: o.intervalMs, intervalMsAchieved: out.intervalMeanMs, ticks: out.ticks, missedTicks: out.missedTicks,
    peakRssSumBytes: maxOf(out.columns.fast.rssSumBytes), finalRssSumBytes: lastLive,
    peakPssSumBytes: maxOf(out.columns.pss.pssSumBytes), maxProcesses: maxOf(out.columns.fast.processCount),
    leak: leakVerdict(rss, endMs + 1),
    timeline: { tMs: thinned.tMs.map((t) => Math.round(t * 1000) / 1000), rssSumBytes: thinned.bytes.map(Math.round), processCount: thinned.tMs.map((t) => countAt.get(t) ?? 0) },
    processes: out.processes,
  };
}
