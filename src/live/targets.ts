// Which processes a live view follows: one pid and its descendants, every process with a name, or all.
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { readChildren, statFieldsAfterComm, type ProcRoot } from '../probe/proc.js';

export type TargetSpec =
  | { readonly kind: 'pid'; readonly pid: number }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'all' };

/** The `target` label value: "pid:123", "name:postgres", "all". */
export const targetLabel = (t: TargetSpec): string => (t.kind === 'pid' ? `pid:${t.pid}` : t.kind === 'name' ? `name:${t.name}` : 'all');

export const allPids = (root: ProcRoot): number[] =>
  readdirSync(root.proc)
    .filter((n) => /^\d+$/.test(n))
    .map(Number);

/** PID and every descendant (breadth first through /proc/PID/task/TID/children); [] when PID is gone. */
export function descendantsOf(pid: number, root: ProcRoot): number[] {
  const seen = new Set<number>();
  const queue = [pid];
  try {
    readFileSync(`${root.proc}/${pid}/stat`);
  } catch {
    return [];
  }
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (seen.has(p)) continue;
    seen.add(p);
    queue.push(...readChildren(p, root));
  }
  return [...seen];
}

/** A process by pid and start time (clock ticks after boot): a reused pid is a different process. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTicks: number;
}

/**
 * The identity of pid when its comm or the basename of its argv[0] is that name and it has an address space
 * (a zombie keeps its comm until reaped: a watch that follows a name must not take it for a worker); else null.
 */
function namedIdentity(pid: number, name: string, root: ProcRoot): ProcessIdentity | null {
  try {
    let named = readFileSync(`${root.proc}/${pid}/comm`, 'utf8').trim() === name;
    if (!named) {
      const argv0 = readFileSync(`${root.proc}/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
      named = argv0 !== '' && basename(argv0) === name;
    }
    if (!named) return null;
    // state is field 3, starttime 22, vsize 23 (0 for zombies and kernel threads).
    const f = statFieldsAfterComm(readFileSync(`${root.proc}/${pid}/stat`, 'latin1'));
    if (f === null) return null;
    if (f[0] === 'Z' || f[0] === 'X' || f[20] === '0') return null;
    return { pid, startTicks: Number(f[19]) };
  } catch {
    return null;
  }
}

/**
 * Why nothing watchable has this name when something does carry it: only kernel threads (no user memory: vsize
 * 0 and no command line) or only zombies; null when no process has the name at all.
 */
export function unwatchableNamed(
  name: string,
  root: ProcRoot,
  exclude: ReadonlySet<number> = new Set(),
): 'kernel threads' | 'zombies' | null {
  let zombie = false;
  let kernel = false;
  for (const pid of allPids(root)) {
    if (exclude.has(pid)) continue;
    try {
      if (readFileSync(`${root.proc}/${pid}/comm`, 'utf8').trim() !== name) continue;
      const f = statFieldsAfterComm(readFileSync(`${root.proc}/${pid}/stat`, 'latin1'));
      if (f === null) continue;
      if (f[0] === 'Z' || f[0] === 'X') zombie = true;
      else if (f[20] === '0') kernel = true;
    } catch {
      /* gone */
    }
  }
  return kernel ? 'kernel threads' : zombie ? 'zombies' : null;
}

/** Every live process with that name except `exclude` (membench itself and its parent), lowest pid first. */
export function processesNamed(name: string, root: ProcRoot, exclude: ReadonlySet<number> = new Set()): ProcessIdentity[] {
  const out: ProcessIdentity[] = [];
  for (const pid of allPids(root).sort((a, b) => a - b)) {
    if (exclude.has(pid)) continue;
    const id = namedIdentity(pid, name, root);
    if (id !== null) out.push(id);
  }
  return out;
}

export function resolveTargets(t: TargetSpec, root: ProcRoot): number[] {
  switch (t.kind) {
    case 'pid':
      return descendantsOf(t.pid, root);
    case 'name':
      return processesNamed(t.name, root).map((p) => p.pid);
    case 'all':
      return allPids(root);
  }
}
