// `membench top`: every process's RSS/PSS/USS/swap from smaps_rollup, sorted, with totals.
import { parseCount } from './parse-values.js';
import { buildTop, scanProcesses, type TopSortKey } from '../live/top.js';
import { renderTop } from '../live/render.js';
import { SYSTEM_PROC } from '../probe/proc.js';
import { EXIT } from '../errors.js';

export interface RawTopOptions {
  sort: string;
  limit?: string;
  json?: boolean;
}

export async function topCommand(raw: RawTopOptions): Promise<number> {
  const sort = raw.sort as TopSortKey;
  const limit = raw.limit !== undefined ? parseCount('--limit', raw.limit, 1) : raw.json ? null : 25;
  const t0 = performance.now();
  const scan = scanProcesses(SYSTEM_PROC);
  const snapshot = buildTop(scan, sort, limit, Date.now(), performance.now() - t0);
  process.stdout.write(raw.json ? `${JSON.stringify(snapshot, null, 2)}\n` : renderTop(snapshot, process.stdout.columns ? Math.max(20, process.stdout.columns - 50) : 80));
  return EXIT.OK;
}
