// Reads any profile file membench knows into a ProfileDocument: massif.out text, heaptrack data (.zst/.gz),
// V8 .heapprofile JSON, or a profile document membench wrote (profile --json).
import { openSync, readFileSync, readSync, closeSync } from 'node:fs';
import { readProfileDocument } from '../document/read.js';
import { MembenchError } from '../errors.js';
import { VERSION } from '../version.js';
import { readHeaptrackFile } from './heaptrack.js';
import { parseMassif } from './massif.js';
import { ProfileParseError, profileDocument, type ModuleBases, type ParsedProfile } from './model.js';
import type { ProfileDocument } from '../document/profile.js';
import { parseV8HeapProfile } from './v8.js';

export type ProfileFormat = 'massif' | 'heaptrack' | 'v8' | 'membench';

/** Guesses the format from the first bytes (zstd and gzip magic for heaptrack) and the name. */
export function detectFormat(head: Buffer, name: string): ProfileFormat | null {
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'heaptrack';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'heaptrack';
  const text = head.toString('utf8').trimStart();
  if (text.startsWith('{')) return /"kind"\s*:\s*"membench-profile"/.test(text) ? 'membench' : 'v8';
  if (/^(desc:|cmd:|time_unit:|#-----------)/.test(text)) return 'massif';
  if (/^heaptrack\./.test(name.split('/').pop() ?? '')) return 'heaptrack';
  return null;
}

function readHead(file: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new MembenchError(
      'usage',
      `cannot read profile ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'check the path',
    );
  }
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** A parse error becomes a usage error (exit 2) with the file and line in its one line. */
function parsed(fn: () => ParsedProfile): ParsedProfile {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ProfileParseError)
      throw new MembenchError('usage', e.message, 'is the file complete? profiles written while the program was killed can be cut short', {
        cause: e,
      });
    throw e;
  }
}

/** `bases`: the profiled process's module load addresses, when membench ran it (names unsymbolized frames by offset). */
export function importProfile(file: string, command: string | null = null, bases: ModuleBases | null = null): ProfileDocument {
  const format = detectFormat(readHead(file), file);
  const text = (): string => readFileSync(file, 'utf8');
  const withCommand = (p: ParsedProfile): ParsedProfile => (command ? { ...p, command } : p);
  switch (format) {
    case 'massif':
      return profileDocument(withCommand(parsed(() => parseMassif(text(), file, bases))), file, VERSION);
    case 'v8':
      return profileDocument(withCommand(parsed(() => parseV8HeapProfile(text(), file))), file, VERSION);
    case 'heaptrack':
      return profileDocument(withCommand(parsed(() => readHeaptrackFile(file, bases))), file, VERSION);
    case 'membench':
      return readProfileDocument(text(), file);
    case null:
      throw new MembenchError(
        'usage',
        `${file}: not a profile membench can read`,
        'give a massif.out file, a heaptrack .zst/.gz file, a .heapprofile or a membench profile --json document',
      );
  }
}
