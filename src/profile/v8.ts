// Parser of V8 sampling heap profiles (.heapprofile JSON, from `node --heap-prof`): a top-down call tree whose
// nodes carry selfSize, the sampled bytes allocated there and still live when the profile was written.
import { ProfileParseError, type ParsedProfile } from './model.js';
import type { Frame, Stack } from '../document/profile.js';

/** 1-based line of a character offset, for JSON syntax errors. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Where JSON.parse fails, as an offset: V8 names the position only for some errors, so search for the shortest
 * prefix that fails for a reason other than ending early (a prefix of valid JSON only ever fails that way).
 */
function syntaxErrorOffset(text: string): number {
  const failsInside = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (e) {
      return !/end of (JSON )?(input|data)/i.test((e as Error).message) || n === text.length;
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return Math.max(0, lo - 1);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Stacks of a parsed .heapprofile object (`{head, samples}`); `at` is its JSON path for error messages. */
export function v8ProfileStacks(doc: unknown, file: string, at = '$'): Stack[] {
  if (!isObject(doc) || !isObject(doc.head))
    throw new ProfileParseError(file, null, 'no "head" node: is this a .heapprofile from node --heap-prof?', at);
  const stacks: Stack[] = [];
  const samples = new Map<number, number>();
  if (Array.isArray(doc.samples)) {
    for (const s of doc.samples) if (isObject(s) && typeof s.nodeId === 'number') samples.set(s.nodeId, (samples.get(s.nodeId) ?? 0) + 1);
  }
  // Iterative walk: profiles of deep recursion must not overflow membench's stack.
  const todo: { node: unknown; path: string; frames: Frame[] }[] = [{ node: doc.head, path: `${at}.head`, frames: [] }];
  while (todo.length > 0) {
    const { node, path, frames } = todo.pop()!;
    const bad = (detail: string, where = path): never => {
      throw new ProfileParseError(file, null, detail, where);
    };
    if (!isObject(node)) bad('expected a node object');
    const n = node as Record<string, unknown>;
    const cf = n.callFrame;
    if (!isObject(cf)) bad('expected callFrame', `${path}.callFrame`);
    const c = cf as Record<string, unknown>;
    if (typeof c.functionName !== 'string') bad('expected a string', `${path}.callFrame.functionName`);
    if (typeof c.url !== 'string') bad('expected a string', `${path}.callFrame.url`);
    if (typeof c.lineNumber !== 'number' || !Number.isSafeInteger(c.lineNumber)) bad('expected an integer', `${path}.callFrame.lineNumber`);
    const self = n.selfSize;
    if (typeof self !== 'number' || !Number.isSafeInteger(self) || self < 0) bad('expected a non-negative integer', `${path}.selfSize`);
    if (!Array.isArray(n.children)) bad('expected an array', `${path}.children`);
    const isRoot = frames.length === 0 && path === `${at}.head`;
    const here = isRoot
      ? frames
      : [
          ...frames,
          {
            function: (c.functionName as string) || '(anonymous)',
            file: (c.url as string) === '' ? null : (c.url as string).replace(/^file:\/\//, ''),
            line: (c.lineNumber as number) >= 0 ? (c.lineNumber as number) + 1 : null,
          },
        ];
    if ((self as number) > 0 && here.length > 0) {
      stacks.push({ frames: here, peakBytes: self as number, allocations: typeof n.id === 'number' ? (samples.get(n.id) ?? null) : null });
    }
    (n.children as unknown[]).forEach((child, i) => todo.push({ node: child, path: `${path}.children[${i}]`, frames: here }));
  }
  return stacks;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ProfileParseError(file, lineAt(text, syntaxErrorOffset(text)), `not JSON: ${(e as Error).message}`);
  }
}

const EXIT_MEASURES =
  'sampled bytes of JS heap objects still live when the profile was written (at exit), not a peak; allocations = samples';

/** Parses .heapprofile JSON; throws ProfileParseError naming the file and the line (syntax) or JSON path (structure). */
export function parseV8HeapProfile(text: string, file: string): ParsedProfile {
  return {
    profiler: 'v8',
    command: null,
    measures: EXIT_MEASURES,
    stacks: v8ProfileStacks(parseJson(text, file), file),
    peakAt: null,
    timeline: null,
    notes: [
      'v8 heap profiles sample allocations (--heap-prof-interval) and keep only those live at the end; Buffers and other off-heap memory are not in them',
    ],
  };
}

export interface V8PreloadFile {
  readonly pid: number;
  readonly argv: readonly string[];
  readonly vmHwmBytes: number | null;
}

/**
 * What membench's v8 preload writes (membench-v8.PID.json): the profile taken at the highest used JS heap seen
 * (the main view) and the one at exit (a second view), each with when it was taken and the heap then.
 */
export function parseV8PreloadFile(text: string, file: string): { parsed: ParsedProfile; process: V8PreloadFile } {
  const d = parseJson(text, file);
  if (!isObject(d) || d.kind !== 'membench-v8-preload') throw new ProfileParseError(file, null, 'not a membench v8 preload file', '$.kind');
  const moment = (k: 'peak' | 'exit'): { tMs: number; heapUsedBytes: number; stacks: Stack[] } | null => {
    const m = d[k];
    if (m === null || m === undefined) return null;
    if (!isObject(m) || typeof m.tMs !== 'number' || typeof m.heapUsedBytes !== 'number')
      throw new ProfileParseError(file, null, 'expected {tMs, heapUsedBytes, profile}', `$.${k}`);
    // The preload's own objects (the profiles it fetched through node:inspector) are not the program's.
    const own = (f: Frame): boolean => f.file === 'node:inspector' || (f.file ?? '').endsWith('membench-v8-preload.cjs');
    return {
      tMs: m.tMs,
      heapUsedBytes: m.heapUsedBytes,
      stacks: v8ProfileStacks(m.profile, file, `$.${k}.profile`).filter((s) => !s.frames.some(own)),
    };
  };
  const peak = moment('peak');
  const exit = moment('exit');
  const interval = typeof d.samplingIntervalBytes === 'number' ? d.samplingIntervalBytes : null;
  const pid = typeof d.pid === 'number' ? d.pid : 0;
  const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
  return {
    process: {
      pid,
      argv: Array.isArray(d.argv) ? d.argv.map(String) : [],
      vmHwmBytes: typeof d.vmHwmBytes === 'number' ? d.vmHwmBytes : null,
    },
    parsed: {
      profiler: 'v8',
      command: Array.isArray(d.argv) ? d.argv.map(String).join(' ') : null,
      measures:
        'sampled bytes of JS heap objects live when the used JS heap was at its highest seen (checked every 20 ms from the event loop and at exit); allocations = samples',
      stacks: peak?.stacks ?? [],
      peakAt: peak ? Math.round(peak.tMs) : null,
      timeline: null,
      views: exit ? [{ view: 'live-at-exit', measures: EXIT_MEASURES, peakBytes: 0, at: Math.round(exit.tMs), stacks: exit.stacks }] : [],
      notes: [
        ...(peak
          ? [
              `peak-time view: the profile taken at ${Math.round(peak.tMs)} ms, when V8's used heap was ${mib(peak.heapUsedBytes)} (the highest seen from the event loop; a peak inside one synchronous stretch of code that is gone before the next turn of the loop is not seen)`,
            ]
          : []),
        `sampled every ${interval ?? '?'} B of allocation; Buffers and other off-heap memory are not in V8 heap profiles; the preload's own objects (node:inspector) are left out`,
      ],
    },
  };
}
