// /proc/sys/vm tunables that change how memory behaves: swappiness, min_free_kbytes, overcommit.
import { readFileSync } from 'node:fs';
import { parseCount } from './errors.js';
import { SYSTEM_PROC, type ProcRoot } from './proc.js';

export interface VmTunables {
  readonly swappiness: number | null;
  readonly minFreeBytes: number | null;
  /** 0 heuristic, 1 always, 2 never (strict accounting against CommitLimit). */
  readonly overcommitMemory: 0 | 1 | 2 | null;
  readonly overcommitRatio: number | null;
}

function readNumber(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return parseCount(text.trim(), file, 1, 'value');
}

export function readVmTunables(root: ProcRoot = SYSTEM_PROC): VmTunables {
  const at = (name: string): number | null => readNumber(`${root.proc}/sys/vm/${name}`);
  const minFreeKib = at('min_free_kbytes');
  const oc = at('overcommit_memory');
  return {
    swappiness: at('swappiness'),
    minFreeBytes: minFreeKib === null ? null : minFreeKib * 1024,
    overcommitMemory: oc === 0 || oc === 1 || oc === 2 ? oc : null,
    overcommitRatio: at('overcommit_ratio'),
  };
}
