// Per-mapping breakdown: where a tree's memory is — heap, stacks, anonymous mmaps, each shared library, the
// program's binary, other files, vdso/other — with Size/RSS/PSS/USS/swap, for the largest process and the tree.
import type { Breakdown, BreakdownGroup } from '../result.js';
import { mappingUssBytes, type ProcessSmaps, type SmapsMapping, type TreeSmaps } from '../probe/smaps.js';
import type { DiagnosisInput } from './input.js';

export const name = 'breakdown';
export const description = 'per-mapping breakdown from smaps near the peak: heap, stack, anonymous, each library, binary, files, other';

type Kind = BreakdownGroup['kind'];

const LIBRARY = /\.so(?:\.[\w.]+)?$/;
const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const DELETED = ' (deleted)';

/** Group of one mapping: [heap]/[stack]/anonymous by name, files by whether they are the binary or a library. */
export function classifyMapping(m: SmapsMapping, binaryPath: string | null): { kind: Kind; name: string } {
  const p = m.pathname;
  if (p === '') return { kind: 'anon', name: 'anonymous mmap' };
  if (p === '[heap]') return { kind: 'heap', name: '[heap]' };
  if (p === '[stack]' || p.startsWith('[stack:')) return { kind: 'stack', name: '[stack]' };
  if (p.startsWith('[anon:') || p.startsWith('[anon_shmem:')) return { kind: 'anon', name: 'anonymous mmap' };
  if (!p.startsWith('/')) return { kind: 'other', name: 'vdso/other' };
  const path = p.endsWith(DELETED) ? p.slice(0, -DELETED.length) : p;
  if (binaryPath !== null && path === binaryPath) return { kind: 'binary', name: basename(path) };
  if (LIBRARY.test(basename(path))) return { kind: 'library', name: basename(path) };
  return { kind: 'file', name: 'files' };
}

/** The program's own file: /proc/PID/exe when read, else the first file mapping that is not a library. */
function binaryPathOf(p: ProcessSmaps): string | null {
  if (p.exePath !== null) return p.exePath.endsWith(DELETED) ? p.exePath.slice(0, -DELETED.length) : p.exePath;
  const first = p.mappings.find((m) => m.pathname.startsWith('/') && !LIBRARY.test(basename(m.pathname)));
  return first?.pathname ?? null;
}

const emptyGroup = (kind: Kind, groupName: string): BreakdownGroup => ({
  kind,
  name: groupName,
  mappings: 0,
  sizeBytes: 0,
  rssBytes: 0,
  pssBytes: 0,
  ussBytes: 0,
  swapBytes: 0,
});

function addTo(groups: Map<string, BreakdownGroup>, kind: Kind, groupName: string, g: Omit<BreakdownGroup, 'kind' | 'name'>): void {
  const key = `${kind}\0${groupName}`;
  const cur = groups.get(key) ?? emptyGroup(kind, groupName);
  groups.set(key, {
    kind,
    name: groupName,
    mappings: cur.mappings + g.mappings,
    sizeBytes: cur.sizeBytes + g.sizeBytes,
    rssBytes: cur.rssBytes + g.rssBytes,
    pssBytes: cur.pssBytes + g.pssBytes,
    ussBytes: cur.ussBytes + g.ussBytes,
    swapBytes: cur.swapBytes + g.swapBytes,
  });
}

const byRss = (a: BreakdownGroup, b: BreakdownGroup): number => b.rssBytes - a.rssBytes || a.name.localeCompare(b.name);

/** Groups of one process, largest RSS first. Σ over groups of each figure equals the process's own total. */
export function processGroups(p: ProcessSmaps): BreakdownGroup[] {
  const binary = binaryPathOf(p);
  const groups = new Map<string, BreakdownGroup>();
  for (const m of p.mappings) {
    const c = classifyMapping(m, binary);
    addTo(groups, c.kind, c.name, {
      mappings: 1,
      sizeBytes: m.sizeBytes,
      rssBytes: m.rssBytes,
      pssBytes: m.pssBytes,
      ussBytes: mappingUssBytes(m),
      swapBytes: m.swapBytes,
    });
  }
  return [...groups.values()].sort(byRss);
}

const total = (groups: readonly BreakdownGroup[], f: 'rssBytes' | 'pssBytes' | 'ussBytes' | 'swapBytes'): number =>
  groups.reduce((a, g) => a + g[f], 0);

/**
 * Breakdown of one capture. Largest process = largest Σ RSS over its mappings. Tree groups are the sums of
 * the processes' groups with the same kind and name: RSS sums count shared pages once per process (as Σ RSS
 * does), PSS sums split them.
 */
export function breakdownOf(capture: TreeSmaps, cost: { captures: number; totalReadMs: number }): Breakdown {
  const perProcess = capture.processes.map((p) => ({ p, groups: processGroups(p) }));
  const largest = perProcess.reduce<(typeof perProcess)[number] | null>(
    (best, x) => (best === null || total(x.groups, 'rssBytes') > total(best.groups, 'rssBytes') ? x : best),
    null,
  );
  const tree = new Map<string, BreakdownGroup>();
  for (const { groups } of perProcess) for (const g of groups) addTo(tree, g.kind, g.name, g);
  const treeGroups = [...tree.values()].sort(byRss);
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    atMs: r3(Math.max(0, capture.atMs)),
    treeBytes: capture.treeBytes === null || !Number.isFinite(capture.treeBytes) ? null : Math.round(capture.treeBytes),
    processCount: capture.processes.length,
    unreadable: capture.unreadable,
    captures: cost.captures,
    readMs: r3(capture.readMs),
    totalReadMs: r3(cost.totalReadMs),
    largestProcess:
      largest === null
        ? null
        : { pid: largest.p.pid, name: largest.p.name, rssBytes: total(largest.groups, 'rssBytes'), groups: largest.groups },
    tree: {
      rssBytes: total(treeGroups, 'rssBytes'),
      pssBytes: total(treeGroups, 'pssBytes'),
      ussBytes: total(treeGroups, 'ussBytes'),
      swapBytes: total(treeGroups, 'swapBytes'),
      groups: treeGroups,
    },
  };
}

/** The analysis as the diagnosis runs it: null without a capture. */
export function run(input: DiagnosisInput): Breakdown | null {
  return input.smaps === null ? null : breakdownOf(input.smaps, input.smapsCost);
}
