// The big-tree goal of issue 20: `membench run` at default settings on `sh -c 'for i in $(seq N); do sleep S & done;
// wait'`, its CPU read from its own JSON and, as a cross-check, from /proc outside it while it runs.
//
// What runs.sampling.membenchCpuMs holds (src/sample/native-fast.ts output(), src/run/run-result.ts): node's
// process.cpuUsage() from the start of sampling to its stop — every thread of the membench process, main, slow
// thread and the fast sampler's reader — plus the native sampler helper's own CPU (native/bin/sampler reports
// CLOCK_PROCESS_CPUTIME_ID in its END record). It does NOT hold the reaper (native/bin/reaper, a child process
// that waits for the target and reports its exit accounting): its CPU is in no figure of the JSON. So the bench
// measures the whole of membench from outside, too: utime + stime (/proc/PID/stat, every thread, dead ones
// included) of the node process and the own CPU (not their children's: the tree's CPU is the tree's) of its child
// processes — native sampler helper, reaper, and the run's guard (src/run/guard.ts, a /bin/sh blocked in read) —
// from the moment the run's first child (the reaper; the target without it) appears to the last poll at which it
// was still alive. That is the figure the goal is judged on.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { MembenchResult, RunResult } from '../../src/result.js';
import { agg, spread, type Agg } from './agg.js';
import { childrenOfThreads, spawnKeepingStderr } from './cpu.js';
import { fixed, GOALS, mark, renderTable } from './table.js';
import { cliArgv } from './cli-argv.js';

export interface BigTreeShape {
  readonly processes: number;
  readonly sleepS: number;
}

export const bigTreeCommand = (t: BigTreeShape): string[] => [
  'sh',
  '-c',
  `for i in $(seq ${t.processes}); do sleep ${t.sleepS} & done; wait`,
];

/** membench's own child processes, by what they are. */
export type OwnChild = 'sampler' | 'reaper' | 'guard';

/** CPU of membench over the run, measured from outside (see the file comment). */
export interface OutsideCpu {
  /** Between the run's first child appearing and the last poll that saw it alive, bench clock. */
  readonly wallMs: number;
  /** The node process, every thread. */
  readonly nodeCpuMs: number;
  /** membench's own children that ran in the window (their own CPU, not their children's); absent: none ran. */
  readonly childrenCpuMs: Readonly<Partial<Record<OwnChild, number>>>;
  readonly totalCpuMs: number;
  readonly percentOfCore: number;
  /** Outside the window, not in the figures above: the node process's CPU before it (start-up: loading, cgroup set-up) … */
  readonly nodeBeforeMs: number;
  /** … and after it until the last poll before exit (stopping the sampler, analysis, the JSON). */
  readonly nodeAfterMs: number;
}

/** One round's figures of a run that wrote its document. */
export interface BigTreeMeasure {
  readonly run: RunResult;
  readonly outside: OutsideCpu | null;
}

export interface BigTreeRun {
  /** runs[0] of the document membench wrote, null when it wrote none. */
  readonly run: RunResult | null;
  readonly outside: OutsideCpu | null;
  readonly exitCode: number | null;
  readonly stderrTail: string;
}

let clkTck: number | null = null;
/** USER_HZ, the unit of /proc/PID/stat's utime and stime (100 nearly everywhere). */
function ticksPerSecond(): number {
  if (clkTck === null) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    clkTck = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return clkTck;
}

interface Stat {
  readonly state: string;
  /** utime + stime, ms. */
  readonly cpuMs: number;
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: f[0]!, cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / ticksPerSecond() };
  } catch {
    return null;
  }
}

/** What a child of the membench process is: its native sampler, its reaper, its guard (src/run/guard.ts), or the target. */
function classify(pid: number): OwnChild | 'target' | null {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
    if (comm === 'sampler' || comm === 'reaper') return comm;
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('\0membench-guard\0') ? 'guard' : 'target';
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Snapshot {
  readonly at: number;
  readonly node: number;
  /** Own children's CPU by pid. */
  readonly own: ReadonlyMap<number, number>;
}

/**
 * Runs `node CLI run -r 1 --style none --json JSON -- sh -c …` and polls /proc every POLL_MS (10 ms until the run's
 * child appears, so little of the run is missed at the start). At most one poll interval is missed at each end.
 */
export async function bigTreeRun(
  cli: string,
  shape: BigTreeShape,
  json: string,
  o: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): Promise<BigTreeRun> {
  const POLL_MS = 50;
  const { child, exited, stderrTail } = spawnKeepingStderr(
    [...cliArgv(cli), 'run', '-r', '1', '--style', 'none', '--json', json, '--', ...bigTreeCommand(shape)],
    o,
  );
  let done = false;
  void exited.then(
    () => (done = true),
    () => (done = true),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 180_000);
  const pid = child.pid;
  /** The process whose life is the window: the reaper, or the target when membench ran none. */
  let runPid: number | null = null;
  const kinds = new Map<number, OwnChild | 'target'>();
  let first: Snapshot | null = null;
  let last: Snapshot | null = null;
  let ended = false;
  let lastNodeMs = 0;
  const snap = (): Snapshot | null => {
    const node = pid === undefined ? null : stat(pid);
    const run = runPid === null ? null : stat(runPid);
    if (!node || !run || run.state === 'Z' || node.state === 'Z') return null;
    const own = new Map<number, number>();
    for (const [p, kind] of kinds) {
      const s = kind === 'target' ? null : stat(p);
      if (s) own.set(p, s.cpuMs);
    }
    return { at: performance.now(), node: node.cpuMs, own };
  };
  while (!done && pid !== undefined) {
    for (const c of ended ? [] : childrenOfThreads(pid)) {
      if (kinds.has(c)) continue;
      const kind = classify(c);
      if (kind === null) continue;
      kinds.set(c, kind);
      if (runPid === null && (kind === 'reaper' || kind === 'target')) runPid = c;
    }
    if (runPid !== null && !ended) {
      const s = snap();
      if (s) {
        first ??= s;
        last = s;
      } else if (first) ended = true; // the run's child has ended: the window is over
    }
    const node = stat(pid);
    if (node && node.state !== 'Z') lastNodeMs = node.cpuMs;
    await sleep(first ? POLL_MS : 10);
  }
  const exitCode = await exited;
  clearTimeout(timer);
  let outside: OutsideCpu | null = null;
  if (first && last && last.at > first.at) {
    const childrenCpuMs: Partial<Record<OwnChild, number>> = {};
    for (const [p, ms] of last.own) {
      const kind = kinds.get(p) as OwnChild;
      // A child that started after the first poll started at 0.
      childrenCpuMs[kind] = (childrenCpuMs[kind] ?? 0) + ms - (first.own.get(p) ?? 0);
    }
    const nodeCpuMs = last.node - first.node;
    const totalCpuMs = nodeCpuMs + Object.values(childrenCpuMs).reduce((a, b) => a + b, 0);
    const wallMs = last.at - first.at;
    outside = {
      wallMs,
      nodeCpuMs,
      childrenCpuMs,
      totalCpuMs,
      percentOfCore: (100 * totalCpuMs) / wallMs,
      nodeBeforeMs: first.node,
      nodeAfterMs: Math.max(0, lastNodeMs - last.node),
    };
  }
  let run: RunResult | null = null;
  try {
    run = (JSON.parse(readFileSync(json, 'utf8')) as MembenchResult).benchmarks[0]?.runs[0] ?? null;
  } catch {
    /* no document: the caller reports the exit code and stderr */
  }
  return { run, outside, exitCode, stderrTail: stderrTail().trim() };
}

// ---- report ------------------------------------------------------------------------------------------

const scaled = (a: Agg | null, k: number): Agg | null => a && { ...a, median: a.median * k, min: a.min * k, max: a.max * k };

/** "5: membership, statm, status" — how many parts were read less often (median over rounds) and which, in any round. */
function adaptationsCell(runs: readonly BigTreeMeasure[]): string {
  const lists = runs.map((r) => r.run.sampling?.adaptations);
  if (lists.every((l) => l === undefined)) return 'not recorded (older build)';
  const count = agg(lists.map((l) => l?.length ?? 0));
  const whats = [...new Set(lists.flatMap((l) => [...(l ?? [])].sort((a, b) => a.fromMs - b.fromMs).map((x) => x.what)))];
  return `${spread(count, 0)}${whats.length ? `: ${whats.join(', ')}` : ''}`;
}

export function bigTreeTable(
  tools: readonly { readonly name: string; readonly runs: readonly BigTreeMeasure[] }[],
  shape: BigTreeShape,
): string {
  const rows = tools
    .filter((t) => t.runs.length > 0)
    .map(({ name, runs }) => {
      const s = runs.map((r) => r.run.sampling);
      const outside = agg(runs.map((r) => r.outside?.percentOfCore));
      const self = agg(runs.map((r) => (r.run.sampling ? (100 * r.run.sampling.membenchCpuMs) / r.run.wallMs : null)));
      const kept = agg(s.map((x) => x?.ticksKeptRatio));
      return [
        name,
        `${spread(outside, 1, ' %')}${mark(outside?.median, GOALS.bigTreeCpu)}`,
        spread(self, 1, ' %'),
        spread(agg(s.map((x) => x?.samplerCpuPercentOfCore)), 1, ' %'),
        `${spread(scaled(kept, 100), 1, ' %')}${mark(kept?.median, GOALS.bigTreeTicksKept)}`,
        spread(agg(s.map((x) => x?.intervalErrorP99Ms)), 2, ' ms'),
        adaptationsCell(runs),
      ];
    });
  const table = renderTable(
    [
      `big tree, default settings`,
      `membench CPU, outside (${GOALS.bigTreeCpu.label})`,
      'its JSON',
      'sampler share',
      `ticks kept (${GOALS.bigTreeTicksKept.label})`,
      'p99 interval error',
      'adaptations (what)',
    ],
    rows,
  );
  const lines = [table];
  for (const { name, runs } of tools) {
    if (runs.length === 0) continue;
    const by = (k: OwnChild): string => fixed(agg(runs.map((r) => r.outside?.childrenCpuMs[k]))?.median, 0, ' ms');
    const ratio = agg(runs.map((r) => (r.outside && r.run.sampling ? r.run.sampling.membenchCpuMs / r.outside.totalCpuMs : null)));
    lines.push(
      `  ${name}: outside = node ${fixed(agg(runs.map((r) => r.outside?.nodeCpuMs))?.median, 0, ' ms')} + native sampler ${by('sampler')} + reaper ${by('reaper')} + guard ${by('guard')}` +
        ` over ${fixed(agg(runs.map((r) => r.outside?.wallMs))?.median, 0, ' ms')} (run wallMs ${fixed(agg(runs.map((r) => r.run.wallMs))?.median, 0, ' ms')});` +
        ` membenchCpuMs / outside CPU ${spread(ratio, 2, '×')};` +
        ` not counted: node ${fixed(agg(runs.map((r) => r.outside?.nodeBeforeMs))?.median, 0, ' ms')} before the run, ${fixed(agg(runs.map((r) => r.outside?.nodeAfterMs))?.median, 0, ' ms')} after it`,
    );
    const first = runs[0]!.run.sampling?.adaptations ?? [];
    if (first.length > 0)
      lines.push(
        `    read less often (round 1): ${[...first]
          .sort((a, b) => a.fromMs - b.fromMs)
          .map((a) => `${a.what} from ${fixed(a.fromMs, 0, ' ms')}`)
          .join(', ')}`,
      );
  }
  lines.push(
    [
      `  Each round: node CLI run -r 1 --style none --json F -- ${bigTreeCommand(shape).slice(0, 2).join(' ')} '${bigTreeCommand(shape)[2]}' (default settings, 1 ms).`,
      '  membench CPU, outside: utime + stime from /proc/PID/stat of the membench node process (all threads) plus the own CPU of its',
      '    children — native/bin/sampler, native/bin/reaper, the run guard (/bin/sh) — not of the tree, polled every 50 ms from the',
      "    reaper's start to its end, over that wall time (10 ms clock ticks; at most one poll missed at each end). The goal's figure.",
      '    Not counted: node before the reaper starts (start-up: loading, cgroup, guard) and after it ends (stop, analysis, JSON).',
      "  its JSON: runs[0].sampling.membenchCpuMs / runs[0].wallMs — node's process.cpuUsage() over the sampling window plus the native",
      "    helper's own CPU (its END record); it leaves out the reaper and the guard (both ~0 here: they sleep in wait/read).",
      '  sampler share: sampling.samplerCpuPercentOfCore; ticks kept: sampling.ticksKeptRatio (the tree-level ticks: cgroup counter every tick);',
      '  p99 interval error: sampling.intervalErrorP99Ms; adaptations: sampling.adaptations (median count over rounds; each `what` seen in any).',
    ].join('\n'),
  );
  return lines.join('\n');
}
