// Makes package.json's bin entries runnable after tsc, which writes them 0644 with tsc's `#!/usr/bin/env node`:
// - mode 0755: `npx membench` on a fresh clone runs the entry directly; without the bit it fails with
//   "membench: Permission denied";
// - the first line becomes a two-line sh preamble that execs node with --no-memory-reducer, except for watch and
//   serve (hours-long, they favour memory; src/cli/main.ts, longRunning). V8 takes that flag for the main thread's
//   heap only on node's command line: set at run time (main.ts, sampling) it reaches the sampler threads but not the
//   main thread, whose reducer still ran ~0.5 % of a core once, 8 s into a run (issue 20). The second line is also
//   JavaScript: a string statement and a comment, so `node dist/src/cli/main.js` runs the same file unchanged.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_SHEBANG = '#!/usr/bin/env node\n';
const PREAMBLE = '#!/bin/sh\n' + `':' //; case "$1" in watch|serve) exec node "$0" "$@" ;; esac; exec node --no-memory-reducer "$0" "$@"\n`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const entry of Object.values(pkg.bin ?? {})) {
  const file = join(root, entry);
  const text = readFileSync(file, 'utf8');
  if (text.startsWith(NODE_SHEBANG)) writeFileSync(file, PREAMBLE + text.slice(NODE_SHEBANG.length));
  else if (!text.startsWith(PREAMBLE)) throw new Error(`${entry}: expected tsc's "${NODE_SHEBANG.trim()}" first line`);
  chmodSync(file, 0o755);
}
