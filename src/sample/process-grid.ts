// Per-process RSS over time on one shared, self-coarsening time grid: the slow sampler thread records each
// member's VmRSS at every status pass; when the grid is full, neighbouring buckets merge (maximum kept), so the
// memory held stays bounded whatever the run length and no peak is lost.

/** Marks a bucket where the process was not read. */
export const NO_READ = 0xffffffff;

/** What the slow thread hands over: the grid and one series per process (KiB, NO_READ where not read). */
export interface ProcessGridOutput {
  /** Status passes merged into one bucket (1, 2, 4, …). */
  readonly passesPerBucket: number;
  /** Time of each bucket's first pass, ms since spawn. */
  readonly tMs: Float64Array;
  readonly series: readonly { readonly pid: number; readonly firstBucket: number; readonly rssKib: Uint32Array }[];
}

interface Series {
  first: number;
  length: number;
  kib: Uint32Array;
}

export class ProcessGrid {
  private passesPerBucket = 1;
  private passes = 0;
  private buckets = 0;
  private current = -1;
  private readonly tMs: Float64Array;
  private readonly series = new Map<number, Series>();

  /** maxBuckets ≥ 2: the grid never holds more buckets than this (each process at most this many values). */
  constructor(private readonly maxBuckets: number) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2) throw new Error(`ProcessGrid: maxBuckets ${maxBuckets} must be an integer ≥ 2`);
    this.tMs = new Float64Array(maxBuckets);
  }

  /** Starts a status pass at tMs: following record() calls land in its bucket. */
  beginPass(tMs: number): void {
    if (Math.floor(this.passes / this.passesPerBucket) >= this.maxBuckets) this.halve();
    const b = Math.floor(this.passes / this.passesPerBucket);
    if (b === this.buckets) {
      this.tMs[b] = tMs;
      this.buckets++;
    }
    this.current = b;
    this.passes++;
  }

  /** One VmRSS read of pid in the current pass (the bucket keeps the largest). */
  record(pid: number, rssKib: number): void {
    if (this.current < 0 || !(rssKib >= 0)) return;
    let s = this.series.get(pid);
    if (!s) {
      s = { first: this.current, length: 0, kib: new Uint32Array(16).fill(NO_READ) };
      this.series.set(pid, s);
    }
    const i = this.current - s.first;
    if (i >= s.kib.length) {
      const grown = new Uint32Array(Math.min(this.maxBuckets, Math.max(s.kib.length * 2, i + 1))).fill(NO_READ);
      grown.set(s.kib.subarray(0, s.length));
      s.kib = grown;
    }
    const v = Math.min(rssKib, NO_READ - 1);
    if (s.kib[i] === NO_READ || v > s.kib[i]!) s.kib[i] = v;
    if (i + 1 > s.length) s.length = i + 1;
  }

  /** Twice as many passes per bucket: bucket 2j and 2j+1 become j, keeping the first time and the maximum. */
  private halve(): void {
    this.passesPerBucket *= 2;
    const n = Math.ceil(this.buckets / 2);
    for (let j = 0; j < n; j++) this.tMs[j] = this.tMs[2 * j]!;
    this.buckets = n;
    for (const s of this.series.values()) {
      const first = s.first >> 1;
      const end = (s.first + s.length - 1) >> 1;
      const merged = new Uint32Array(Math.max(16, end - first + 1)).fill(NO_READ);
      for (let i = 0; i < s.length; i++) {
        const v = s.kib[i]!;
        if (v === NO_READ) continue;
        const k = ((s.first + i) >> 1) - first;
        if (merged[k] === NO_READ || v > merged[k]!) merged[k] = v;
      }
      s.first = first;
      s.length = end - first + 1;
      s.kib = merged;
    }
  }

  output(): ProcessGridOutput {
    return {
      passesPerBucket: this.passesPerBucket,
      tMs: this.tMs.slice(0, this.buckets),
      series: [...this.series].map(([pid, s]) => ({ pid, firstBucket: s.first, rssKib: s.kib.slice(0, s.length) })),
    };
  }
}
