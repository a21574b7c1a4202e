// Whole files or nothing: write a temp file beside the target, then rename over it. A failed write is one line
// (exit 4), never a stack trace.
import { realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { documentText } from '../document/write.js';
import type { MembenchDocument } from '../document/read.js';
import { errnoCode, errnoWords, MembenchError } from '../errors.js';

/**
 * Where a write to PATH really lands: an existing regular file (through symbolic links) is replaced whole by a
 * rename in its own directory; anything else that exists (/dev/stdout, /dev/null, a FIFO) is written in place,
 * never renamed over; a new file is created at PATH.
 */
export function writeTarget(path: string): { readonly path: string; readonly inPlace: boolean } {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    return { path: resolve(path), inPlace: false };
  }
  if (!isFile) return { path, inPlace: true };
  try {
    return { path: realpathSync(path), inPlace: false };
  } catch {
    return { path: resolve(path), inPlace: false };
  }
}

/** The temporary file an atomic write of TARGET (a writeTarget path) goes through. */
export const temporaryOf = (target: string): string => `${target}.${process.pid}.tmp`;

export function writeTextAtomic(path: string, text: string | Uint8Array): void {
  const target = writeTarget(path);
  const tmp = temporaryOf(target.path);
  try {
    if (target.inPlace) {
      writeFileSync(path, text);
      return;
    }
    writeFileSync(tmp, text);
    renameSync(tmp, target.path);
  } catch (e) {
    if (!target.inPlace) rmSync(tmp, { force: true });
    const code = errnoCode(e);
    if (code === undefined) throw e;
    throw new MembenchError('environment', `cannot write ${path}: ${errnoWords(code)}`, undefined, { cause: e });
  }
}

/** A membench document (run, suite, profile, watch) written whole: the one writer's text, through the atomic write. */
export const writeDocument = (path: string, doc: MembenchDocument['doc']): void => writeTextAtomic(path, documentText(doc));

export const writeJsonAtomic = (path: string, value: unknown): void => writeTextAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
