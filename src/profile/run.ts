// Runs one command under a heap profiler (valgrind massif, heaptrack, node --heap-prof) and reads what it wrote.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MembenchError } from '../errors.js';
import { checkExecutable, findInPath } from '../run/launch.js';
import { importProfile } from './import.js';
import type { ProfileDocument, Profiler } from './model.js';

export interface ProfileRunOptions {
  readonly profiler: Profiler;
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Let the command print to the terminal; otherwise its stdout is discarded and its stderr tail kept. */
  readonly showOutput: boolean;
  /** node --heap-prof-interval: bytes between samples (smaller: more accurate, slower). */
  readonly v8SampleIntervalBytes: number;
}

export interface ProfileRunResult {
  readonly profile: ProfileDocument;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
}

const PACKAGE: Record<Profiler, { program: string; pkg: string }> = {
  massif: { program: 'valgrind', pkg: 'valgrind' },
  heaptrack: { program: 'heaptrack', pkg: 'heaptrack' },
  v8: { program: 'node', pkg: 'nodejs' },
};

/** The profiler's command line and environment; `dir` receives its output files. */
export function profilerInvocation(o: ProfileRunOptions, dir: string): { argv: string[]; env: NodeJS.ProcessEnv } {
  switch (o.profiler) {
    case 'massif':
      return { argv: ['valgrind', '--tool=massif', '--time-unit=ms', `--massif-out-file=${join(dir, 'massif.out.%p')}`, ...o.argv], env: process.env };
    case 'heaptrack':
      return { argv: ['heaptrack', '-o', join(dir, 'heaptrack'), ...o.argv], env: process.env };
    case 'v8': {
      // NODE_OPTIONS reaches node however it is started (node x.js, ./x.js with a shebang, npm run …) and its children.
      const flags = `--heap-prof --heap-prof-dir=${dir} --heap-prof-interval=${o.v8SampleIntervalBytes}`;
      const prior = process.env.NODE_OPTIONS;
      return { argv: [...o.argv], env: { ...process.env, NODE_OPTIONS: prior ? `${prior} ${flags}` : flags } };
    }
  }
}

const tail = (s: string, lines = 20): string => s.split('\n').slice(-lines).join('\n').trim();

export async function profileCommandRun(o: ProfileRunOptions): Promise<ProfileRunResult> {
  const tool = PACKAGE[o.profiler];
  if (o.profiler !== 'v8' && !findInPath(tool.program)) {
    throw new MembenchError('environment', `${tool.program} not found, needed by --with ${o.profiler}`, `install the Debian package ${tool.pkg} (apt-get install ${tool.pkg})`);
  }
  const notRunnable = checkExecutable(o.argv[0]!, o.cwd);
  if (notRunnable) throw notRunnable;
  const dir = mkdtempSync(join(tmpdir(), `membench-profile-${o.profiler}-`));
  try {
    const inv = profilerInvocation(o, dir);
    let stderr = '';
    const child = spawn(inv.argv[0]!, inv.argv.slice(1), {
      cwd: o.cwd, env: inv.env, stdio: ['inherit', o.showOutput ? 'inherit' : 'ignore', o.showOutput ? 'inherit' : 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-64 * 1024);
    });
    const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((res, rej) => {
      child.on('error', rej);
      child.on('close', (c, s) => res({ code: c, signal: s }));
    });
    // The largest file when the tree wrote several (children under massif's %p, node workers and subprocesses).
    const files = readdirSync(dir).map((f) => join(dir, f)).filter((f) => statSync(f).size > 0);
    if (files.length === 0) {
      throw new MembenchError('failed-to-start', `${o.profiler} wrote no profile for ${o.argv.join(' ')}${code !== null ? ` (exit ${code})` : ''}`,
        o.profiler === 'v8' ? 'is it a node program? --with v8 profiles node processes only' : `${tail(stderr, 3) || 'see its stderr with --show-output'}`);
    }
    const profiles = files.map((f) => importProfile(f, o.argv.join(' ')));
    profiles.sort((a, b) => b.peakBytes - a.peakBytes);
    const profile = profiles[0]!;
    if (profiles.length > 1) profile.notes.push(`${profiles.length} processes wrote profiles; shown: the one with the largest peak (others: ${profiles.slice(1).map((p) => p.peakBytes).join(', ')} B)`);
    profile.source = `${o.profiler}: ${o.argv.join(' ')}`;
    return { profile, exitCode: code, signal, stderrTail: tail(stderr) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
