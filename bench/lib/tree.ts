// A memfix tree started in-process through membench's own backends (cgroup made for it, or the /proc marker),
// so the bench can drive the sampler worker and read the tree's files without going through the CLI.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { launch } from '../../src/run/launch.js';
import { resolveBackend, type PreparedRun } from '../../src/run/backend.js';

export interface HeldTree {
  readonly prepared: PreparedRun;
  readonly child: ChildProcess | null;
  readonly rootPid: number | null;
  /** pids of the tree once it has forked (root first), for direct reads of /proc/PID/*. */
  pids(): number[];
  end(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function childrenOf(pid: number, read: (p: string) => string): number[] {
  try {
    return read(`/proc/${pid}/task/${pid}/children`).trim().split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Starts `memfix tree K MIB HOLD` under the asked backend (or, with launchTree false, only prepares an empty
 * group). Names are unique per bench process so a crashed bench's groups are swept like membench's own.
 */
export async function holdTree(
  kind: 'cgroup' | 'proc',
  memfix: string,
  argv: readonly string[],
  name: string,
  launchTree = true,
): Promise<HeldTree> {
  const read = (p: string): string => readFileSync(p, 'latin1');
  const prepared = resolveBackend(kind).prepare(name);
  const child = launchTree
    ? launch({
        argv: [memfix, ...argv],
        cwd: process.cwd(),
        env: { ...process.env, ...prepared.extraEnv },
        joinFiles: prepared.joinFiles,
        showOutput: false,
      })
    : null;
  const exited = child ? new Promise<void>((r) => child.once('exit', () => r())) : Promise.resolve();
  const rootPid = child?.pid ?? null;
  return {
    prepared,
    child,
    rootPid,
    pids: () => (rootPid === null ? [] : [rootPid, ...childrenOf(rootPid, read)]),
    end: async () => {
      prepared.killTree(rootPid);
      await Promise.race([exited, sleep(2000)]);
      prepared.cleanup(rootPid);
    },
  };
}
