// How much of the process's real peak a profile's sites account for: the sites' total beside VmHWM of the same
// run, and a sentence when they differ much — far below (memory the profiler cannot see) or far above (memory
// asked for but never touched, so never resident).
// The coverage's schema is part of the profile document's: src/document/profile.ts.
import type { Coverage } from '../document/profile.js';
import { formatBytes, formatPercent } from '../units.js';
import type { Profiler } from '../document/profilers.js';

export interface ProcessPeakInput {
  readonly pid: number;
  readonly name: string;
  readonly vmHwmBytes: number;
  readonly measuredAt: 'exit' | 'polled';
  readonly profilerBytes: number | null;
  /** The command's program name (argv[0]'s base name): under valgrind the process is named after the tool. */
  readonly program: string;
}

/** far-above is judged on the whole process (certain whatever the profiler's share), the rest on the program's part. */
export function coverageVerdict(ratio: number, programRatio: number): Coverage['verdict'] {
  if (ratio > 1.2) return 'far-above';
  if (programRatio >= 0.8) return 'close';
  return programRatio >= 0.5 ? 'below' : 'far-below';
}

/** What a profiler does not see, and what to do about it, for the far-below sentence. */
function missedBy(profiler: Profiler, names: readonly string[], liveBlocks: number | null): string {
  const python = names.some((n) => /^python/.test(n));
  const node = names.some((n) => /^node/.test(n));
  switch (profiler) {
    case 'massif':
    case 'heaptrack':
      if (python) return "memory allocated outside malloc: Python's pymalloc arenas come from mmap — use --with python";
      if (node) return 'memory allocated outside malloc: the V8 heap comes from mmap — use --with v8';
      return "memory allocated outside malloc/new (mmap'd arenas of a runtime or a custom allocator), code and libraries, thread stacks";
    case 'v8':
      return "memory outside the sampled JS objects: node's own code and V8 internals, Buffers and ArrayBuffers (off-heap), native addons";
    case 'python':
      return (
        `tracemalloc's bookkeeping beyond what it reports (a malloc'd record for each of the ${liveBlocks ?? '?'} live blocks), ` +
        'the interpreter and its libraries, partly used pymalloc arenas, and extensions that allocate outside PyMem'
      );
  }
}

/** The coverage of a profile whose sites total `sitesBytes`, given the profiled process's peak. */
export function profileCoverage(profiler: Profiler, sitesBytes: number, p: ProcessPeakInput, liveBlocks: number | null = null): Coverage {
  const own = p.profilerBytes ?? 0;
  const program = Math.max(1, p.vmHwmBytes - own);
  const ratio = sitesBytes / Math.max(1, p.vmHwmBytes);
  const programRatio = sitesBytes / program;
  const verdict = coverageVerdict(ratio, programRatio);
  // The profiler's own figure (valgrind running /bin/true) is an estimate: when the sites alone exceed what it
  // leaves of the peak, it overstates the profiler's part here and no share of "the rest" can be said.
  const ownTooBig = own > 0 && sitesBytes > program * 1.2;
  const ownText =
    own === 0
      ? ''
      : ownTooBig
        ? `, ${profiler === 'massif' ? 'valgrind' : 'the profiler'} included`
        : profiler === 'massif'
          ? `, which includes valgrind itself: ${formatBytes(own)} running /bin/true`
          : `, of which ${formatBytes(own)} is the profiler's own bookkeeping`;
  const peak = `${formatBytes(p.vmHwmBytes)} (VmHWM of ${p.name}, pid ${p.pid}${ownText})`;
  const saw = `${profiler} saw ${formatBytes(sitesBytes)} of ${peak}: ${formatPercent(ratio)}${own > 0 && !ownTooBig ? `, ${formatPercent(programRatio)} of the ${formatBytes(program)} left` : ''}`;
  let sentence: string;
  switch (verdict) {
    case 'close':
      sentence = ownTooBig
        ? `${saw}; ${profiler === 'massif' ? 'valgrind' : 'the profiler'}'s own part cannot be told apart here (${formatBytes(own)} ${profiler === 'massif' ? 'running /bin/true' : 'of bookkeeping'}, more than the ${formatBytes(p.vmHwmBytes - sitesBytes)} the sites leave of the peak)`
        : `${saw}; the sites account for the program's part of the peak`;
      break;
    case 'below':
      sentence = `${saw}; the rest is ${missedBy(profiler, [p.name, p.program], liveBlocks)}`;
      break;
    case 'far-below':
      sentence = `${saw} — most of the process's memory is not in this profile: ${missedBy(profiler, [p.name, p.program], liveBlocks)}`;
      break;
    case 'far-above':
      sentence =
        `${profiler} counts ${formatBytes(sitesBytes)} asked for at its peak, but the process's resident peak was ${peak}: ` +
        'memory allocated and never touched (or only partly) is not resident, so the sites show what was asked for, not what was held';
      break;
  }
  return {
    sitesBytes,
    processPeakBytes: p.vmHwmBytes,
    pid: p.pid,
    processName: p.name,
    measuredAt: p.measuredAt,
    profilerBytes: p.profilerBytes,
    ratio,
    programRatio,
    verdict,
    sentence,
  };
}
