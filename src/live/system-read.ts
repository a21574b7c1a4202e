// Reads what `membench system` reports, from a /proc root (tests point it at captured files).
import { readFileSync } from 'node:fs';
import { parseFlatKeyed } from '../probe/cgroup.js';
import { readBuddyinfo } from '../probe/buddyinfo.js';
import { readMeminfo } from '../probe/meminfo.js';
import { readMemoryPressure } from '../probe/pressure.js';
import { readKernelRelease, readPageSize, type ProcRoot } from '../probe/proc.js';
import { readSlabinfo } from '../probe/slabinfo.js';
import { readVmTunables } from '../probe/vm-tunables.js';
import type { SystemInputs } from './system.js';

export function readVmstat(root: ProcRoot, name = 'vmstat'): Map<string, number> {
  const file = `${root.proc}/${name}`;
  return parseFlatKeyed(readFileSync(file, 'utf8'), file);
}

/**
 * Reads vmstat, waits `windowMs` (the injected sleep), reads it again with everything else.
 * `laterVmstat` names the second vmstat file: tests use a captured "vmstat.later".
 */
export async function readSystemInputs(
  root: ProcRoot,
  windowMs: number,
  sleep: (ms: number) => Promise<void>,
  now: () => number,
  laterVmstat = 'vmstat',
): Promise<SystemInputs> {
  const vmstatBefore = readVmstat(root);
  const t0 = now();
  await sleep(windowMs);
  const vmstatAfter = readVmstat(root, laterVmstat);
  const measuredMs = now() - t0;
  return {
    kernel: readKernelRelease(root),
    takenAtEpochMs: Date.now(),
    pageSizeBytes: readPageSize(root),
    meminfo: readMeminfo(root),
    vmstatBefore,
    vmstatAfter,
    windowMs: measuredMs,
    buddy: readBuddyinfo(root),
    slabs: readSlabinfo(root),
    tunables: readVmTunables(root),
    pressure: readMemoryPressure(root),
  };
}
