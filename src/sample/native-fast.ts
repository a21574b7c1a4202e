// The fast tier run by native/sampler.c instead of this thread's own loop: the helper ticks at the interval and
// writes batches of records (native-records.ts) every FLUSH_MS; this thread wakes per batch, keeps the same columns,
// members and shared slots as FastTicker does, and answers drains. Used for the cgroup and roots memberships (the
// proc backend's children walks and marker scans stay in JavaScript); any failure to start falls back to FastTicker.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { readCmdline } from '../probe/proc.js';
import { percentileSorted } from '../stats-core.js';
import { Columns } from './columns.js';
import { FAST_COLUMNS, quietOutput, wakeSlow } from './fast-ticker.js';
import { nowEpoch, threadCpuMs } from './io.js';
import { RecordDecoder, REC, type NativeRecord } from './native-records.js';
import { BIG_TREE_PROCESSES } from './settings.js';
import {
  CTRL,
  LIVE,
  MEMBERS,
  STATE_STOP,
  type AddRootsMessage,
  type Adaptation,
  type FastChunk,
  type FastOutput,
  newProcessSeen,
  type ProcessSeen,
  type SamplerConfig,
} from './protocol.js';

/**
 * The helper writes its records this often when nothing but ticks happened: the reader thread wakes ~10 times a
 * second instead of 1000. A process joining, leaving or moving (statm) is written within 10 ms (native/sampler.c).
 */
export const NATIVE_FLUSH_MS = 100;
/** How long the helper may take to say hello before the JavaScript sampler runs instead. */
const HELLO_TIMEOUT_MS = 3000;

/** The membership the helper covers, or why not (the JavaScript sampler runs then). */
export function nativeUnsupported(cfg: Pick<SamplerConfig, 'membership'>): string | null {
  return cfg.membership.kind === 'proc' ? 'the proc backend (children walks, marker scans) is sampled in JavaScript' : null;
}

type WaitAsync = (
  a: Int32Array,
  index: number,
  value: number,
  timeoutMs?: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
/** Atomics.waitAsync (node ≥ 16; not in this TypeScript lib): waits without blocking the thread's event loop. */
export const waitAsync: WaitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

const errnoName = (n: number): string => Object.entries(constants.errno).find(([, v]) => v === n)?.[0] ?? `errno ${n}`;

interface Live {
  readonly seen: ProcessSeen;
  index: number;
}

export class NativeFast {
  private readonly decoder = new RecordDecoder();
  readonly fast = new Columns(FAST_COLUMNS);
  private readonly gaps = new Columns(['gap'] as const);
  private readonly members = new Map<number, Live>();
  /**
   * The members in the order of the shared list: a join appends, a leave moves the last one into its place, and only
   * the slots that changed are written (a list of thousands is not rewritten for every batch of a growing tree).
   */
  private readonly order: Live[] = [];
  private readonly dirtySlots: number[] = [];
  private listDirty = false;
  readonly finished: ProcessSeen[] = [];
  private ticks = 0;
  private missed = 0;
  private carried = 0;
  private firstMs = NaN;
  private lastMs = NaN;
  private endMs = NaN;
  private helperCpuMs = NaN;
  /** Ticks that skipped the cgroup.procs read, the tree being quiet (END). */
  private quietSkipped = 0;
  private hello: NativeRecord | null = null;
  private adapt: { fromMs: number; minReads: number; maxMembers: number } | null = null;
  private adaptMembership: { fromMs: number; maxEvery: number; maxMembers: number } | null = null;
  private drained = 0;
  private stopSent = false;
  private readonly ended: Promise<void>;
  private readonly ctrl: Int32Array;
  private readonly live: Float64Array;
  private readonly shared: Int32Array;
  private stderr = '';
  /** Something the slow thread reads moved in this batch (a member's statm, the list, the usage): wake it. */
  private moved = false;
  private lastTree = NaN;

  private constructor(
    private readonly cfg: SamplerConfig,
    private readonly child: ChildProcess,
    private readonly port: MessagePort,
  ) {
    this.ctrl = new Int32Array(cfg.control);
    this.live = new Float64Array(cfg.live);
    this.shared = new Int32Array(cfg.members);
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-400);
    });
    this.ended = new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => this.onChunk(chunk));
      child.stdout!.once('end', () => resolve());
      child.once('error', () => resolve());
    });
  }

  /** Starts the helper and waits for its hello; a reason string when it could not (the caller falls back). */
  static async start(bin: string, cfg: SamplerConfig, port: MessagePort, statmBudgetNs: number): Promise<NativeFast | string> {
    const args = [
      String(Math.round(cfg.intervalMs * 1000)),
      String(cfg.pageSizeBytes),
      cfg.procRoot,
      cfg.usageFile ?? '-',
      cfg.membership.kind === 'cgroup' ? cfg.membership.procsFile : '-',
      String(NATIVE_FLUSH_MS),
      String(cfg.maxStatmPerTick),
      String(Math.round(statmBudgetNs)),
      '-10',
      cfg.realtime ? '1' : '0',
      String(cfg.membershipQuiet?.afterMs ?? 0),
      String(cfg.membershipQuiet?.everyMs ?? 0),
    ];
    let child: ChildProcess;
    try {
      child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      return `the native helper did not start: ${(e as Error).message}`;
    }
    const n = new NativeFast(cfg, child, port);
    const said = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(`the native helper did not answer within ${HELLO_TIMEOUT_MS} ms`), HELLO_TIMEOUT_MS);
      const check = setInterval(() => {
        if (n.hello) {
          clearTimeout(timer);
          clearInterval(check);
          resolve(null);
        }
      }, 2);
      child.once('error', (e) => {
        clearTimeout(timer);
        clearInterval(check);
        resolve(`the native helper did not start: ${e.message}`);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        clearInterval(check);
        resolve(n.hello ? null : `the native helper exited (${code ?? signal}) before sampling${n.stderr ? `: ${n.stderr.trim()}` : ''}`);
      });
    });
    if (said !== null) {
      child.kill('SIGKILL');
      return said;
    }
    // Roots added later (Sampler.addRoots) go to the helper as they come.
    port.on('message', (m: AddRootsMessage) => {
      if (m.type === 'add-roots' && !n.stopSent) n.command(m.pids.map((pid) => `+ ${pid}\n`).join(''));
    });
    return n;
  }

  private command(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Begins sampling the roots; tMs of the records count from startEpochMs as FastTicker's do. */
  begin(roots: readonly number[], startEpochMs: number): void {
    const originNs = process.hrtime.bigint() - BigInt(Math.round((nowEpoch() - startEpochMs) * 1e6));
    this.command(`b ${originNs} ${roots.filter((p) => p > 0).join(' ')}\n`);
    const waitStop = (): void => {
      const w = waitAsync(this.ctrl, CTRL.STATE, Atomics.load(this.ctrl, CTRL.STATE));
      const onChange = (): void => {
        if (Atomics.load(this.ctrl, CTRL.STATE) === STATE_STOP) this.stop();
        else waitStop();
      };
      if (w.async) void w.value.then(onChange);
      else onChange();
    };
    waitStop();
  }

  private stop(): void {
    if (this.stopSent) return;
    this.stopSent = true;
    this.command('q\n');
    this.child.stdin!.end();
  }

  private onChunk(chunk: Buffer): void {
    this.decoder.feed(chunk, (r) => this.onRecord(r));
    this.syncList();
    if (this.moved) {
      this.moved = false;
      wakeSlow(this.shared);
    }
    Atomics.store(this.ctrl, CTRL.TICKS, this.ticks);
    Atomics.store(this.ctrl, CTRL.ALIVE, this.members.size);
    const drainSeq = Atomics.load(this.ctrl, CTRL.DRAIN);
    if (drainSeq !== this.drained) {
      this.drained = drainSeq;
      this.port.postMessage({ type: 'drain', seq: drainSeq, out: this.drainChunk() });
    }
    if (Atomics.load(this.ctrl, CTRL.STATE) === STATE_STOP) this.stop();
  }

  private onRecord(r: NativeRecord): void {
    const v = r.v;
    switch (r.type) {
      case REC.HELLO:
        this.hello = { ...r, v: Float64Array.from(r.v) };
        return;
      case REC.TICK: {
        const t = v[0]!;
        if (!Number.isNaN(this.lastMs)) this.gaps.push(t - this.lastMs);
        else this.firstMs = t;
        this.lastMs = t;
        this.fast.push(t, v[1]!, v[2]!, v[3]!, v[4]!, r.pid);
        this.live[LIVE.TREE_BYTES] = v[1]!;
        if (v[1] !== this.lastTree && !(Number.isNaN(v[1]!) && Number.isNaN(this.lastTree))) this.moved = true;
        this.lastTree = v[1]!;
        this.live[LIVE.RSS_SUM_BYTES] = v[2]!;
        this.ticks++;
        this.missed = r.u;
        if (r.flags & 1) this.carried++;
        return;
      }
      case REC.JOIN: {
        const tMs = v[0]!;
        // The command line now, while the process may still be there; in a big tree the slow thread's first status read
        // takes it instead (~40 µs a read from here, most of this thread's work for a tree of thousands).
        const cmdline = this.members.size < BIG_TREE_PROCESSES ? readCmdline(r.pid, { proc: this.cfg.procRoot }) : '';
        const m: Live = { seen: newProcessSeen(r.pid, r.name || '?', cmdline, tMs), index: this.order.length };
        this.members.set(r.pid, m);
        this.order.push(m);
        this.dirtySlots.push(m.index);
        this.listDirty = true;
        return;
      }
      case REC.CHANGE: {
        const m = this.members.get(r.pid);
        if (!m) return;
        if (v[1]! > m.seen.maxRssBytes) m.seen.maxRssBytes = v[1]!;
        m.seen.lastSeenMs = v[0]!;
        // The list may be rebuilt below for this batch: a flag set on a stale index is covered by the slow
        // thread reading every member when the list version moves.
        if (m.index < MEMBERS.MAX) {
          Atomics.store(this.shared, MEMBERS.CHANGED + m.index, 1);
          Atomics.add(this.shared, MEMBERS.CHANGES, 1);
        }
        this.moved = true;
        return;
      }
      case REC.LEAVE: {
        const m = this.members.get(r.pid);
        if (!m) return;
        m.seen.lastSeenMs = v[1]!;
        m.seen.maxRssBytes = Math.max(m.seen.maxRssBytes, v[2]!);
        if (r.name) m.seen.nameAtEnd = r.name;
        this.members.delete(r.pid);
        this.finished.push(m.seen);
        const last = this.order.pop()!;
        if (last !== m) {
          this.order[m.index] = last;
          last.index = m.index;
          this.dirtySlots.push(m.index);
        }
        this.listDirty = true;
        return;
      }
      case REC.ADAPT:
        if (r.flags === 1) {
          this.adaptMembership ??= { fromMs: v[0]!, maxEvery: v[1]!, maxMembers: v[2]! };
          this.adaptMembership.maxEvery = Math.max(this.adaptMembership.maxEvery, v[1]!);
          this.adaptMembership.maxMembers = Math.max(this.adaptMembership.maxMembers, v[2]!);
          return;
        }
        this.adapt ??= { fromMs: v[0]!, minReads: v[1]!, maxMembers: v[2]! };
        this.adapt.minReads = Math.min(this.adapt.minReads, v[1]!);
        this.adapt.maxMembers = Math.max(this.adapt.maxMembers, v[2]!);
        return;
      case REC.END:
        this.endMs = v[0]!;
        this.helperCpuMs = v[1]!;
        this.missed = v[3]!;
        this.quietSkipped = v[4]!;
        return;
    }
  }

  private syncList(): void {
    if (!this.listDirty) return;
    this.listDirty = false;
    const n = Math.min(this.order.length, MEMBERS.MAX);
    for (const i of this.dirtySlots) if (i < n) Atomics.store(this.shared, MEMBERS.PIDS + i, this.order[i]!.seen.pid);
    this.dirtySlots.length = 0;
    Atomics.store(this.shared, MEMBERS.COUNT, n);
    Atomics.add(this.shared, MEMBERS.VERSION, 1);
    this.moved = true;
  }

  private drainChunk(): FastChunk {
    this.gaps.drain();
    return {
      fast: this.fast.drain(),
      processes: [...this.finished.splice(0), ...[...this.members.values()].map((m) => ({ ...m.seen }))],
      livePids: [...this.members.keys()],
      ticks: this.ticks,
      missedTicks: this.missed,
    };
  }

  /** Waits for the helper's END (after a stop request) and builds the thread's output as worker.ts does. */
  async output(cpu0: NodeJS.CpuUsage, thread0: number): Promise<FastOutput> {
    await this.ended;
    const exit =
      this.child.exitCode === null && this.child.signalCode === null
        ? await new Promise<number | null>((r) => this.child.once('exit', (c) => r(c)))
        : this.child.exitCode;
    const interval = this.cfg.intervalMs;
    const hello = this.hello!;
    const gapArr = this.gaps.toArrays().gap;
    const errSorted = Array.from(gapArr, (g) => Math.abs(g - interval)).sort((a, b) => a - b);
    const gaps = Array.from(gapArr).sort((a, b) => a - b);
    const gapMean = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null;
    const cpu = process.cpuUsage(cpu0);
    const readerMs = threadCpuMs() - thread0;
    const helperMs = Number.isFinite(this.helperCpuMs) ? this.helperCpuMs : 0;
    for (const m of this.members.values()) this.finished.push(m.seen);
    this.members.clear();
    const end = Number.isNaN(this.endMs) ? this.lastMs : this.endMs;
    const readErrors: { file: string; code: string }[] = [];
    if (this.decoder.skippedBytes > 0 || this.decoder.lostRecords > 0 || this.decoder.pendingBytes > 0 || Number.isNaN(this.endMs)) {
      readErrors.push({
        file: 'native/sampler records',
        code: `${this.decoder.lostRecords} lost, ${this.decoder.skippedBytes} bytes skipped, ${this.decoder.pendingBytes} torn at the end${Number.isNaN(this.endMs) ? `, no END (exit ${exit})` : ''}`,
      });
    }
    const policy = hello.v[1] === 1 ? 'fifo' : hello.v[1] === 0 ? 'other' : null;
    return {
      fast: this.fast.toArrays(),
      processes: this.finished,
      ticks: this.ticks,
      ticksExpected: Number.isNaN(this.firstMs) ? 0 : Math.floor((end - this.firstMs) / interval) + 1,
      missedTicks: this.missed,
      rssSumCarriedTicks: this.carried,
      adaptations: this.adaptations(),
      membershipQuiet: quietOutput(this.cfg, this.quietSkipped),
      intervalErrorP99Ms: percentileSorted(errSorted, 0.99),
      intervalP50Ms: percentileSorted(gaps, 0.5),
      intervalP99Ms: percentileSorted(gaps, 0.99),
      intervalMeanMs: gapMean,
      cpuMs: helperMs + (Number.isFinite(readerMs) ? readerMs : 0),
      processCpuMs: (cpu.user + cpu.system) / 1000 + helperMs,
      nice: Number.isNaN(hello.v[0]!) ? null : hello.v[0]!,
      schedPolicy: policy,
      realtimeRefused:
        this.cfg.realtime && hello.u !== 0
          ? `sched_setscheduler: ${hello.u === constants.errno.EPERM ? 'Operation not permitted (SCHED_FIFO needs root or CAP_SYS_NICE)' : errnoName(hello.u)}`
          : null,
      sampledWallMs: Number.isNaN(this.firstMs) ? 0 : end - this.firstMs,
      readErrors,
      fastSampler: { kind: 'native', fallbackReason: null },
    };
  }

  private adaptations(): Adaptation[] {
    const out: Adaptation[] = [];
    const budget = this.cfg.statmBudget ?? 0;
    const m = this.adaptMembership;
    if (m !== null) {
      out.push({
        what: 'membership',
        fromMs: Math.round(m.fromMs * 1000) / 1000,
        detail: `cgroup.procs (the member list and the process count) re-read as seldom as every ${m.maxEvery} ticks instead of every tick, with up to ${m.maxMembers} processes, to keep that read within ${Math.round(budget * 100)} % of the ${this.cfg.intervalMs} ms tick; the cgroup memory counter was read at every tick`,
      });
    }
    const a = this.adapt;
    if (a === null) return out;
    return [
      ...out,
      {
        what: 'statm',
        fromMs: Math.round(a.fromMs * 1000) / 1000,
        detail: `statm read for as few as ${a.minReads} of up to ${a.maxMembers} processes per tick, in turn, to keep those reads within ${Math.round(budget * 100)} % of the ${this.cfg.intervalMs} ms tick; Σ RSS, Σ VSZ and the largest RSS carried the others' last readings (the cgroup memory counter was read at every tick)`,
      },
    ];
  }

  /** Ends the helper without waiting (error paths). */
  kill(): void {
    this.child.kill('SIGKILL');
  }
}
