// Every subcommand's flags, help and defaults, declared on one commander program. Light on purpose: it imports
// no handler, so `membench top` does not pay for loading `run`, zod or the report renderers (main.ts imports
// the one handler it needs).
import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { DEFAULT_COMPARE_OPTIONS } from '../analyze/compare.js';
import { TOP_SORT_KEYS } from '../live/top.js';
import { PROFILERS } from '../document/profilers.js';
import { DEFAULT_BASELINE_DIR } from '../store/baseline-dir.js';

const RUN_HELP_EPILOG = `
Forms:
  membench run -- python3 script.py arg1      one command, exec'd directly (no shell)
  membench run 'perl a.pl' 'perl b.pl'        each string run by /bin/sh -c, side by side

  membench run -N 'xz -9 -k big' 'gzip -9 -k big'   split into words, no shell (hyperfine's -N)
  membench run -P n 1 4 'python3 make.py {n}'   one benchmark per n, memory fitted against n

Output: compact by default (peak mean ± σ, range, largest process, verdict, ranking); -v for everything.
Durations: 1ms, 0.5s, 250us, 2m (a bare number is milliseconds).

Exit codes:
  0    every measured run exited 0 (or --ignore-failure)
  1    a measured command failed: non-zero exit, signal, OOM kill or timeout
  2    usage error: unknown flag, bad value, no command
  3    a command could not be started: not found, not executable, bad --cwd, or the
       shell did not find it (exit 127: the command is then run once only)
  4    environment: --backend cgroup asked for but not possible here
  5    internal error in membench
  130  interrupted by Ctrl-C (143 for SIGTERM); the runs done so far are written
`;

export const GATE_HELP_EPILOG = `
The regression test (per benchmark and size, and per unit of the fitted slope):
  a row REGRESSED when its median grew by at least --threshold (and --min-diff) AND the growth is
  significant at --alpha: one-sided Welch t-test over the repeats (≥ 2 on each side), or, with a single
  value on a side, current and baseline ranges that do not overlap; fitted slopes use t = Δ/√(SE₁²+SE₂²).

Exit codes:
  0    no regression (and, for suite, every expect range met)
  1    a benchmark failed: threw, crashed, or its command failed
  2    usage error: bad flag or value, suite file that does not load, missing baseline, schema mismatch,
       an output that cannot be written (checked before anything runs), no benchmark in common
  3    a command could not be started
  4    a file could not be written after all (disk full, directory removed meanwhile)
  6    regression found (or, for suite, a per-unit cost outside its expect range)
  130  interrupted by Ctrl-C (143 for SIGTERM)
`;

export const DEFAULT_GATE = {
  threshold: `${DEFAULT_COMPARE_OPTIONS.thresholdRatio * 100}%`,
  alpha: String(DEFAULT_COMPARE_OPTIONS.alpha),
  minDiff: String(DEFAULT_COMPARE_OPTIONS.minDiff),
} as const;

const PROFILE_HELP_EPILOG = `
Forms:
  membench profile --with massif|heaptrack|v8|python [options] -- program [args…]
  membench profile import FILE [options]        massif.out.*, heaptrack.*.zst|.gz, *.heapprofile, or a --json document
  membench profile diff BEFORE AFTER [--fail-above 10%]

What "bytes at the peak" means per profiler:
  massif     heap bytes asked for, live at massif's exact peak snapshot (allocator overhead excluded)
  heaptrack  heap bytes asked for, live at heaptrack's peak; allocation counts per stack
  v8         sampled JS heap bytes live when the used heap was highest (seen from the event loop every
             20 ms and at exit); the live-at-exit profile is kept as a second view
  python     bytes traced by tracemalloc (pymalloc included) at the snapshot of the highest traced memory,
             file:line:function; python3 script.py, python3 -m module, and python children
Every profile run also reads the profiled process's VmHWM and says how much of it the sites account for.

Exit codes: 0 ok; 1 the profiled command failed (the profile is still shown); 2 usage or unreadable file;
  3 command not found; 4 profiler not installed; 6 diff: the peak grew above --fail-above.
`;

/** Repeatable options collect into a list. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A subcommand that never prints or exits by itself: main.ts renders errors as one line and maps exit codes. */
function subcommand(program: Command, name: string): Command {
  return program
    .command(name)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .action(async () => undefined);
}

export function buildProgram(): Command {
  const program = new Command('membench')
    .description('Memory benchmarks for commands and their whole process tree, with figures that agree with the kernel.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .showSuggestionAfterError(true);
  subcommand(program, 'run')
    .description('measure commands: peak and final memory of the whole tree and of its largest process, with a timeline')
    .usage('[options] -- program [args…]   |   [options] "shell command" ["shell command" …]')
    .option('-r, --runs <n>', 'measured runs per command', '3')
    .option('-w, --warmup <n>', 'unmeasured runs first', '0')
    .option('--interval <duration>', 'sampling interval, 1ms (1 kHz) … 100ms (10 Hz)', '1ms')
    .option(
      '--pss-interval <duration>',
      'fixed interval of the costlier PSS/USS/swap tier (smaps_rollup); default: 50ms, stretched to stay under 2 % of a core',
    )
    .option('-t, --timeout <duration>', 'kill the whole tree after this long and record the run as timed out')
    .addOption(new Option('--backend <kind>', 'how the tree is followed').choices(['auto', 'cgroup', 'proc']).default('auto'))
    .addOption(new Option('--survivors <action>', 'processes that outlive the main command').choices(['wait', 'kill']).default('wait'))
    .option('-v, --verbose', 'the full report: every figure (exact and sampled), sampling, diagnosis, breakdowns, chart')
    .option('-n, --command-name <name>', 'name a command in the output, in the order given (repeatable)', collect, [])
    .option('--prepare <cmd>', 'shell command run before each run (not measured); one, or one per command (repeatable)', collect, [])
    .option('--setup <cmd>', 'shell command run once before the runs of each command (repeatable: one per command)', collect, [])
    .option('--cleanup <cmd>', 'shell command run once after the runs of each command (repeatable: one per command)', collect, [])
    .option(
      '-P, --parameter-scan <name min max...>',
      'one benchmark per value of {name} from min to max (integers, step -D), substituted in the command',
    )
    .option('-D, --parameter-step-size <step>', 'step of --parameter-scan (default 1)')
    .option('-L, --parameter-list <name values...>', 'one benchmark per value of a comma-separated list, e.g. -L n 10,100,1000')
    .option(
      '-S, --shell <shell>',
      'shell that runs quoted commands: "none" to split them into words and exec directly, or a shell path (default /bin/sh)',
    )
    .option('-N', 'an alias for --shell=none')
    .addOption(
      new Option(
        '--style <style>',
        'output style: full (colours, progress), basic (neither), nocolor, color, none (no report; exports still written)',
      )
        .choices(['full', 'basic', 'nocolor', 'color', 'none'])
        .default('full'),
    )
    .option('--export-json <file>', 'write the result document to FILE ("-" for stdout); rewritten after every run')
    .option('--export-markdown <file>', 'write a Markdown table of the commands (for PRs) to FILE')
    .option('--export-csv <file>', 'write one CSV row per command to FILE')
    .option('--json <file>', 'alias of --export-json')
    .option('--html <file>', 'write a self-contained HTML report with plots to FILE; rewritten after every run')
    .option('-i, --ignore-failure', 'count runs whose command failed in the statistics, and exit 0')
    .option('--show-output', 'let the command print to the terminal (default: stdout discarded, stderr tail kept)')
    .option('--cwd <dir>', 'working directory of the commands')
    .option('--memory-limit <size>', 'cgroup memory limit for the tree (v1 memory.limit_in_bytes / v2 memory.max), e.g. 512M')
    .option('--cpu-quota <share>', 'CPU quota for the tree, e.g. 20% of one CPU (v1 cpu.cfs_quota_us / v2 cpu.max)')
    .option('--cpuset <cpus>', 'CPUs the tree may run on, e.g. 1 or 0-1 (cpuset.cpus)')
    .option('--rlimit-as <size>', 'RLIMIT_AS (address space) of the target, not of membench')
    .option('--rlimit-data <size>', 'RLIMIT_DATA (heap + anonymous mmap) of the target')
    .option('--no-aslr', 'turn address-space randomisation off for the target (setarch -R)')
    .option('--best-effort', 'run even when a limit cannot be applied here (reported as not applied)')
    .option('--subtract-baseline', 'also measure the interpreter doing nothing (python3 -c pass, node -e 0, …) and report the difference')
    .option('--baseline-cmd <command>', 'the baseline to subtract, as a shell command (implies --subtract-baseline)')
    .option(
      '--concurrency <list>',
      'start N instances together in one group, e.g. 1,2,4,8 (each gets MEMBENCH_INSTANCE=1…N); fits memory against N',
    )
    .option('--payload-scan <sizes>', 'feed generated payloads of these sizes on stdin, e.g. 1K,10K,100K,1M; fits memory against size')
    .option('--stdin <file>', "feed FILE to the command's standard input (default: /dev/null)")
    .option(
      '--allocator <list>',
      'measure each command under these mallocs, e.g. glibc,jemalloc,tcmalloc (LD_PRELOAD of libjemalloc2 / libtcmalloc-minimal4)',
    )
    .option(
      '--realtime',
      'run the fast sampler thread SCHED_FIFO priority 1 (chrt; needs root or CAP_SYS_NICE): keeps 1 kHz ticks on a loaded machine; refused → normal priority, said in the result',
    )
    .option(
      '--max-statm-per-tick <n>',
      "read statm of at most N processes per tick, in turn, carrying the others' last readings (large trees at 1 kHz); the result counts the ticks whose Σ RSS was carried",
    )
    .option('--timeline-points <n>', 'at most this many timeline points per run in the JSON (bucket maxima)', '2000')
    .option('--no-color', 'no colours (NO_COLOR is respected too)')
    .option('--no-chart', 'no chart of memory over time in the terminal report')
    .argument('[commands...]')
    .addHelpText('after', RUN_HELP_EPILOG);
  subcommand(program, 'report')
    .description(
      'show result documents (from run --json or suite --json) as the terminal report, or as one self-contained HTML page with plots (--html)',
    )
    .usage('A.json [B.json …] [-v] [--html FILE]')
    .option('--html <file>', 'write the HTML report to FILE ("-" for stdout) instead of printing the terminal report')
    .option('-v, --verbose', 'the full terminal report: every figure, sampling, diagnosis, breakdowns, chart')
    .option('--no-chart', 'no chart of memory over time in the terminal report')
    .option('--no-color', 'no colours (NO_COLOR is respected too)')
    .argument('[documents...]');
  subcommand(program, 'suite')
    .description('run memory benchmark suites (membench.config.*, *.membench.*): sizes × repeats, cost per unit, baselines, CI gate')
    .usage('[options] [suite files…]')
    .option('-r, --runs <n>', 'repeats per size, overriding the suite files (default 5)')
    .option('-j, --jobs <n>', 'in-process measurements run at once (default: one per CPU); commands always run alone')
    .option('--filter <regex>', 'only benchmarks whose name matches')
    .option('--baseline <name|file>', 'compare with a saved baseline (or a suite --json file); exit 6 on a regression')
    .option('--save-baseline <name>', 'save this result as the baseline NAME (only when every benchmark succeeded)')
    .option('--baseline-dir <dir>', 'where baselines live', DEFAULT_BASELINE_DIR)
    .option('--threshold <percent>', 'smallest growth that counts as a regression', DEFAULT_GATE.threshold)
    .option('--alpha <p>', 'significance level of the regression test', DEFAULT_GATE.alpha)
    .option('--min-diff <size>', 'smallest growth in bytes that counts (e.g. 4K)', DEFAULT_GATE.minDiff)
    .addOption(new Option('--backend <kind>', 'how command trees are followed').choices(['auto', 'cgroup', 'proc']).default('auto'))
    .option('--json <file>', 'write the suite result document ("-" for stdout); rewritten after every repeat')
    .option('--markdown <file>', 'write Markdown tables (and the comparison) to FILE ("-" for stdout)')
    .option('--csv <file>', 'write one CSV row per benchmark and size')
    .option('--bmf <file>', 'write Bencher Metric Format JSON')
    .option('--gh-benchmark <file>', 'write github-action-benchmark JSON (tool: customSmallerIsBetter)')
    .option('--html <file>', 'write a self-contained HTML page: memory against size with the fitted line, per benchmark ("-" for stdout)')
    .option('--show-output', 'let benchmarks print to the terminal')
    .option('--no-color', 'no colours (NO_COLOR is respected too)')
    .argument('[files...]')
    .addHelpText('after', GATE_HELP_EPILOG);
  subcommand(program, 'compare')
    .description('compare two suite results (or two run results): the CI gate, exit 6 on a regression')
    .usage('[options] BASELINE CURRENT   (files, or names of saved baselines)')
    .option('--threshold <percent>', 'smallest growth that counts as a regression', DEFAULT_GATE.threshold)
    .option('--alpha <p>', 'significance level of the regression test', DEFAULT_GATE.alpha)
    .option('--min-diff <size>', 'smallest growth in bytes that counts (e.g. 4K)', DEFAULT_GATE.minDiff)
    .option('--baseline-dir <dir>', 'where saved baselines live', DEFAULT_BASELINE_DIR)
    .option('--json <file>', 'write the comparison as JSON ("-" for stdout)')
    .option('--markdown <file>', 'write the comparison as Markdown ("-" for stdout, e.g. >> $GITHUB_STEP_SUMMARY)')
    .option('--no-color', 'no colours (NO_COLOR is respected too)')
    .argument('[documents...]')
    .addHelpText('after', GATE_HELP_EPILOG);
  subcommand(program, 'top')
    .description('every process on the machine: RSS, PSS, USS and swap from smaps_rollup, sorted, with totals')
    .addOption(new Option('--sort <key>', 'sort by').choices([...TOP_SORT_KEYS]).default('pss'))
    .option('-n, --limit <n>', 'show the first N processes (default: 25 on a terminal, all with --json)')
    .option(
      '--json',
      'print the snapshot as JSON on stdout (totals cover every process, listed or not); with --refresh one object per line',
    )
    .option(
      '--refresh <duration>',
      'take a pass every DURATION until Ctrl-C (on a terminal: redrawn in place, like top(1)); a pass after the first costs the scan alone, no start-up',
    )
    .option('--count <n>', 'with --refresh: stop after N passes');
  subcommand(program, 'serve')
    .description(
      'serve Prometheus metrics (RSS, PSS, USS, swap, VmData, peaks, sampler health) for a process tree, a name or all processes',
    )
    .option('--port <n>', 'TCP port (0: any free port, printed on stderr)', '9091')
    .option('--bind <address>', 'address to listen on; anything but loopback exposes process names to the network', '127.0.0.1')
    .option('--pid <pid>', 'this process and its descendants')
    .option('--name <name>', 'every process whose name (comm or argv[0] basename) is NAME')
    .option('--all', 'every process on the machine')
    .option('--interval <duration>', 'how often RSS, VmData and swap are read (cheap: /proc/PID/status)', '1s')
    .option('--pss-interval <duration>', 'how often PSS/USS are re-read (smaps_rollup, costly); scrapes serve the cached figure', '5s');
  subcommand(program, 'system')
    .description('machine-wide memory: meminfo, swap and fault rates, fragmentation, slab caches, VM tunables, PSI — with warnings')
    .option('--window <duration>', 'how long to watch vmstat for swap and fault rates', '1s')
    .option('--json', 'print the report as JSON on stdout');
  subcommand(program, 'watch')
    .description(
      'follow a running process (--children: and its descendants) read-only until it exits, a duration passes or Ctrl-C; live view, peaks and a leak verdict. With --name, processes with the name started later join, and the watch ends only once none has been alive for the grace period',
    )
    .usage('PID [options] | --name NAME [options]')
    .option(
      '--name <name>',
      'every process whose name (comm or argv[0] basename) is NAME, instead of a PID: those running at the start, and those started later (found by a rescan, like pgrep each time)',
    )
    .option('--rescan <duration>', 'with --name: how often to look for new processes with the name', '1s')
    .option(
      '--grace <duration>',
      'with --name: end (as "the process exited") once no process with the name has been alive this long; default two rescans',
    )
    .option('--children', 'also follow descendants (/proc/PID/task/*/children), including those forked later')
    .option('--interval <duration>', 'sampling interval', '100ms')
    .option('--duration <duration>', 'stop after this long (default: until the process exits or Ctrl-C)')
    .option('--json <file>', 'write the recording to FILE ("-" for stdout), also on Ctrl-C')
    .argument('[pid]');
  subcommand(program, 'profile')
    .description(
      "heap profiles as allocation sites: run under massif, heaptrack, V8's sampling profiler or tracemalloc, import, flame graph, diff",
    )
    .usage('--with massif|heaptrack|v8|python [options] -- program [args…]   |   import FILE   |   diff BEFORE AFTER')
    .addOption(new Option('--with <profiler>', 'the heap profiler to run the command under').choices([...PROFILERS]))
    .option('--json <file>', 'write the profile document (or the diff) to FILE ("-" for stdout)')
    .option(
      '--html <file>',
      'write a self-contained HTML page of the sites at the peak to FILE: flame graph (zoom, search), bottom-up table, treemap',
    )
    .option('--pprof <file>', 'write the sites at the peak as a gzipped pprof profile.proto (go tool pprof, speedscope, Pyroscope, Parca)')
    .option('--top <n>', 'sites shown in the terminal', '10')
    .option('--fail-above <percent>', 'diff: exit 6 when the peak grew by more than this, e.g. 10%')
    .option('--sample-interval <size>', 'v8: bytes between heap samples (V8 sampling heap profiler interval)', '4K')
    .option('--show-output', 'let the command print to the terminal (default: stdout discarded, stderr tail kept)')
    .option('--cwd <dir>', 'working directory of the command')
    .option('--no-color', 'no colours (NO_COLOR is respected too)')
    .option('--no-chart', 'no timeline chart in the terminal')
    .argument('[args...]')
    .addHelpText('after', PROFILE_HELP_EPILOG);
  return program;
}
