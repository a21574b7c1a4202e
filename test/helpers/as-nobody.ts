// Running membench as the unprivileged `nobody` user from a root test: a world-readable copy of the built CLI
// (the checkout may sit under a directory nobody cannot enter, /root) and setpriv's arguments.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEMFIX, ROOT } from './fixtures.js';

/** setpriv arguments that switch to nobody (uid and gid 65534, no supplementary groups) and exec what follows. */
export const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups', '--'] as const;

export interface NobodyCopy {
  readonly dir: string;
  readonly cli: string;
  readonly memfix: string;
  readonly remove: () => void;
}

/** Why a test cannot run as nobody here (not root, no setpriv), or null. */
export function cannotRunAsNobody(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to switch to the nobody user';
  if (spawnSync('setpriv', ['--version']).error) return 'setpriv (util-linux) is not installed';
  return null;
}

/** The named packages and every package they depend on, as npm laid them out (flat) in node_modules. */
function withDependencies(packages: readonly string[]): Set<string> {
  const all = new Set<string>();
  const add = (p: string): void => {
    if (all.has(p)) return;
    all.add(p);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', p, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const d of Object.keys(manifest.dependencies ?? {})) add(d);
  };
  for (const p of packages) add(p);
  return all;
}

/**
 * A world-readable copy of dist/src, the named packages of node_modules (with what they depend on) and memfix in a new
 * temporary directory. Every command loads the terminal renderers, hence commander and cli-table3 at least.
 */
export function nobodyCopy(prefix: string, packages: readonly string[] = ['commander', 'cli-table3']): NobodyCopy {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'dist', 'src'), join(dir, 'dist', 'src'), { recursive: true });
  for (const p of withDependencies(packages)) cpSync(join(ROOT, 'node_modules', p), join(dir, 'node_modules', p), { recursive: true });
  const memfix = join(dir, 'memfix');
  cpSync(MEMFIX, memfix);
  chmodSync(dir, 0o755);
  return { dir, cli: join(dir, 'dist', 'src', 'cli', 'main.js'), memfix, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
