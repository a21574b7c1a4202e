// Which processes a live view follows: one pid and its descendants, every process with a name, or all.
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { readChildren, type ProcRoot } from '../probe/proc.js';

export type TargetSpec =
  | { readonly kind: 'pid'; readonly pid: number }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'all' };

/** The `target` label value: "pid:123", "name:postgres", "all". */
export const targetLabel = (t: TargetSpec): string => (t.kind === 'pid' ? `pid:${t.pid}` : t.kind === 'name' ? `name:${t.name}` : 'all');

export const allPids = (root: ProcRoot): number[] => readdirSync(root.proc).filter((n) => /^\d+$/.test(n)).map(Number);

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

/** A process matches a name when its comm or the basename of its argv[0] is that name. */
function nameMatches(pid: number, name: string, root: ProcRoot): boolean {
  try {
    if (readFileSync(`${root.proc}/${pid}/comm`, 'utf8').trim() === name) return true;
    const argv0 = readFileSync(`${root.proc}/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return argv0 !== '' && basename(argv0) === name;
  } catch {
    return false;
  }
}

export function resolveTargets(t: TargetSpec, root: ProcRoot): number[] {
  switch (t.kind) {
    case 'pid':
      return descendantsOf(t.pid, root);
    case 'name':
      return allPids(root).filter((p) => nameMatches(p, t.name, root));
    case 'all':
      return allPids(root);
  }
}
