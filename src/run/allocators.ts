// `run --allocator glibc,jemalloc,tcmalloc`: each command measured once per malloc implementation, the
// alternatives loaded with LD_PRELOAD from their Debian packages; a missing library is one line naming the package.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { MembenchError, usageError } from '../errors.js';

export const ALLOCATORS = {
  glibc: { library: null, pkg: 'libc6' },
  jemalloc: { library: 'libjemalloc.so.2', pkg: 'libjemalloc2' },
  tcmalloc: { library: 'libtcmalloc_minimal.so.4', pkg: 'libtcmalloc-minimal4' },
} as const;
export type AllocatorName = keyof typeof ALLOCATORS;

/** Where Debian (multiarch) and other distributions put shared libraries. */
export const LIBRARY_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib/x86_64-linux-gnu',
] as const;

export interface Allocator {
  readonly name: AllocatorName;
  /** Absolute path preloaded, null for the C library's own malloc. */
  readonly preload: string | null;
}

export function resolveAllocator(name: string, dirs: readonly string[] = LIBRARY_DIRS): Allocator {
  if (!Object.hasOwn(ALLOCATORS, name)) throw usageError(`--allocator: "${name}" is not one of ${Object.keys(ALLOCATORS).join(', ')}`);
  const a = ALLOCATORS[name as AllocatorName];
  if (a.library === null) return { name: name as AllocatorName, preload: null };
  for (const dir of dirs) {
    const path = join(dir, a.library);
    try {
      accessSync(path, constants.R_OK);
      return { name: name as AllocatorName, preload: path };
    } catch {
      /* next directory */
    }
  }
  throw new MembenchError(
    'environment',
    `--allocator ${name}: ${a.library} not found`,
    `install the Debian package ${a.pkg} (apt-get install ${a.pkg})`,
  );
}

/** The environment a command runs with under this allocator: LD_PRELOAD prepended, MEMBENCH_ALLOCATOR set. */
export function allocatorEnv(a: Allocator, inherited: string | undefined): Record<string, string> {
  const env: Record<string, string> = { MEMBENCH_ALLOCATOR: a.name };
  if (a.preload) env.LD_PRELOAD = inherited ? `${a.preload}:${inherited}` : a.preload;
  return env;
}

/** Commands × allocators, in that order; each variant's name says its allocator. */
export function expandAllocators<C extends { readonly display: string; readonly env?: Readonly<Record<string, string>> }>(
  commands: readonly C[],
  list: string,
  inheritedPreload: string | undefined,
  dirs: readonly string[] = LIBRARY_DIRS,
): C[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw usageError('--allocator: no allocator named', 'write e.g. --allocator glibc,jemalloc,tcmalloc');
  if (new Set(names).size !== names.length) throw usageError(`--allocator: "${list}" names an allocator twice`);
  const allocators = names.map((n) => resolveAllocator(n, dirs));
  return commands.flatMap((c) =>
    allocators.map((a) => ({ ...c, display: `${c.display} [${a.name}]`, env: { ...c.env, ...allocatorEnv(a, inheritedPreload) } })),
  );
}
