// Loading what suite files name, without validation (and without zod), so the in-process harness child can
// use the same loading as the parent at a fraction of the start-up cost. Errors are thrown as they come.
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The value a suite file exports: a JSON file's content, or a module's default export (else the module). */
export async function importSuiteValue(file: string): Promise<unknown> {
  if (extname(file) === '.json') return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return mod.default !== undefined ? mod.default : mod;
}

/** `export` (default "default") of the module at `specifier`, resolved against the suite file's directory. */
export async function importModuleExport(suiteFile: string, specifier: string, exportName = 'default'): Promise<unknown> {
  const mod = (await import(pathToFileURL(resolve(dirname(suiteFile), specifier)).href)) as Record<string, unknown>;
  return mod[exportName];
}

/** The function of the benchmark named `name` in an already validated suite file. */
export async function findBenchmarkFunction(file: string, name: string): Promise<(n: number) => unknown> {
  const value = (await importSuiteValue(file)) as { benchmarks?: readonly Record<string, unknown>[] } | null;
  const b = value?.benchmarks?.find((x) => x?.name === name);
  if (!b) throw new Error(`no benchmark named ${JSON.stringify(name)} in ${file} (was the file changed while the suite ran?)`);
  const fn =
    typeof b.fn === 'function'
      ? b.fn
      : typeof b.module === 'string'
        ? await importModuleExport(file, b.module, typeof b.export === 'string' ? b.export : undefined)
        : undefined;
  if (typeof fn !== 'function') throw new Error(`benchmark ${JSON.stringify(name)} in ${file} has no function to run`);
  return fn as (n: number) => unknown;
}
