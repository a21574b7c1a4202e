// A guard per run: a tiny /bin/sh outside the run's tree that waits for membench to die and then ends the
// tree and removes its cgroup — so even a membench killed with SIGKILL leaves no process and no group behind.
import { spawn, type ChildProcess } from 'node:child_process';

export interface GuardTargets {
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

// $1 membench pid, $2 procs file, $3 kill file, $4 marker entry, then the directories.
// The guard starts BEFORE the target: a membench killed just after spawning (its target already forking) must
// never find itself without a guard. Its stdin is a socket only membench holds open; membench writes the pid of
// each process group it starts (the target is spawned detached: pid = pgid), one per line. The read loop ends at
// EOF the moment membench dies, however it dies (no polling; a zombie membench has closed its files too) — and
// not before a target that was still between fork and exec has exec'd, because until then it holds a copy of
// that socket (close-on-exec), so its MEMBENCH_RUN entry is in its environ when the guard scans. The kill -0
// loop is a fallback for a stdin that ended early.
// The marker scan ends after two rounds that found nothing: a process that forks and exits between one round's
// listing of /proc and grep reaching it leaves a child that only the next round can see.
// grep -z reads environ as NUL-separated lines; -x -F: the whole entry, literally; -l: the files that have it.
const SCRIPT = `
p=$1; procs=$2; killf=$3; marker=$4; shift 4
groups=
while read -r g || [ -n "$g" ]; do
  case $g in ''|*[!0-9]*) ;; *) groups="$groups $g" ;; esac
  g=
done
while kill -0 "$p" 2>/dev/null; do sleep 0.2; done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
r=0; empty=0
while [ -n "$marker" ] && [ $r -lt 20 ] && [ $empty -lt 2 ]; do
  found=
  for e in $(grep -lzxF -e "$marker" /proc/[0-9]*/environ 2>/dev/null); do
    q=\${e#/proc/}; kill -KILL "\${q%/environ}" 2>/dev/null && found=1
  done
  if [ -n "$found" ]; then empty=0; else empty=$((empty+1)); fi
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

export interface Guard {
  /** Tells the guard about a process group the run started; call it right after each spawn. */
  addProcessGroup(pgid: number): void;
  /** Ends a guard whose run finished normally (membench cleaned up itself). */
  stop(): void;
}

/** Starts a run's guard; start it before the run's first process. */
export function startGuard(t: GuardTargets): Guard {
  const guard: ChildProcess = spawn(
    '/bin/sh',
    ['-c', SCRIPT, 'membench-guard', String(process.pid), t.procsFile, t.killFile, t.markerEntry, ...t.dirs],
    {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  guard.on('error', () => undefined);
  guard.stdin?.on('error', () => undefined);
  // Neither the guard nor its pipe may keep membench's event loop alive.
  (guard.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
  guard.unref();
  return {
    // A few bytes on an empty socket: libuv writes them at once, in this tick.
    addProcessGroup: (pgid) => void guard.stdin?.write(`${pgid}\n`),
    stop: () => {
      try {
        guard.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    },
  };
}
