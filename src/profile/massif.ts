// Parser of valgrind massif output (massif.out.PID, as ms_print reads it): the snapshots become the timeline,
// the peak snapshot's heap tree (bottom-up: allocation function first) becomes stacks (outermost caller first).
import { ProfileParseError, unsymbolizedFrame, type ModuleBases, type ParsedProfile } from './model.js';
import type { Frame, ProfileTimeline, Stack } from '../document/profile.js';

const UNITS = { i: 'instructions', ms: 'ms', B: 'bytes-allocated', s: 's' } as const;

interface Snapshot {
  time: number;
  heap: number;
  extra: number;
  tree: 'empty' | 'detailed' | 'peak';
  /** Stacks of this snapshot's heap tree (detailed and peak snapshots). */
  stacks: Stack[];
  /** Line of its time= field. */
  line: number;
}

class Lines {
  private i = 0;
  readonly lines: string[];
  constructor(
    text: string,
    readonly file: string,
  ) {
    this.lines = text.split('\n');
    if (this.lines[this.lines.length - 1] === '') this.lines.pop();
  }
  get lineNo(): number {
    return this.i + 1;
  }
  done(): boolean {
    return this.i >= this.lines.length;
  }
  peek(): string | undefined {
    return this.lines[this.i];
  }
  next(): string {
    const l = this.lines[this.i];
    if (l === undefined) throw new ProfileParseError(this.file, Math.max(1, this.i), 'unexpected end of file');
    this.i++;
    return l;
  }
  fail(detail: string, back = 1): never {
    throw new ProfileParseError(this.file, this.i + 1 - back, detail);
  }
  /** Reads "key=value" (or "key: value") with this key. */
  field(key: string, sep: '=' | ': '): string {
    const l = this.next();
    if (!l.startsWith(key + sep)) this.fail(`expected "${key}${sep}…", got ${JSON.stringify(l.slice(0, 60))}`);
    return l.slice(key.length + sep.length);
  }
  int(key: string): number {
    const v = this.field(key, '=');
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) this.fail(`${key} is not a byte count: ${JSON.stringify(v)}`);
    return Number(v);
  }
}

/** "0x10925D: make_jobs (allocsites.c:15)", "0x…: ??? (in /lib/x.so)", "in 3 places, all below massif's threshold (1.00%)". */
export function parseMassifLabel(label: string, bases: ModuleBases | null = null): Frame {
  if (/^in \d+ places?, (all )?below /.test(label)) return { function: '(below threshold)', file: null, line: null };
  const address = /^(0x[0-9A-Fa-f]+): /.exec(label)?.[1];
  const body = address ? label.slice(address.length + 2) : label;
  const m = /^(.*) \(([^()]*)\)$/.exec(body);
  if (!m) return address && body === '???' ? unsymbolizedFrame(address, null) : { function: body, file: null, line: null };
  const [, fn, loc] = m as unknown as [string, string, string];
  if (loc.startsWith('in '))
    return address && fn === '???' ? unsymbolizedFrame(address, loc.slice(3), bases) : { function: fn, file: loc.slice(3), line: null };
  const fl = /^(.*):(\d+)$/.exec(loc);
  if (fl && Number(fl[2]) > 0) return { function: fn, file: fl[1]!, line: Number(fl[2]) };
  return { function: fn, file: loc, line: null };
}

/** Reads one heap tree node at `depth` and its children; appends a stack for every leaf (and every remainder). */
function readTree(r: Lines, depth: number, path: Frame[], out: Stack[], bases: ModuleBases | null): number {
  if (depth > 2000) r.fail('heap tree deeper than 2000 frames', 0);
  const line = r.next();
  const m = /^( *)n(\d+): (\d+)(?: (.*))?$/.exec(line);
  if (!m) r.fail(`expected a heap tree node "nK: BYTES label", got ${JSON.stringify(line.slice(0, 60))}`);
  const [, indent, kids, size, label] = m as unknown as [string, string, string, string, string | undefined];
  if (indent.length !== depth) r.fail(`heap tree node indented ${indent.length}, expected ${depth}`);
  const bytes = Number(size);
  const children = Number(kids);
  if (!Number.isSafeInteger(bytes) || !Number.isSafeInteger(children)) r.fail('number too large');
  if (depth > 0 && label === undefined) r.fail('heap tree node without a label');
  // The root is "(heap allocation functions) malloc/new/…": not a frame.
  const here = depth === 0 ? path : [...path, parseMassifLabel(label!, bases)];
  let childBytes = 0;
  for (let k = 0; k < children; k++) childBytes += readTree(r, depth + 1, here, out, bases);
  const rest = bytes - childBytes;
  if (rest > 0 && here.length > 0) out.push({ frames: [...here].reverse(), peakBytes: rest, allocations: null });
  return bytes;
}

function readSnapshot(r: Lines, bases: ModuleBases | null): Snapshot {
  const sep = r.next();
  if (sep !== '#-----------') r.fail(`expected "#-----------", got ${JSON.stringify(sep.slice(0, 60))}`);
  r.int('snapshot');
  if (r.next() !== '#-----------') r.fail('expected "#-----------" after snapshot=N');
  const line = r.lineNo;
  const t = r.field('time', '=');
  if (!/^\d+(\.\d+)?$/.test(t)) r.fail(`time is not a number: ${JSON.stringify(t)}`);
  const heap = r.int('mem_heap_B');
  const extra = r.int('mem_heap_extra_B');
  r.int('mem_stacks_B');
  const tree = r.field('heap_tree', '=');
  if (tree !== 'empty' && tree !== 'detailed' && tree !== 'peak')
    r.fail(`heap_tree is not empty, detailed or peak: ${JSON.stringify(tree)}`);
  const stacks: Stack[] = [];
  if (tree !== 'empty') readTree(r, 0, [], stacks, bases);
  return { time: Number(t), heap, extra, tree, stacks, line };
}

/**
 * Parses massif output text; throws ProfileParseError naming the file and line. With the module bases of the
 * valgrind process (its maps hold the program's), unsymbolized frames are named by module and offset.
 */
export function parseMassif(text: string, file: string, bases: ModuleBases | null = null): ParsedProfile {
  const r: Lines = new Lines(text, file);
  let command: string | null = null;
  let unit = 'instructions' as ProfileTimeline['unit'] | 's';
  // valgrind writes desc, cmd and time_unit first; heaptrack_print -M writes them last (time_unit: s).
  const header = (): void => {
    const l = r.next();
    const m = /^(desc|cmd|time_unit): ?(.*)$/.exec(l);
    if (!m) r.fail(`expected a header line (desc:, cmd:, time_unit:), got ${JSON.stringify(l.slice(0, 60))}`);
    if (m[1] === 'cmd') command = m[2]!;
    if (m[1] === 'time_unit') {
      const u = UNITS[m[2] as keyof typeof UNITS];
      if (!u) r.fail(`unknown time_unit ${JSON.stringify(m[2])} (massif writes i, ms or B; heaptrack s)`);
      unit = u;
    }
  };
  const snapshots: Snapshot[] = [];
  while (!r.done()) {
    if (r.peek()!.startsWith('#')) snapshots.push(readSnapshot(r, bases));
    else header();
  }
  if (unit === 's') for (const s of snapshots) s.time = Math.round(s.time * 1e6) / 1e3;
  if (snapshots.length === 0) throw new ProfileParseError(file, Math.max(1, r.lines.length), 'no snapshots: is this a massif output file?');
  for (let i = 1; i < snapshots.length; i++) {
    if (snapshots[i]!.time < snapshots[i - 1]!.time)
      throw new ProfileParseError(file, snapshots[i]!.line, `snapshot ${i} goes back in time`);
  }
  const detailed = snapshots.filter((s) => s.tree !== 'empty');
  const peak =
    snapshots.find((s) => s.tree === 'peak') ??
    detailed.reduce<Snapshot | null>((best, s) => (best === null || s.heap > best.heap ? s : best), null);
  const notes: string[] = [];
  if (!peak) notes.push('no detailed snapshot in the file: sites unknown (massif --detailed-freq=0?), timeline only');
  else if (peak.tree !== 'peak') notes.push('no peak snapshot in the file: sites are from the largest detailed snapshot');
  const maxHeap = Math.max(...snapshots.map((s) => s.heap));
  if (peak && peak.heap < maxHeap) {
    notes.push(
      `the snapshot with sites holds ${peak.heap} B; the timeline reaches ${maxHeap} B: ${maxHeap - peak.heap} B (${((100 * (maxHeap - peak.heap)) / maxHeap).toFixed(1)} %) of the peak has no sites (run massif with --detailed-freq=1 --peak-inaccuracy=0.0, as membench profile --with massif does)`,
    );
  }
  return {
    profiler: 'massif',
    command,
    measures: 'bytes the program asked malloc/new for (mem_heap_B, allocator overhead excluded), live at the peak snapshot',
    stacks: peak?.stacks ?? [],
    peakAt: peak?.time ?? null,
    timeline: {
      unit: unit === 's' ? 'ms' : unit,
      t: snapshots.map((s) => s.time),
      heapBytes: snapshots.map((s) => s.heap),
      extraBytes: snapshots.map((s) => s.extra),
    },
    notes,
  };
}
