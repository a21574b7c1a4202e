// Main-thread handle on the sampler's two threads (fast: worker.ts, slow: slow-worker.ts): start them, hand
// them the root pid (and later roots), stop them, merge their columns and per-process figures into one SamplerOutput.
import { Worker } from 'node:worker_threads';
import { NATIVE_ENV, nativeBinary } from '../native.js';
import { nativeUnsupported } from './native-fast.js';
import { wakeSlow } from './fast-ticker.js';
import { MEMBERSHIP_BUDGET, MEMBERSHIP_QUIET, STATM_BUDGET, STATUS_BUDGET, tickCounts, type SamplerSettings } from './settings.js';
import {
  CTRL,
  LIVE,
  MEMBERS,
  STATE_SAMPLING,
  STATE_STOP,
  type AddRootsMessage,
  type FastChunk,
  type FastOutput,
  type Membership,
  type ProcessSeen,
  type SamplerChunk,
  type SamplerConfig,
  type SamplerOutput,
  type SlowChunk,
  type SlowOutput,
} from './protocol.js';

/** The output of one worker thread, or a rejection if it died first. */
function outputOf<T>(worker: Worker, name: string): Promise<T> {
  const p = new Promise<T>((resolve, reject) => {
    worker.on('message', (m: { type: string; out?: T }) => {
      if (m.type === 'done' && m.out) resolve(m.out);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`${name} sampler thread exited (code ${code}) before reporting`)));
  });
  p.catch(() => undefined);
  return p;
}

const ready = (worker: Worker): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });

/**
 * Drain answers of one thread, matched by sequence number. One listener for the sampler's life (a listener or a
 * promise reaction per drain would pile up over a watch of hours); pending drains fail if the thread ends first.
 */
class DrainReplies<T> {
  private readonly pending = new Map<number, { resolve: (out: T) => void; reject: (e: Error) => void }>();

  constructor(worker: Worker, done: Promise<unknown>) {
    worker.on('message', (m: { type: string; seq?: number; out?: T }) => {
      if (m.type !== 'drain' || m.seq === undefined || !m.out) return;
      this.pending.get(m.seq)?.resolve(m.out);
      this.pending.delete(m.seq);
    });
    const fail = (e: Error): void => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    done.then(
      () => fail(new Error('the sampler stopped before answering a drain')),
      (e: unknown) => fail(e instanceof Error ? e : new Error(String(e))),
    );
  }

  /** Registered before the thread can answer: messages are delivered on a later turn of the event loop. */
  next(seq: number): Promise<T> {
    return new Promise<T>((resolve, reject) => this.pending.set(seq, { resolve, reject }));
  }
}

/** The fast thread's processes with the slow thread's per-process maxima (and names, after exec) folded in. */
function mergeProcesses(fast: readonly ProcessSeen[], slow: SlowOutput['processes']): ProcessSeen[] {
  const bySlow = new Map(slow.map((p) => [p.pid, p]));
  return fast.map((p) => {
    const s = bySlow.get(p.pid);
    if (!s) return p.nameAtEnd ? { ...p, name: p.nameAtEnd } : p;
    const max = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));
    return {
      ...p,
      name: p.nameAtEnd ?? s.name ?? p.name,
      cmdline: s.cmdline ?? p.cmdline,
      ppid: p.ppid ?? s.ppid,
      vmHwmBytes: max(p.vmHwmBytes, s.vmHwmBytes),
      maxVmDataBytes: max(p.maxVmDataBytes, s.maxVmDataBytes),
      maxPssBytes: max(p.maxPssBytes, s.maxPssBytes),
      maxUssBytes: max(p.maxUssBytes, s.maxUssBytes),
    };
  });
}

/** Fast columns and processes, with the slow thread's tiers and per-process maxima folded in. */
export function mergeOutputs(fast: FastOutput, slow: SlowOutput): SamplerOutput {
  const processes = mergeProcesses(fast.processes, slow.processes);
  const { fast: fastColumns, ...rest } = fast;
  return {
    ...rest,
    columns: { fast: fastColumns, status: slow.status, pss: slow.pss },
    processes,
    pssTicks: slow.pssTicks,
    statusFloorMs: slow.statusFloorMs,
    statusReads: slow.statusReads,
    memoryStatReads: slow.memoryStatReads,
    pssFloorMs: slow.pssFloorMs,
    pssReads: slow.pssReads,
    processGrid: slow.processGrid,
    adaptations: [...fast.adaptations, ...slow.adaptations],
    cpuMs: fast.cpuMs + (Number.isFinite(slow.cpuMs) ? slow.cpuMs : 0),
    readErrors: [...fast.readErrors, ...slow.readErrors].slice(0, 20),
  };
}

/** The intervals come from samplerSettings (settings.ts). */
export interface SamplerOptions extends SamplerSettings {
  readonly procRoot: string;
  readonly pageSizeBytes: number;
  readonly membership: Membership;
  readonly usageFile: string | null;
  readonly memoryStatFile: string | null;
  readonly memoryStatVersion: 1 | 2;
  /** At most this many statm reads per tick, in turn (absent or 0: every process every tick); see SamplerConfig. */
  readonly maxStatmPerTick?: number;
  /** SCHED_FIFO priority 1 for the fast thread when permitted (absent: off); SamplerOutput says what it got. */
  readonly realtime?: boolean;
  /** Keep per-process VmRSS series on a grid of at most this many buckets (absent or 0: not kept). */
  readonly processGridBuckets?: number;
  /** The native fast sampler to run (absent: native/bin/sampler when built and MEMBENCH_NATIVE is not 0; null: none). */
  readonly nativeSampler?: string | null;
}

/** The native fast sampler when it is built, allowed and covers this membership; else why not. */
function nativeChoice(o: Pick<SamplerOptions, 'membership' | 'nativeSampler'>): {
  nativeSampler: string | null;
  nativeFallbackReason: string | null;
} {
  const unsupported = nativeUnsupported(o);
  if (unsupported !== null) return { nativeSampler: null, nativeFallbackReason: unsupported };
  if (o.nativeSampler === null) return { nativeSampler: null, nativeFallbackReason: 'the native sampler was not asked for' };
  const bin = o.nativeSampler ?? nativeBinary('sampler');
  if (bin !== null) return { nativeSampler: bin, nativeFallbackReason: null };
  return {
    nativeSampler: null,
    nativeFallbackReason:
      process.env[NATIVE_ENV] === '0' ? `${NATIVE_ENV}=0` : 'native/bin/sampler is not built (no C compiler at install)',
  };
}

export class Sampler {
  private readonly ctrl: Int32Array;
  private readonly live: Float64Array;
  private readonly members: Int32Array;
  private readonly fastDone: Promise<FastOutput>;
  private readonly slowDone: Promise<SlowOutput>;
  private readonly fastDrains: DrainReplies<FastChunk>;
  private readonly slowDrains: DrainReplies<SlowChunk>;

  private constructor(
    private readonly worker: Worker,
    private readonly slowWorker: Worker,
    ctrl: SharedArrayBuffer,
    live: SharedArrayBuffer,
    members: SharedArrayBuffer,
  ) {
    this.ctrl = new Int32Array(ctrl);
    this.live = new Float64Array(live);
    this.members = new Int32Array(members);
    this.fastDone = outputOf<FastOutput>(worker, 'fast');
    this.slowDone = outputOf<SlowOutput>(slowWorker, 'slow');
    this.fastDrains = new DrainReplies(worker, this.fastDone);
    this.slowDrains = new DrainReplies(slowWorker, this.slowDone);
  }

  /** Starts the worker and resolves once it has opened its files and is ready for begin(). */
  static async start(o: SamplerOptions): Promise<Sampler> {
    const control = new SharedArrayBuffer(CTRL.SLOTS * 4);
    const live = new SharedArrayBuffer(LIVE.SLOTS * 8);
    const config: SamplerConfig = {
      procRoot: o.procRoot,
      pageSizeBytes: o.pageSizeBytes,
      intervalMs: o.intervalMs,
      ...tickCounts(o),
      pssBudget: o.pssBudget,
      maxStatmPerTick: o.maxStatmPerTick ?? 0,
      statmBudget: o.maxStatmPerTick ? null : STATM_BUDGET,
      statusBudget: STATUS_BUDGET,
      membershipBudget: MEMBERSHIP_BUDGET,
      membershipQuiet: MEMBERSHIP_QUIET,
      realtime: o.realtime === true,
      membership: o.membership,
      usageFile: o.usageFile,
      memoryStatFile: o.memoryStatFile,
      memoryStatVersion: o.memoryStatVersion,
      control,
      live,
      members: new SharedArrayBuffer(MEMBERS.SLOTS * 4),
      processGridBuckets: o.processGridBuckets ?? 0,
      ...nativeChoice(o),
    };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: config });
    const slowWorker = new Worker(new URL('./slow-worker.js', import.meta.url), { workerData: config });
    const sampler = new Sampler(worker, slowWorker, control, live, config.members);
    await Promise.all([ready(worker), ready(slowWorker)]);
    return sampler;
  }

  /** Starts sampling the tree rooted at pid; times are relative to startEpochMs (timeOrigin + now). */
  begin(rootPid: number, startEpochMs: number, extraRoots: readonly number[] = []): void {
    this.live[LIVE.START_EPOCH_MS] = startEpochMs;
    const extra = extraRoots.slice(0, CTRL.MAX_EXTRA_ROOTS);
    extra.forEach((pid, i) => Atomics.store(this.ctrl, CTRL.EXTRA_ROOTS + i, pid));
    Atomics.store(this.ctrl, CTRL.EXTRA_ROOT_COUNT, extra.length);
    Atomics.store(this.ctrl, CTRL.ROOT_PID, rootPid);
    Atomics.store(this.ctrl, CTRL.STATE, STATE_SAMPLING);
    Atomics.notify(this.ctrl, CTRL.STATE);
  }

  /**
   * Follows more roots from the fast thread's next tick on (with their descendants on the proc membership), e.g.
   * processes with a watched name started after begin(). No cost to the fast loop until it is called: the thread
   * compares one shared counter per tick and takes the message only when it changed. Pids already followed, gone
   * or ≤ 0 are ignored; each joins with firstSeenMs = the tick that took it.
   */
  addRoots(pids: readonly number[]): void {
    if (pids.length === 0) return;
    const message: AddRootsMessage = { type: 'add-roots', pids: [...pids] };
    // Queued before the counter moves: a thread that sees the new count always finds the message.
    this.worker.postMessage(message);
    Atomics.add(this.ctrl, CTRL.ROOTS_ADDED, 1);
  }

  get alive(): number {
    return Atomics.load(this.ctrl, CTRL.ALIVE);
  }

  get ticks(): number {
    return Atomics.load(this.ctrl, CTRL.TICKS);
  }

  /** The pids the fast thread currently counts as the tree (as published for the slow thread). */
  get memberPids(): number[] {
    const n = Math.min(Atomics.load(this.members, MEMBERS.COUNT), MEMBERS.MAX);
    return Array.from({ length: n }, (_, i) => Atomics.load(this.members, MEMBERS.PIDS + i));
  }

  get latestTreeBytes(): number {
    const tree = this.live[LIVE.TREE_BYTES]!;
    return Number.isNaN(tree) ? this.live[LIVE.RSS_SUM_BYTES]! : tree;
  }

  /** Resolves once the worker has taken `n` more ticks, or after 5 s if it does not (a dead thread must not hang the run). */
  async waitTicks(n: number): Promise<void> {
    const target = this.ticks + n;
    const deadline = performance.now() + 5000;
    while (this.ticks < target && Atomics.load(this.ctrl, CTRL.STATE) !== STATE_STOP && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /**
   * What both threads accumulated since the previous drain, and their buffers emptied (capacity kept): a watch
   * of hours calls this every second or so and keeps memory flat. Answered at the end of each thread's next pass
   * (within one interval; the slow thread's status interval). After drains, stop() returns only what was not
   * drained (its interval statistics too); a run that never drains gets everything at stop(), as before.
   */
  async drain(): Promise<SamplerChunk> {
    const seq = Atomics.add(this.ctrl, CTRL.DRAIN, 1) + 1;
    wakeSlow(this.members);
    const [fast, slow] = await Promise.all([this.fastDrains.next(seq), this.slowDrains.next(seq)]);
    return {
      columns: { fast: fast.fast, status: slow.status, pss: slow.pss },
      processes: mergeProcesses(fast.processes, slow.processes),
      livePids: fast.livePids,
      ticks: fast.ticks,
      missedTicks: fast.missedTicks,
      pssTicks: slow.pssTicks,
    };
  }

  /** Asks for a last tick and the output; the worker thread ends afterwards. */
  async stop(): Promise<SamplerOutput> {
    if (Atomics.load(this.ctrl, CTRL.STATE) !== STATE_SAMPLING) {
      // Never began (the command failed to start): begin on pid 0 so the loop can end cleanly.
      this.begin(0, performance.timeOrigin + performance.now());
    }
    Atomics.store(this.ctrl, CTRL.STATE, STATE_STOP);
    Atomics.notify(this.ctrl, CTRL.STATE);
    wakeSlow(this.members);
    try {
      const [fast, slow] = await Promise.all([this.fastDone, this.slowDone]);
      return mergeOutputs(fast, slow);
    } finally {
      await this.kill();
    }
  }

  /** Ends both threads without waiting for output (error paths). */
  async kill(): Promise<void> {
    await Promise.all([this.worker.terminate(), this.slowWorker.terminate()]);
  }
}
