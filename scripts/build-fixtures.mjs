// Builds the C fixture programs (fixtures/bin/*) used by the tests, the bench and the README example.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'fixtures', 'src');
const bin = join(root, 'fixtures', 'bin');
mkdirSync(bin, { recursive: true });
const cc = process.env.CC ?? 'cc';
for (const file of readdirSync(src).filter((f) => f.endsWith('.c'))) {
  const out = join(bin, basename(file, '.c'));
  try {
    execFileSync(cc, ['-O2', '-Wall', '-o', out, join(src, file)], { stdio: 'inherit' });
  } catch (e) {
    console.error(
      `membench: cannot build fixture ${file} with ${cc} (${e.message}); install a C compiler (apt-get install gcc) for the tests and the example`,
    );
    process.exit(1);
  }
}
