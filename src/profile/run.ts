// Runs one command under a heap profiler (valgrind massif, heaptrack, node's sampling heap profiler through a
// preload, Python's tracemalloc through a sitecustomize) and reads what it wrote; meanwhile membench reads the
// VmHWM of the profiled processes, so the profile can say how much of the real peak its sites account for.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { MembenchError } from '../errors.js';
import { checkExecutable, findInPath } from '../run/launch.js';
import { SYSTEM_PROC } from '../probe/proc.js';
import { VERSION } from '../version.js';
import { profileCoverage, type ProcessPeakInput } from './coverage.js';
import { importProfile } from './import.js';
import { profileDocument, type ModuleBases } from './model.js';
import type { ProfileDocument } from '../document/profile.js';
import type { Profiler } from '../document/profilers.js';
import { environValueHas, ProcessPeakWatcher, type ProcessPeak } from './process-peaks.js';
import { PY_DIR_VAR, PY_OUTPUT, PY_SITECUSTOMIZE } from './python-preload.js';
import { readPythonProfile } from './python.js';
import { V8_DIR_VAR, V8_INTERVAL_VAR, V8_OUTPUT, V8_PRELOAD_FILE, V8_PRELOAD_SOURCE } from './v8-preload.js';
import { parseV8PreloadFile } from './v8.js';

export interface ProfileRunOptions {
  readonly profiler: Profiler;
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Let the command print to the terminal; otherwise its stdout is discarded and its stderr tail kept. */
  readonly showOutput: boolean;
  /** V8 sampling heap profiler: bytes between samples (smaller: more accurate, slower). */
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
  python: { program: 'python3', pkg: 'python3' },
};

/**
 * massif: a detailed snapshot at every snapshot and the peak recorded exactly (--peak-inaccuracy=0.0), so the
 * sites are those of the true peak. Measured: allocsites 0.35 → 0.43 s user, python3 holding 100 MiB and
 * sort of 3 M lines no slower (within noise); sort's peak snapshot went from 376 B short of the peak to exact.
 */
export const MASSIF_OPTIONS = ['--tool=massif', '--time-unit=ms', '--detailed-freq=1', '--peak-inaccuracy=0.0'] as const;

const prepend = (prior: string | undefined, value: string, sep: string): string => (prior ? `${value}${sep}${prior}` : value);

/** The profiler's command line and environment; `dir` receives its output files (and the preloads). */
export function profilerInvocation(o: ProfileRunOptions, dir: string): { argv: string[]; env: NodeJS.ProcessEnv } {
  switch (o.profiler) {
    case 'massif':
      return { argv: ['valgrind', ...MASSIF_OPTIONS, `--massif-out-file=${join(dir, 'massif.out.%p')}`, ...o.argv], env: process.env };
    case 'heaptrack':
      return { argv: ['heaptrack', '-o', join(dir, 'heaptrack'), ...o.argv], env: process.env };
    case 'v8': {
      // NODE_OPTIONS reaches node however it is started (node x.js, ./x.js with a shebang, npm run …) and its children.
      const preload = join(dir, V8_PRELOAD_FILE);
      writeFileSync(preload, V8_PRELOAD_SOURCE);
      return {
        argv: [...o.argv],
        env: {
          ...process.env,
          NODE_OPTIONS: prepend(process.env.NODE_OPTIONS, `--require=${preload}`, ' '),
          [V8_DIR_VAR]: dir,
          [V8_INTERVAL_VAR]: String(o.v8SampleIntervalBytes),
        },
      };
    }
    case 'python': {
      // A sitecustomize first on PYTHONPATH runs in every python of the tree (script, -m module, children).
      const site = join(dir, 'site');
      mkdirSync(site, { recursive: true });
      mkdirSync(join(dir, 'out'), { recursive: true });
      writeFileSync(join(site, 'sitecustomize.py'), PY_SITECUSTOMIZE);
      return {
        argv: [...o.argv],
        env: { ...process.env, PYTHONPATH: prepend(process.env.PYTHONPATH, site, delimiter), [PY_DIR_VAR]: join(dir, 'out') },
      };
    }
  }
}

const tail = (s: string, lines = 20): string => s.split('\n').slice(-lines).join('\n').trim();

/** Which processes of the tree the profiler profiles (not its own helpers: heaptrack's script, interpreter, compressor). */
function profiledTest(p: Profiler): (pid: number) => boolean {
  return p === 'heaptrack' ? (pid) => environValueHas(pid, 'LD_PRELOAD', 'libheaptrack_preload') : () => true;
}

/** Runs argv with a VmHWM watcher on its tree; the tree's processes as seen. */
async function runWatched(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  show: boolean,
  profiler: Profiler,
): Promise<{ code: number | null; signal: string | null; stderr: string; peaks: ProcessPeak[] }> {
  let stderr = '';
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['inherit', show ? 'inherit' : 'ignore', show ? 'inherit' : 'pipe'] });
  const watcher = child.pid
    ? new ProcessPeakWatcher(child.pid, profiledTest(profiler), 5, SYSTEM_PROC, profiler === 'massif' || profiler === 'heaptrack').start()
    : null;
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-64 * 1024);
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((res, rej) => {
    child.on('error', rej);
    child.on('close', (c, s) => res({ code: c, signal: s }));
  });
  return { code, signal, stderr, peaks: watcher?.stop() ?? [] };
}

/** valgrind's own share of a process's VmHWM: its peak running /bin/true under the same tool options. */
async function valgrindBaselineBytes(dir: string): Promise<number | null> {
  const r = await runWatched(
    ['valgrind', ...MASSIF_OPTIONS, `--massif-out-file=${join(dir, 'baseline.massif')}`, '/bin/true'],
    process.env,
    dir,
    false,
    'massif',
  );
  rmSync(join(dir, 'baseline.massif'), { force: true });
  const hwm = Math.max(0, ...r.peaks.map((p) => p.vmHwmBytes));
  return r.code === 0 && hwm > 0 ? hwm : null;
}

interface ReadProfile {
  readonly doc: ProfileDocument;
  /** The pid the profile is of, when its file says. */
  readonly pid: number | null;
  /** VmHWM the process read itself at exit (the preloads), exact. */
  readonly exitHwmBytes: number | null;
  /** Memory the profiler added inside the process, where it says (tracemalloc's bookkeeping). */
  readonly profilerBytes: number | null;
}

/**
 * Module load addresses for the profile of `pid` (massif names it; heaptrack's file does not): that process's,
 * else those every profiled process agrees on (ASLR gives each process its own).
 */
export function basesFor(pid: number | null, peaks: readonly ProcessPeak[]): ModuleBases | null {
  if (pid !== null) return peaks.find((p) => p.pid === pid)?.moduleBases ?? null;
  const profiled = peaks.filter((p) => p.profiled && Object.keys(p.moduleBases).length > 0);
  if (profiled.length === 0) return null;
  const agreed: Record<string, number> = {};
  for (const [path, base] of Object.entries(profiled[0]!.moduleBases)) {
    if (profiled.every((p) => p.moduleBases[path] === base)) agreed[path] = base;
  }
  return agreed;
}

/** The profiles the run left in `dir` (one per profiled process). */
function readProfiles(o: ProfileRunOptions, dir: string, peaks: readonly ProcessPeak[]): ReadProfile[] {
  const command = o.argv.join(' ');
  if (o.profiler === 'python' || o.profiler === 'v8') {
    const out = o.profiler === 'python' ? join(dir, 'out') : dir;
    let names: string[] = [];
    try {
      names = readdirSync(out);
    } catch {
      /* nothing written */
    }
    return names
      .filter((n) => (o.profiler === 'python' ? PY_OUTPUT : V8_OUTPUT).test(n))
      .map((n) => {
        const file = join(out, n);
        if (o.profiler === 'python') {
          const r = readPythonProfile(file);
          return {
            doc: profileDocument(r.parsed, file, VERSION),
            pid: r.process.pid,
            exitHwmBytes: r.process.vmHwmBytes,
            profilerBytes: r.process.tracemallocBytes,
          };
        }
        const r = parseV8PreloadFile(readFileSync(file, 'utf8'), file);
        return {
          doc: profileDocument(r.parsed, file, VERSION),
          pid: r.process.pid,
          exitHwmBytes: r.process.vmHwmBytes,
          profilerBytes: null,
        };
      });
  }
  const files = readdirSync(dir)
    .filter((f) => /^(massif\.out\.|heaptrack\.)/.test(f))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).size > 0);
  return files.map((f) => {
    // massif.out.PID is the program's pid (valgrind runs it in its own process); heaptrack -o FILE names no pid.
    const m = /\.(\d+)(\.(zst|gz))?$/.exec(basename(f));
    const pid = m ? Number(m[1]) : null;
    return { doc: importProfile(f, command, basesFor(pid, peaks)), pid, exitHwmBytes: null, profilerBytes: null };
  });
}

/** The process a profile is of: by pid (heaptrack: the profiled child of its script), else the largest profiled one. */
function processOf(r: ReadProfile, peaks: readonly ProcessPeak[], profiler: Profiler): ProcessPeak | null {
  const profiled = peaks.filter((p) => p.profiled);
  let p: ProcessPeak | undefined;
  if (r.pid !== null) p = profiler === 'heaptrack' ? profiled.find((x) => x.ppid === r.pid) : profiled.find((x) => x.pid === r.pid);
  if (!p && r.pid === null) p = [...profiled].sort((a, b) => b.vmHwmBytes - a.vmHwmBytes)[0];
  return p ?? null;
}

export async function profileCommandRun(o: ProfileRunOptions): Promise<ProfileRunResult> {
  const tool = PACKAGE[o.profiler];
  if (o.profiler !== 'v8' && o.profiler !== 'python' && !findInPath(tool.program)) {
    throw new MembenchError(
      'environment',
      `${tool.program} not found, needed by --with ${o.profiler}`,
      `install the Debian package ${tool.pkg} (apt-get install ${tool.pkg})`,
    );
  }
  const notRunnable = checkExecutable(o.argv[0]!, o.cwd);
  if (notRunnable) throw notRunnable;
  const dir = mkdtempSync(join(tmpdir(), `membench-profile-${o.profiler}-`));
  try {
    const inv = profilerInvocation(o, dir);
    const { code, signal, stderr, peaks } = await runWatched(inv.argv, inv.env, o.cwd, o.showOutput, o.profiler);
    const profiles = readProfiles(o, dir, peaks);
    if (profiles.length === 0) {
      const hint =
        o.profiler === 'v8'
          ? 'is it a node program? --with v8 profiles node processes only (and not one killed by a signal)'
          : o.profiler === 'python'
            ? 'is it a python program (python3 ≥ 3.7, not run with -I, -S or -E)? a process that is killed or calls os._exit writes no profile'
            : `${tail(stderr, 3) || 'see its stderr with --show-output'}`;
      throw new MembenchError(
        'failed-to-start',
        `${o.profiler} wrote no profile for ${o.argv.join(' ')}${code !== null ? ` (exit ${code})` : ''}`,
        hint,
      );
    }
    // The largest profile when the tree wrote several (children under massif's %p, node and python subprocesses).
    profiles.sort((a, b) => b.doc.peakBytes - a.doc.peakBytes);
    const chosen = profiles[0]!;
    const profile = chosen.doc;
    if (profiles.length > 1)
      profile.notes.push(
        `${profiles.length} processes wrote profiles; shown: the one with the largest peak (others: ${profiles
          .slice(1)
          .map((p) => p.doc.peakBytes)
          .join(', ')} B)`,
      );
    profile.source = `${o.profiler}: ${o.argv.join(' ')}`;
    const proc = processOf(chosen, peaks, o.profiler);
    const hwm = Math.max(chosen.exitHwmBytes ?? 0, proc?.vmHwmBytes ?? 0);
    if (hwm > 0 && (proc || chosen.pid !== null)) {
      const input: ProcessPeakInput = {
        pid: proc?.pid ?? chosen.pid!,
        name: proc?.name ?? basename(o.argv[0]!),
        vmHwmBytes: hwm,
        program: basename(o.argv[0]!),
        measuredAt: chosen.exitHwmBytes !== null ? 'exit' : 'polled',
        profilerBytes: o.profiler === 'massif' ? await valgrindBaselineBytes(dir) : chosen.profilerBytes,
      };
      const blocks = profile.stacks.reduce<number | null>((n, s) => (n === null || s.allocations === null ? null : n + s.allocations), 0);
      profile.coverage = profileCoverage(o.profiler, profile.peakBytes, input, o.profiler === 'python' ? blocks : null);
    } else {
      profile.coverage = null;
      profile.notes.push("the profiled process's VmHWM could not be read (it exited before membench's first read, 5 ms): coverage unknown");
    }
    return { profile, exitCode: code, signal, stderrTail: tail(stderr) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
