// Main-thread handle on the sampler worker: start it, hand it the root pid, stop it, get its columns.
import { Worker } from 'node:worker_threads';
import { CTRL, LIVE, STATE_SAMPLING, STATE_STOP, type Membership, type SamplerConfig, type SamplerOutput } from './protocol.js';

export interface SamplerOptions {
  readonly procRoot: string;
  readonly pageSizeBytes: number;
  readonly intervalMs: number;
  readonly statusIntervalMs: number;
  readonly pssIntervalMs: number;
  readonly pssBudget: number | null;
  readonly markerScanIntervalMs: number;
  readonly membership: Membership;
  readonly usageFile: string | null;
  readonly memoryStatFile: string | null;
  readonly memoryStatVersion: 1 | 2;
}

export class Sampler {
  private readonly ctrl: Int32Array;
  private readonly live: Float64Array;
  private readonly done: Promise<SamplerOutput>;

  private constructor(
    private readonly worker: Worker,
    ctrl: SharedArrayBuffer,
    live: SharedArrayBuffer,
  ) {
    this.ctrl = new Int32Array(ctrl);
    this.live = new Float64Array(live);
    this.done = new Promise((resolve, reject) => {
      worker.on('message', (m: { type: string; out?: SamplerOutput }) => {
        if (m.type === 'done' && m.out) resolve(m.out);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`sampler thread exited (code ${code}) before reporting`)));
    });
    this.done.catch(() => undefined);
  }

  /** Starts the worker and resolves once it has opened its files and is ready for begin(). */
  static async start(o: SamplerOptions): Promise<Sampler> {
    const control = new SharedArrayBuffer(CTRL.SLOTS * 4);
    const live = new SharedArrayBuffer(LIVE.SLOTS * 8);
    const every = (ms: number): number => Math.max(1, Math.round(ms / o.intervalMs));
    const config: SamplerConfig = {
      procRoot: o.procRoot,
      pageSizeBytes: o.pageSizeBytes,
      intervalMs: o.intervalMs,
      statusEveryTicks: every(o.statusIntervalMs),
      pssEveryTicks: every(o.pssIntervalMs),
      pssBudget: o.pssBudget,
      markerScanEveryTicks: every(o.markerScanIntervalMs),
      membership: o.membership,
      usageFile: o.usageFile,
      memoryStatFile: o.memoryStatFile,
      memoryStatVersion: o.memoryStatVersion,
      control,
      live,
    };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: config });
    const sampler = new Sampler(worker, control, live);
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
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

  get alive(): number {
    return Atomics.load(this.ctrl, CTRL.ALIVE);
  }

  get ticks(): number {
    return Atomics.load(this.ctrl, CTRL.TICKS);
  }

  get latestTreeBytes(): number {
    const tree = this.live[LIVE.TREE_BYTES]!;
    return Number.isNaN(tree) ? this.live[LIVE.RSS_SUM_BYTES]! : tree;
  }

  /** Resolves once the worker has taken `n` more ticks (used to confirm an empty tree). */
  async waitTicks(n: number): Promise<void> {
    const target = this.ticks + n;
    while (this.ticks < target && Atomics.load(this.ctrl, CTRL.STATE) !== STATE_STOP) await new Promise((r) => setTimeout(r, 1));
  }

  /** Asks for a last tick and the output; the worker thread ends afterwards. */
  async stop(): Promise<SamplerOutput> {
    if (Atomics.load(this.ctrl, CTRL.STATE) !== STATE_SAMPLING) {
      // Never began (the command failed to start): begin on pid 0 so the loop can end cleanly.
      this.begin(0, performance.timeOrigin + performance.now());
    }
    Atomics.store(this.ctrl, CTRL.STATE, STATE_STOP);
    Atomics.notify(this.ctrl, CTRL.STATE);
    try {
      return await this.done;
    } finally {
      await this.worker.terminate();
    }
  }

  /** Ends the worker without waiting for output (error paths). */
  async kill(): Promise<void> {
    await this.worker.terminate();
  }
}
