// Parser of V8 sampling heap profiles (.heapprofile JSON, from `node --heap-prof`): a top-down call tree whose
// nodes carry selfSize, the sampled bytes allocated there and still live when the profile was written.
import { ProfileParseError, type Frame, type ParsedProfile, type Stack } from './model.js';

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

/** Parses .heapprofile JSON; throws ProfileParseError naming the file and the line (syntax) or JSON path (structure). */
export function parseV8HeapProfile(text: string, file: string): ParsedProfile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ProfileParseError(file, lineAt(text, syntaxErrorOffset(text)), `not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc) || !isObject(doc.head)) throw new ProfileParseError(file, null, 'no "head" node: is this a .heapprofile from node --heap-prof?', '$');
  const stacks: Stack[] = [];
  const samples = new Map<number, number>();
  if (Array.isArray(doc.samples)) {
    for (const s of doc.samples) if (isObject(s) && typeof s.nodeId === 'number') samples.set(s.nodeId, (samples.get(s.nodeId) ?? 0) + 1);
  }
  // Iterative walk: profiles of deep recursion must not overflow membench's stack.
  const todo: { node: unknown; path: string; frames: Frame[] }[] = [{ node: doc.head, path: '$.head', frames: [] }];
  while (todo.length > 0) {
    const { node, path, frames } = todo.pop()!;
    const bad = (detail: string, at = path): never => {
      throw new ProfileParseError(file, null, detail, at);
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
    const isRoot = frames.length === 0 && path === '$.head';
    const here = isRoot ? frames : [...frames, {
      function: (c.functionName as string) || '(anonymous)',
      file: (c.url as string) === '' ? null : (c.url as string).replace(/^file:\/\//, ''),
      line: (c.lineNumber as number) >= 0 ? (c.lineNumber as number) + 1 : null,
    }];
    if ((self as number) > 0 && here.length > 0) {
      stacks.push({ frames: here, peakBytes: self as number, allocations: typeof n.id === 'number' ? samples.get(n.id) ?? null : null });
    }
    (n.children as unknown[]).forEach((child, i) => todo.push({ node: child, path: `${path}.children[${i}]`, frames: here }));
  }
  return {
    profiler: 'v8',
    command: null,
    measures: 'sampled bytes of JS heap objects still live when the profile was written (at exit), not a peak; allocations = samples',
    stacks,
    peakAt: null,
    timeline: null,
    notes: ['v8 heap profiles sample allocations (--heap-prof-interval) and keep only those live at the end; Buffers and other off-heap memory are not in them'],
  };
}
