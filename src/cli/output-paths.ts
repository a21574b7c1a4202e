// Files membench will write, checked before any work starts: a run that cannot save its result is not started.
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from '../errors.js';

/**
 * Throws a usage error (exit 2, one line) when `path` cannot be written: its directory is missing or not a directory,
 * not writable (also on a read-only mount, where root's access() still says yes), or the path is a directory.
 * "-" (stdout) passes when the flag allows it.
 */
export function checkWritableOutput(flag: string, path: string, allowStdout = false): void {
  if (path === '-' && allowStdout) return;
  if (path === '' || path === '-') throw usageError(`${flag} needs a file name`, allowStdout ? 'or "-" for stdout' : 'the output is written to a file');
  const full = resolve(path);
  const dir = dirname(full);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw usageError(`${flag} ${path}: the directory ${dir} does not exist`, 'create it first, or write somewhere else');
  }
  if (!isDir) throw usageError(`${flag} ${path}: ${dir} is not a directory`, 'give a path inside a directory');
  try {
    if (statSync(full).isDirectory()) throw usageError(`${flag} ${path} is a directory`, 'give a file name');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
  }
  try {
    accessSync(dir, constants.W_OK);
    // access() answers yes to root on a read-only mount: create and remove a scratch entry to be sure.
    rmSync(mkdtempSync(`${dir}/.membench-check-`), { recursive: true, force: true });
  } catch (e) {
    throw usageError(`${flag} ${path}: cannot write in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'choose a writable directory');
  }
}
