// The JSON document: written whole and atomically (temp file + rename), so a reader never sees half a file.
import { writeTextAtomic } from '../store/atomic.js';
import type { MembenchResult } from '../result.js';

export function renderJson(doc: MembenchResult): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function writeJsonFile(path: string, doc: MembenchResult): void {
  writeTextAtomic(path, renderJson(doc));
}
