// membench top vs Debian's smem on the same machine in the same run: wall time of a whole-machine pass and
// agreement of per-process PSS. Prints only. Run: npm run build && node dist/bench/top-vs-smem.bench.js [rounds]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { scanProcesses, type TopSnapshot } from '../src/live/top.js';
import { SYSTEM_PROC } from '../src/probe/proc.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const rounds = Number(process.argv[2] ?? 5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timedRun(argv: string[]): { ms: number; stdout: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { ms: performance.now() - t0, stdout: r.stdout, status: r.status };
}

if (spawnSync('smem', ['--version']).error) {
  console.log('smem is not installed (apt-get install smem): nothing to compare with');
  process.exit(0);
}
const top: number[] = [];
const smem: number[] = [];
const inProcess: number[] = [];
let lastTop: TopSnapshot | null = null;
let lastSmem = '';
for (let i = 0; i < rounds; i++) {
  // Alternate the order so that neither always runs on a warmer cache.
  const pair = [() => {
    const r = timedRun([process.execPath, CLI, 'top', '--json']);
    top.push(r.ms);
    lastTop = JSON.parse(r.stdout) as TopSnapshot;
  }, () => {
    const r = timedRun(['smem', '-H', '-c', 'pid pss uss rss swap']);
    smem.push(r.ms);
    lastSmem = r.stdout;
  }];
  if (i % 2) pair.reverse();
  pair.forEach((f) => f());
  const t0 = performance.now();
  scanProcesses(SYSTEM_PROC);
  inProcess.push(performance.now() - t0);
}
const smemPss = new Map(lastSmem.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number)).map(([pid, pss]) => [pid!, pss! * 1024]));
const diffs: number[] = [];
for (const p of lastTop!.processes) {
  const s = smemPss.get(p.pid);
  if (s !== undefined) diffs.push(Math.abs(p.pssBytes - s));
}
console.log(`membench top vs smem, ${rounds} rounds, median wall time of one whole-machine pass`);
console.log(`  membench top --json   ${median(top).toFixed(0)} ms  (${lastTop!.totals.processes} processes; node start-up included)`);
console.log(`  scan alone in-process ${median(inProcess).toFixed(0)} ms`);
console.log(`  smem                  ${median(smem).toFixed(0)} ms  (${smemPss.size} processes; python start-up included)`);
console.log(`  PSS agreement on ${diffs.length} processes in both: median |Δ| ${(median(diffs) / 1024).toFixed(0)} KiB, max |Δ| ${(Math.max(...diffs) / 1024).toFixed(0)} KiB (the two passes are not simultaneous)`);
