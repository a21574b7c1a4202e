// Optional (--profile): one membench run under `node --cpu-prof`; self time per function of the sampler
// worker's profile. V8 samples wall time, so the loop's own self time includes the time blocked in Atomics.wait.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  readonly fn: string;
  readonly ms: number;
  readonly share: number;
}

export function profileWorker(cli: string, memfix: string, dir: string, holdMs: number): { rows: ProfileRow[]; totalMs: number } | string {
  const r = spawnSync(
    process.execPath,
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
      cli,
      'run',
      '--runs',
      '1',
      '--interval',
      '1ms',
      '--backend',
      'cgroup',
      '--no-color',
      '--',
      memfix,
      'tree',
      '5',
      '20',
      String(holdMs),
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      timeout: holdMs + 30_000,
    },
  );
  if (r.status !== 0) return `membench under --cpu-prof failed (${r.status ?? r.signal}): ${r.stderr.trim().slice(-300)}`;
  // One profile per thread: CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; the worker's thread id is 1.
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const worker = files.find((f) => f.split('.')[4] !== '0');
  if (!worker) return `no worker profile among ${files.join(', ') || 'no files'}`;
  const p = JSON.parse(readFileSync(join(dir, worker), 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    total += us;
    const cf = byId.get(id)!.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').pop() ?? ''}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
  });
  const rows = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([fn, us]) => ({ fn, ms: us / 1000, share: us / total }));
  return { rows, totalMs: total / 1000 };
}
