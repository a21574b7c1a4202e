// Scrape latency of `membench serve` with 50 targets (50 memfix processes, --name memfix) and with --all.
// Prints only. Run: npm run build && node dist/bench/serve-scrape.bench.js [scrapes]
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const MEMFIX = join(ROOT, 'fixtures', 'bin', 'memfix');
const scrapes = Number(process.argv[2] ?? 200);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function startServe(args: readonly string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  for (const deadline = Date.now() + 10_000; ; ) {
    const m = /http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err);
    if (m) return { child, port: Number(m[1]) };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`membench serve did not start: ${err}`);
    await sleep(50);
  }
}

const scrape = (port: number): Promise<{ ms: number; bytes: number }> =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    request({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length)).on('end', () => resolve({ ms: performance.now() - t0, bytes }));
    })
      .on('error', reject)
      .end();
  });

async function measure(label: string, args: readonly string[]): Promise<void> {
  const { child, port } = await startServe(args);
  try {
    await sleep(1500); // first PSS pass done
    for (let i = 0; i < 10; i++) await scrape(port);
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < scrapes; i++) {
      const r = await scrape(port);
      ms.push(r.ms);
      bytes = r.bytes;
    }
    console.log(
      `${label}: ${scrapes} sequential scrapes, p50 ${q(ms, 0.5).toFixed(2)} ms, p90 ${q(ms, 0.9).toFixed(2)} ms, p99 ${q(ms, 0.99).toFixed(2)} ms, max ${Math.max(...ms).toFixed(2)} ms; body ${(bytes / 1024).toFixed(1)} KiB`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const fixtures = Array.from({ length: 50 }, () => spawn(MEMFIX, ['hold', '1', '120000'], { stdio: 'ignore' }));
try {
  await sleep(500);
  await measure('50 targets (--name memfix, 50 × memfix hold 1 MiB)', ['--name', 'memfix', '--interval', '1s']);
  await measure('--all (every process on the machine)', ['--all', '--interval', '1s']);
} finally {
  for (const f of fixtures) f.kill('SIGKILL');
}
