// One in-process measurement: a fresh `node --expose-gc` harness per (size, repeat), its report read from fd 3,
// every way it can end (report, throw, crash, timeout, Ctrl-C) turned into a value.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Interrupt } from '../run/interrupt.js';
import type { InProcessDefinition } from './config.js';
import { REPORT_FD, type HarnessJob, type HarnessReport } from './protocol.js';
import type { InProcessRepeat } from '../document/suite.js';

const HARNESS = fileURLToPath(new URL('./harness.js', import.meta.url));
const STDERR_TAIL_BYTES = 2048;

/**
 * --expose-gc for the collections around the call (see collectGarbage: last-resort collections, so no
 * unswept garbage is counted — with plain gc() about 1 run in 10 came out 60–250 KiB off). Background
 * threads and per-process random hash seeds are the remaining sources of run-to-run difference in the heap
 * figure; --single-threaded and fixed seeds remove them.
 */
export const HARNESS_NODE_FLAGS = ['--expose-gc', '--single-threaded', '--hash-seed=1', '--random-seed=1'] as const;

export type Measured<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly interrupted: boolean; readonly message: string };

export interface InProcessOptions {
  readonly showOutput: boolean;
}

const lastLine = (text: string): string =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .at(-1)
    ?.trim() ?? '';

export function measureInProcess(
  def: InProcessDefinition,
  size: number,
  opts: InProcessOptions,
  interrupt: Interrupt,
): Promise<Measured<InProcessRepeat>> {
  const job: HarnessJob = { file: def.file, benchmark: def.name, size, warmup: def.warmup };
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [...HARNESS_NODE_FLAGS, HARNESS, JSON.stringify(job)], {
      cwd: dirname(def.file),
      stdio: ['ignore', opts.showOutput ? 'inherit' : 'ignore', opts.showOutput ? 'inherit' : 'pipe', 'pipe'],
    });
    let report = '';
    let stderrTail = '';
    let ended: 'timeout' | 'interrupt' | null = null;
    child.stdio[REPORT_FD]!.on('data', (d: Buffer) => {
      report += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderrTail = (stderrTail + d.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    const timer = setTimeout(() => {
      ended = 'timeout';
      child.kill('SIGKILL');
    }, def.timeoutMs);
    const unsubscribe = interrupt.onRequest(() => {
      ended ??= 'interrupt';
      child.kill('SIGKILL');
    });
    const finish = (m: Measured<InProcessRepeat>): void => {
      clearTimeout(timer);
      unsubscribe();
      resolvePromise(m);
    };
    child.on('error', (e) => finish({ ok: false, interrupted: false, message: `cannot start node for the harness: ${e.message}` }));
    child.on('close', (code, signal) => {
      if (ended === 'interrupt') return finish({ ok: false, interrupted: true, message: 'interrupted' });
      if (ended === 'timeout')
        return finish({
          ok: false,
          interrupted: false,
          message: `timed out after ${def.timeoutMs} ms (raise timeoutMs in the suite file)`,
        });
      const line = report.split('\n').find((l) => l.trim() !== '');
      if (!line) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code} without a report`;
        const tail = lastLine(stderrTail);
        return finish({ ok: false, interrupted: false, message: `the benchmark process ${how}${tail ? `: ${tail}` : ''}` });
      }
      let r: HarnessReport;
      try {
        r = JSON.parse(line) as HarnessReport;
      } catch {
        return finish({ ok: false, interrupted: false, message: `unreadable harness report: ${line.slice(0, 200)}` });
      }
      if (!r.ok) {
        const where = r.where ? ` (at ${r.where})` : '';
        return finish({ ok: false, interrupted: false, message: r.phase === 'load' ? r.message : `threw ${r.message}${where}` });
      }
      const { ok: _ok, gc: _gc, ...value } = r;
      finish({ ok: true, value });
    });
  });
}
