// The live and system views (top, serve, system, watch): registered on the program and dispatched by name.
import type { Command } from 'commander';
import { addTopCommand, topCommand, type RawTopOptions } from './top-command.js';
import { addServeCommand, serveCommand, type RawServeOptions } from './serve-command.js';
import { addWatchCommand, watchCommand, type RawWatchOptions } from './watch-command.js';
import { addSystemCommand, systemCommand, type RawSystemOptions } from './system-command.js';

export const LIVE_COMMANDS = ['top', 'serve', 'system', 'watch'] as const;

export function addLiveCommands(program: Command): void {
  addTopCommand(program);
  addServeCommand(program);
  addSystemCommand(program);
  addWatchCommand(program);
}

export const isLiveCommand = (name: string | undefined): boolean => (LIVE_COMMANDS as readonly string[]).includes(name ?? '');

/** Runs the live command `name` with the options commander parsed; resolves to the exit code. */
export async function liveCommand(program: Command, name: string): Promise<number> {
  const sub = program.commands.find((c) => c.name() === name)!;
  switch (name) {
    case 'top':
      return topCommand(sub.opts<RawTopOptions>());
    case 'serve':
      return serveCommand(sub.opts<RawServeOptions>());
    case 'system':
      return systemCommand(sub.opts<RawSystemOptions>());
    case 'watch':
      return watchCommand(sub.opts<RawWatchOptions>(), sub.args);
    default:
      throw new Error(`no live command ${name}`);
  }
}
