// Starting the target: resolving the program, joining the run's cgroup before exec, the environment marker.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { notFoundMessage, type MembenchError } from '../errors.js';

/** Environment variable every process of a run inherits on the proc backend (finds re-parented daemons). */
export const MARKER_VAR = 'MEMBENCH_RUN';

/** Resolves argv[0] like execvp does; returns the error a user should see instead of a spawn failure. */
export function checkExecutable(file: string, cwd: string, path = process.env.PATH ?? '/usr/bin:/bin'): MembenchError | null {
  const check = (p: string): 'ok' | 'missing' | 'not-executable' | 'directory' => {
    try {
      if (statSync(p).isDirectory()) return 'directory';
    } catch {
      return 'missing';
    }
    try {
      accessSync(p, constants.X_OK);
      return 'ok';
    } catch {
      return 'not-executable';
    }
  };
  if (file.includes('/')) {
    const r = check(isAbsolute(file) ? file : resolve(cwd, file));
    return r === 'ok' ? null : notFoundMessage(file, r === 'missing' ? 'missing-path' : r);
  }
  let sawNonExecutable = false;
  for (const dir of path.split(delimiter)) {
    const r = check(join(resolve(cwd, dir || '.'), file));
    if (r === 'ok') return null;
    if (r === 'not-executable') sawNonExecutable = true;
  }
  return notFoundMessage(file, sawNonExecutable ? 'not-executable' : 'not-found');
}

// The wrapper writes its own pid into every cgroup.procs listed before "--", then execs the target:
// the target and everything it forks are in the group from their first instruction.
const JOIN_SCRIPT = 'while [ "$1" != -- ]; do echo $$ > "$1" || { echo "membench: cannot join cgroup $1" >&2; exit 125; }; shift; done; shift; exec "$@"';

export interface LaunchSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** cgroup.procs files to join before exec; empty on the proc backend. */
  readonly joinFiles: readonly string[];
  readonly showOutput: boolean;
}

export function launch(spec: LaunchSpec): ChildProcess {
  const [file, ...args] = spec.argv as [string, ...string[]];
  const stdio: ['ignore', 'inherit' | 'ignore', 'pipe'] = ['ignore', spec.showOutput ? 'inherit' : 'ignore', 'pipe'];
  // detached: the tree gets its own process group, so a terminal's Ctrl-C reaches membench only, which
  // then ends the whole tree itself (and records the run as interrupted).
  if (spec.joinFiles.length === 0) return spawn(file, args, { cwd: spec.cwd, env: spec.env, stdio, detached: true });
  return spawn('/bin/sh', ['-c', JOIN_SCRIPT, 'membench-join', ...spec.joinFiles, '--', file, ...args], {
    cwd: spec.cwd, env: spec.env, stdio, detached: true,
  });
}
