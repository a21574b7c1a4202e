// The JSON document: written whole and atomically (temp file + rename), so a reader never sees half a file.
import { renameSync, writeFileSync } from 'node:fs';
import type { MembenchResult } from '../result.js';

export function renderJson(doc: MembenchResult): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function writeJsonFile(path: string, doc: MembenchResult): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, renderJson(doc));
  renameSync(tmp, path);
}
