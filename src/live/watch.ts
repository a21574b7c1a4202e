// `membench watch PID`: follow a running process tree read-only with the sampler, until a duration, the
// target's exit or Ctrl-C; then a recording with peaks, a timeline and the leak verdict.
import { randomBytes } from 'node:crypto';
import { leakVerdict } from '../analyze/leak.js';
import type { LeakVerdict } from '../result.js';
import type { SamplerOutput } from '../sample/protocol.js';
import { Sampler } from '../sample/sampler.js';
import { readCmdline, readPageSize, pidAlive, SYSTEM_PROC } from '../probe/proc.js';
import { VERSION } from '../version.js';

export type WatchOutcome =
  | { readonly state: 'duration-reached'; readonly durationMs: number }
  | { readonly state: 'target-exited' }
  | { readonly state: 'interrupted'; readonly signal: 'SIGINT' | 'SIGTERM' }
  /** A checkpoint written while the watch runs: what a SIGKILL leaves behind. */
  | { readonly state: 'in-progress' };

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
  /** Called with a partial recording (outcome in-progress) every `checkpointMs` (default 5 s). */
  readonly onCheckpoint?: (partial: WatchRecording) => void;
  readonly checkpointMs?: number;
  /** Samples kept in memory whatever the duration; older ones are merged pairwise (default 8192). */
  readonly maxSamples?: number;
}

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

/**
 * A bounded timeline: at most `cap` buckets; when full, neighbours are merged pairwise and each bucket then
 * covers twice as many samples. Each bucket keeps its maximum (peaks survive, for the timeline) and its mean
 * (for the leak verdict, whose floors a max-only series would bias upwards).
 */
export class BoundedTimeline {
  readonly tMs: number[] = [];
  readonly max: number[] = [];
  readonly mean: number[] = [];
  readonly count: number[] = [];
  readonly countMax: number[] = [];
  /** Raw samples per bucket. */
  stride = 1;
  samples = 0;

  constructor(readonly cap: number) {
    if (cap < 4 || cap % 2) throw new Error('BoundedTimeline cap must be even and at least 4');
  }

  push(t: number, bytes: number, processes: number): void {
    this.samples++;
    const last = this.tMs.length - 1;
    if (last >= 0 && this.count[last]! < this.stride) {
      const n = this.count[last]!;
      this.mean[last] = (this.mean[last]! * n + bytes) / (n + 1);
      this.count[last] = n + 1;
      if (bytes > this.max[last]!) this.max[last] = bytes;
      if (processes > this.countMax[last]!) this.countMax[last] = processes;
      return;
    }
    if (this.tMs.length === this.cap) this.halve();
    this.tMs.push(t);
    this.max.push(bytes);
    this.mean.push(bytes);
    this.count.push(1);
    this.countMax.push(processes);
  }

  private halve(): void {
    const n = this.tMs.length / 2;
    for (let i = 0; i < n; i++) {
      const a = 2 * i;
      const b = a + 1;
      const ca = this.count[a]!;
      const cb = this.count[b]!;
      this.tMs[i] = this.tMs[a]!;
      this.max[i] = Math.max(this.max[a]!, this.max[b]!);
      this.mean[i] = (this.mean[a]! * ca + this.mean[b]! * cb) / (ca + cb);
      this.count[i] = ca + cb;
      this.countMax[i] = Math.max(this.countMax[a]!, this.countMax[b]!);
    }
    for (const arr of [this.tMs, this.max, this.mean, this.count, this.countMax]) arr.length = n;
    this.stride *= 2;
  }
}

const maxN = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/** Per-process figures folded over segments. */
function mergeProcesses(into: Map<number, SamplerOutput['processes'][number]>, seen: SamplerOutput['processes']): void {
  for (const p of seen) {
    const q = into.get(p.pid);
    if (!q) {
      into.set(p.pid, { ...p });
      continue;
    }
    q.firstSeenMs = Math.min(q.firstSeenMs, p.firstSeenMs);
    q.lastSeenMs = Math.max(q.lastSeenMs, p.lastSeenMs);
    q.maxRssBytes = Math.max(q.maxRssBytes, p.maxRssBytes);
    q.vmHwmBytes = maxN(q.vmHwmBytes, p.vmHwmBytes);
    q.maxPssBytes = maxN(q.maxPssBytes, p.maxPssBytes);
    q.maxUssBytes = maxN(q.maxUssBytes, p.maxUssBytes);
    q.maxVmDataBytes = maxN(q.maxVmDataBytes, p.maxVmDataBytes);
  }
}

/**
 * The sampler keeps every tick in growable columns, so a watch over hours runs it in segments (`checkpointMs`
 * long): the next segment's sampler starts and begins before the previous one stops (no gap; overlapping ticks
 * are dropped), each finished segment is folded into a BoundedTimeline and running maxima, and a partial
 * recording is handed to onCheckpoint. Memory stays at one segment plus the bounded buffer.
 */
export async function watch(o: WatchOptions): Promise<WatchRecording> {
  const command = readCmdline(o.pid, SYSTEM_PROC);
  const marker = `MEMBENCH_WATCH=${randomBytes(8).toString('hex')}`;
  const checkpointMs = o.checkpointMs ?? 5000;
  const startSampler = (): Promise<Sampler> => Sampler.start({
    procRoot: SYSTEM_PROC.proc, pageSizeBytes: readPageSize(SYSTEM_PROC), intervalMs: o.intervalMs,
    statusIntervalMs: Math.max(o.intervalMs, 50), pssIntervalMs: Math.max(o.intervalMs, 500), pssBudget: 0.02,
    markerScanIntervalMs: Math.max(1000, o.intervalMs),
    // A marker no process carries: the tree is followed through /proc/PID/task/*/children alone (read-only attach).
    membership: { kind: 'proc', markerEntry: marker },
    usageFile: null, memoryStatFile: null, memoryStatVersion: 1,
  });
  let sampler = await startSampler();
  const startedAtEpochMs = performance.timeOrigin + performance.now();
  const t0 = performance.now();
  sampler.begin(o.pid, startedAtEpochMs);
  let segmentStart = t0;

  const timeline = new BoundedTimeline(o.maxSamples ?? 8192);
  const processes = new Map<number, SamplerOutput['processes'][number]>();
  let lastT = -Infinity;
  let lastPssT = -Infinity;
  let peakRss: number | null = null;
  let peakPss: number | null = null;
  let maxProcs: number | null = null;
  let lastLive: number | null = null;
  let lastAliveT: number | null = null;
  let missed = 0;
  let intervalWeighted = 0;
  let intervalTicks = 0;

  const fold = (out: SamplerOutput): void => {
    const f = out.columns.fast;
    for (let i = 0; i < f.tMs.length; i++) {
      const t = f.tMs[i]!;
      const rss = f.rssSumBytes[i]!;
      if (!(t > lastT) || !Number.isFinite(rss)) continue;
      lastT = t;
      const n = Number.isFinite(f.processCount[i]!) ? f.processCount[i]! : 0;
      timeline.push(t, rss, n);
      peakRss = maxN(peakRss, rss);
      maxProcs = maxN(maxProcs, n);
      if (rss > 0) {
        lastLive = rss;
        lastAliveT = t;
      }
    }
    const p = out.columns.pss;
    for (let i = 0; i < p.tMs.length; i++) {
      if (!(p.tMs[i]! > lastPssT)) continue;
      lastPssT = p.tMs[i]!;
      if (Number.isFinite(p.pssSumBytes[i]!)) peakPss = maxN(peakPss, p.pssSumBytes[i]!);
    }
    mergeProcesses(processes, out.processes);
    missed += out.missedTicks;
    if (out.intervalMeanMs !== null && out.ticks > 1) {
      intervalWeighted += out.intervalMeanMs * out.ticks;
      intervalTicks += out.ticks;
    }
  };

  const recording = (outcome: WatchOutcome, watchedMs: number): WatchRecording => {
    const thinned = bucketMax(timeline.tMs, timeline.max, o.timelinePoints);
    const countAt = new Map(timeline.tMs.map((t, i) => [t, timeline.countMax[i]!]));
    // Judge up to the last sample while the tree was alive: after the target exits, Σ RSS is 0 and says nothing.
    const endMs = lastAliveT ?? watchedMs;
    return {
      schema: 'membench-watch/1', tool: { name: 'membench', version: VERSION },
      pid: o.pid, command, startedAtEpochMs: Math.round(startedAtEpochMs), watchedMs: Math.round(watchedMs), outcome,
      intervalMsAsked: o.intervalMs, intervalMsAchieved: intervalTicks > 0 ? intervalWeighted / intervalTicks : null,
      ticks: timeline.samples, missedTicks: missed,
      peakRssSumBytes: peakRss, finalRssSumBytes: lastLive, peakPssSumBytes: peakPss, maxProcesses: maxProcs,
      leak: leakVerdict({ tMs: [...timeline.tMs], bytes: [...timeline.mean] }, endMs + 1),
      timeline: { tMs: thinned.tMs.map((t) => Math.round(t * 1000) / 1000), rssSumBytes: thinned.bytes.map(Math.round), processCount: thinned.tMs.map((t) => countAt.get(t) ?? 0) },
      processes: [...processes.values()],
    };
  };

  let outcome: WatchOutcome | null = null;
  o.interrupted.then((signal) => (outcome ??= { state: 'interrupted', signal }), () => undefined);
  let lastProgress = -Infinity;
  while (outcome === null) {
    await new Promise((r) => setTimeout(r, Math.min(100, o.intervalMs * 2)));
    const now = performance.now();
    const elapsed = now - t0;
    if (elapsed - lastProgress >= 500) {
      lastProgress = elapsed;
      o.onProgress(sampler.latestTreeBytes, sampler.alive, elapsed);
    }
    if (o.durationMs !== null && elapsed >= o.durationMs) outcome = { state: 'duration-reached', durationMs: o.durationMs };
    else if (sampler.ticks > 2 && sampler.alive === 0 && !pidAlive(o.pid)) outcome = { state: 'target-exited' };
    else if (now - segmentStart >= checkpointMs) {
      // Hand over to a fresh sampler before stopping the old one, so no instant goes unsampled.
      const next = await startSampler();
      next.begin(o.pid, startedAtEpochMs);
      fold(await sampler.stop());
      sampler = next;
      segmentStart = performance.now();
      o.onCheckpoint?.(recording({ state: 'in-progress' }, performance.now() - t0));
    }
  }
  const watchedMs = performance.now() - t0;
  fold(await sampler.stop());
  return recording(outcome, watchedMs);
}
