// Controlled conditions in the kernel: cgroup memory limit, CPU quota and cpuset on the run's group;
// RLIMIT_AS / RLIMIT_DATA and ASLR off on the target only (through its start-up wrapper, never on membench).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, MembenchError } from '../errors.js';
import type { CgroupPlan } from './cgroup.js';

export interface LimitsRequest {
  readonly memoryBytes: number | null;
  /** Fraction of one CPU (0.2 = 20 %). */
  readonly cpuFraction: number | null;
  readonly cpus: readonly number[] | null;
  readonly rlimitAsBytes: number | null;
  readonly rlimitDataBytes: number | null;
  readonly noAslr: boolean;
  /** Report what cannot be applied instead of failing. */
  readonly bestEffort: boolean;
}

export const NO_LIMITS: LimitsRequest = {
  memoryBytes: null,
  cpuFraction: null,
  cpus: null,
  rlimitAsBytes: null,
  rlimitDataBytes: null,
  noAslr: false,
  bestEffort: false,
};

export interface AppliedLimit {
  readonly name: 'memory-limit' | 'cpu-quota' | 'cpuset' | 'rlimit-as' | 'rlimit-data' | 'no-aslr';
  readonly asked: string;
  readonly applied: boolean;
  /** The file written or mechanism used, or why it was not applied. */
  readonly detail: string;
}

export const wantsCgroupLimits = (r: LimitsRequest): boolean => r.memoryBytes !== null || r.cpuFraction !== null || r.cpus !== null;
export const extraControllersFor = (r: LimitsRequest): ('cpu' | 'cpuset')[] => [
  ...(r.cpuFraction !== null ? ['cpu' as const] : []),
  ...(r.cpus !== null ? ['cpuset' as const] : []),
];

const CFS_PERIOD_US = 100_000;

/** "256 MiB (268435456 bytes)": what the user asked, readable and exact. */
function askedBytes(bytes: number): string {
  const mib = bytes / 2 ** 20;
  const readable = mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
  return `${readable} (${bytes} bytes)`;
}

/** Writes the cgroup limits of a created run group; a failure throws unless bestEffort. */
export function applyCgroupLimits(plan: CgroupPlan, r: LimitsRequest): AppliedLimit[] {
  const out: AppliedLimit[] = [];
  const write = (name: AppliedLimit['name'], asked: string, writes: [string, string][]): void => {
    try {
      for (const [file, value] of writes) writeFileSync(file, value);
      out.push({ name, asked, applied: true, detail: writes.map(([f, v]) => `${f} = ${v}`).join('; ') });
    } catch (e) {
      const why = `cannot write ${writes.map(([f]) => f).join(', ')}: ${errnoCode(e) ?? (e as Error).message}`;
      if (!r.bestEffort)
        throw new MembenchError(
          'environment',
          `${name} not applied: ${why}`,
          'add --best-effort to run without it (reported as not applied)',
        );
      out.push({ name, asked, applied: false, detail: why });
    }
  };
  if (r.memoryBytes !== null) {
    const m = plan.memory;
    write(
      'memory-limit',
      askedBytes(r.memoryBytes),
      m.version === 1
        ? [[join(m.dir, 'memory.limit_in_bytes'), String(r.memoryBytes)]]
        : [
            [join(m.dir, 'memory.max'), String(r.memoryBytes)],
            ...(existsSync(join(m.dir, 'memory.swap.max')) ? [[join(m.dir, 'memory.swap.max'), '0'] as [string, string]] : []),
          ],
    );
  }
  if (r.cpuFraction !== null && plan.cpuDir) {
    const quota = Math.max(1000, Math.round(r.cpuFraction * CFS_PERIOD_US));
    write(
      'cpu-quota',
      `${(r.cpuFraction * 100).toFixed(1)} % of one CPU`,
      plan.cpuVersion === 1
        ? [
            [join(plan.cpuDir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US)],
            [join(plan.cpuDir, 'cpu.cfs_quota_us'), String(quota)],
          ]
        : [[join(plan.cpuDir, 'cpu.max'), `${quota} ${CFS_PERIOD_US}`]],
    );
  }
  if (r.cpus !== null && plan.cpusetDir) {
    write('cpuset', r.cpus.join(','), [[join(plan.cpusetDir, 'cpuset.cpus'), r.cpus.join(',')]]);
  }
  return out;
}

/** What the proc backend cannot do: every cgroup limit, reported (bestEffort) or refused. */
export function refuseCgroupLimits(r: LimitsRequest, reason: string): AppliedLimit[] {
  const asked: [AppliedLimit['name'], string | null][] = [
    ['memory-limit', r.memoryBytes !== null ? askedBytes(r.memoryBytes) : null],
    ['cpu-quota', r.cpuFraction !== null ? `${(r.cpuFraction * 100).toFixed(1)} % of one CPU` : null],
    ['cpuset', r.cpus?.join(',') ?? null],
  ];
  const wanted = asked.filter(([, a]) => a !== null);
  if (wanted.length === 0) return [];
  if (!r.bestEffort) {
    throw new MembenchError(
      'environment',
      `${wanted.map(([n]) => `--${n}`).join(', ')} need${wanted.length === 1 ? 's' : ''} a cgroup, and the cgroup backend is not available: ${reason}`,
      'run as root or in a delegated cgroup, or add --best-effort to run without (reported as not applied)',
    );
  }
  return wanted.map(([name, a]) => ({ name, asked: a!, applied: false, detail: `no cgroup: ${reason}` }));
}

/** Shell lines the target's wrapper runs before exec: ulimit for AS/DATA (KiB, as ulimit takes them). */
export function rlimitShellLines(r: LimitsRequest): string[] {
  const kib = (b: number): number => Math.max(1, Math.floor(b / 1024));
  return [
    ...(r.rlimitAsBytes !== null ? [`ulimit -v ${kib(r.rlimitAsBytes)} || { echo "membench: cannot set RLIMIT_AS" >&2; exit 125; }`] : []),
    ...(r.rlimitDataBytes !== null
      ? [`ulimit -d ${kib(r.rlimitDataBytes)} || { echo "membench: cannot set RLIMIT_DATA" >&2; exit 125; }`]
      : []),
  ];
}

/** The process-side settings as AppliedLimit records (they are applied by the wrapper; a failure ends the run with exit 125). */
export function processLimits(r: LimitsRequest, setarch: string | null): AppliedLimit[] {
  const out: AppliedLimit[] = [];
  if (r.rlimitAsBytes !== null)
    out.push({
      name: 'rlimit-as',
      asked: askedBytes(r.rlimitAsBytes),
      applied: true,
      detail: `ulimit -v ${Math.floor(r.rlimitAsBytes / 1024)} (KiB) in the target's wrapper`,
    });
  if (r.rlimitDataBytes !== null)
    out.push({
      name: 'rlimit-data',
      asked: askedBytes(r.rlimitDataBytes),
      applied: true,
      detail: `ulimit -d ${Math.floor(r.rlimitDataBytes / 1024)} (KiB) in the target's wrapper`,
    });
  if (r.noAslr) {
    if (setarch) out.push({ name: 'no-aslr', asked: 'ASLR off', applied: true, detail: `${setarch} -R (personality ADDR_NO_RANDOMIZE)` });
    else if (r.bestEffort)
      out.push({ name: 'no-aslr', asked: 'ASLR off', applied: false, detail: 'setarch not found (apt-get install util-linux)' });
    else
      throw new MembenchError(
        'environment',
        '--no-aslr needs setarch, which is not installed',
        'apt-get install util-linux, or add --best-effort',
      );
  }
  return out;
}
