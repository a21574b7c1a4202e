// How a run ended, in words: one sentence per outcome, a run's with its OOM figures, and the instances of a
// --concurrency run that did not exit 0. The terminal, the HTML report and `membench suite` all say it this way;
// pure words over a RunResult, here below suite/ and report/ so both read them.
import type { Outcome, RunResult } from '../result.js';
import { formatBytes, formatMs } from '../units.js';

/** A run's outcome in one sentence, with the OOM figures when the OOM killer was involved. */
export function describeRun(r: RunResult): string {
  if (r.outcome.state === 'oom-killed' && r.oom) {
    const o = r.oom;
    const at =
      o.scope === 'cgroup'
        ? o.limitBytes !== null
          ? `at ${formatBytes(o.limitBytes)}, the limit you set`
          : "at the cgroup's limit"
        : o.limitCgroup
          ? `at the limit of cgroup ${o.limitCgroup}, outside the run`
          : o.kernelLog?.some((l) => /global_oom|^Out of memory/.test(l))
            ? 'when the whole machine ran out of memory'
            : "outside the run's own limit (the kernel log does not say whose)";
    const who = o.killedName ? ` (${o.killedName}${o.killedPid ? `, pid ${o.killedPid}` : ''})` : '';
    const counts = o.limitHits !== null ? `; limit hit ${o.limitHits} times, ${o.oomKills} OOM kill${o.oomKills === 1 ? '' : 's'}` : '';
    return `killed by the OOM killer ${at}${who}; peak ${formatBytes(o.peakBytes)}${counts}`;
  }
  return describeOutcome(r.outcome);
}

/**
 * With several instances (--concurrency) that did not all end alike: a line per instance that did not exit 0, and
 * how many did. Nothing when they all ended the same way (the run's outcome says it).
 */
export function instanceLines(r: RunResult): string[] {
  const all = r.instances ?? [];
  const said = all.map((i) => describeOutcome(i.outcome));
  if (new Set(said).size <= 1) return [];
  const clean = all.filter((i) => i.outcome.state === 'exited' && i.outcome.exitCode === 0).length;
  const lines = all.flatMap((i, k) =>
    i.outcome.state === 'exited' && i.outcome.exitCode === 0 ? [] : [`instance ${i.instance}/${all.length} (pid ${i.pid}): ${said[k]}`],
  );
  return clean > 0 ? [...lines, clean === 1 ? 'the other instance exited 0' : `the other ${clean} instances exited 0`] : lines;
}

/** One sentence per outcome, the way a person would say it. */
export function describeOutcome(o: Outcome): string {
  switch (o.state) {
    case 'exited':
      return o.exitCode === 0 ? 'exited 0' : `exited with code ${o.exitCode}`;
    case 'signaled':
      return `killed by ${o.signal}`;
    case 'oom-killed':
      return o.scope === 'cgroup'
        ? `killed by the OOM killer at the run's memory limit (${o.oomKills} OOM kill${o.oomKills === 1 ? '' : 's'} in its cgroup)`
        : `killed by the kernel's OOM killer, not at a limit of the run's own: the machine's memory or an enclosing cgroup's limit (${o.oomKills} OOM kill${o.oomKills === 1 ? '' : 's'} of the run's processes)`;
    case 'timed-out':
      return `timed out after ${formatMs(o.timeoutMs)}: the whole tree was killed`;
    case 'interrupted':
      return `interrupted (${o.signal}): the whole tree was killed`;
    case 'failed-to-start':
      return `failed to start: ${o.message}`;
  }
}
