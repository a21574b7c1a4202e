// The diagnosis analyses, one file each (name, one-line description, pure function), collected in one list,
// and diagnose(): all of them over one run.
import type { Diagnosis } from '../result.js';
import * as breakdown from './breakdown.js';
import * as fragmentation from './fragmentation.js';
import * as leak from './leak.js';
import type { DiagnosisInput } from './input.js';

export interface AnalysisInfo {
  readonly name: string;
  readonly description: string;
}

/** Every diagnosis analysis, in the order their results are shown. */
export const ANALYSES: readonly AnalysisInfo[] = [leak, fragmentation, breakdown].map(({ name, description }) => ({ name, description }));

/** Runs every analysis over one run. Fragmentation reads the breakdown's heap share and the leak verdict, so it goes last. */
export function diagnose(input: DiagnosisInput): Diagnosis {
  const b = breakdown.run(input);
  const heap = b?.largestProcess?.groups.find((g) => g.kind === 'heap');
  const largest = b?.largestProcess
    ? { pid: b.largestProcess.pid, name: b.largestProcess.name, rssBytes: b.largestProcess.rssBytes, heapRssBytes: heap?.rssBytes ?? 0 }
    : null;
  const verdict = leak.run(input);
  return {
    leak: verdict,
    fragmentation: fragmentation.run(input, largest, verdict),
    breakdown: b,
  };
}

export { inputFromColumns, inputFromTimeline, type DiagnosisInput } from './input.js';
