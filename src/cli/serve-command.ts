// `membench serve`: a Prometheus endpoint for a process tree, a name, or every process.
import { parseCount, parseDurationMs } from './parse-values.js';
import { LivePoller } from '../live/poller.js';
import { liveRegistry } from '../live/metrics.js';
import { closeServer, listenMetrics } from '../live/serve.js';
import { targetLabel, type TargetSpec } from '../live/targets.js';
import { SYSTEM_PROC } from '../probe/proc.js';
import { EXIT, usageError } from '../errors.js';

export interface RawServeOptions {
  port: string;
  bind: string;
  pid?: string;
  name?: string;
  all?: boolean;
  interval: string;
  pssInterval: string;
}

const isLoopback = (address: string): boolean => address === 'localhost' || address === '::1' || address.startsWith('127.');

function targetOf(raw: RawServeOptions): TargetSpec {
  const given = [raw.pid !== undefined, raw.name !== undefined, raw.all === true].filter(Boolean).length;
  if (given !== 1)
    throw usageError(
      given === 0 ? 'serve needs a target' : 'serve takes one target',
      'give exactly one of --pid PID, --name NAME or --all',
    );
  if (raw.pid !== undefined) return { kind: 'pid', pid: parseCount('--pid', raw.pid, 1) };
  if (raw.name !== undefined) return { kind: 'name', name: raw.name };
  return { kind: 'all' };
}

export async function serveCommand(raw: RawServeOptions): Promise<number> {
  const target = targetOf(raw);
  const port = parseCount('--port', raw.port, 0, 65535);
  const intervalMs = parseDurationMs('--interval', raw.interval);
  const pssIntervalMs = parseDurationMs('--pss-interval', raw.pssInterval);
  if (intervalMs < 10)
    throw usageError(`--interval: ${raw.interval} is too short for a server`, 'use 10ms or more; membench run samples faster');
  const now = (): number => performance.now();
  const poller = new LivePoller({ root: SYSTEM_PROC, target, pssIntervalMs, now });
  poller.poll();
  if (target.kind === 'pid' && poller.totals.processes === 0)
    throw usageError(`no process ${target.pid}`, 'check the pid with ps, or use --name');
  const { server, port: bound } = await listenMetrics(liveRegistry(poller, target, now), raw.bind, port);
  const timer = setInterval(() => poller.poll(), intervalMs);
  if (!isLoopback(raw.bind))
    process.stderr.write(
      `membench: warning: listening on ${raw.bind}, not loopback: anyone who can reach it sees process ids, names and memory\n`,
    );
  process.stderr.write(
    `membench: serving ${targetLabel(target)} at http://${raw.bind.includes(':') ? `[${raw.bind}]` : raw.bind}:${bound}/metrics (Ctrl-C to stop)\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  clearInterval(timer);
  await closeServer(server);
  process.stderr.write(`membench: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}; stopped serving\n`);
  return EXIT.OK;
}
