// Starting the target: resolving the program, joining the run's cgroup before exec, the environment marker.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createReadStream, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { notFoundMessage, type MembenchError } from '../errors.js';

/** Environment variable every process of a run inherits on the proc backend (finds re-parented daemons). */
export const MARKER_VAR = 'MEMBENCH_RUN';
/** Each instance's number, 1…N under --concurrency N (1 otherwise): lets instances pick their own port or file. */
export const INSTANCE_VAR = 'MEMBENCH_INSTANCE';

/** What execvp would find at one path. */
function probeExecutable(p: string): 'ok' | 'missing' | 'not-executable' | 'directory' {
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
}

/** Resolves argv[0] like execvp does; returns the error a user should see instead of a spawn failure. */
export function checkExecutable(file: string, cwd: string, path = process.env.PATH ?? '/usr/bin:/bin'): MembenchError | null {
  if (file.includes('/')) {
    const r = probeExecutable(isAbsolute(file) ? file : resolve(cwd, file));
    return r === 'ok' ? null : notFoundMessage(file, r === 'missing' ? 'missing-path' : r);
  }
  let sawNonExecutable = false;
  for (const dir of path.split(delimiter)) {
    const r = probeExecutable(join(resolve(cwd, dir || '.'), file));
    if (r === 'ok') return null;
    if (r === 'not-executable') sawNonExecutable = true;
  }
  return notFoundMessage(file, sawNonExecutable ? 'not-executable' : 'not-found');
}

/** The target's start-up wrapper: what /bin/sh does between fork and the target's exec. */
export interface WrapperSteps {
  /** cgroup.procs files the wrapper writes its own pid into: the target and all it forks are in the group from their first instruction. */
  readonly joinFiles: readonly string[];
  /** Extra shell lines (ulimit for RLIMIT_AS / RLIMIT_DATA): they bind the target only, never membench. */
  readonly preExecLines: readonly string[];
  /** Program that execs the target, e.g. ["setarch", "-R"] for ASLR off; empty for a plain exec. */
  readonly execVia: readonly string[];
}

export const NO_WRAPPER: WrapperSteps = { joinFiles: [], preExecLines: [], execVia: [] };

/** The script /bin/sh -c runs: positional parameters are the join files, "--", then the target argv. */
export function wrapperScript(w: WrapperSteps): string {
  return [
    'while [ "$1" != -- ]; do echo $$ > "$1" || { echo "membench: cannot join cgroup $1" >&2; exit 125; }; shift; done; shift',
    ...w.preExecLines,
    `exec ${w.execVia.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')}${w.execVia.length ? ' ' : ''}"$@"`,
  ].join('\n');
}

export interface LaunchSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Start-up steps (cgroup join, rlimits, setarch); absent = exec directly. */
  readonly wrapper?: WrapperSteps;
  /** Shorthand for a wrapper that only joins these cgroup.procs files. */
  readonly joinFiles?: readonly string[];
  readonly showOutput: boolean;
  /** File fed to the target's stdin; absent or null for /dev/null. */
  readonly stdinFile?: string | null;
  /**
   * The native reaper (native/reaper.c) to start the target under, or absent/null to spawn it directly. The reaper
   * stays outside the target's process group and cgroup; `childEnv` is set for the target only (the run's marker must
   * not be in the reaper's own environ, or the proc backend would count it). Its report is on stdio[3].
   */
  readonly reaper?: { readonly path: string; readonly childEnv: Readonly<Record<string, string>> } | null;
}

export function launch(spec: LaunchSpec): ChildProcess {
  const [file, ...args] = spec.argv as [string, ...string[]];
  const stdinFile = spec.stdinFile ?? null;
  const stdin = stdinFile === null ? 'ignore' : 'pipe';
  const reaper = spec.reaper ?? null;
  const stdio: ['ignore' | 'pipe', 'inherit' | 'ignore', 'pipe', ...'pipe'[]] = [
    stdin,
    spec.showOutput ? 'inherit' : 'ignore',
    'pipe',
    ...(reaper ? ['pipe' as const] : []),
  ];
  const w: WrapperSteps = { ...(spec.wrapper ?? NO_WRAPPER), joinFiles: [...(spec.wrapper?.joinFiles ?? []), ...(spec.joinFiles ?? [])] };
  const plain = w.joinFiles.length === 0 && w.preExecLines.length === 0 && w.execVia.length === 0;
  const target = plain ? [file, ...args] : ['/bin/sh', '-c', wrapperScript(w), 'membench-wrapper', ...w.joinFiles, '--', file, ...args];
  // detached: the tree gets its own process group, so a terminal's Ctrl-C reaches membench only, which
  // then ends the whole tree itself (and records the run as interrupted). Under the reaper, the target makes a
  // process group of its own: membench kills that one and the reaper lives on to report the kernel's accounting.
  let child: ChildProcess;
  if (reaper) {
    const env = { ...spec.env };
    for (const k of Object.keys(reaper.childEnv)) delete env[k];
    const assignments = Object.entries(reaper.childEnv).map(([k, v]) => `${k}=${v}`);
    child = spawn(reaper.path, ['3', ...assignments, '--', ...target], { cwd: spec.cwd, env, stdio, detached: true });
  } else {
    child = spawn(target[0]!, target.slice(1), { cwd: spec.cwd, env: spec.env, stdio, detached: true });
  }
  if (stdinFile !== null && child.stdin) {
    // A target that never reads its stdin must not block membench: errors (EPIPE) are ignored.
    child.stdin.on('error', () => undefined);
    createReadStream(stdinFile)
      .on('error', () => child.stdin?.destroy())
      .pipe(child.stdin);
  }
  return child;
}

/** Absolute path of a program in PATH, or null. */
export function findInPath(name: string, path = process.env.PATH ?? '/usr/bin:/bin'): string | null {
  for (const dir of path.split(delimiter)) {
    const p = join(dir || '.', name);
    if (probeExecutable(p) === 'ok') return p;
  }
  return null;
}
