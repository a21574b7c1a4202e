// Paths named on the command line, checked before anything runs or is written: a missing or read-only
// directory, a directory given as a file, two outputs on one file, an output over an input — one line, exit 2.
import { accessSync, closeSync, constants, openSync, rmSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errnoCode, errnoWords, usageError } from '../errors.js';
import { temporaryOf, writeTarget } from '../store/atomic.js';

/** stat(2) of PATH, or the errno code that stopped it. */
const statOf = (path: string): Stats | string => {
  try {
    return statSync(path);
  } catch (e) {
    return errnoCode(e) ?? 'EIO';
  }
};
const statOrNull = (path: string): Stats | null => {
  const st = statOf(path);
  return typeof st === 'string' ? null : st;
};

/**
 * The output FLAG PATH can be written: PATH is not a directory, its directory exists, is a directory and takes
 * new files (access(2), then creating and removing the temporary file the write will use). "-" is standard
 * output, allowed when `stdout` is (the default). Throws a usage error (exit 2) in one line otherwise.
 */
export function checkWritableOutput(flag: string, path: string, opts: { readonly stdout?: boolean } = {}): void {
  if (path === '-') {
    if (opts.stdout === false) throw usageError(`${flag} cannot write to standard output ("-")`, 'give a file name');
    return;
  }
  if (path.trim() === '') throw usageError(`${flag} needs a file name, got an empty one`);
  const st = statOrNull(path);
  if (st?.isDirectory() || (st === null && /\/$/.test(path))) {
    throw usageError(`${flag} ${path} is a directory`, `give a file name, e.g. ${path.replace(/\/+$/, '')}/${suggestedName(flag)}`);
  }
  const target = writeTarget(path);
  if (target.inPlace) {
    // A device or a FIFO: written in place, so it is the file itself that must be writable.
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      throw usageError(`${flag} ${path} cannot be written: ${errnoWords(errnoCode(e))}`);
    }
    return;
  }
  const dir = dirname(target.path);
  const d = statOf(dir);
  if (typeof d === 'string') {
    const code = d;
    if (code === 'ENOTDIR')
      throw usageError(`${flag} ${path}: ${nearestNonDirectory(dir)} is not a directory`, 'give a path inside an existing directory');
    if (code === 'EACCES') throw usageError(`${flag} ${path}: cannot reach directory ${dir}: permission denied`);
    throw usageError(`${flag} ${path}: directory ${dir} does not exist`, `create it first: mkdir -p ${dir}`);
  }
  if (!d.isDirectory()) throw usageError(`${flag} ${path}: ${dir} is not a directory`, 'give a path inside an existing directory');
  const code = cannotCreateIn(dir, temporaryOf(target.path));
  if (code !== null)
    throw usageError(
      `${flag} ${path}: cannot write in ${dir}: ${errnoWords(code)}`,
      code === 'EROFS' ? 'write it to a writable directory' : 'choose a directory you can write to',
    );
}

/**
 * Why a file cannot be created in DIR, or null. access(2) judges mode bits, mount flags and the immutable flag
 * (EROFS, EPERM even for root); creating and removing PROBE also catches what only the file system decides
 * (an NFS server squashing root, a security module, no inodes left).
 */
function cannotCreateIn(dir: string, probe: string): string | null {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
    return null;
  } catch (e) {
    const code = errnoCode(e) ?? 'EIO';
    return code === 'EEXIST' ? null : code; // our own temporary name is taken: the directory does take files
  }
}

/** The directory FLAG DIR can be created (mkdir -p) or, when it exists, takes new files. */
export function checkCreatableDirectory(flag: string, dir: string): void {
  const abs = resolve(dir);
  const st = statOrNull(abs);
  if (st !== null) {
    if (!st.isDirectory()) throw usageError(`${flag} ${dir} is not a directory`);
    const code = cannotCreateIn(abs, `${abs}/.membench-${process.pid}.tmp`);
    if (code !== null) throw usageError(`${flag} ${dir}: cannot write in it: ${errnoWords(code)}`, 'choose a directory you can write to');
    return;
  }
  let parent = dirname(abs);
  while (statOrNull(parent) === null && parent !== dirname(parent)) parent = dirname(parent);
  const p = statOrNull(parent);
  if (p === null || !p.isDirectory())
    throw usageError(`${flag} ${dir}: ${parent} is not a directory`, 'give a path inside an existing directory');
  try {
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw usageError(`${flag} ${dir}: cannot create it in ${parent}: ${errnoWords(errnoCode(e))}`);
  }
}

/** The component of DIR that exists and is not a directory (found walking up: everything below it fails ENOTDIR). */
function nearestNonDirectory(dir: string): string {
  let p = dir;
  while (p !== dirname(p)) {
    const st = statOrNull(p);
    if (st !== null && !st.isDirectory()) return p;
    p = dirname(p);
  }
  return dir;
}

const suggestedName = (flag: string): string =>
  /html/.test(flag) ? 'report.html' : /markdown/.test(flag) ? 'report.md' : /csv/.test(flag) ? 'report.csv' : 'result.json';

/** One output flag and the path given to it (undefined or null: not asked for); `stdout: false` refuses "-". */
export interface OutputFlag {
  readonly flag: string;
  readonly path: string | undefined | null;
  readonly stdout?: boolean;
}

/**
 * Every output of one command, checked before anything runs: each can be written, no two name one file, none is
 * one of the inputs, and at most one goes to standard output. `path: undefined` is an output not asked for.
 */
export function checkOutputs(outputs: readonly OutputFlag[], inputs: readonly string[] = []): void {
  const asked = outputs.filter((o): o is OutputFlag & { path: string } => o.path !== undefined && o.path !== null);
  const toStdout = asked.filter((o) => o.path === '-');
  if (toStdout.length > 1)
    throw usageError(
      `only one output can go to standard output ("-"): ${toStdout.map((o) => o.flag).join(' and ')} both do`,
      'write the others to files',
    );
  const seen = new Map<string, string>();
  const ins = new Set(inputs.map((i) => writeTarget(i).path));
  for (const o of asked) {
    checkWritableOutput(o.flag, o.path, { stdout: o.stdout });
    if (o.path === '-') continue;
    const t = writeTarget(o.path);
    if (t.inPlace) continue;
    const other = seen.get(t.path);
    if (other !== undefined) throw usageError(`${other} and ${o.flag} both write ${o.path}`, 'give each output its own file');
    if (ins.has(t.path)) throw usageError(`${o.flag} ${o.path} is one of the input documents`, 'write it to another file');
    seen.set(t.path, o.flag);
  }
}

/**
 * The input WHAT PATH can be read as a file: it exists, is not a directory, and can be opened. Throws a usage
 * error (exit 2) in one line, e.g. "cannot read profile /tmp: is a directory".
 */
export function checkReadableFile(what: string, path: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw usageError(`cannot read ${what} ${path}: ${errnoWords(errnoCode(e))}`);
  }
  if (st.isDirectory()) throw usageError(`cannot read ${what} ${path}: is a directory`, 'give a file in it');
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    throw usageError(`cannot read ${what} ${path}: ${errnoWords(errnoCode(e))}`);
  }
}
