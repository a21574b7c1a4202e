// membench top vs Debian's smem on the same machine in the same run, on ≥ 500 processes this bench starts
// itself: wall time of a whole-machine pass (each tool's start-up included) and agreement of per-process PSS.
// Two populations, because smem's cost grows with mappings per process and membench's with the kernel's walk:
//   tiny        N × `sleep`                                   (~25 mappings each)
//   interpreter N × `python3 -c 'import time; time.sleep()'`  (~110 mappings each)
// Also prints the kernel floor (reading every smaps_rollup, resp. smaps, and nothing else) measured in-process.
// Prints only. Run: npm run build && node dist/bench/top-vs-smem.bench.js [rounds=5] [processes=500]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanProcesses, type TopSnapshot } from '../src/live/top.js';
import { SYSTEM_PROC } from '../src/probe/proc.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const rounds = Number(process.argv[2] ?? 5);
const population = Number(process.argv[3] ?? 500);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function timedRun(argv: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms: performance.now() - t0, stdout: r.stdout };
}

/** Reads one file of every process and nothing else: the kernel's share of a pass. */
function kernelFloorMs(file: 'smaps_rollup' | 'smaps'): number {
  const t0 = performance.now();
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      readFileSync(`/proc/${pid}/${file}`);
    } catch {
      /* exited or a kernel thread */
    }
  }
  return performance.now() - t0;
}

async function startPopulation(argv: string[]): Promise<ChildProcess[]> {
  const children = Array.from({ length: population }, () => spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' }));
  // Wait until every child has exec'd and settled (python3's start-up takes a few seconds for 500 at once).
  for (let i = 0; i < 120; i++) {
    await sleep(250);
    const settled = children.filter((c) => {
      try {
        return readFileSync(`/proc/${c.pid}/stat`, 'utf8').split(') ')[1]!.startsWith('S');
      } catch {
        return false;
      }
    }).length;
    if (settled === children.length) break;
  }
  await sleep(1000);
  return children;
}

function compare(label: string): void {
  const top: number[] = [];
  const smem: number[] = [];
  const scanOnly: number[] = [];
  const refreshPass: number[] = [];
  const floorRollup: number[] = [];
  const floorSmaps: number[] = [];
  let lastTop: TopSnapshot | null = null;
  let lastSmem = '';
  for (let i = 0; i < rounds; i++) {
    // Alternate the order so that neither always runs on a warmer cache.
    const pair = [
      () => {
        const r = timedRun([process.execPath, CLI, 'top', '--json']);
        top.push(r.ms);
        lastTop = JSON.parse(r.stdout) as TopSnapshot;
      },
      () => {
        const r = timedRun(['smem', '-H', '-c', 'pid pss uss rss swap']);
        smem.push(r.ms);
        lastSmem = r.stdout;
      },
    ];
    if (i % 2) pair.reverse();
    pair.forEach((f) => f());
    // A pass of `top --refresh` after the first: the marginal wall time of 5 more passes in one process.
    const one = timedRun([process.execPath, CLI, 'top', '--json', '--refresh', '1ms', '--count', '1']).ms;
    const six = timedRun([process.execPath, CLI, 'top', '--json', '--refresh', '1ms', '--count', '6']).ms;
    refreshPass.push((six - one) / 5);
    const t0 = performance.now();
    scanProcesses(SYSTEM_PROC);
    scanOnly.push(performance.now() - t0);
    floorRollup.push(kernelFloorMs('smaps_rollup'));
    floorSmaps.push(kernelFloorMs('smaps'));
  }
  const smemPss = new Map(
    lastSmem
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number))
      .map(([pid, pss]) => [pid!, pss! * 1024]),
  );
  const diffs: number[] = [];
  for (const p of (lastTop as TopSnapshot | null)?.processes ?? []) {
    const s = smemPss.get(p.pid);
    if (s !== undefined) diffs.push(Math.abs(p.pssBytes - s));
  }
  const t = median(top);
  const s = median(smem);
  console.log(
    `\n${label}: ${(lastTop as TopSnapshot | null)?.totals.processes} processes readable, ${rounds} rounds, median wall time of one whole-machine pass`,
  );
  console.log(`  membench top --json          ${t.toFixed(0).padStart(5)} ms   (node start-up included)`);
  console.log(`  smem                         ${s.toFixed(0).padStart(5)} ms   (python start-up included; ${smemPss.size} processes)`);
  console.log(`  ratio smem / membench top    ${(s / t).toFixed(2)}×`);
  console.log(
    `  membench top --refresh, a pass after the first ${median(refreshPass).toFixed(0).padStart(5)} ms   → smem / pass ${(s / median(refreshPass)).toFixed(2)}× (what a user watching the machine waits per refresh)`,
  );
  console.log(
    `  membench scan alone          ${median(scanOnly).toFixed(0).padStart(5)} ms   → smem / scan ${(s / median(scanOnly)).toFixed(2)}×`,
  );
  console.log(
    `  kernel floor, every smaps_rollup ${median(floorRollup).toFixed(0)} ms; every smaps ${median(floorSmaps).toFixed(0)} ms (what each tool must read)`,
  );
  console.log(
    `  PSS agreement on ${diffs.length} processes in both: median |Δ| ${(median(diffs) / 1024).toFixed(0)} KiB, max |Δ| ${(Math.max(...diffs) / 1024).toFixed(0)} KiB (the two passes are not simultaneous)`,
  );
}

if (spawnSync('smem', ['--version']).error) {
  console.log('smem is not installed (apt-get install smem): nothing to compare with');
  process.exit(0);
}
let alive: ChildProcess[] = [];
const killAll = (): void => alive.forEach((c) => c.kill('SIGKILL'));
process.on('exit', killAll);
for (const [label, argv] of [
  ['tiny processes (sleep)', ['sleep', '3600']],
  ['interpreter processes (python3)', ['python3', '-c', 'import time; time.sleep(3600)']],
] as const) {
  alive = await startPopulation([...argv]);
  compare(`${label} × ${population} started by the bench`);
  killAll();
  await sleep(500);
}
{
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  const nodeMs = performance.now() - t0;
  const t1 = performance.now();
  spawnSync('python3', ['-c', 'pass']);
  console.log(`\nstart-up alone: node -e 0 ${nodeMs.toFixed(0)} ms, python3 -c pass ${(performance.now() - t1).toFixed(0)} ms`);
}
