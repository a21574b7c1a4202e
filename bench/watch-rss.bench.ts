// membench's own VmRSS during `membench watch` at 10 Hz (first / last / max and the slope), and how long a
// watch on a leaking fixture takes to flip its running verdict to "leak". Prints only.
// Run: npm run build && node dist/bench/watch-rss.bench.js [seconds] [hold|churn]
//   hold  (default): memfix hold 20 MiB, one process.
//   churn: watch --children on a shell that starts a short-lived memfix child again and again (thousands of
//          finished processes over 10 min: the per-process table must stay bounded too).
// The issue asks for 10 min: node dist/bench/watch-rss.bench.js 600 (default 60 s to keep `npm run bench` short).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { theilSen } from '../src/analyze/trend.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const MEMFIX = join(ROOT, 'fixtures', 'bin', 'memfix');
const seconds = Number(process.argv[2] ?? 60);
const mode = process.argv[3] === 'churn' ? 'churn' : 'hold';
const dir = mkdtempSync(join(tmpdir(), 'membench-watch-bench-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MIB = 1024 * 1024;
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
const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

// 1. Own RSS over a watch at 10 Hz, read every 5 s.
{
  const target =
    mode === 'hold'
      ? spawn(MEMFIX, ['hold', '20', String((seconds + 30) * 1000)], { stdio: 'ignore' })
      : spawn('/bin/sh', ['-c', `while :; do "${MEMFIX}" hold 2 30; done`], { stdio: 'ignore' });
  const json = join(dir, 'rss.json');
  const args = [
    CLI,
    'watch',
    String(target.pid),
    '--interval',
    '100ms',
    '--duration',
    `${seconds}s`,
    '--json',
    json,
    ...(mode === 'churn' ? ['--children'] : []),
  ];
  const w = spawn(process.execPath, args, { stdio: 'ignore' });
  const exited = new Promise((r) => w.once('exit', r)); // listened for now: it may exit while we sleep
  const tS: number[] = [];
  const rss: number[] = [];
  const hwms: number[] = [];
  let cpuAt5 = 0;
  let cpuEnd = 0;
  let tEnd = 0;
  // Up to 5 s before the end: at `seconds` the watch is already stopping its threads and writing the recording.
  for (let t = 5; t < seconds; t += 5) {
    await sleep(5000);
    const kib = statusKib(w.pid!, 'VmRSS');
    if (kib === null) break;
    if (t === 5) cpuAt5 = cpuMs(w.pid!);
    cpuEnd = cpuMs(w.pid!);
    tEnd = t;
    tS.push(t);
    rss.push(kib * 1024);
    const hwm = (statusKib(w.pid!, 'VmHWM') ?? 0) * 1024;
    hwms.push(hwm);
    // RssAnon is membench's own (V8 heaps, malloc, stacks); RssFile is mostly node's binary, shared file pages.
    if (t % 60 === 0 || t === 5)
      console.log(
        `  ${String(t).padStart(4)} s  VmRSS ${mib(kib * 1024)} (anon ${mib((statusKib(w.pid!, 'RssAnon') ?? 0) * 1024)}, file ${mib((statusKib(w.pid!, 'RssFile') ?? 0) * 1024)})  VmHWM ${mib(hwm)}`,
      );
  }
  await exited;
  target.kill('SIGKILL');
  const rec = JSON.parse(readFileSync(json, 'utf8')) as {
    ticks: number;
    missedTicks: number;
    timeline: { tMs: number[] };
    processes: unknown[];
    finishedProcessesNotKept: number;
  };
  // Slope after the first minute (JIT and heap warm-up), Theil–Sen: robust to a GC step.
  const from = tS.findIndex((t) => t >= Math.min(60, seconds / 2));
  const fit = theilSen({ tMs: tS.slice(from).map((t) => t * 1000), bytes: rss.slice(from) });
  const perMin = (b: number): string => `${((b * 60) / 1024).toFixed(1)} KiB/min`;
  console.log(
    `membench watch ${mode === 'churn' ? '--children on a shell restarting memfix hold 2 MiB 30 ms' : 'on memfix hold 20 MiB'} at 10 Hz for ${seconds} s: own VmRSS every 5 s`,
  );
  console.log(
    `  first (5 s) ${mib(rss[0]!)}, last (${tS.at(-1)} s) ${mib(rss.at(-1)!)}, max ${mib(Math.max(...rss))}, min ${mib(Math.min(...rss))}`,
  );
  // When the high-water mark last rose: flat over hours means it stops early and stays.
  const lastRise = hwms.findIndex((h) => h === hwms.at(-1));
  console.log(`  VmHWM ${mib(hwms.at(-1)!)}, reached at ${tS[lastRise]} s and not passed in the ${tS.at(-1)! - tS[lastRise]!} s after`);
  if (fit)
    console.log(
      `  slope from ${tS[from]} s: ${perMin(fit.slopeBytesPerSec)} (95 % CI ${perMin(fit.lowBytesPerSec)} … ${perMin(fit.highBytesPerSec)})`,
    );
  console.log(
    `  CPU of membench watch from 5 s to ${tEnd} s: ${(cpuEnd - cpuAt5).toFixed(0)} ms (${(((cpuEnd - cpuAt5) / ((tEnd - 5) * 1000)) * 100).toFixed(2)} % of one core)`,
  );
  console.log(
    `  recording: ${rec.ticks} ticks (${rec.missedTicks} missed), ${rec.timeline.tMs.length} timeline points, ${rec.processes.length} processes listed, ${rec.finishedProcessesNotKept} finished ones counted only`,
  );
}

// 2. Time for the running verdict to flip to "leak": memfix leak 2 MiB/s (over a ~1 MiB program, so far above
// the 1 MiB / 5 % materiality floor within seconds), watch at 10 Hz; leakFirstSeenMs from the recording.
{
  console.log('time to a running "leak" verdict, memfix leak 2 MiB/s, watch --interval 100ms (verdict recomputed every 2 s):');
  const flips: number[] = [];
  for (let run = 0; run < 5; run++) {
    const target = spawn(MEMFIX, ['leak', '2', '60000'], { stdio: 'ignore' });
    await sleep(200);
    const json = join(dir, `leak-${run}.json`);
    await new Promise((r) =>
      spawn(process.execPath, [CLI, 'watch', String(target.pid), '--interval', '100ms', '--duration', '15s', '--json', json], {
        stdio: 'ignore',
      }).once('exit', r),
    );
    target.kill('SIGKILL');
    const rec = JSON.parse(readFileSync(json, 'utf8')) as { leakFirstSeenMs: number | null; leak: { verdict: string; reason: string } };
    console.log(
      `  run ${run + 1}: first "leak" after ${rec.leakFirstSeenMs === null ? 'never (15 s)' : `${(rec.leakFirstSeenMs / 1000).toFixed(1)} s`}; final: ${rec.leak.verdict} — ${rec.leak.reason}`,
    );
    if (rec.leakFirstSeenMs !== null) flips.push(rec.leakFirstSeenMs);
  }
  if (flips.length)
    console.log(
      `  flipped in ${flips.length}/5 runs, after ${(Math.min(...flips) / 1000).toFixed(1)} … ${(Math.max(...flips) / 1000).toFixed(1)} s`,
    );
}
