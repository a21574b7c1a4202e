// membench's own VmRSS during `membench watch` at 10 Hz on a fixture, sampled every 5 s, and the time a watch
// on a leaking fixture takes to say "leak". Prints only.
// Run: npm run build && node dist/bench/watch-rss.bench.js [seconds]   (default 60 s: scaled down from the 10 min)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const MEMFIX = join(ROOT, 'fixtures', 'bin', 'memfix');
const seconds = Number(process.argv[2] ?? 60);
const dir = mkdtempSync(join(tmpdir(), 'membench-watch-bench-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const statusKib = (pid: number, key: string): number | null => {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
};
const cpuMs = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, USER_HZ 100
};

// 1. Own RSS over a watch at 10 Hz.
{
  const target = spawn(MEMFIX, ['hold', '20', String((seconds + 30) * 1000)], { stdio: 'ignore' });
  const json = join(dir, 'rss.json');
  const w = spawn(process.execPath, [CLI, 'watch', String(target.pid), '--interval', '100ms', '--duration', `${seconds}s`, '--json', json], { stdio: 'ignore' });
  const rows: string[] = [];
  let cpuAt5 = 0;
  for (let t = 5; t <= seconds; t += 5) {
    await sleep(5000);
    const rss = statusKib(w.pid!, 'VmRSS');
    if (rss === null) break;
    if (t === 5) cpuAt5 = cpuMs(w.pid!);
    rows.push(`${String(t).padStart(4)} s  VmRSS ${(rss / 1024).toFixed(1)} MiB  VmHWM ${((statusKib(w.pid!, 'VmHWM') ?? 0) / 1024).toFixed(1)} MiB`);
    if (t === seconds - (seconds % 5)) {
      const cpu = cpuMs(w.pid!) - cpuAt5;
      rows.push(`CPU of membench watch from 5 s to ${t} s: ${cpu.toFixed(0)} ms (${((cpu / ((t - 5) * 1000)) * 100).toFixed(1)} % of one core)`);
    }
  }
  await new Promise((r) => w.once('exit', r));
  target.kill('SIGKILL');
  const rec = JSON.parse(readFileSync(json, 'utf8')) as { ticks: number; timeline: { tMs: number[] } };
  console.log(`membench watch at 10 Hz on memfix hold 20 MiB for ${seconds} s (scaled down from 10 min): own VmRSS every 5 s`);
  for (const r of rows) console.log(`  ${r}`);
  console.log(`  recording: ${rec.ticks} ticks, ${rec.timeline.tMs.length} timeline points`);
}

// 2. Time to a "leak" verdict on memfix leak 2 MiB/s, at 10 Hz: shortest --duration that says leak.
{
  console.log('time to a "leak" verdict, memfix leak 2 MiB/s, watch --interval 100ms --duration D:');
  for (const d of [1.5, 2, 2.5, 3, 4, 6]) {
    const target = spawn(MEMFIX, ['leak', '2', '60000'], { stdio: 'ignore' });
    await sleep(200);
    const json = join(dir, `leak-${d}.json`);
    await new Promise((r) => spawn(process.execPath, [CLI, 'watch', String(target.pid), '--interval', '100ms', '--duration', `${d}s`, '--json', json], { stdio: 'ignore' }).once('exit', r));
    target.kill('SIGKILL');
    const rec = JSON.parse(readFileSync(json, 'utf8')) as { leak: { verdict: string; reason: string } };
    console.log(`  D = ${d} s: ${rec.leak.verdict} — ${rec.leak.reason}`);
    if (rec.leak.verdict === 'leak') break;
  }
}
