// limitMemory / limitLeaks: verdicts and figures over N fresh processes (determinism and noise), the time a
// limited test adds, and optionally the three runners' example files N times each. Prints only.
// Run: npm run build && node dist/bench/limit.bench.js [N=20] [--runners]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes } from '../src/units.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLES = join(ROOT, 'examples', 'test-runners');
const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20);
const withRunners = process.argv.includes('--runners');

// One fresh process measuring the examples' functions with the examples' limits; prints one JSON line.
const PROBE = `
import { limitMemory, limitLeaks } from 'membench';
import { buildReport, handleRequest, handleRequestFixed } from './work.mjs';
const verdict = async (f) => { try { const r = await f(); return { pass: true, r }; } catch (e) { if (!e.measurement) throw e; return { pass: false, r: e.measurement }; } };
let a = 0, b = 0;
const out = {
  peakPass: await verdict(() => limitMemory('32 MiB', () => buildReport(100_000))),
  peakFail: await verdict(() => limitMemory('2 MiB', () => buildReport(100_000))),
  leakPass: await verdict(() => limitLeaks('16 KiB', () => handleRequestFixed(a++))),
  leakFail: await verdict(() => limitLeaks('16 KiB', () => handleRequest(b++))),
};
console.log(JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { pass: v.pass, bytes: v.r.peakBytes ?? v.r.leakedBytes }]))));
`;

// Time added to a test: the plain call against the limited one, in one warm process; the variants take turns
// in every round (the machine is shared, so a slow moment hits all of them), medians of N rounds.
const OVERHEAD = `
import { limitMemory, limitLeaks } from 'membench';
import { buildReport, handleRequestFixed } from './work.mjs';
let id = 0;
const variants = {
  'buildReport(100000) plain': () => buildReport(100_000),
  'limitMemory, sites on': () => limitMemory('32 MiB', () => buildReport(100_000)),
  'limitMemory, sites off': () => limitMemory('32 MiB', () => buildReport(100_000), { sites: false }),
  'handleRequestFixed x4 plain': () => { for (let i = 0; i < 4; i++) handleRequestFixed(id++); },
  'limitLeaks 1+3 calls, sites on': () => limitLeaks('16 KiB', () => handleRequestFixed(id++)),
  'limitLeaks 1+3 calls, sites off': () => limitLeaks('16 KiB', () => handleRequestFixed(id++), { sites: false }),
};
const ms = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let i = 0; i < ${N}; i++) for (const [k, f] of Object.entries(variants)) { const t = performance.now(); await f(); ms[k].push(performance.now() - t); }
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
console.log(JSON.stringify({ heapUsedBytes: process.memoryUsage().heapUsed, ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, med(v)])) }));
`;

function node(code: string): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: EXAMPLES, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`probe failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').at(-1)!;
}

type Probe = Record<string, { pass: boolean; bytes: number }>;
const probes: Probe[] = [];
for (let i = 0; i < N; i++) probes.push(JSON.parse(node(PROBE)) as Probe);
console.log(`${N} fresh processes (node ${process.version}), examples' functions and limits:`);
for (const k of Object.keys(probes[0]!)) {
  const bytes = probes.map((p) => p[k]!.bytes).sort((x, y) => x - y);
  const verdicts = new Set(probes.map((p) => (p[k]!.pass ? 'pass' : 'fail')));
  const med = bytes[bytes.length >> 1]!;
  console.log(
    `  ${k.padEnd(9)} verdict ${[...verdicts].join('/')} ${verdicts.size === 1 ? `(same ${N}/${N})` : '(VARIES)'}; figure min ${formatBytes(bytes[0])}, median ${formatBytes(med)}, max ${formatBytes(bytes.at(-1))}, spread ${formatBytes(bytes.at(-1)! - bytes[0]!)} (${(((bytes.at(-1)! - bytes[0]!) / med) * 100).toFixed(1)} % of the median)`,
  );
}

const { heapUsedBytes, ...over } = JSON.parse(node(OVERHEAD)) as Record<string, number>;
console.log(`time per call, median of ${N} rounds in one warm process (heap used ${formatBytes(heapUsedBytes)}):`);
for (const [k, ms] of Object.entries(over)) console.log(`  ${k.padEnd(34)} ${ms.toFixed(2)} ms`);

if (withRunners) {
  const runners: Record<string, { cmd: string[]; cwd: string; env?: Record<string, string> }> = {
    'node:test': { cmd: [process.execPath, '--test', 'memory.fail.test.mjs'], cwd: join(EXAMPLES, 'node-test') },
    vitest: {
      cmd: [
        process.execPath,
        join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--config',
        'vitest.config.mjs',
        'memory.fail.test.mjs',
      ],
      cwd: join(EXAMPLES, 'vitest'),
    },
    jest: {
      cmd: [
        process.execPath,
        '--experimental-vm-modules',
        join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
        '-i',
        '--config',
        'jest.config.mjs',
        'memory.fail',
      ],
      cwd: join(EXAMPLES, 'jest'),
    },
  };
  for (const [name, r] of Object.entries(runners)) {
    let failedAsExpected = 0;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const p = spawnSync(r.cmd[0]!, r.cmd.slice(1), { cwd: r.cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
      const out = p.stdout + p.stderr;
      if (
        p.status !== 0 &&
        /limitMemory: peak .* is above the limit of 2\.0 MiB/.test(out) &&
        /limitLeaks: .* left reachable per call is above the limit of 16\.0 KiB/.test(out)
      )
        failedAsExpected++;
      else console.log(`  ${name} run ${i + 1}: exit ${p.status}, signal ${p.signal}, output:\n${out}`);
    }
    console.log(
      `  ${name}: the failing example failed with both messages ${failedAsExpected}/${N} times (${((performance.now() - t0) / N / 1000).toFixed(2)} s a run)`,
    );
  }
}
