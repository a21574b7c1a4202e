// /proc/slabinfo (version 2.1; root only): kernel object caches — where kernel memory goes.
import { readFileSync } from 'node:fs';
import { ProbeParseError, parseCount } from './errors.js';
import { SYSTEM_PROC, type ProcRoot } from './proc.js';

export interface SlabCache {
  readonly name: string;
  readonly activeObjects: number;
  readonly objects: number;
  readonly objectSizeBytes: number;
  readonly pagesPerSlab: number;
  readonly slabs: number;
}

/** Parses slabinfo 2.1: a version line, a "# name …" header, then one cache per line. */
export function parseSlabinfo(text: string, file = '/proc/slabinfo'): SlabCache[] {
  const lines = text.split('\n');
  if (!/^slabinfo - version: 2\.\d+/.test(lines[0] ?? '')) throw new ProbeParseError(file, 1, 'expected "slabinfo - version: 2.x"');
  return lines.flatMap((line, i) => {
    if (i === 0 || line === '' || line.startsWith('#')) return [];
    const f = line.split(/\s+/);
    // name active num objsize objperslab pagesperslab : tunables l b s : slabdata active_slabs num_slabs shared
    if (f.length < 16 || f[6] !== ':' || f[11] !== ':') throw new ProbeParseError(file, i + 1, 'expected 16 fields with ":" separators');
    const n = (k: number, what: string): number => parseCount(f[k], file, i + 1, what);
    return [
      {
        name: f[0]!,
        activeObjects: n(1, 'active_objs'),
        objects: n(2, 'num_objs'),
        objectSizeBytes: n(3, 'objsize'),
        pagesPerSlab: n(5, 'pagesperslab'),
        slabs: n(14, 'num_slabs'),
      },
    ];
  });
}

/** Memory held by a cache: slabs × pages per slab × page size. */
export const slabBytes = (c: SlabCache, pageSizeBytes: number): number => c.slabs * c.pagesPerSlab * pageSizeBytes;

/** null when slabinfo is not readable (non-root): the caller says so. */
export function readSlabinfo(root: ProcRoot = SYSTEM_PROC): SlabCache[] | null {
  const file = `${root.proc}/slabinfo`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return parseSlabinfo(text, file);
}
