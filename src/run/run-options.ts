// What one run is asked: the options shared by every run of an invocation, and the command of one run.
import type { SamplerSettings } from '../sample/settings.js';
import type { AppliedLimit, LimitsRequest } from './limits.js';

/** What one run is asked; the sampler's intervals come from samplerSettings (sample/settings.ts). */
export interface RunOptions extends SamplerSettings {
  readonly timeoutMs: number | null;
  readonly survivors: 'wait' | 'kill';
  readonly showOutput: boolean;
  readonly timelinePoints: number;
  readonly procRoot: string;
  readonly pageSizeBytes: number;
  /** Controlled conditions (absent = none). */
  readonly limits?: LimitsRequest;
  /** Limits applied by the wrapper (rlimits, ASLR), resolved once per invocation. */
  readonly processLimits?: readonly AppliedLimit[];
  /** setarch, when --no-aslr is in force and it was found. */
  readonly setarchPath?: string | null;
  /** stdin of the commands; absent or null = /dev/null. */
  readonly stdinFile?: string | null;
  /** --realtime: SCHED_FIFO 1 for the fast sampler thread when permitted (absent: off). */
  readonly realtime?: boolean;
  /** --max-statm-per-tick (absent or 0: every process every tick); see SamplerConfig.maxStatmPerTick. */
  readonly maxStatmPerTick?: number;
}

export interface CommandSpec {
  readonly display: string;
  readonly argv: readonly string[];
  readonly shell: boolean;
  readonly cwd: string;
  /** Instances started together in the same group (--concurrency); 1 by default. */
  readonly instances?: number;
  /** stdin for this command (a --payload-scan payload), overriding RunOptions.stdinFile. */
  readonly stdinFile?: string | null;
  /** Extra environment of this command (LD_PRELOAD and MEMBENCH_ALLOCATOR of --allocator). */
  readonly env?: Readonly<Record<string, string>>;
  /** --parameter-scan / --parameter-list: the value substituted for {name} in template. */
  readonly parameter?: { readonly name: string; readonly value: string; readonly template: string };
}
