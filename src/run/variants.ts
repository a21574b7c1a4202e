// What one invocation measures beside the commands themselves: the interpreter's baseline (--subtract-baseline),
// N concurrent instances (--concurrency) and generated stdin payloads (--payload-scan).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { CommandSpec } from './run-once.js';

/** The "do nothing" program of common interpreters: what start-up alone costs. */
const IDLE_ARGS: readonly [RegExp, readonly string[]][] = [
  [/^python[\d.]*$/, ['-c', 'pass']],
  [/^node(js)?$/, ['-e', '0']],
  [/^perl[\d.]*$/, ['-e', '1']],
  [/^ruby[\d.]*$/, ['-e', '0']],
  [/^(ba|da|z|k)?sh$/, ['-c', ':']],
];

/** The baseline of a command: the same interpreter doing nothing; null when the interpreter is not known. */
export function inferBaseline(spec: CommandSpec): CommandSpec | null {
  // Shell form: look at the first word of the string (the program the shell will run).
  const program = spec.shell ? ((spec.argv[2] ?? '').trim().split(/\s+/)[0] ?? '') : spec.argv[0]!;
  const idle = IDLE_ARGS.find(([re]) => re.test(basename(program)))?.[1];
  if (!idle) return null;
  if (spec.shell) {
    const cmd = [program, ...idle.map((a) => `'${a}'`)].join(' ');
    return { display: cmd, argv: ['/bin/sh', '-c', cmd], shell: true, cwd: spec.cwd };
  }
  return { display: [program, ...idle].join(' '), argv: [program, ...idle], shell: false, cwd: spec.cwd };
}

export function baselineFromString(command: string, cwd: string): CommandSpec {
  return { display: command, argv: ['/bin/sh', '-c', command], shell: true, cwd };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.:;-_';

/**
 * Payload content, documented: without a seed file, printable ASCII in lines of 63 characters + "\n", drawn
 * from a fixed 70-character alphabet by a fixed linear congruential generator (the same bytes on every run);
 * with a seed file (--stdin), that file's bytes repeated and cut to the size.
 */
export function payloadBytes(size: number, seed: Buffer | null): Buffer {
  const out = Buffer.alloc(size);
  if (seed && seed.length > 0) {
    for (let off = 0; off < size; off += seed.length) seed.copy(out, off, 0, Math.min(seed.length, size - off));
    return out;
  }
  let x = 0x2545f491;
  for (let i = 0; i < size; i++) {
    if (i % 64 === 63) {
      out[i] = 10;
      continue;
    }
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = ALPHABET.charCodeAt((x >>> 16) % ALPHABET.length);
  }
  return out;
}

/** Writes one payload file per size into a fresh temporary folder; remove() deletes them. */
export function writePayloads(sizes: readonly number[], seedFile: string | null): { files: Map<number, string>; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'membench-payload-'));
  const seed = seedFile ? readFileSync(seedFile) : null;
  const files = new Map<number, string>();
  for (const size of sizes) {
    const file = join(dir, `payload-${size}.bin`);
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, payloadBytes(size, seed));
    } finally {
      closeSync(fd);
    }
    files.set(size, file);
  }
  return { files, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
