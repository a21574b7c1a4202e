// Marks package.json's bin entries executable after tsc, which writes them 0644. `npx membench` on a fresh
// clone runs the entry directly; without the mode bit it fails with "membench: Permission denied".
import { chmodSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const entry of Object.values(pkg.bin ?? {})) chmodSync(join(root, entry), 0o755);
