// Reader of what the `--with python` sitecustomize writes: membench-python.PID.json (the process: VmHWM,
// tracemalloc's peak and own memory) and membench-python.PID.snapshot.json (the traces at the highest traced
// memory it caught, grouped by traceback, file:line:function).
import { existsSync, readFileSync } from 'node:fs';
import { ProfileParseError, type ParsedProfile } from './model.js';
import type { Frame, Stack } from '../document/profile.js';
import { formatBytes, formatPercent } from '../units.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);

export interface PythonProcessFile {
  readonly pid: number;
  readonly argv: readonly string[];
  readonly vmHwmBytes: number | null;
  readonly tracedPeakBytes: number;
  readonly snapshotBytes: number;
  readonly snapshotAtMs: number | null;
  readonly snapshots: number;
  readonly tracemallocBytes: number;
}

function json(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ProfileParseError(file, null, `not JSON: ${(e as Error).message}`);
  }
}

export function parsePythonProcess(text: string, file: string): PythonProcessFile {
  const d = json(text, file);
  if (!isObject(d) || d.kind !== 'membench-python-tracemalloc')
    throw new ProfileParseError(file, null, 'not a membench python profile', '$.kind');
  const need = (k: string): number => {
    const v = count(d[k]);
    if (v === null) throw new ProfileParseError(file, null, 'expected a non-negative integer', `$.${k}`);
    return v;
  };
  return {
    pid: need('pid'),
    argv: Array.isArray(d.argv) ? d.argv.map(String) : [],
    vmHwmBytes: count(d.vmHwmBytes),
    tracedPeakBytes: need('tracedPeakBytes'),
    snapshotBytes: need('snapshotBytes'),
    snapshotAtMs: typeof d.snapshotAtMs === 'number' ? d.snapshotAtMs : null,
    snapshots: need('snapshots'),
    tracemallocBytes: need('tracemallocBytes'),
  };
}

export interface PythonSnapshot {
  readonly tracedBytes: number;
  readonly atMs: number | null;
  readonly stacks: Stack[];
}

export function parsePythonSnapshot(text: string, file: string): PythonSnapshot {
  const d = json(text, file);
  if (!isObject(d) || !Array.isArray(d.stacks)) throw new ProfileParseError(file, null, 'expected "stacks"', '$.stacks');
  const tracedBytes = count(d.tracedBytes);
  if (tracedBytes === null) throw new ProfileParseError(file, null, 'expected a byte count', '$.tracedBytes');
  const stacks = d.stacks.map((s, i): Stack => {
    const at = `$.stacks[${i}]`;
    if (!isObject(s) || !Array.isArray(s.frames) || s.frames.length === 0)
      throw new ProfileParseError(file, null, 'expected frames', `${at}.frames`);
    const frames = s.frames.map((f, j): Frame => {
      if (!Array.isArray(f) || typeof f[0] !== 'string' || typeof f[1] !== 'number')
        throw new ProfileParseError(file, null, 'expected [file, line, function]', `${at}.frames[${j}]`);
      return { function: typeof f[2] === 'string' ? f[2] : '?', file: f[0] === '<unknown>' ? null : f[0], line: f[1] > 0 ? f[1] : null };
    });
    const bytes = count(s.bytes);
    if (bytes === null) throw new ProfileParseError(file, null, 'expected a byte count', `${at}.bytes`);
    return { frames, peakBytes: bytes, allocations: count(s.count) };
  });
  return { tracedBytes, atMs: typeof d.atMs === 'number' ? d.atMs : null, stacks };
}

/** The profile of one python process from its two files (the snapshot file is missing when none was taken). */
export function readPythonProfile(processFile: string): { parsed: ParsedProfile; process: PythonProcessFile } {
  const proc = parsePythonProcess(readFileSync(processFile, 'utf8'), processFile);
  const snapFile = processFile.replace(/\.json$/, '.snapshot.json');
  const snap = existsSync(snapFile) ? parsePythonSnapshot(readFileSync(snapFile, 'utf8'), snapFile) : null;
  const stacks = snap?.stacks ?? [];
  const notes: string[] = [];
  if (!snap || stacks.length === 0) notes.push('no tracemalloc snapshot was taken: sites unknown');
  else {
    // The snapshot file's own figures: it was written by the copy of the process that took it.
    notes.push(
      `sites from the snapshot at the highest traced memory caught (${formatBytes(snap.tracedBytes)} at ${Math.round(snap.atMs ?? 0)} ms; ` +
        `tracemalloc's own peak ${formatBytes(proc.tracedPeakBytes)}, so the snapshot holds ${formatPercent(proc.tracedPeakBytes > 0 ? snap.tracedBytes / proc.tracedPeakBytes : 1)} of it; ${proc.snapshots} snapshots taken)`,
    );
    // The process measures just before forking the copy, the copy just after: they differ by a few KiB at most.
    if (Math.abs(snap.tracedBytes - proc.snapshotBytes) > 0.05 * proc.snapshotBytes)
      notes.push(
        `the process recorded its snapshot at ${formatBytes(proc.snapshotBytes)} but the snapshot file holds ${formatBytes(snap.tracedBytes)}: the highest snapshot was lost`,
      );
  }
  notes.push(`tracemalloc's own bookkeeping took ${formatBytes(proc.tracemallocBytes)} at the snapshot: it is in VmHWM, not in the sites`);
  return {
    process: proc,
    parsed: {
      profiler: 'python',
      command: proc.argv.join(' ') || null,
      measures:
        'bytes Python allocated through PyMem/PyObject (pymalloc included) and still live at the snapshot taken at the highest traced memory (tracemalloc)',
      stacks,
      peakAt: snap?.atMs ?? null,
      timeline: null,
      notes,
    },
  };
}
