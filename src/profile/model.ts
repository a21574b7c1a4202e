// The one profile model all heap profilers are read into: allocation stacks with bytes at the peak, plus the
// profiler's own timeline; and the views computed from it (self / inclusive sites, a top-down tree).
// The document's schema: src/document/profile.ts.
import { PROFILE_KIND } from '../document/kinds.js';
import { PROFILE_SCHEMA_VERSION, type Frame, type ProfileDocument, type ProfileTimeline, type Stack } from '../document/profile.js';
import type { Profiler } from '../document/profilers.js';

/** A profiler file that does not parse: names the file and the line (1-based), or a JSON path where no line is known. */
export class ProfileParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly detail: string,
    readonly path?: string,
  ) {
    super(`cannot parse ${file}${line !== null ? ` line ${line}` : ''}${path ? ` at ${path}` : ''}: ${detail}`);
    this.name = 'ProfileParseError';
  }
}

/** What a parser returns; the caller adds tool, source and command. */
export interface ParsedProfile {
  readonly profiler: Profiler;
  readonly command: string | null;
  readonly measures: string;
  readonly stacks: readonly Stack[];
  readonly peakAt: number | null;
  readonly timeline: ProfileTimeline | null;
  readonly notes: readonly string[];
  readonly views?: readonly ProfileView[];
}

export type ProfileView = NonNullable<ProfileDocument['views']>[number];

const sortStacks = (stacks: readonly Stack[]): Stack[] =>
  mergeStacks(stacks).sort((a, b) => b.peakBytes - a.peakBytes || (b.allocations ?? 0) - (a.allocations ?? 0));

export function profileDocument(p: ParsedProfile, source: string, version: string): ProfileDocument {
  const stacks = sortStacks(p.stacks);
  return {
    kind: PROFILE_KIND,
    schemaVersion: PROFILE_SCHEMA_VERSION,
    tool: { name: 'membench', version },
    profiler: p.profiler,
    source,
    command: p.command,
    measures: p.measures,
    peakBytes: stacks.reduce((s, x) => s + x.peakBytes, 0),
    peakAt: p.peakAt,
    stacks,
    timeline: p.timeline,
    notes: [...p.notes],
    ...(p.views
      ? { views: p.views.map((v) => ({ ...v, stacks: sortStacks(v.stacks), peakBytes: v.stacks.reduce((s, x) => s + x.peakBytes, 0) })) }
      : {}),
  };
}

/**
 * The key a frame is grouped by: function and file, not line (one function calls malloc from several lines).
 * A frame without a symbol is grouped by its module (library or binary), never by its address (ASLR moves it).
 */
export const frameKey = (f: Frame): string => {
  if (f.file && isModuleOffset(f)) return f.function;
  const fn = /^(0x[0-9a-f]+|\?\?\?|<unresolved function>)$/i.test(f.function) ? '???' : f.function;
  return f.file ? `${fn} (${shortFile(f.file)})` : fn === '???' ? '??? (unknown module)' : fn;
};
/** The key of a frame with its line: where in the function the allocation (or the call) happened. */
export const frameLineKey = (f: Frame): string =>
  f.file && f.line !== null ? `${f.function} (${shortFile(f.file)}:${f.line})` : frameKey(f);
export const shortFile = (file: string): string =>
  file
    .replace(/^file:\/\//, '')
    .split('/')
    .pop() || file;

/** Load addresses of the profiled process's modules (path → address), read from /proc/PID/maps during the run. */
export type ModuleBases = Readonly<Record<string, number>>;

/** "libfoo.so+0x1a2b" in the module file: an unsymbolized frame named by module and offset. */
const isModuleOffset = (f: Frame): boolean => f.file !== null && f.function.startsWith(`${shortFile(f.file)}+0x`);

/**
 * A frame without a symbol at `address` (hex) in `module`: named "libfoo.so+0x1a2b" (the offset from the
 * module's load address, the same in every run whatever ASLR does) when the module's base is known — by path,
 * else by file name when only one mapped file has it — and "???" in its module otherwise.
 */
export function unsymbolizedFrame(address: string, module: string | null, bases: ModuleBases | null = null): Frame {
  const ip = parseInt(address.replace(/^0x/i, ''), 16);
  let base = module && bases ? bases[module] : undefined;
  if (module && bases && base === undefined) {
    const same = Object.keys(bases).filter((p) => shortFile(p) === shortFile(module));
    if (same.length === 1) base = bases[same[0]!];
  }
  if (module && base !== undefined && Number.isSafeInteger(ip) && ip >= base) {
    return { function: `${shortFile(module)}+0x${(ip - base).toString(16)}`, file: module, line: null };
  }
  return { function: '???', file: module, line: null };
}

/** Identical frame paths added together (massif repeats a path when a caller calls twice from one line). */
export function mergeStacks(stacks: readonly Stack[]): Stack[] {
  const byKey = new Map<string, Stack>();
  for (const s of stacks) {
    const key = s.frames.map((f) => `${frameKey(f)}:${f.line ?? ''}`).join('\n');
    const old = byKey.get(key);
    if (!old) byKey.set(key, { frames: s.frames, peakBytes: s.peakBytes, allocations: s.allocations });
    else {
      byKey.set(key, {
        frames: old.frames,
        peakBytes: old.peakBytes + s.peakBytes,
        allocations: old.allocations === null || s.allocations === null ? null : old.allocations + s.allocations,
      });
    }
  }
  return [...byKey.values()];
}

export interface SiteRow {
  readonly site: string;
  readonly peakBytes: number;
  readonly allocations: number | null;
  readonly stacks: number;
}

/**
 * Sites at the peak. self: bytes allocated directly by the function (the stack's last frame);
 * inclusive: bytes of every stack the function appears in (counted once per stack, so recursion does not double).
 */
export function siteRows(stacks: readonly Stack[], mode: 'self' | 'inclusive', opts: { byLine?: boolean } = {}): SiteRow[] {
  const rows = new Map<string, { peakBytes: number; allocations: number | null; stacks: number }>();
  const key = opts.byLine ? frameLineKey : frameKey;
  for (const s of stacks) {
    const keys = mode === 'self' ? [key(s.frames[s.frames.length - 1]!)] : [...new Set(s.frames.map(frameKey))];
    for (const k of keys) {
      const r = rows.get(k) ?? { peakBytes: 0, allocations: 0, stacks: 0 };
      r.peakBytes += s.peakBytes;
      r.allocations = r.allocations === null || s.allocations === null ? null : r.allocations + s.allocations;
      r.stacks += 1;
      rows.set(k, r);
    }
  }
  return [...rows].map(([site, r]) => ({ site, ...r })).sort((a, b) => b.peakBytes - a.peakBytes || a.site.localeCompare(b.site));
}

/** Top-down call tree: each node's bytes are inclusive (its own allocations plus its callees'). */
export interface TreeNode {
  readonly name: string;
  bytes: number;
  selfBytes: number;
  /** Self bytes by allocating line ("file:line"), where the profiler names lines. */
  readonly selfByLine: Map<string, number>;
  readonly children: TreeNode[];
}

export function callTree(stacks: readonly Stack[], rootName: string): TreeNode {
  const root: TreeNode = { name: rootName, bytes: 0, selfBytes: 0, selfByLine: new Map(), children: [] };
  for (const s of stacks) {
    if (s.peakBytes === 0) continue;
    root.bytes += s.peakBytes;
    let node = root;
    for (const f of s.frames) {
      const name = frameKey(f);
      let child = node.children.find((c) => c.name === name);
      if (!child) {
        child = { name, bytes: 0, selfBytes: 0, selfByLine: new Map(), children: [] };
        node.children.push(child);
      }
      child.bytes += s.peakBytes;
      node = child;
    }
    node.selfBytes += s.peakBytes;
    const leaf = s.frames[s.frames.length - 1]!;
    if (leaf.file && leaf.line !== null) {
      const at = `${shortFile(leaf.file)}:${leaf.line}`;
      node.selfByLine.set(at, (node.selfByLine.get(at) ?? 0) + s.peakBytes);
    }
  }
  const sort = (n: TreeNode): void => {
    n.children.sort((a, b) => b.bytes - a.bytes);
    n.children.forEach(sort);
  };
  sort(root);
  return root;
}
