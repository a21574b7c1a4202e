// heaptrack data files read through heaptrack_print (the format of the .zst file itself is internal to heaptrack):
// `-F --flamegraph-cost-type peak|allocations` give exact integers per stack, `-M` a massif-format timeline.
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MembenchError } from '../errors.js';
import { parseMassif } from './massif.js';
import { ProfileParseError, unsymbolizedFrame, type ModuleBases, type ParsedProfile } from './model.js';
import type { Frame, ProfileTimeline, Stack } from '../document/profile.js';

/** "main;make_jobs; 10485760": frames outermost first, each "function" or "function (file)". */
export function parseCollapsedStacks(text: string, file: string): Map<string, { frames: Frame[]; value: number }> {
  const out = new Map<string, { frames: Frame[]; value: number }>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^(.*); (\d+)$/.exec(line);
    if (!m || m[1]!.trim() === '')
      throw new ProfileParseError(file, i + 1, `expected "frame;frame; COUNT", got ${JSON.stringify(line.slice(0, 60))}`);
    const value = Number(m[2]);
    if (!Number.isSafeInteger(value)) throw new ProfileParseError(file, i + 1, `count ${m[2]} is too large`);
    const frames = m[1]!.split(';').map((f): Frame => {
      const fm = /^(.*) \(([^()]*)\)$/.exec(f);
      return fm ? { function: fm[1]!, file: fm[2]!, line: null } : { function: f, file: null, line: null };
    });
    const prev = out.get(m[1]!);
    out.set(m[1]!, { frames, value: (prev?.value ?? 0) + value });
  });
  return out;
}

const hex = (v: string | undefined): number | null => (v !== undefined && /^[0-9a-f]{1,13}$/.test(v) ? parseInt(v, 16) : null);

/**
 * Live heap bytes over time from heaptrack's own data (decompressed): "a SIZE TRACE" defines allocation info i
 * (0-based, in order), "+ i" / "- i" allocate / free one of them, "c T" is a timestamp in ms (every ~10 ms).
 * Each point holds the largest live total since the previous timestamp, so the exact peak is on the chart.
 */
export function parseHeaptrackTimeline(text: string, file: string): { timeline: ProfileTimeline; peakAt: number | null } {
  const sizes: number[] = [];
  const t: number[] = [];
  const heapBytes: number[] = [];
  let live = 0;
  let intervalMax = 0;
  let peak = -1;
  let peakAt: number | null = null;
  let pendingPeak = false;
  text.split('\n').forEach((line, i) => {
    const [kind, a, b] = line.split(' ');
    const bad = (what: string): never => {
      throw new ProfileParseError(file, i + 1, `${what}, got ${JSON.stringify(line.slice(0, 60))}`);
    };
    if (kind === 'a') {
      const size = hex(a);
      if (size === null || hex(b) === null) bad('expected "a SIZE TRACE" in hex');
      sizes.push(size!);
    } else if (kind === '+' || kind === '-') {
      const index = hex(a);
      const size = index === null ? undefined : sizes[index];
      if (size === undefined) bad(`expected "${kind} INDEX" of an allocation defined above`);
      live += kind === '+' ? size! : -size!;
      if (live < 0) bad('more bytes freed than allocated');
      intervalMax = Math.max(intervalMax, live);
      if (live > peak) {
        peak = live;
        pendingPeak = true;
      }
    } else if (kind === 'c') {
      const ms = hex(a);
      if (ms === null || (t.length > 0 && ms < t[t.length - 1]!)) bad('expected "c MS" in hex, not going back in time');
      t.push(ms!);
      heapBytes.push(intervalMax);
      if (pendingPeak) peakAt = ms!;
      pendingPeak = false;
      intervalMax = live;
    }
  });
  if (t.length > 0 && pendingPeak) {
    t.push(t[t.length - 1]!);
    heapBytes.push(intervalMax);
    peakAt = t[t.length - 1]!;
  }
  return { timeline: { unit: 'ms', t, heapBytes, extraBytes: null }, peakAt };
}

/**
 * The module (binary or library) of every instruction pointer heaptrack recorded: "s LEN TEXT" defines string i
 * (1-based, in order), "i IP MODULE [FUNCTION FILE LINE]…" an instruction pointer in hex with its module's string.
 */
export function parseHeaptrackModules(text: string): Map<string, string> {
  const strings: string[] = [];
  const modules = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('s ')) strings.push(line.slice(line.indexOf(' ', 2) + 1));
    else if (line.startsWith('i ')) {
      const [, ip, module] = line.split(' ');
      const name = module === undefined ? undefined : strings[parseInt(module, 16) - 1];
      if (ip && name) modules.set(`0x${ip}`, name);
    }
  }
  return modules;
}

/**
 * Unsymbolized frames ("0x55ac377ce580") named by their module instead: "sort+0x1c0e0" when the module's load
 * address is known (read from /proc/PID/maps during the run), else "??? (/usr/bin/sort)"; never by the address.
 */
export function withModules(stacks: readonly Stack[], modules: ReadonlyMap<string, string>, bases: ModuleBases | null = null): Stack[] {
  return stacks.map((s) => ({
    ...s,
    frames: s.frames.map((f) =>
      f.file === null && /^0x[0-9a-f]+$/i.test(f.function)
        ? unsymbolizedFrame(f.function, modules.get(f.function.toLowerCase()) ?? null, bases)
        : f,
    ),
  }));
}

/**
 * The bases also under the paths heaptrack names modules by: it records a library by the name it was loaded as
 * (/lib/…/libstdc++.so.6), /proc/PID/maps by the file it resolves to (/usr/lib/…/libstdc++.so.6.0.30).
 */
export function aliasBases(bases: ModuleBases, modules: Iterable<string>): ModuleBases {
  const out: Record<string, number> = { ...bases };
  for (const m of new Set(modules)) {
    if (out[m] !== undefined) continue;
    try {
      const real = realpathSync(m);
      if (bases[real] !== undefined) out[m] = bases[real];
    } catch {
      /* gone since: stays unresolved */
    }
  }
  return out;
}

/** Joins heaptrack's peak and allocation-count stacks with its massif timeline into one profile. */
export function heaptrackProfile(peakText: string, allocText: string, massifText: string, file: string): ParsedProfile {
  const peak = parseCollapsedStacks(peakText, `${file} (heaptrack_print -F, peak)`);
  const allocs = parseCollapsedStacks(allocText, `${file} (heaptrack_print -F, allocations)`);
  const stacks: Stack[] = [];
  for (const [key, a] of allocs) stacks.push({ frames: a.frames, peakBytes: peak.get(key)?.value ?? 0, allocations: a.value });
  for (const [key, p] of peak) if (!allocs.has(key)) stacks.push({ frames: p.frames, peakBytes: p.value, allocations: null });
  const timeline = parseMassif(massifText, `${file} (heaptrack_print -M)`).timeline;
  let peakAt: number | null = null;
  if (timeline && timeline.heapBytes.length > 0) {
    const i = timeline.heapBytes.indexOf(Math.max(...timeline.heapBytes));
    peakAt = timeline.t[i] ?? null;
  }
  return {
    profiler: 'heaptrack',
    command: null,
    measures: 'bytes the program asked malloc/new for, live at the moment of highest total consumption (heaptrack "peak")',
    stacks,
    peakAt,
    timeline: timeline && { ...timeline, extraBytes: null },
    notes: ['heaptrack timeline: coarse massif-format snapshots from heaptrack_print -M'],
  };
}

function heaptrackPrint(args: readonly string[]): string {
  try {
    return execFileSync('heaptrack_print', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT')
      throw new MembenchError(
        'environment',
        'heaptrack_print not found',
        'install the Debian package heaptrack (apt-get install heaptrack)',
      );
    throw new MembenchError('environment', `heaptrack_print failed: ${(err.stderr ?? err.message).trim().split('\n').pop()}`, undefined, {
      cause: e,
    });
  }
}

/** The heaptrack data file as text: gzip through zlib, zstd through the zstd program (null when it is missing). */
function decompressed(file: string): string | null {
  const data = readFileSync(file);
  if (data[0] === 0x1f && data[1] === 0x8b) return gunzipSync(data).toString('utf8');
  try {
    return execFileSync('zstd', ['-dc', file], { encoding: 'utf8', maxBuffer: 2 ** 31 - 1, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new MembenchError('usage', `${file}: cannot decompress (${(e as Error).message.split('\n')[0]})`, 'is the file complete?');
  }
}

/** Reads a heaptrack data file (heaptrack.PROG.PID.zst or .gz); `bases` as for withModules. */
export function readHeaptrackFile(file: string, bases: ModuleBases | null = null): ParsedProfile {
  const dir = mkdtempSync(join(tmpdir(), 'membench-heaptrack-'));
  try {
    const [peakF, allocF, massifF] = ['peak.txt', 'alloc.txt', 'timeline.massif'].map((n) => join(dir, n)) as [string, string, string];
    const quiet = ['-p', '0', '-a', '0', '-T', '0', '-l', '0'];
    const summary = heaptrackPrint([
      '-f',
      file,
      ...quiet,
      '-F',
      peakF,
      '--flamegraph-cost-type',
      'peak',
      '-M',
      massifF,
      '--massif-detailed-freq',
      '0',
    ]);
    heaptrackPrint(['-f', file, ...quiet, '-F', allocF, '--flamegraph-cost-type', 'allocations']);
    const profile = heaptrackProfile(readFileSync(peakF, 'utf8'), readFileSync(allocF, 'utf8'), readFileSync(massifF, 'utf8'), file);
    const cmd = /^Debuggee command was: (.*)$/m.exec(summary);
    const raw = decompressed(file);
    if (raw === null)
      return { ...profile, command: cmd ? cmd[1]! : null, notes: [...profile.notes, 'install zstd for an exact heaptrack timeline'] };
    const exact = parseHeaptrackTimeline(raw, file);
    const modules = parseHeaptrackModules(raw);
    const stacks = withModules(profile.stacks, modules, bases && aliasBases(bases, modules.values()));
    return { ...profile, stacks, command: cmd ? cmd[1]! : null, timeline: exact.timeline, peakAt: exact.peakAt, notes: [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
