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
    this.data = Object.fromEntries(keys.map((k) => [k, new Float64Array(initialCapacity)])) as Record<K, Float64Array>;
  }

  /** Appends a row; values are given in the order of `keys`. */
  push(...values: number[]): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    for (let k = 0; k < this.keys.length; k++) this.data[this.keys[k]!][i] = values[k]!;
  }

  private grow(): void {
    this.capacity *= 2;
    for (const k of this.keys) {
      const next = new Float64Array(this.capacity);
      next.set(this.data[k]);
      this.data[k] = next;
    }
  }

  /** Trimmed copies, one per key. */
  toArrays(): Record<K, Float64Array> {
    return Object.fromEntries(this.keys.map((k) => [k, this.data[k].slice(0, this.length)])) as Record<K, Float64Array>;
  }
}
