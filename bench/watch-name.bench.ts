// `membench watch --name`: the CPU of one rescan of /proc on this machine, and how long a process with the name
// takes to join a running watch (spawn → found by a rescan → first sample). Prints only.
// Run: npm run build && node dist/bench/watch-name.bench.js [late processes, default 10]
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allPids, processesNamed } from '../src/live/targets.js';
import { SYSTEM_PROC } from '../src/probe/proc.js';
import type { WatchRecording } from '../src/live/watch.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const MEMFIX = join(ROOT, 'fixtures', 'bin', 'memfix');
const late = Number(process.argv[2] ?? 10);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'membench-watch-name-bench-'));
const name = `mfb${process.pid}`;
const exe = join(dir, name);
copyFileSync(MEMFIX, exe);

// 1. One rescan: comm (and cmdline when comm differs) of every process, stat of the matches.
{
  for (let i = 0; i < 5; i++) processesNamed(name, SYSTEM_PROC);
  const n = 50;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) processesNamed(name, SYSTEM_PROC);
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `one rescan over ${allPids(SYSTEM_PROC).length} processes: ${((cpu.user + cpu.system) / 1000 / n).toFixed(2)} ms of CPU (mean of ${n})`,
  );
}

// 2. Join latency: a watch at 20 ms with the default 1 s rescan; a new process with the name every 0.7–1 s.
{
  const first = spawn(exe, ['hold', '2', '60000'], { stdio: 'ignore' });
  await sleep(200);
  const json = join(dir, 'r.json');
  const seconds = Math.ceil(late * 1.1) + 6;
  const w = spawn(process.execPath, [CLI, 'watch', '--name', name, '--interval', '20ms', '--duration', `${seconds}s`, '--json', json], {
    stdio: 'ignore',
  });
  const exited = new Promise((r) => w.once('exit', r));
  await sleep(2000);
  const spawnedAt = new Map<number, number>();
  for (let i = 0; i < late; i++) {
    await sleep(700 + Math.random() * 300);
    const c = spawn(exe, ['hold', '3', '3000'], { stdio: 'ignore' });
    spawnedAt.set(c.pid!, Date.now());
  }
  await exited;
  first.kill('SIGKILL');
  const rec = JSON.parse(readFileSync(json, 'utf8')) as WatchRecording;
  const rows = rec.lateJoins.map((j) => {
    const spawned = spawnedAt.get(j.pid)! - rec.startedAtEpochMs;
    const seen = rec.processes.find((p) => p.pid === j.pid)?.firstSeenMs ?? NaN;
    return { toRescanMs: j.joinedMs - spawned, toTickMs: seen - spawned, rescanToTickMs: seen - j.joinedMs };
  });
  const range = (xs: number[]): string => {
    const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
    return `min ${s[0]?.toFixed(0)} / median ${s[s.length >> 1]?.toFixed(0)} / max ${s.at(-1)?.toFixed(0)} ms`;
  };
  console.log(`watch --name --interval 20ms --rescan 1s: ${rec.lateJoins.length} of ${late} late processes joined`);
  console.log(`  spawn → first sample: ${range(rows.map((r) => r.toTickMs))}`);
  console.log(`  rescan → first sample: ${range(rows.map((r) => r.rescanToTickMs))}`);
  console.log(`  recording: ${rec.ticks} ticks, ${rec.missedTicks} missed; outcome ${rec.outcome.state}`);
}
