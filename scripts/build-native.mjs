// Builds membench's optional native helpers (native/*.c → native/bin/*) with the system C compiler.
// Each helper has a JavaScript fallback: without a compiler the build says so in one line and goes on.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'native');
const bin = join(src, 'bin');
if (existsSync(src)) {
  mkdirSync(bin, { recursive: true });
  const cc = process.env.CC ?? 'cc';
  for (const file of readdirSync(src).filter((f) => f.endsWith('.c'))) {
    const out = join(bin, basename(file, '.c'));
    try {
      execFileSync(cc, ['-O2', '-Wall', '-o', out, join(src, file)], { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (e) {
      console.error(
        `membench: native helper ${file} not built with ${cc} (${e.message.split('\n')[0]}); membench uses its JavaScript fallback`,
      );
    }
  }
}
