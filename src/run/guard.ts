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
  /**
   * proc backend: the environment entry (MEMBENCH_RUN=…) every process of the run carries, '' on cgroup. A
   * double-forked daemon has left the process groups, so the guard finds it by this entry, as killTree does.
   */
  readonly markerEntry: string;
}

// $1 membench pid, $2 procs file, $3 kill file, $4 process groups ("1 2 3"), $5 marker entry, then the directories.
// Its stdin is a pipe only membench holds open: the read loop ends at EOF the moment membench dies, however it
// dies (no polling delay; a zombie membench has closed its files too). The kill -0 loop is a fallback for a
// stdin that ended early.
// grep -z reads environ as NUL-separated lines; -x -F: the whole entry, literally; -l: the files that have it.
const SCRIPT = `
p=$1; procs=$2; killf=$3; groups=$4; marker=$5; shift 5
while read -r _; do :; done
while kill -0 "$p" 2>/dev/null; do sleep 0.2; done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
r=0
while [ -n "$marker" ] && [ $r -lt 20 ]; do
  found=
  for e in $(grep -lzxF -e "$marker" /proc/[0-9]*/environ 2>/dev/null); do
    q=\${e#/proc/}; kill -KILL "\${q%/environ}" 2>/dev/null && found=1
  done
  [ -z "$found" ] && break
  r=$((r+1)); sleep 0.05
done
[ -n "$killf" ] && echo 1 > "$killf" 2>/dev/null
i=0
while [ -n "$procs" ] && [ $i -lt 100 ]; do
  pids=$(cat "$procs" 2>/dev/null); [ -z "$pids" ] && break
  kill -9 $pids 2>/dev/null; sleep 0.05; i=$((i+1))
done
for d in "$@"; do rmdir "$d" 2>/dev/null; done
`;

export function startGuard(t: GuardTargets): ChildProcess {
  const guard = spawn('/bin/sh', ['-c', SCRIPT, 'membench-guard', String(process.pid), t.procsFile, t.killFile, t.processGroups.join(' '), t.markerEntry, ...t.dirs], {
    detached: true, stdio: ['pipe', 'ignore', 'ignore'],
  });
  guard.on('error', () => undefined);
  guard.stdin?.on('error', () => undefined);
  // Neither the guard nor its pipe may keep membench's event loop alive.
  (guard.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
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
