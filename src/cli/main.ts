#!/usr/bin/env node
// membench's entry point: argv → options → run → report; the only place that maps errors to exit codes.
import { Command, CommanderError, Option } from 'commander';
import { EXIT, MembenchError } from '../errors.js';
import { VERSION } from '../version.js';
import { runCommand, RUN_HELP_EPILOG } from './run-command.js';
import { reportCommand } from './report-command.js';
import { addProfileCommand, profileCommand } from './profile-command.js';
import { addSuiteCommand, suiteCommand } from './suite-command.js';
import { addCompareCommand, compareCommand } from './compare-command.js';
import { addLiveCommands, isLiveCommand, liveCommand } from './live-commands.js';

function fail(e: unknown): never {
  if (e instanceof MembenchError) {
    process.stderr.write(`membench: ${e.line()}\n`);
    process.exit(e.exitCode);
  }
  if (e instanceof CommanderError) {
    // Commander already printed help/version for those; for errors we print one line ourselves.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exit(EXIT.OK);
    process.stderr.write(`membench: ${e.message.replace(/^error: /, '')} (see membench --help)\n`);
    process.exit(EXIT.USAGE);
  }
  process.stderr.write(`membench: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(EXIT.INTERNAL);
}

export function buildProgram(): Command {
  const program = new Command('membench')
    .description('Memory benchmarks for commands and their whole process tree, with figures that agree with the kernel.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .showSuggestionAfterError(true);
  program
    .command('run')
    .description('measure commands: peak and final memory of the whole tree and of its largest process, with a timeline')
    .usage('[options] -- program [args…]   |   [options] "shell command" ["shell command" …]')
    .option('-r, --runs <n>', 'measured runs per command', '3')
    .option('-w, --warmup <n>', 'unmeasured runs first', '0')
    .option('--interval <duration>', 'sampling interval, 1ms (1 kHz) … 100ms (10 Hz)', '1ms')
    .option('--pss-interval <duration>', 'fixed interval of the costlier PSS/USS/swap tier (smaps_rollup); default: 50ms, stretched to stay under 2 % of a core')
    .option('-t, --timeout <duration>', 'kill the whole tree after this long and record the run as timed out')
    .addOption(new Option('--backend <kind>', 'how the tree is followed').choices(['auto', 'cgroup', 'proc']).default('auto'))
    .addOption(new Option('--survivors <action>', 'processes that outlive the main command').choices(['wait', 'kill']).default('wait'))
    .option('--json <file>', 'write the result document to FILE ("-" for stdout); rewritten after every run')
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
    .option('--concurrency <list>', 'start N instances together in one group, e.g. 1,2,4,8; fits memory against N')
    .option('--payload-scan <sizes>', 'feed generated payloads of these sizes on stdin, e.g. 1K,10K,100K,1M; fits memory against size')
    .option('--stdin <file>', 'feed FILE to the command\'s standard input (default: /dev/null)')
    .option('--allocator <list>', 'measure each command under these mallocs, e.g. glibc,jemalloc,tcmalloc (LD_PRELOAD of libjemalloc2 / libtcmalloc-minimal4)')
    .option('--timeline-points <n>', 'at most this many timeline points per run in the JSON (bucket maxima)', '2000')
    .option('--no-color', 'no colours (NO_COLOR is respected too)')
    .option('--no-chart', 'no chart of memory over time in the terminal report')
    .argument('[commands...]')
    .addHelpText('after', RUN_HELP_EPILOG)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .action(async () => undefined);
  program
    .command('report')
    .description('render result documents (from run --json or suite --json) as one self-contained HTML page with plots')
    .usage('A.json [B.json …] --html FILE')
    .option('--html <file>', 'write the HTML report to FILE ("-" for stdout)')
    .argument('[documents...]')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .action(async () => undefined);
  addSuiteCommand(program);
  addCompareCommand(program);
  addLiveCommands(program);
  addProfileCommand(program);
  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  // Everything after the first "--" is one command exec'd without a shell; commander never sees it.
  const dash = argv.indexOf('--');
  const head = dash >= 0 ? argv.slice(0, dash) : [...argv];
  const execArgv = dash >= 0 ? argv.slice(dash + 1) : null;
  const program = buildProgram();
  if (head.length === 0) {
    process.stdout.write(program.helpInformation());
    process.exit(EXIT.USAGE);
  }
  program.configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined, outputError: () => undefined });
  for (const c of program.commands) c.configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined, outputError: () => undefined });
  await program.parseAsync(head, { from: 'user' });
  const run = program.commands.find((c) => c.name() === 'run')!;
  if (head[0] === 'report') {
    const report = program.commands.find((c) => c.name() === 'report')!;
    process.exitCode = await reportCommand(report.opts(), report.args);
    return;
  }
  if (head[0] === 'suite' || head[0] === 'compare') {
    const sub = program.commands.find((c) => c.name() === head[0])!;
    process.exitCode = head[0] === 'suite' ? await suiteCommand(sub.opts(), sub.args) : await compareCommand(sub.opts(), sub.args);
    return;
  }
  if (head[0] === 'profile') {
    const profile = program.commands.find((c) => c.name() === 'profile')!;
    process.exitCode = await profileCommand(profile.opts(), profile.args, execArgv);
    return;
  }
  if (isLiveCommand(head[0])) {
    process.exitCode = await liveCommand(program, head[0]!);
    return;
  }
  if (head[0] !== 'run') return;
  const code = await runCommand(run.opts(), run.args, execArgv);
  process.exitCode = code;
}

main(process.argv.slice(2)).catch(fail);
