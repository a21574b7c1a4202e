// `membench top`: every process's RSS/PSS/USS/swap from smaps_rollup, sorted, with totals; once, or every
// --refresh interval (like top(1)) until --count passes or Ctrl-C.
import { parseCount, parseDurationMs } from './parse-values.js';
import { interruptOnSignals } from './signals.js';
import { buildTop, scanProcesses, withNames, type TopSnapshot, type TopSortKey } from '../live/top.js';
import { renderTop, unreadableHint } from '../live/render.js';
import { SYSTEM_PROC } from '../probe/proc.js';
import { EXIT, usageError } from '../errors.js';

export interface RawTopOptions {
  sort: string;
  limit?: string;
  json?: boolean;
  refresh?: string;
  count?: string;
}

/**
 * One pass; takenAtEpochMs is when it began (passes of --refresh then start an interval apart). A limited view
 * reads names and command lines for the rows it shows only; scanMs covers the whole pass either way.
 */
const snapshot = (sort: TopSortKey, limit: number | null): TopSnapshot => {
  const at = Date.now();
  const t0 = performance.now();
  const lazy = limit !== null;
  const top = buildTop(scanProcesses(SYSTEM_PROC, undefined, undefined, !lazy), sort, limit, at, 0);
  const named = lazy ? withNames(top) : top;
  return { ...named, scanMs: Math.round((performance.now() - t0) * 1000) / 1000 };
};

export async function topCommand(raw: RawTopOptions): Promise<number> {
  const isRoot = process.getuid?.() === 0;
  // Told once per invocation, whatever the number of passes: on stderr with --json, in the footer otherwise.
  let hinted = false;
  const hintOnStderr = (snap: TopSnapshot): void => {
    const hint = hinted ? null : unreadableHint(snap, isRoot);
    if (hint === null) return;
    process.stderr.write(`membench: ${hint}\n`);
    hinted = true;
  };
  const sort = raw.sort as TopSortKey;
  const asked = raw.limit !== undefined ? parseCount('--limit', raw.limit, 1) : null;
  const width = (): number => (process.stdout.columns ? Math.max(20, process.stdout.columns - 50) : 80);
  if (raw.refresh === undefined) {
    if (raw.count !== undefined) throw usageError('--count needs --refresh', 'e.g. membench top --refresh 2s --count 10');
    const snap = snapshot(sort, asked ?? (raw.json ? null : 25));
    process.stdout.write(raw.json ? `${JSON.stringify(snap, null, 2)}\n` : renderTop(snap, width(), { isRoot }));
    if (raw.json) hintOnStderr(snap);
    return EXIT.OK;
  }
  const refreshMs = parseDurationMs('--refresh', raw.refresh);
  if (refreshMs > 3_600_000) throw usageError(`--refresh: ${raw.refresh} is out of range`, 'use at most 1h');
  const count = raw.count === undefined ? Infinity : parseCount('--count', raw.count, 1);
  // On a terminal the table is redrawn in place and fits the window; elsewhere each pass is appended (JSON: one
  // object per line, NDJSON) so that a pipe or a file keeps every pass.
  const tty = process.stdout.isTTY === true && !raw.json;
  const { interrupt, dispose } = interruptOnSignals();
  try {
    for (let pass = 1; pass <= count && interrupt.requested === null; pass++) {
      const started = performance.now();
      const limit = asked ?? (raw.json ? null : tty ? Math.max(5, (process.stdout.rows || 30) - 8) : 25);
      const snap = snapshot(sort, limit);
      if (raw.json) {
        process.stdout.write(`${JSON.stringify(snap)}\n`);
        hintOnStderr(snap);
      } else {
        const head = `membench top — pass ${pass}${count === Infinity ? '' : `/${count}`}, every ${raw.refresh} (Ctrl-C ends) — ${new Date(snap.takenAtEpochMs).toISOString()}\n`;
        // A redrawn screen keeps its advice; passes appended to a pipe give it once.
        const hint = tty || !hinted ? { isRoot } : null;
        if (snap.unreadable.length > 0) hinted = true;
        process.stdout.write(
          tty ? `\x1b[H\x1b[2J${head}${renderTop(snap, width(), hint)}` : `${pass > 1 ? '\n' : ''}${head}${renderTop(snap, width(), hint)}`,
        );
      }
      if (pass === count) break;
      const rest = refreshMs - (performance.now() - started);
      if (rest > 0 && interrupt.requested === null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, rest);
          const off = interrupt.onRequest(done);
          function done(): void {
            clearTimeout(timer);
            off();
            resolve();
          }
        });
      }
    }
  } finally {
    dispose();
  }
  return EXIT.OK;
}
