// The bounded timeline of a long watch: pairwise-merged buckets (max for peaks, mean for the leak verdict).

/**
 * Points a live leak verdict is judged on (watch and serve), whatever the uptime: bucket means merged pairwise.
 * Judging every 2 s on more (watch's 8192-point timeline) was a long watch's largest main-thread allocation.
 */
export const VERDICT_POINTS = 1024;

/** Keeps at most `points` samples: the maximum of each bucket (peaks survive thinning), and where each came from. */
export function bucketMax(
  tMs: readonly number[],
  bytes: readonly number[],
  points: number,
): { tMs: number[]; bytes: number[]; index: number[] } {
  if (tMs.length <= points) return { tMs: [...tMs], bytes: [...bytes], index: tMs.map((_, i) => i) };
  const outT: number[] = [];
  const outB: number[] = [];
  const index: number[] = [];
  const per = tMs.length / points;
  for (let b = 0; b < points; b++) {
    const from = Math.floor(b * per);
    const to = Math.min(tMs.length, Math.floor((b + 1) * per));
    let best = from;
    for (let i = from; i < to; i++) if (bytes[i]! > bytes[best]!) best = i;
    outT.push(tMs[best]!);
    outB.push(bytes[best]!);
    index.push(best);
  }
  return { tMs: outT, bytes: outB, index };
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
