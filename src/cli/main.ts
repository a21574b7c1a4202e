#!/usr/bin/env node
// membench's entry point: argv → options → the one subcommand asked for → exit code. The only place that maps
// errors to exit codes. Handlers are imported when chosen, so a quick command (top, --help) loads little.
import { setFlagsFromString } from 'node:v8';
import { CommanderError, type Command } from 'commander';
import { EXIT, MembenchError } from '../errors.js';
import { buildProgram } from './program.js';

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

/**
 * watch and serve stay attached for hours, so they ask V8 to favour memory over speed (--optimize-for-size, set
 * before their threads start: it caps a new thread's young generation at 1 MiB semi-spaces and lets the old
 * generation grow in 2 MiB steps instead of 8, so each sampler thread collects every few minutes rather than
 * filling ~13 MiB first). Measured on a 25-min churn watch at 10 Hz, two builds side by side: own RSS 77–78 MiB
 * (high-water mark 82) against 95 MiB and still rising, for about 5 % more CPU (README, "watch").
 */
function longRunning(): void {
  setFlagsFromString('--optimize-for-size');
}

/**
 * run, suite and profile sample at 1 kHz for the length of a run, so their sampler threads are started without V8's
 * memory reducer (--no-memory-reducer, set before the threads start; it applies to every isolate created after it).
 * The reducer waits 8 s after a thread's heap has grown, then, the thread being nearly idle, runs up to three full
 * "reduce" mark-compacts on each thread (--trace-gc); with their concurrent marking (V8's platform threads) they cost
 * 1.5–2 % of a core over a 12 s run at 1 kHz on a 5-process tree, a fifth to a third of the tool's CPU (issue 20;
 * `npm run bench`). The threads' heaps are a few MiB and still collected as they fill; only the idle-time
 * shrinking is given up. The main thread's heap exists before any flag can be set here: the installed bin starts node
 * with the flag on its command line instead (scripts/bin-exec.mjs), so `membench run` has no reducer at all, while
 * `node dist/src/cli/main.js run` keeps the main thread's (~0.5 % of a core, once, 8 s in).
 */
function sampling(): void {
  setFlagsFromString('--no-memory-reducer');
}

/** Each subcommand's handler: options commander parsed, its arguments, the argv after "--" → exit code. */
type Handler = (sub: Command, execArgv: readonly string[] | null) => Promise<number>;

const HANDLERS: Record<string, Handler> = {
  run: async (sub, execArgv) => {
    sampling();
    return (await import('./run-command.js')).runCommand(sub.opts(), sub.args, execArgv);
  },
  report: async (sub) => (await import('./report-command.js')).reportCommand(sub.opts(), sub.args),
  suite: async (sub) => {
    sampling();
    return (await import('./suite-command.js')).suiteCommand(sub.opts(), sub.args);
  },
  compare: async (sub) => (await import('./compare-command.js')).compareCommand(sub.opts(), sub.args),
  profile: async (sub, execArgv) => {
    sampling();
    return (await import('./profile-command.js')).profileCommand(sub.opts(), sub.args, execArgv);
  },
  top: async (sub) => (await import('./top-command.js')).topCommand(sub.opts()),
  serve: async (sub) => {
    longRunning();
    return (await import('./serve-command.js')).serveCommand(sub.opts());
  },
  system: async (sub) => (await import('./system-command.js')).systemCommand(sub.opts()),
  watch: async (sub) => {
    longRunning();
    return (await import('./watch-command.js')).watchCommand(sub.opts(), sub.args);
  },
};

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
  const writeOut = { writeOut: (s: string) => process.stdout.write(s), writeErr: () => undefined, outputError: () => undefined };
  program.configureOutput(writeOut);
  for (const c of program.commands) c.configureOutput(writeOut);
  await program.parseAsync(head, { from: 'user' });
  const sub = program.commands.find((c) => c.name() === head[0]);
  const handler = sub === undefined ? undefined : HANDLERS[sub.name()];
  if (sub === undefined || handler === undefined) return;
  process.exitCode = await handler(sub, execArgv);
}

main(process.argv.slice(2)).catch(fail);
