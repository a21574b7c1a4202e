// A guard per run: a tiny /bin/sh outside the run's tree that waits for membench to die and then ends the
// tree and removes its cgroup — so even a membench killed with SIGKILL leaves no process and no group behind.
import { spawn, type ChildProcess } from 'node:child_process';

export interface GuardTargets {
  /** Process groups led by the target's root processes (spawned detached: pid = pgid). */
  readonly processGroups: readonly number[];
  /** cgroup.procs to empty, '' on the proc backend. */
  readonly procsFile: string;
  /** v2 cgroup.kill, '' when absent. */
  readonly killFile: string;
  /** Directories to remove once empty, in removal order. */
  readonly dirs: readonly string[];
}

// $1 membench pid, $2 procs file, $3 kill file, $4 process groups ("1 2 3"), then the directories.
const SCRIPT = `
p=$1; procs=$2; killf=$3; groups=$4; shift 4
while kill -0 "$p" 2>/dev/null; do sleep 0.5; done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
[ -n "$killf" ] && echo 1 > "$killf" 2>/dev/null
i=0
while [ -n "$procs" ] && [ $i -lt 100 ]; do
  pids=$(cat "$procs" 2>/dev/null); [ -z "$pids" ] && break
  kill -9 $pids 2>/dev/null; sleep 0.05; i=$((i+1))
done
for d in "$@"; do rmdir "$d" 2>/dev/null; done
`;

export function startGuard(t: GuardTargets): ChildProcess {
  const guard = spawn('/bin/sh', ['-c', SCRIPT, 'membench-guard', String(process.pid), t.procsFile, t.killFile, t.processGroups.join(' '), ...t.dirs], {
    detached: true, stdio: 'ignore',
  });
  guard.on('error', () => undefined);
  guard.unref();
  return guard;
}

/** Ends a guard whose run finished normally (membench cleaned up itself). */
export function stopGuard(guard: ChildProcess): void {
  try {
    guard.kill('SIGKILL');
  } catch {
    /* already gone */
  }
}
