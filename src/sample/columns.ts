// Growable Float64 columns: the sampler appends one row per tick without allocating per sample.

export class Columns<K extends string> {
  private data: Record<K, Float64Array>;
  length = 0;
  private capacity: number;

  constructor(
    private readonly keys: readonly K[],
    initialCapacity = 4096,
  ) {
    this.capacity = initialCapacity;
    if (keys.length > 6) throw new Error('Columns holds at most 6 keys');
    this.data = Object.fromEntries(keys.map((k) => [k, new Float64Array(initialCapacity)])) as Record<K, Float64Array>;
    this.cols = keys.map((k) => this.data[k]);
  }

  /** Appends a row; values in the order of `keys` (fixed arity: no array is allocated per row). */
  push(a: number, b = NaN, c = NaN, d = NaN, e = NaN, f = NaN): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    const cols = this.cols;
    const n = cols.length;
    if (n > 0) cols[0]![i] = a;
    if (n > 1) cols[1]![i] = b;
    if (n > 2) cols[2]![i] = c;
    if (n > 3) cols[3]![i] = d;
    if (n > 4) cols[4]![i] = e;
    if (n > 5) cols[5]![i] = f;
  }

  /** The columns in key order, refreshed when they grow. */
  private cols: Float64Array[] = [];

  private grow(): void {
    this.capacity *= 2;
    for (const k of this.keys) {
      const next = new Float64Array(this.capacity);
      next.set(this.data[k]);
      this.data[k] = next;
    }
    this.cols = this.keys.map((k) => this.data[k]);
  }

  /** Trimmed copies, one per key. */
  toArrays(): Record<K, Float64Array> {
    return Object.fromEntries(this.keys.map((k) => [k, this.data[k].slice(0, this.length)])) as Record<K, Float64Array>;
  }

  /** The rows so far as trimmed copies, then empty (capacity kept: a long watch reuses the same arrays). */
  drain(): Record<K, Float64Array> {
    const rows = this.toArrays();
    this.length = 0;
    return rows;
  }
}
