// cgroup views: /proc/PID/cgroup, cgroup mounts from mountinfo, memory.stat, cgroup.procs, OOM counters.
// Pure parsers; the layout decision (v1, v2, hybrid) is made from their output in run/cgroup.ts.
import { ProbeParseError, parseCount } from './errors.js';

export interface CgroupMembership {
  readonly hierarchyId: number;
  /** v1 controllers of this hierarchy ("memory", "name=systemd", …); empty for the v2 unified hierarchy. */
  readonly controllers: readonly string[];
  /** Path relative to the hierarchy's mount root, starting with "/". */
  readonly path: string;
}

/** Parses /proc/PID/cgroup: "ID:controller,list:/path" per line; v2 is "0::/path". */
export function parseProcCgroup(text: string, file = '/proc/self/cgroup'): CgroupMembership[] {
  return text.split('\n').flatMap((line, i) => {
    if (line === '') return [];
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first <= 0 || second < 0) throw new ProbeParseError(file, i + 1, 'expected "ID:controllers:/path"');
    const path = line.slice(second + 1);
    if (!path.startsWith('/')) throw new ProbeParseError(file, i + 1, `path ${JSON.stringify(path)} does not start with /`);
    const list = line.slice(first + 1, second);
    return [
      {
        hierarchyId: parseCount(line.slice(0, first), file, i + 1, 'hierarchy id'),
        controllers: list === '' ? [] : list.split(','),
        path,
      },
    ];
  });
}

/**
 * The cgroup that accounts a process's memory: the v1 "memory" hierarchy's path when there is one (v1 or
 * hybrid layouts), else the v2 unified path ("0::/…"); null when neither is listed.
 */
export function memoryCgroupPath(memberships: readonly CgroupMembership[]): string | null {
  return (
    memberships.find((m) => m.controllers.includes('memory'))?.path ??
    memberships.find((m) => m.hierarchyId === 0 && m.controllers.length === 0)?.path ??
    null
  );
}

export interface CgroupMount {
  readonly version: 1 | 2;
  readonly mountPoint: string;
  /** The hierarchy path mounted there (usually "/"). */
  readonly root: string;
  /** v1 controllers from the super options; empty for v2. */
  readonly controllers: readonly string[];
}

const unescapeMount = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** Parses /proc/PID/mountinfo and keeps cgroup and cgroup2 mounts (proc(5): fields 4 root, 5 mount point, after " - ": type, source, super options). */
export function parseCgroupMounts(text: string, file = '/proc/self/mountinfo'): CgroupMount[] {
  const v1Controllers = new Set([
    'memory',
    'cpu',
    'cpuacct',
    'cpuset',
    'pids',
    'freezer',
    'blkio',
    'devices',
    'net_cls',
    'net_prio',
    'perf_event',
    'hugetlb',
    'rdma',
    'misc',
  ]);
  return text.split('\n').flatMap((line, i): CgroupMount[] => {
    if (line === '') return [];
    const sep = line.indexOf(' - ');
    if (sep < 0) throw new ProbeParseError(file, i + 1, 'no " - " separator');
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 5 || right.length < 3) throw new ProbeParseError(file, i + 1, 'too few fields');
    const type = right[0];
    if (type !== 'cgroup' && type !== 'cgroup2') return [];
    const root = unescapeMount(left[3]!);
    const mountPoint = unescapeMount(left[4]!);
    if (type === 'cgroup2') return [{ version: 2 as const, mountPoint, root, controllers: [] }];
    const controllers = right[2]!.split(',').filter((o) => v1Controllers.has(o) || o.startsWith('name='));
    return [{ version: 1 as const, mountPoint, root, controllers }];
  });
}

/**
 * Parses "key value" files: memory.stat (v1 and v2), memory.events, cpu.stat, v1 memory.oom_control, /proc/vmstat.
 * Values are u64: v1 memory.stat carries "unlimited" limits near 2^63 (hierarchical_memory_limit), which are kept
 * as the nearest double (above 2^53 the low digits are lost; no byte count or event counter gets there).
 */
export function parseFlatKeyed(text: string, file: string): Map<string, number> {
  const out = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const parts = line.split(' ');
    if (parts.length !== 2) throw new ProbeParseError(file, i + 1, 'expected "key value"');
    const [key, value] = parts as [string, string];
    out.set(key, isU64(value) ? Number(value) : parseCount(value, file, i + 1, key));
  });
  return out;
}

/** Decimal digits of at most 20 characters (the width of 2^64 − 1): a kernel u64. */
const isU64 = (s: string): boolean => s.length <= 20 && /^\d+$/.test(s);

/** Anonymous vs file-backed (page cache) charge of a group, from memory.stat of either version. */
export interface MemoryStatSplit {
  readonly anonBytes: number;
  readonly fileBytes: number;
}

/** v1 uses hierarchical total_rss / total_cache; v2 uses anon / file. */
export function memoryStatSplit(stat: Map<string, number>, version: 1 | 2): MemoryStatSplit {
  const pick = (k: string): number => stat.get(k) ?? 0;
  return version === 1
    ? { anonBytes: pick('total_rss'), fileBytes: pick('total_cache') }
    : { anonBytes: pick('anon'), fileBytes: pick('file') };
}

/** Parses cgroup.procs / tasks: one pid per line. */
export function parsePids(text: string, file = 'cgroup.procs'): number[] {
  return text.split('\n').flatMap((line, i) => (line === '' ? [] : [parseCount(line, file, i + 1, 'pid')]));
}

/** Parses a single-number file (memory.usage_in_bytes, memory.current, memory.peak, memory.max); "max" → null. */
export function parseBytesOrMax(text: string, file: string): number | null {
  const t = text.trim();
  if (t === 'max') return null;
  // v1 reports "unlimited" as a huge page-aligned number near 2^63 (9223372036854771712 with 4 KiB pages),
  // above 2^53: recognise it before parseCount rejects it as too large.
  if (isU64(t) && Number(t) >= 2 ** 62) return null;
  return parseCount(t, file, 1, 'value');
}

/** OOM counters of a group: v1 memory.oom_control "oom_kill" + memory.failcnt; v2 memory.events "oom", "oom_kill", "max". */
export interface OomCounters {
  readonly oomKills: number;
  /** v1 failcnt (times usage hit the limit) or v2 "max" events. */
  readonly limitHits: number;
}
