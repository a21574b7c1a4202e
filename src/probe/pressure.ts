// /proc/pressure/memory (PSI, Linux ≥ 4.20 with CONFIG_PSI): share of time tasks stalled waiting for memory.
import { readFileSync } from 'node:fs';
import { ProbeParseError, parseCount } from './errors.js';
import { SYSTEM_PROC, type ProcRoot } from './proc.js';

export interface PressureLine {
  /** Percent of wall time stalled, averaged over 10 s, 60 s, 300 s. */
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  readonly totalUs: number;
}
export interface Pressure {
  /** At least one task stalled. */
  readonly some: PressureLine;
  /** All non-idle tasks stalled at once (null on kernels that print only "some", e.g. for cpu before 5.13). */
  readonly full: PressureLine | null;
}

export function parsePressure(text: string, file = '/proc/pressure/memory'): Pressure {
  const found: Partial<Record<'some' | 'full', PressureLine>> = {};
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const m = /^(some|full) avg10=(\d+\.\d+) avg60=(\d+\.\d+) avg300=(\d+\.\d+) total=(\d+)$/.exec(line);
    if (!m) throw new ProbeParseError(file, i + 1, 'expected "some|full avg10=… avg60=… avg300=… total=…"');
    found[m[1] as 'some' | 'full'] = {
      avg10: Number(m[2]),
      avg60: Number(m[3]),
      avg300: Number(m[4]),
      totalUs: parseCount(m[5], file, i + 1, 'total'),
    };
  });
  if (!found.some) throw new ProbeParseError(file, 1, 'no "some" line');
  return { some: found.some, full: found.full ?? null };
}

/** null when PSI is unavailable (kernel without CONFIG_PSI, or psi=0). */
export function readMemoryPressure(root: ProcRoot = SYSTEM_PROC): Pressure | null {
  const file = `${root.proc}/pressure/memory`;
  try {
    return parsePressure(readFileSync(file, 'utf8'), file);
  } catch (e) {
    if (e instanceof ProbeParseError) throw e;
    return null;
  }
}
