// The kernel log (/dev/kmsg, readable by root or with kernel.dmesg_restrict=0): the OOM killer's own lines,
// grouped into one event per kill (pure parser) so a kill is attributed whole, never line by line.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { errnoCode } from '../errors.js';

export interface KmsgRecord {
  /** The record's sequence number (increases by one per record since boot). */
  readonly seq: number;
  /** Microseconds since boot (the record's timestamp field: the kernel's local clock, suspend not counted). */
  readonly usec: number;
  readonly message: string;
}

const DECIMAL = /^\d+$/;

/** Parses one /dev/kmsg record: "prio,seq,usec,flags[,…];message" (continuation lines are dropped). */
export function parseKmsgRecord(text: string): KmsgRecord | null {
  const semi = text.indexOf(';');
  if (semi < 0) return null;
  const fields = text.slice(0, semi).split(',');
  // Decimal digits only: Number() would read "" as 0 and accept " 5", "0x10", "1e3" or "1.5".
  if (fields.length < 4 || !DECIMAL.test(fields[1]!) || !DECIMAL.test(fields[2]!)) return null;
  const seq = Number(fields[1]);
  const usec = Number(fields[2]);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(usec)) return null;
  return { seq, usec, message: text.slice(semi + 1).split('\n')[0]! };
}

/** Records of a captured /dev/kmsg dump (one record per line; continuation lines, which start with a space, skipped). */
export function parseKmsgDump(text: string): KmsgRecord[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith(' '))
    .map(parseKmsgRecord)
    .filter((r): r is KmsgRecord => r !== null);
}

export interface KilledProcess {
  readonly pid: number;
  readonly name: string;
}

/** One OOM kill as the kernel logged it (mm/oom_kill.c: dump_header, then the "oom-kill:" summary, then the kill). */
export interface OomEvent {
  /** Sequence number and timestamp (µs since boot) of the event's first line. */
  readonly seq: number;
  readonly usec: number;
  /** "CONSTRAINT_MEMCG" (a cgroup's limit), "CONSTRAINT_NONE" (the machine), …; null when that line was not logged. */
  readonly constraint: string | null;
  /** The cgroup whose limit was hit (oom_memcg=), as the kernel names it; null for a machine-wide OOM or when not logged. */
  readonly oomMemcg: string | null;
  /** The killed task's memory cgroup (task_memcg=); null when not logged. */
  readonly taskMemcg: string | null;
  /** True when the kernel said the whole machine was out of memory ("global_oom", "Out of memory: Killed process"). */
  readonly global: boolean;
  /** Every process killed (one, or a whole group with memory.oom.group), first the victim. */
  readonly killed: readonly KilledProcess[];
  /** The event's own lines (not the stack dump, statistics or task table between them). */
  readonly lines: readonly string[];
}

const INVOKED = /^(.*) invoked oom-killer:/;
const SUMMARY = /^oom-kill:(.*)$/;
// Before Linux 4.19 the kill has a line of its own, without the "…out of memory:" prefix.
const KILLED = /^(?:(Memory cgroup out of memory|Out of memory(?: \([^)]*\))?): )?Killed process (\d+) \(([^)]*)\)/;
// Kernels before 4.19 name the cgroups in a line of their own.
const TASK_IN = /^Task in (\S+) killed as a result of limit of (\S+)/;
const GROUP_KILL = /^Tasks in (\S+) are going to be killed due to memory\.oom\.group set/;

/** Whether a kernel log message is one of the lines an OOM event is parsed from. */
export function isOomEventLine(message: string): boolean {
  return INVOKED.test(message) || SUMMARY.test(message) || KILLED.test(message) || TASK_IN.test(message) || GROUP_KILL.test(message);
}

interface Draft {
  seq: number;
  usec: number;
  constraint: string | null;
  oomMemcg: string | null;
  taskMemcg: string | null;
  global: boolean;
  killed: KilledProcess[];
  lines: string[];
  /** Which of its lines the event has already had: a second one starts the next event. */
  hasSummary: boolean;
  hasKill: boolean;
}

/**
 * Groups kernel log records into OOM events, in log order. The OOM killer holds a global lock from "invoked
 * oom-killer" to the kill, so the lines of two events never interleave; an event whose first lines were overwritten
 * in the ring buffer starts at whichever of its lines is left. Records that are not OOM lines are skipped.
 */
export function parseOomEvents(records: readonly KmsgRecord[]): OomEvent[] {
  const events: OomEvent[] = [];
  let cur = null as Draft | null;
  const start = (r: KmsgRecord): Draft => {
    if (cur) events.push(finish(cur));
    cur = {
      seq: r.seq,
      usec: r.usec,
      constraint: null,
      oomMemcg: null,
      taskMemcg: null,
      global: false,
      killed: [],
      lines: [],
      hasSummary: false,
      hasKill: false,
    };
    return cur;
  };
  for (const r of records) {
    const m = r.message;
    if (INVOKED.test(m)) {
      start(r).lines.push(m);
      continue;
    }
    const summary = SUMMARY.exec(m);
    if (summary) {
      const e: Draft = cur && !cur.hasSummary && !cur.hasKill ? cur : start(r);
      const fields = parseSummary(summary[1]!);
      e.constraint = fields.get('constraint') ?? null;
      e.oomMemcg = fields.get('oom_memcg') ?? null;
      e.taskMemcg = fields.get('task_memcg') ?? null;
      e.global ||= fields.has('global_oom');
      const pid = Number(fields.get('pid'));
      if (Number.isInteger(pid) && pid > 0) addKilled(e, { pid, name: fields.get('task') ?? '' });
      e.hasSummary = true;
      e.lines.push(m);
      continue;
    }
    const taskIn = TASK_IN.exec(m);
    if (taskIn) {
      const e: Draft = cur && !cur.hasKill && cur.taskMemcg === null ? cur : start(r);
      e.taskMemcg = taskIn[1]!;
      e.oomMemcg = taskIn[2]!;
      e.lines.push(m);
      continue;
    }
    if (GROUP_KILL.test(m)) {
      (cur ?? start(r)).lines.push(m);
      continue;
    }
    const killed = KILLED.exec(m);
    if (killed) {
      // A kill line after a kill belongs to the same event only with memory.oom.group (every member is killed).
      const grouped = cur?.lines.some((l) => GROUP_KILL.test(l)) ?? false;
      const e: Draft = cur && (!cur.hasKill || grouped) ? cur : start(r);
      if (killed[1]?.startsWith('Out of memory')) e.global = true;
      addKilled(e, { pid: Number(killed[2]), name: killed[3]! });
      e.hasKill = true;
      e.lines.push(m);
    }
  }
  if (cur) events.push(finish(cur));
  return events;
}

/** "constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,…,global_oom,task_memcg=/a,task=x,pid=1,uid=0" → map. */
function parseSummary(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) fields.set(part.trim(), '');
    else fields.set(part.slice(0, eq).trim(), part.slice(eq + 1));
  }
  return fields;
}

function addKilled(e: Draft, k: KilledProcess): void {
  const known = e.killed.find((x) => x.pid === k.pid);
  if (!known) e.killed.push(k);
  else if (!known.name && k.name) e.killed[e.killed.indexOf(known)] = k;
}

function finish(d: Draft): OomEvent {
  return {
    seq: d.seq,
    usec: d.usec,
    constraint: d.constraint,
    oomMemcg: d.oomMemcg,
    taskMemcg: d.taskMemcg,
    global: d.global,
    killed: d.killed,
    lines: d.lines,
  };
}

/**
 * Reads every record still in the kernel's ring buffer (non-blocking) and returns the OOM lines among them. Null when
 * /dev/kmsg cannot be read (no permission, kernel.dmesg_restrict): say so, don't guess.
 */
export function readOomRecords(path = '/dev/kmsg'): KmsgRecord[] | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  const buf = Buffer.alloc(8192);
  const records: KmsgRecord[] = [];
  try {
    for (let i = 0; i < 1_000_000; i++) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'EPIPE') continue; // records were overwritten while reading: carry on with the next
        if (code === 'EAGAIN') break; // the end of the buffer
        return null; // EPERM / EINVAL: not readable after all
      }
      if (n <= 0) break;
      const rec = parseKmsgRecord(buf.toString('utf8', 0, n));
      if (rec && isOomEventLine(rec.message)) records.push(rec);
    }
  } finally {
    closeSync(fd);
  }
  return records;
}

/** The OOM events still in the kernel's ring buffer; null when it cannot be read. */
export function readOomEvents(path = '/dev/kmsg'): OomEvent[] | null {
  const records = readOomRecords(path);
  return records ? parseOomEvents(records) : null;
}

/** Microseconds on the clock kmsg timestamps use (CLOCK_MONOTONIC: measured within ~1 ms of a record's stamp here). */
export function kmsgClockUsec(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
