// Synthetic memory series for the diagnosis tests: deterministic (seeded) noise, shapes named after what they model.
import type { Series } from '../../src/analyze/trend.js';

export const MIB = 1024 * 1024;

/** Park–Miller LCG in [0, 1): the same sequence on every run. */
export function rng(seed: number): () => number {
  let x = seed % 2147483647 || 1;
  return () => {
    x = (x * 48271) % 2147483647;
    return x / 2147483647;
  };
}

/** Samples f(t) every `stepMs` over [0, durationMs], rounded to 4 KiB pages, plus uniform noise of ±noise bytes. */
export function series(durationMs: number, stepMs: number, f: (tMs: number) => number, noise = 0, seed = 1): Series {
  const r = rng(seed);
  const tMs: number[] = [];
  const bytes: number[] = [];
  for (let t = 0; t <= durationMs; t += stepMs) {
    tMs.push(t);
    bytes.push(Math.max(0, Math.round((f(t) + (r() * 2 - 1) * noise) / 4096) * 4096));
  }
  return { tMs, bytes };
}

/** Start-up: 0 → base over the first `ms` (loading, imports). */
export const startup =
  (base: number, ms = 100) =>
  (t: number): number =>
    t < ms ? (base * t) / ms : base;
