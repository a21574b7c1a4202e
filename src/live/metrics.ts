// Prometheus metrics of `membench serve`, built from the poller's cache at scrape time (no /proc read per scrape).
import { Counter, Gauge, Registry } from 'prom-client';
import type { LeakVerdict } from '../result.js';
import type { LivePoller } from './poller.js';
import { targetLabel, type TargetSpec } from './targets.js';

// A record, so a verdict added to the schema and not here fails to compile.
const LEAK_VERDICTS = Object.keys({ leak: 0, 'no-leak': 0, inconclusive: 0, 'grows-until-exit': 0 } satisfies Record<
  LeakVerdict['verdict'],
  0
>) as LeakVerdict['verdict'][];

type ProcessField = 'rssBytes' | 'pssBytes' | 'ussBytes' | 'vmSwapBytes' | 'vmDataBytes' | 'peakRssBytes';

const PROCESS_GAUGES: readonly [string, string, ProcessField][] = [
  ['membench_process_rss_bytes', 'Resident set size (VmRSS) of the process', 'rssBytes'],
  ['membench_process_pss_bytes', 'Proportional set size from smaps_rollup (cached; see membench_sampler_pss_age_seconds)', 'pssBytes'],
  ['membench_process_uss_bytes', 'Unique set size (Private_Clean + Private_Dirty) from smaps_rollup (cached)', 'ussBytes'],
  ['membench_process_swap_bytes', 'Swapped-out anonymous memory (VmSwap)', 'vmSwapBytes'],
  ['membench_process_vm_data_bytes', 'Data segment and anonymous mappings (VmData)', 'vmDataBytes'],
  ['membench_process_peak_rss_bytes', 'The kernel high-water mark of RSS since exec (VmHWM)', 'peakRssBytes'],
];

/** A registry whose every gauge reads the poller's latest pass when scraped. */
export function liveRegistry(poller: LivePoller, target: TargetSpec, nowMs: () => number): Registry {
  const registry = new Registry();
  const label = targetLabel(target);
  for (const [name, help, field] of PROCESS_GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['pid', 'command', 'cgroup'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const p of poller.processes.values()) {
          const v = p[field];
          if (v !== null) this.set({ pid: String(p.pid), command: p.command, cgroup: p.cgroup }, v);
        }
      },
    });
  }
  const targetGauge = (name: string, help: string, value: () => number | null): void => {
    new Gauge({
      name,
      help,
      labelNames: ['target'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const v = value();
        if (v !== null) this.set({ target: label }, v);
      },
    });
  };
  const t = poller.totals;
  targetGauge('membench_target_processes', 'Processes of the target alive at the last pass', () => t.processes);
  targetGauge('membench_target_up', '1 while the target has at least one process, 0 once it has none', () => (t.processes > 0 ? 1 : 0));
  targetGauge('membench_target_rss_bytes', 'Σ RSS over the target (counts shared pages once per process)', () => t.rssBytes);
  targetGauge('membench_target_pss_bytes', 'Σ PSS over the target (shared pages divided among their users)', () => t.pssBytes);
  targetGauge('membench_target_uss_bytes', 'Σ USS over the target', () => t.ussBytes);
  targetGauge('membench_target_swap_bytes', 'Σ VmSwap over the target', () => t.swapBytes);
  targetGauge('membench_target_vm_data_bytes', 'Σ VmData over the target', () => t.vmDataBytes);
  targetGauge('membench_target_peak_rss_bytes', 'Largest Σ RSS seen at any pass since membench serve started', () => t.peakRssBytes);
  targetGauge('membench_target_peak_pss_bytes', 'Largest Σ PSS seen at any pass since membench serve started', () => t.peakPssBytes);
  targetGauge(
    'membench_target_leak_slope_bytes_per_second',
    'Theil–Sen slope of Σ RSS since membench serve started, start-up (first fifth) left out; absent until judged',
    () => poller.leak?.slopeBytesPerSec ?? null,
  );
  new Gauge({
    name: 'membench_target_leak',
    help: 'Leak verdict over Σ RSS since start (as membench watch judges it): 1 for the current verdict, 0 for the others',
    labelNames: ['target', 'verdict'] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (poller.leak === null) return;
      for (const verdict of LEAK_VERDICTS) this.set({ target: label, verdict }, poller.leak.verdict === verdict ? 1 : 0);
    },
  });
  const h = poller.health;
  const targetCounter = (name: string, help: string, value: () => number): void => {
    new Counter({
      name,
      help,
      labelNames: ['target'] as const,
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ target: label }, value());
      },
    });
  };
  targetCounter('membench_sampler_passes_total', 'Passes over the target since start', () => h.polls);
  targetCounter('membench_sampler_pss_reads_total', 'smaps_rollup reads since start', () => h.pssReads);
  targetCounter(
    'membench_sampler_read_errors_total',
    'Reads that failed for another reason than the process being gone (e.g. EACCES)',
    () => h.readErrors,
  );
  targetGauge('membench_sampler_last_pass_age_seconds', 'Seconds since the last pass ended (stale when well above the interval)', () =>
    h.lastPollAtMs === null ? null : (nowMs() - h.lastPollAtMs) / 1000,
  );
  targetGauge('membench_sampler_last_pass_duration_seconds', 'How long the last pass took', () =>
    h.lastPollDurationMs === null ? null : h.lastPollDurationMs / 1000,
  );
  targetGauge('membench_sampler_pss_age_seconds', 'Age of the oldest cached PSS figure', () => {
    const age = poller.oldestPssAgeMs();
    return age === null ? null : age / 1000;
  });
  return registry;
}
