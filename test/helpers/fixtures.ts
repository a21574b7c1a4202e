// Test helpers: paths of the fixture program and the built CLI, and a runner for the CLI.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const MEMFIX = join(ROOT, 'fixtures', 'bin', 'memfix');
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
export const MIB = 1024 * 1024;

export function runCli(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...opts.env }, timeout: opts.timeoutMs ?? 120_000,
  });
}
