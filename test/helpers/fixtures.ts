// Test helpers: paths of the fixture program and the built CLI, and runners for the CLI.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const MEMFIX = join(ROOT, 'fixtures', 'bin', 'memfix');
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
export const MIB = 1024 * 1024;

/** Terminal prose joined back into one line per sentence: continuation lines of the 80-column wrap start with 4+ spaces. */
export const unwrap = (s: string): string => s.replace(/\n {4,}(?=\S)/g, ' ');

export function runCli(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    timeout: opts.timeoutMs ?? 120_000,
  });
}

/** runCli, and the assertion that membench exited 0: the command line, its stderr and the end of its stdout otherwise. */
export function runCliOk(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  const r = runCli(args, opts);
  assert.equal(
    r.status,
    0,
    `membench ${args.join(' ')} exited ${r.status ?? r.signal}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(-2000)}`,
  );
  return r;
}
