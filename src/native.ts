// Where membench's optional native helpers live (built from native/*.c by scripts/build-native.mjs).
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set to 0 to force the JavaScript fallbacks (tests exercise both paths). */
export const NATIVE_ENV = 'MEMBENCH_NATIVE';

/** The repository/package root: dist/src/native.js sits two levels below it. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the built native helper `name`, or null when it was not built or is switched off. */
export function nativeBinary(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (env[NATIVE_ENV] === '0') return null;
  const p = join(ROOT, 'native', 'bin', name);
  try {
    accessSync(p, constants.X_OK);
    return p;
  } catch {
    return null;
  }
}
