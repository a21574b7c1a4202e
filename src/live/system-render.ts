// Terminal rendering of `membench system`: one section per kernel view, warnings first.
import { formatBytes, formatPercent } from '../report/units.js';
import { table } from './render.js';
import type { SystemReport } from './system.js';

const OVERCOMMIT = { 0: 'heuristic (0)', 1: 'always (1)', 2: 'strict (2)' } as const;
const orNone = (v: number | null, f: (n: number) => string): string => (v === null ? 'unreadable' : f(v));

export function renderSystem(r: SystemReport): string {
  const m = r.memory;
  const a = r.activity;
  const out: string[] = [];
  out.push(`membench system — kernel ${r.kernel}`);
  out.push('');
  if (r.warnings.length === 0) out.push('no warnings: nothing looks wrong');
  for (const w of r.warnings) out.push(`warning (${w.section}): ${w.message}`);
  out.push('', 'memory (/proc/meminfo)');
  out.push(
    table(
      [
        ['total', formatBytes(m.totalBytes), 'available', formatBytes(m.availableBytes), 'free', formatBytes(m.freeBytes)],
        ['anon', formatBytes(m.anonBytes), 'page cache', formatBytes(m.cachedBytes), 'buffers', formatBytes(m.buffersBytes)],
        [
          'shmem',
          formatBytes(m.shmemBytes),
          'slab reclaimable',
          formatBytes(m.slabReclaimableBytes),
          'slab unreclaimable',
          formatBytes(m.slabUnreclaimableBytes),
        ],
        [
          'page tables',
          formatBytes(m.pageTablesBytes),
          'dirty',
          formatBytes(m.dirtyBytes),
          'huge pages',
          `${m.hugePagesFree} free of ${m.hugePagesTotal}`,
        ],
        [
          'swap',
          m.swapTotalBytes === 0 ? 'none' : `${formatBytes(m.swapTotalBytes - m.swapFreeBytes)} used of ${formatBytes(m.swapTotalBytes)}`,
          'committed',
          formatBytes(m.committedBytes),
          'commit limit',
          formatBytes(m.commitLimitBytes),
        ],
      ].map((row) => row.map((c, i) => (i % 2 === 0 ? `${c}:` : c))),
    ),
  );
  out.push('', `activity over ${(a.windowMs / 1000).toFixed(1)} s (/proc/vmstat)`);
  out.push(
    table([
      ['swap in', `${a.swapInPagesPerSec.toFixed(0)} pages/s`, 'swap out', `${a.swapOutPagesPerSec.toFixed(0)} pages/s`],
      ['faults', `${a.faultsPerSec.toFixed(0)} /s`, 'major faults', `${a.majorFaultsPerSec.toFixed(0)} /s`],
      [
        'reclaim scan',
        `${a.reclaimScanPagesPerSec.toFixed(0)} pages/s`,
        'OOM kills since boot',
        a.oomKillsSinceBoot === null ? '—' : String(a.oomKillsSinceBoot),
      ],
    ]),
  );
  out.push('', `fragmentation (/proc/buddyinfo; free blocks by order, order ${r.fragmentation.hugePageOrder} = 2 MiB)`);
  const orders = Math.max(0, ...r.fragmentation.zones.map((z) => z.freeBlocks.length));
  out.push(
    table([
      ['zone', 'free', ...Array.from({ length: orders }, (_, k) => String(k)), 'unusable for 2 MiB'],
      ...r.fragmentation.zones.map((z) => [
        `${z.node}/${z.zone}`,
        formatBytes(z.freeBytes),
        ...z.freeBlocks.map(String),
        formatPercent(z.unusableForHugePage, 0),
      ]),
    ]),
  );
  // On some machines (VMs with memory hot-plugged or set aside) the zones listed hold much less than MemFree says.
  const zonesFree = r.fragmentation.zones.reduce((sum, z) => sum + z.freeBytes, 0);
  const memFree = r.memory.freeBytes;
  if (memFree !== null && memFree > 0 && zonesFree < 0.9 * memFree) {
    out.push(
      `the zones listed hold ${formatBytes(zonesFree)} of the ${formatBytes(memFree)} free that meminfo counts: this view covers that part only`,
    );
  }
  out.push('', 'slab caches (/proc/slabinfo)');
  if (!r.slab.readable) out.push('unreadable (needs root)');
  else {
    out.push(
      table([
        ['cache', 'size', 'objects', 'in use', 'object size'],
        ...r.slab.top.map((c) => [
          c.name,
          formatBytes(c.bytes),
          String(c.objects),
          formatPercent(c.objects > 0 ? c.activeObjects / c.objects : null, 0),
          `${c.objectSizeBytes} B`,
        ]),
      ]),
    );
    out.push(`all caches: ${formatBytes(r.slab.totalBytes)}`);
  }
  const t = r.tunables;
  out.push('', 'tunables (/proc/sys/vm)');
  out.push(
    `swappiness ${orNone(t.swappiness, String)}; min_free_kbytes ${orNone(t.minFreeBytes, (b) => formatBytes(b))}; overcommit_memory ${t.overcommitMemory === null ? 'unreadable' : OVERCOMMIT[t.overcommitMemory]}; overcommit_ratio ${orNone(t.overcommitRatio, (n) => `${n} %`)}`,
  );
  out.push('', 'pressure (/proc/pressure/memory, % of time stalled over 10 s / 60 s / 300 s)');
  const p = r.pressure;
  if (p === null) out.push('unavailable (kernel without PSI)');
  else {
    out.push(`some ${p.some.avg10.toFixed(2)} / ${p.some.avg60.toFixed(2)} / ${p.some.avg300.toFixed(2)}`);
    if (p.full) out.push(`full ${p.full.avg10.toFixed(2)} / ${p.full.avg60.toFixed(2)} / ${p.full.avg300.toFixed(2)}`);
  }
  return `${out.join('\n')}\n`;
}
