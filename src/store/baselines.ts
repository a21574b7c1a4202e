// Named baselines on disk: .membench/baselines/NAME.json, each a complete suite document written atomically.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import { readDocumentText, readSuiteDocument } from '../document/read.js';
import type { SuiteResult } from '../document/suite.js';
import { writeDocument } from './atomic.js';
import { DEFAULT_BASELINE_DIR } from './baseline-dir.js';

export { DEFAULT_BASELINE_DIR };
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function checkBaselineName(name: string): string {
  if (!NAME.test(name) || name.endsWith('.json')) {
    throw usageError(
      `baseline name ${JSON.stringify(name)} is not usable as a file name`,
      'use letters, digits, ".", "_" and "-", e.g. main or pr-123 (no .json)',
    );
  }
  return name;
}

export const baselinePath = (dir: string, name: string): string => resolve(dir, `${checkBaselineName(name)}.json`);

export function listBaselines(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}

export function saveBaseline(dir: string, name: string, doc: SuiteResult): string {
  if (!doc.context.complete)
    throw usageError(
      `not saving baseline ${name}: the suite did not complete`,
      'a baseline must hold every benchmark; fix the failure and run again',
    );
  const path = baselinePath(dir, name);
  mkdirSync(dir, { recursive: true });
  // Whole or nothing: a reader never sees half a baseline.
  writeDocument(path, doc);
  return path;
}

export function loadBaseline(dir: string, name: string): SuiteResult {
  const path = baselinePath(dir, name);
  if (!existsSync(path)) {
    const known = listBaselines(dir);
    throw usageError(
      `no baseline named ${JSON.stringify(name)} in ${dir}`,
      known.length > 0 ? `saved baselines: ${known.join(', ')}` : `save one first: membench suite --save-baseline ${name}`,
    );
  }
  return readSuiteDocument(readDocumentText(path, 'baseline'), `baseline ${name} (${path})`);
}
