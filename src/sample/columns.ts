// Growable Float64 columns: the sampler appends one row per tick without allocating per sample.
//
// Rows go into fixed-size chunks, never into one array that doubles: a doubling copy of 2 M rows held the 1 ms
// loop for 52 ms (about 35 min into a run at 1 kHz), a new chunk costs one small zeroed allocation. The chunks
// are joined once, when the rows are handed over (toArrays / drain).

/** Rows per chunk: 16 Ki rows × 8 bytes = 128 KiB per column, 16 s at 1 kHz. */
export const CHUNK_ROWS = 16_384;

export class Columns<K extends string> {
  /** Full chunks, per column in key order. */
  private full: Float64Array[][];
  /** The chunk being filled, per column in key order. */
  private cols: Float64Array[];
  /** Rows in the chunk being filled. */
  private fill = 0;

  constructor(
    private readonly keys: readonly K[],
    private readonly chunkRows = CHUNK_ROWS,
  ) {
    if (keys.length > 6) throw new Error('Columns holds at most 6 keys');
    this.full = keys.map(() => []);
    this.cols = keys.map(() => new Float64Array(chunkRows));
  }

  /** Rows held. */
  get length(): number {
    return this.full[0]!.length * this.chunkRows + this.fill;
  }

  /** Appends a row; values in the order of `keys` (fixed arity: no array is allocated per row). */
  push(a: number, b = NaN, c = NaN, d = NaN, e = NaN, f = NaN): void {
    if (this.fill === this.chunkRows) this.nextChunk();
    const i = this.fill++;
    const cols = this.cols;
    const n = cols.length;
    if (n > 0) cols[0]![i] = a;
    if (n > 1) cols[1]![i] = b;
    if (n > 2) cols[2]![i] = c;
    if (n > 3) cols[3]![i] = d;
    if (n > 4) cols[4]![i] = e;
    if (n > 5) cols[5]![i] = f;
  }

  private nextChunk(): void {
    this.cols.forEach((col, k) => this.full[k]!.push(col));
    this.cols = this.keys.map(() => new Float64Array(this.chunkRows));
    this.fill = 0;
  }

  /** One contiguous copy per key, in row order. */
  toArrays(): Record<K, Float64Array> {
    const total = this.length;
    return Object.fromEntries(
      this.keys.map((key, k) => {
        const out = new Float64Array(total);
        let at = 0;
        for (const chunk of this.full[k]!) {
          out.set(chunk, at);
          at += chunk.length;
        }
        out.set(this.cols[k]!.subarray(0, this.fill), at);
        return [key, out];
      }),
    ) as Record<K, Float64Array>;
  }

  /** The rows so far as contiguous copies, then empty (the current chunk is kept: a long watch reuses it). */
  drain(): Record<K, Float64Array> {
    const rows = this.toArrays();
    this.full = this.keys.map(() => []);
    this.fill = 0;
    return rows;
  }
}
