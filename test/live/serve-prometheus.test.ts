// membench serve scraped by a real Prometheus (loopback only): the fixture's 50 MiB arrives as the right series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, MEMFIX, MIB, runCli } from '../helpers/fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts `membench serve` and resolves with its port, read from the line it prints on stderr. */
async function startServe(args: readonly string[]): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = /http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err);
    if (m) return { child, port: Number(m[1]), stderr: () => err };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`membench serve did not start: ${err}`);
    await sleep(50);
  }
}

async function exited(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return Promise.race([new Promise<number | null>((r) => child.once('exit', (code) => r(code))), sleep(ms).then(() => null)]);
}

interface PromVector {
  status: string;
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

test("a real Prometheus scrapes membench serve: the fixture's RSS and PSS arrive with the right values", { timeout: 60_000 }, async (t) => {
  const which = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  assert.equal(which.status, 0, 'prometheus is not installed: apt-get install prometheus (listed in .ci/apt-packages.txt)');
  const memfix = spawn(MEMFIX, ['hold', '50', '20000'], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'membench-prom-'));
  const children: ChildProcess[] = [memfix];
  try {
    const serve = await startServe(['--pid', String(memfix.pid), '--interval', '200ms', '--pss-interval', '500ms']);
    children.push(serve.child);
    // The scrape itself, before Prometheus: text format with the pid and command labels.
    const direct = await (await fetch(`http://127.0.0.1:${serve.port}/metrics`)).text();
    // The cgroup accounting its memory, read here independently: the v1 memory line, else the v2 "0::" line.
    const lines = readFileSync(`/proc/${memfix.pid}/cgroup`, 'utf8').split('\n');
    const cgroup = (lines.find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l)) ?? lines.find((l) => l.startsWith('0::'))!).replace(
      /^\d+:[^:]*:/,
      '',
    );
    assert.match(
      direct,
      new RegExp(
        `membench_process_rss_bytes\\{pid="${memfix.pid}",command="memfix",cgroup="${cgroup.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\} \\d+`,
      ),
    );
    assert.match(direct, /membench_sampler_passes_total\{target="pid:\d+"\} \d+/);

    // The same port again: one line, exit 4 (environment).
    const taken = runCli(['serve', '--port', String(serve.port), '--pid', String(memfix.pid)], { timeoutMs: 10_000 });
    assert.equal(taken.status, 4);
    assert.equal(taken.stderr.trim().split('\n').length, 1);
    assert.match(taken.stderr, new RegExp(`port ${serve.port} on 127\\.0\\.0\\.1 is already in use`));

    const promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: membench',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${serve.port}']`,
        '',
      ].join('\n'),
    );
    const prom = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    children.push(prom);

    const query = async (q: string): Promise<PromVector | null> => {
      try {
        const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
        return r.ok ? ((await r.json()) as PromVector) : null;
      } catch {
        return null; // not listening yet
      }
    };
    const deadline = Date.now() + 30_000;
    let pss: PromVector | null = null;
    let rss: PromVector | null = null;
    for (;;) {
      pss = await query(`membench_process_pss_bytes{pid="${memfix.pid}"}`);
      rss = await query(`membench_process_rss_bytes{pid="${memfix.pid}"}`);
      if (pss?.data.result.length && rss?.data.result.length && Number(pss.data.result[0]!.value[1]) >= 50 * MIB) break;
      assert.ok(Date.now() < deadline, `no series in Prometheus after 30 s: ${JSON.stringify(pss)}`);
      await sleep(500);
    }
    const series = pss.data.result[0]!;
    t.diagnostic(`Prometheus /api/v1/query membench_process_pss_bytes{pid="${memfix.pid}"} → ${JSON.stringify(pss.data.result)}`);
    t.diagnostic(`Prometheus /api/v1/query membench_process_rss_bytes{pid="${memfix.pid}"} → ${JSON.stringify(rss!.data.result)}`);
    assert.equal(series.metric.job, 'membench');
    assert.equal(series.metric.command, 'memfix');
    assert.equal(series.metric.instance, `127.0.0.1:${serve.port}`);
    const pssBytes = Number(series.value[1]);
    const rssBytes = Number(rss!.data.result[0]!.value[1]);
    // 50 MiB touched + the program (~1 MiB; libc shared, so its PSS share is smaller).
    assert.ok(pssBytes >= 50 * MIB && pssBytes < 53 * MIB, `PSS ${pssBytes / MIB} MiB`);
    assert.ok(rssBytes >= 50 * MIB && rssBytes < 54 * MIB, `RSS ${rssBytes / MIB} MiB`);
    const up = await query('membench_target_up');
    assert.equal(up?.data.result[0]?.value[1], '1');
    assert.equal(series.metric.cgroup, cgroup);
    // The leak verdict arrives as one series at 1 (a holding fixture is never a leak) and the others at 0.
    const verdict = await query('membench_target_leak == 1');
    t.diagnostic(`Prometheus /api/v1/query membench_target_leak == 1 → ${JSON.stringify(verdict?.data.result)}`);
    assert.equal(verdict?.data.result.length, 1);
    assert.ok(['no-leak', 'inconclusive'].includes(verdict.data.result[0]!.metric.verdict!), JSON.stringify(verdict.data.result));
    assert.equal(
      (await query('count(membench_target_leak)'))?.data.result[0]?.value[1],
      '4',
      'one series per verdict: leak, no-leak, inconclusive, grows-until-exit',
    );

    // Graceful shutdown: SIGTERM ends it with exit 0 and a last line.
    serve.child.kill('SIGTERM');
    assert.equal(await exited(serve.child, 5000), 0);
    assert.match(serve.stderr(), /stopped serving/);
  } finally {
    for (const c of children.reverse()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await sleep(200);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve: a target is required, and a missing pid is a usage error', () => {
  assert.equal(runCli(['serve', '--port', '0']).status, 2);
  const r = runCli(['serve', '--port', '0', '--pid', '999999999']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no process 999999999/);
});
