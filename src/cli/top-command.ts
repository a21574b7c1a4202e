// `membench top`: every process's RSS/PSS/USS/swap from smaps_rollup, sorted, with totals.
import { Command, Option } from 'commander';
import { parseCount } from './parse-values.js';
import { buildTop, scanProcesses, TOP_SORT_KEYS, type TopSortKey } from '../live/top.js';
import { renderTop } from '../live/render.js';
import { SYSTEM_PROC } from '../probe/proc.js';
import { EXIT } from '../errors.js';

export interface RawTopOptions {
  sort: string;
  limit?: string;
  json?: boolean;
}

export function addTopCommand(program: Command): void {
  program
    .command('top')
    .description('every process on the machine: RSS, PSS, USS and swap from smaps_rollup, sorted, with totals')
    .addOption(new Option('--sort <key>', 'sort by').choices([...TOP_SORT_KEYS]).default('pss'))
    .option('-n, --limit <n>', 'show the first N processes (default: 25 on a terminal, all with --json)')
    .option('--json', 'print the snapshot as JSON on stdout (totals cover every process, listed or not)')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .action(async () => undefined);
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
