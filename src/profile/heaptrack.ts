// heaptrack data files read through heaptrack_print (the format of the .zst file itself is internal to heaptrack):
// `-F --flamegraph-cost-type peak|allocations` give exact integers per stack, `-M` a massif-format timeline.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MembenchError } from '../errors.js';
import { parseMassif } from './massif.js';
import { ProfileParseError, type Frame, type ParsedProfile, type Stack } from './model.js';

/** "main;make_jobs; 10485760": frames outermost first, each "function" or "function (file)". */
export function parseCollapsedStacks(text: string, file: string): Map<string, { frames: Frame[]; value: number }> {
  const out = new Map<string, { frames: Frame[]; value: number }>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^(.*); (\d+)$/.exec(line);
    if (!m || m[1]!.trim() === '') throw new ProfileParseError(file, i + 1, `expected "frame;frame; COUNT", got ${JSON.stringify(line.slice(0, 60))}`);
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
    if (err.code === 'ENOENT') throw new MembenchError('environment', 'heaptrack_print not found', 'install the Debian package heaptrack (apt-get install heaptrack)');
    throw new MembenchError('environment', `heaptrack_print failed: ${(err.stderr ?? err.message).trim().split('\n').pop()}`, undefined, { cause: e });
  }
}

/** Reads a heaptrack data file (heaptrack.PROG.PID.zst or .gz). */
export function readHeaptrackFile(file: string): ParsedProfile {
  const dir = mkdtempSync(join(tmpdir(), 'membench-heaptrack-'));
  try {
    const [peakF, allocF, massifF] = ['peak.txt', 'alloc.txt', 'timeline.massif'].map((n) => join(dir, n)) as [string, string, string];
    const quiet = ['-p', '0', '-a', '0', '-T', '0', '-l', '0'];
    const summary = heaptrackPrint(['-f', file, ...quiet, '-F', peakF, '--flamegraph-cost-type', 'peak', '-M', massifF, '--massif-detailed-freq', '0']);
    heaptrackPrint(['-f', file, ...quiet, '-F', allocF, '--flamegraph-cost-type', 'allocations']);
    const profile = heaptrackProfile(readFileSync(peakF, 'utf8'), readFileSync(allocF, 'utf8'), readFileSync(massifF, 'utf8'), file);
    const cmd = /^Debuggee command was: (.*)$/m.exec(summary);
    return { ...profile, command: cmd ? cmd[1]! : null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
