// `membench system`: the machine's memory state in one report — meminfo, activity over a short window,
// fragmentation (buddyinfo), slab caches, VM tunables and PSI — each with a plain warning when it looks wrong.
import type { BuddyZone } from '../probe/buddyinfo.js';
import { freePages, unusableIndex } from '../probe/buddyinfo.js';
import type { Meminfo } from '../probe/meminfo.js';
import type { Pressure } from '../probe/pressure.js';
import { slabBytes, type SlabCache } from '../probe/slabinfo.js';
import type { VmTunables } from '../probe/vm-tunables.js';
import { MIB } from '../units.js';
import { SYSTEM_KIND, SYSTEM_SCHEMA_VERSION, THIS_TOOL } from '../document/kinds.js';

/** Everything read from the kernel, so that the report is a pure function of it (tests feed captured files). */
export interface SystemInputs {
  readonly kernel: string;
  readonly takenAtEpochMs: number;
  readonly pageSizeBytes: number;
  readonly meminfo: Meminfo;
  /** /proc/vmstat at the start and at the end of the window. */
  readonly vmstatBefore: ReadonlyMap<string, number>;
  readonly vmstatAfter: ReadonlyMap<string, number>;
  readonly windowMs: number;
  readonly buddy: readonly BuddyZone[];
  /** null: slabinfo unreadable (not root). */
  readonly slabs: readonly SlabCache[] | null;
  readonly tunables: VmTunables;
  /** null: no PSI on this kernel. */
  readonly pressure: Pressure | null;
}

export interface SystemWarning {
  readonly section: 'memory' | 'activity' | 'fragmentation' | 'slab' | 'tunables' | 'pressure';
  readonly message: string;
}

export interface ZoneFragmentation {
  readonly node: number;
  readonly zone: string;
  readonly freeBytes: number;
  readonly freeBlocks: readonly number[];
  /** Largest order with a free block, or null when the zone has none. */
  readonly largestFreeOrder: number | null;
  /** Share of free memory in blocks too small for a 2 MiB (order 9 with 4 KiB pages) allocation. */
  readonly unusableForHugePage: number | null;
  /** Same for 64 KiB (order 4): a typical high-order kernel allocation. */
  readonly unusableForOrder4: number | null;
}

export interface SlabCacheUse {
  readonly name: string;
  readonly bytes: number;
  readonly activeObjects: number;
  readonly objects: number;
  readonly objectSizeBytes: number;
}

export interface SystemReport {
  readonly kind: typeof SYSTEM_KIND;
  readonly schemaVersion: typeof SYSTEM_SCHEMA_VERSION;
  readonly tool: typeof THIS_TOOL;
  readonly kernel: string;
  readonly takenAtEpochMs: number;
  readonly memory: {
    readonly totalBytes: number;
    readonly freeBytes: number;
    readonly availableBytes: number | null;
    readonly buffersBytes: number;
    readonly cachedBytes: number;
    readonly anonBytes: number;
    readonly shmemBytes: number;
    readonly slabReclaimableBytes: number;
    readonly slabUnreclaimableBytes: number;
    readonly pageTablesBytes: number;
    readonly dirtyBytes: number;
    readonly swapTotalBytes: number;
    readonly swapFreeBytes: number;
    readonly committedBytes: number;
    readonly commitLimitBytes: number;
    readonly hugePagesTotal: number;
    readonly hugePagesFree: number;
  };
  readonly activity: {
    readonly windowMs: number;
    readonly swapInPagesPerSec: number;
    readonly swapOutPagesPerSec: number;
    readonly faultsPerSec: number;
    readonly majorFaultsPerSec: number;
    /** Pages scanned by reclaim (kswapd + direct): non-zero means the kernel is hunting for free memory. */
    readonly reclaimScanPagesPerSec: number;
    /** Processes the OOM killer ended during the window (vmstat oom_kill, Linux ≥ 4.13). */
    readonly oomKillsInWindow: number;
    readonly oomKillsSinceBoot: number | null;
  };
  readonly fragmentation: { readonly hugePageOrder: number; readonly zones: readonly ZoneFragmentation[] };
  readonly slab: { readonly readable: boolean; readonly totalBytes: number | null; readonly top: readonly SlabCacheUse[] };
  readonly tunables: VmTunables;
  readonly pressure: Pressure | null;
  readonly warnings: readonly SystemWarning[];
}

const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;
const mib = (b: number): string => `${(b / MIB).toFixed(0)} MiB`;

/** Per-second rate of a vmstat counter over the window (sum of several keys; absent keys count 0). */
function rate(i: SystemInputs, ...keys: string[]): number {
  const d = keys.reduce((s, k) => s + ((i.vmstatAfter.get(k) ?? 0) - (i.vmstatBefore.get(k) ?? 0)), 0);
  return i.windowMs > 0 ? Math.max(0, d) / (i.windowMs / 1000) : 0;
}

/** Order of a 2 MiB block with this page size (9 with 4 KiB pages). */
export const hugePageOrder = (pageSizeBytes: number): number => Math.max(0, Math.round(Math.log2((2 * MIB) / pageSizeBytes)));

export function buildSystemReport(i: SystemInputs, topSlabs = 10): SystemReport {
  const m = (k: string): number => i.meminfo.get(k) ?? 0;
  const memory = {
    totalBytes: m('MemTotal'),
    freeBytes: m('MemFree'),
    availableBytes: i.meminfo.get('MemAvailable') ?? null,
    buffersBytes: m('Buffers'),
    cachedBytes: m('Cached'),
    anonBytes: m('AnonPages'),
    shmemBytes: m('Shmem'),
    slabReclaimableBytes: m('SReclaimable'),
    slabUnreclaimableBytes: m('SUnreclaim'),
    pageTablesBytes: m('PageTables'),
    dirtyBytes: m('Dirty'),
    swapTotalBytes: m('SwapTotal'),
    swapFreeBytes: m('SwapFree'),
    committedBytes: m('Committed_AS'),
    commitLimitBytes: m('CommitLimit'),
    hugePagesTotal: m('HugePages_Total'),
    hugePagesFree: m('HugePages_Free'),
  };
  const activity = {
    windowMs: i.windowMs,
    swapInPagesPerSec: rate(i, 'pswpin'),
    swapOutPagesPerSec: rate(i, 'pswpout'),
    faultsPerSec: rate(i, 'pgfault'),
    majorFaultsPerSec: rate(i, 'pgmajfault'),
    reclaimScanPagesPerSec: rate(i, 'pgscan_kswapd', 'pgscan_direct'),
    oomKillsInWindow: Math.max(0, (i.vmstatAfter.get('oom_kill') ?? 0) - (i.vmstatBefore.get('oom_kill') ?? 0)),
    oomKillsSinceBoot: i.vmstatAfter.get('oom_kill') ?? null,
  };
  const order = hugePageOrder(i.pageSizeBytes);
  const zones = i.buddy.map((z): ZoneFragmentation => {
    const largest = z.freeBlocks.reduce<number | null>((best, n, k) => (n > 0 ? k : best), null);
    return {
      node: z.node,
      zone: z.zone,
      freeBytes: freePages(z) * i.pageSizeBytes,
      freeBlocks: z.freeBlocks,
      largestFreeOrder: largest,
      unusableForHugePage: unusableIndex(z, order),
      unusableForOrder4: unusableIndex(z, 4),
    };
  });
  const slabUse = i.slabs?.map(
    (c): SlabCacheUse => ({
      name: c.name,
      bytes: slabBytes(c, i.pageSizeBytes),
      activeObjects: c.activeObjects,
      objects: c.objects,
      objectSizeBytes: c.objectSizeBytes,
    }),
  );
  const slab = {
    readable: i.slabs !== null,
    totalBytes: slabUse ? slabUse.reduce((s, c) => s + c.bytes, 0) : null,
    top: slabUse ? [...slabUse].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)).slice(0, topSlabs) : [],
  };
  const report: Omit<SystemReport, 'warnings'> = {
    kind: SYSTEM_KIND,
    schemaVersion: SYSTEM_SCHEMA_VERSION,
    tool: THIS_TOOL,
    kernel: i.kernel,
    takenAtEpochMs: i.takenAtEpochMs,
    memory,
    activity,
    fragmentation: { hugePageOrder: order, zones },
    slab,
    tunables: i.tunables,
    pressure: i.pressure,
  };
  return { ...report, warnings: systemWarnings(report) };
}

/** The thresholds are rules of thumb, said in each message so that the reader can judge them. */
export function systemWarnings(r: Omit<SystemReport, 'warnings'>): SystemWarning[] {
  const w: SystemWarning[] = [];
  const { memory: mem, activity: act, tunables: t } = r;
  if (mem.availableBytes !== null && mem.totalBytes > 0 && mem.availableBytes < 0.1 * mem.totalBytes) {
    w.push({
      section: 'memory',
      message: `only ${mib(mem.availableBytes)} of ${mib(mem.totalBytes)} is available (under 10 %): new allocations will push out page cache, swap, or wake the OOM killer`,
    });
  }
  const swapUsed = mem.swapTotalBytes - mem.swapFreeBytes;
  if (mem.swapTotalBytes > 0 && swapUsed > 0.5 * mem.swapTotalBytes)
    w.push({ section: 'memory', message: `${pct(swapUsed / mem.swapTotalBytes)} of swap is in use (${mib(swapUsed)})` });
  if (act.swapInPagesPerSec > 0 || act.swapOutPagesPerSec > 0) {
    w.push({
      section: 'activity',
      message: `the machine is swapping right now: ${act.swapInPagesPerSec.toFixed(0)} pages/s in, ${act.swapOutPagesPerSec.toFixed(0)} pages/s out — memory timings measured now will be slow and noisy`,
    });
  }
  if (act.majorFaultsPerSec > 100)
    w.push({
      section: 'activity',
      message: `${act.majorFaultsPerSec.toFixed(0)} major faults/s (pages read back from disk; over 100/s): the working set does not fit in RAM`,
    });
  if (act.oomKillsInWindow > 0)
    w.push({
      section: 'activity',
      message: `the OOM killer ended ${act.oomKillsInWindow} process${act.oomKillsInWindow === 1 ? '' : 'es'} during the window (dmesg says which)`,
    });
  if (act.reclaimScanPagesPerSec > 0)
    w.push({
      section: 'activity',
      message: `the kernel is reclaiming memory (${act.reclaimScanPagesPerSec.toFixed(0)} pages/s scanned): free memory is short`,
    });
  // Machine-wide, not per zone: a 2 MiB allocation can come from any zone with a free 2 MiB block, and the
  // small DMA zones always look fragmented. Only judged with real free memory (≥ 64 MiB).
  const freeAll = r.fragmentation.zones.reduce((s, z) => s + z.freeBytes, 0);
  const unusableAll = r.fragmentation.zones.reduce((s, z) => s + (z.unusableForHugePage ?? 0) * z.freeBytes, 0);
  if (freeAll >= 64 * MIB && unusableAll / freeAll > 0.9) {
    w.push({
      section: 'fragmentation',
      message: `${pct(unusableAll / freeAll)} of the ${mib(freeAll)} free is in blocks smaller than 2 MiB (over 90 %): huge pages and large kernel allocations need compaction first`,
    });
  }
  if (mem.totalBytes > 0 && mem.slabUnreclaimableBytes > 0.1 * mem.totalBytes) {
    w.push({
      section: 'slab',
      message: `unreclaimable slab is ${mib(mem.slabUnreclaimableBytes)}, over 10 % of RAM: a kernel cache is growing (see the top slab caches)`,
    });
  }
  if (t.swappiness === 0 && mem.swapTotalBytes > 0)
    w.push({
      section: 'tunables',
      message:
        'swappiness is 0 with swap configured: anonymous memory is swapped only under severe pressure, so the OOM killer may act first',
    });
  if (t.minFreeBytes !== null && mem.totalBytes > 0 && t.minFreeBytes > 0.05 * mem.totalBytes) {
    w.push({
      section: 'tunables',
      message: `min_free_kbytes reserves ${mib(t.minFreeBytes)}, over 5 % of RAM: that memory is never available to programs`,
    });
  }
  if (t.overcommitMemory === 2) {
    const used = mem.commitLimitBytes > 0 ? mem.committedBytes / mem.commitLimitBytes : 0;
    w.push({
      section: 'tunables',
      message: `overcommit_memory is 2 (strict): allocations fail once ${mib(mem.commitLimitBytes)} is committed (${pct(used)} now), even with RAM free — VSZ matters here`,
    });
  } else if (t.overcommitMemory === 1) {
    w.push({
      section: 'tunables',
      message: 'overcommit_memory is 1 (always): malloc never fails; running out of memory ends in the OOM killer instead',
    });
  }
  const p = r.pressure;
  if (p && p.some.avg10 > 10)
    w.push({
      section: 'pressure',
      message: `tasks stalled on memory ${p.some.avg10.toFixed(1)} % of the last 10 s (PSI some, over 10 %): the machine is short of memory`,
    });
  if (p?.full && p.full.avg10 > 1)
    w.push({
      section: 'pressure',
      message: `all tasks stalled on memory at once ${p.full.avg10.toFixed(1)} % of the last 10 s (PSI full, over 1 %): thrashing`,
    });
  return w;
}
