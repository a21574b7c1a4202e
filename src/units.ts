// Units for words meant for people: bytes as KiB/MiB/GiB (2^10, 2^20, 2^30), durations as ms/s, ratios as %.
// Low-level (imports nothing) so analyses that explain themselves in words and the renderers share one spelling.

/** 2^10 and 2^20 bytes: the KiB and MiB every figure is shown in. */
export const KIB = 1024;
export const MIB = 1024 * KIB;

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const abs = Math.abs(bytes);
  if (abs < 1024) return `${Math.round(bytes)} B`;
  if (abs < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (abs < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * A size someone asked for (a payload of --payload-scan), written exactly and short: the largest of GiB, MiB, KiB
 * in which it is a whole number or has at most two decimals that are exact (1 MiB, 1.5 KiB, 100 KiB), otherwise
 * in bytes (1000 B). formatBytes rounds a measured figure; this never rounds.
 */
export function formatSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes)) return formatBytes(bytes);
  for (const [unit, name] of [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ] as const) {
    if (Math.abs(bytes) >= unit && (bytes * 100) % unit === 0) return `${bytes / unit} ${name}`;
  }
  return `${bytes} B`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 3 : 1)} s`;
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)} %`;
}
