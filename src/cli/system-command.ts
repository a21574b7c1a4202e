// `membench system`: the machine's memory state, with a plain warning for whatever looks wrong.
import { parseDurationMs } from './parse-values.js';
import { buildSystemReport } from '../live/system.js';
import { readSystemInputs } from '../live/system-read.js';
import { renderSystem } from '../live/system-render.js';
import { SYSTEM_PROC } from '../probe/proc.js';
import { EXIT, usageError } from '../errors.js';

export interface RawSystemOptions {
  json?: boolean;
  window: string;
}

export async function systemCommand(raw: RawSystemOptions): Promise<number> {
  const windowMs = parseDurationMs('--window', raw.window);
  if (windowMs > 60_000) throw usageError(`--window: ${raw.window} is longer than a minute`, 'rates over a few seconds are enough');
  const inputs = await readSystemInputs(
    SYSTEM_PROC,
    windowMs,
    (ms) => new Promise((r) => setTimeout(r, ms)),
    () => performance.now(),
  );
  const report = buildSystemReport(inputs);
  process.stdout.write(raw.json ? `${JSON.stringify(report, null, 2)}\n` : renderSystem(report));
  return EXIT.OK;
}
