// Whole files or nothing: write a temp file beside the target, then rename over it.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeTextAtomic(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export const writeJsonAtomic = (path: string, value: unknown): void => writeTextAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
