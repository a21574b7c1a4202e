// Statistics small enough for the sampler thread itself: imports nothing, so sample/ needs nothing from analyze/.

/** Nearest-rank percentile (q in [0, 1]) of an ascending-sorted array: sorted[ceil(q·n) − 1], clamped; null when empty. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
