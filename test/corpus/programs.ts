// The corpus of real programs and fixtures the leak verdict is judged against: each with its inputs (generated
// here, seeded), the shape its memory takes and the verdict it must get. Shared by the corpus test and
// scripts/corpus-table.mjs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LeakVerdict } from '../../src/result.js';
import { MEMFIX } from '../helpers/fixtures.js';
import { rng } from '../analyze/synthetic.js';

export interface CorpusProgram {
  readonly name: string;
  /** What its memory does, in words. */
  readonly shape: string;
  readonly argv: readonly string[];
  readonly expect: LeakVerdict['verdict'];
  /** A planted leak (the corpus must find every one). */
  readonly planted?: boolean;
}

const PY_FILL = `
import sys
n = int(sys.argv[1])
xs = []
for i in range(n):
    xs.append(i * 3)
d = {}
for i in range(n // 4):
    d[i] = str(i)
print(len(xs), len(d))
`;

const PERL_FILL = `
my $n = $ARGV[0];
my (%h, @a);
for my $i (1..$n) { $h{$i} = "v$i"; push @a, $i * 2; }
print scalar(keys %h), "\\n";
`;

const NODE_FILL = `
const n = Number(process.argv[2]);
const xs = [];
for (let i = 0; i < n; i++) xs.push({ i, s: 'v' + i });
const m = new Map();
for (let i = 0; i < n / 4; i++) m.set(i, [i]);
console.log(xs.length, m.size);
`;

/** A request loop: each request reads a 16 MiB body, makes an 8 MiB upper-case copy and frees both; KEEP MiB of each body stays in a cache that never evicts (0: nothing kept). */
const PY_SERVER = `
import sys, time
keep, seconds = int(sys.argv[1]), float(sys.argv[2])
cache = []
t0 = time.monotonic()
while time.monotonic() - t0 < seconds:
    body = b'r' * (16 << 20)
    parsed = body[: 8 << 20].upper()
    if keep:
        cache.append(body[: keep << 20] + b'')
    del body, parsed
    time.sleep(0.12)
print(len(cache))
`;

/** The loop in Node with 40 MiB bodies (over glibc's largest mmap threshold, so each is unmapped when freed): Buffers live outside V8's heap and are released by its GC. */
const NODE_SERVER = `
const keep = Number(process.argv[2]) << 20, seconds = Number(process.argv[3]);
const cache = [];
const t0 = Date.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  while (Date.now() - t0 < seconds * 1000) {
    let body = Buffer.alloc(40 << 20, 114);
    let parsed = Buffer.from(body.subarray(0, 8 << 20)).map((c) => c - 32);
    if (keep) cache.push(Buffer.from(body.subarray(0, keep)));
    body = parsed = null;
    await sleep(120);
  }
  console.log(cache.length);
})();
`;

/** A C translation unit of `fns` small functions and a main that calls them all (gcc's memory grows per function). */
function cSource(fns: number): string {
  const out: string[] = [];
  for (let i = 0; i < fns; i++)
    out.push(
      `int f${i}(int x){int a[16];for(int j=0;j<16;j++)a[j]=x*j+${i};int s=0;for(int j=0;j<16;j++)s+=a[j]*a[(j+${i})%16];return s;}`,
    );
  out.push('int main(void){int s=0;', ...Array.from({ length: fns }, (_, i) => `s+=f${i}(s);`), 'return s&1;}');
  return `${out.join('\n')}\n`;
}

/** Writes the inputs into `dir` (seeded: the same bytes every time) and returns the corpus. */
export function corpus(dir: string): CorpusProgram[] {
  const r = rng(42);
  // Sized so that each batch program runs ≥ ~2 s even on an idle machine: a judged part under 1 s is inconclusive.
  const nums = Array.from({ length: 4_000_000 }, (_, i) => i + 1);
  for (let i = nums.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [nums[i], nums[j]] = [nums[j]!, nums[i]!];
  }
  writeFileSync(join(dir, 'nums.txt'), `${nums.join('\n')}\n`);
  // Text of random words: compressible, so xz's match finder and gzip both work on it.
  const words = Array.from({ length: 4096 }, () =>
    Array.from({ length: 3 + Math.floor(r() * 8) }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join(''),
  );
  const text = (bytes: number): string => {
    const parts: string[] = [];
    for (let n = 0; n < bytes; ) {
      const w = words[Math.floor(r() * words.length)]!;
      parts.push(w);
      n += w.length + 1;
    }
    return parts.join(' ');
  };
  writeFileSync(join(dir, 'text-4m.txt'), text(4 << 20));
  writeFileSync(join(dir, 'text-12m.txt'), text(12 << 20));
  writeFileSync(join(dir, 'gen.c'), cSource(400));
  for (const [f, body] of [
    ['fill.py', PY_FILL],
    ['fill.pl', PERL_FILL],
    ['fill.js', NODE_FILL],
    ['server.py', PY_SERVER],
    ['server.js', NODE_SERVER],
  ] as const)
    writeFileSync(join(dir, f), body);
  const at = (f: string): string => join(dir, f);
  return [
    {
      name: 'sort',
      shape: 'reads 4 M shuffled lines into memory, sorts, writes, exits',
      argv: ['sort', at('nums.txt')],
      expect: 'grows-until-exit',
    },
    {
      name: 'xz -9',
      shape: 'compresses 4 MiB of text: dictionary fills as input is read',
      argv: ['xz', '-9', '-c', at('text-4m.txt')],
      expect: 'grows-until-exit',
    },
    {
      name: 'gzip -9',
      shape: 'compresses 12 MiB of text 6 times over in a fixed window',
      argv: ['gzip', '-9', '-c', ...Array(6).fill(at('text-12m.txt'))],
      expect: 'no-leak',
    },
    {
      name: 'python3 list+dict',
      shape: 'fills a 9 M list and a 2.25 M dict, exits (frees at finalisation)',
      argv: ['python3', at('fill.py'), '9000000'],
      expect: 'grows-until-exit',
    },
    { name: 'perl hash+array', shape: 'fills a 1.2 M hash and array, exits', argv: ['perl', at('fill.pl'), '1200000'], expect: 'no-leak' },
    {
      name: 'node array+map',
      shape: 'fills a 6 M array of objects and a Map, exits',
      argv: [process.execPath, at('fill.js'), '6000000'],
      expect: 'grows-until-exit',
    },
    {
      name: 'gcc -O2',
      shape: 'compiles 400 functions in one unit (cc1 child)',
      argv: ['gcc', '-O2', '-c', at('gen.c'), '-o', '/dev/null'],
      expect: 'grows-until-exit',
    },
    {
      name: 'python3 leaking server',
      shape: 'request loop, 24 MiB per request freed (reused by malloc), 1 MiB kept each time',
      argv: ['python3', at('server.py'), '1', '3'],
      expect: 'leak',
      planted: true,
    },
    {
      name: 'python3 server',
      shape: 'the same request loop keeping nothing: a sawtooth on a flat floor',
      argv: ['python3', at('server.py'), '0', '3'],
      expect: 'no-leak',
    },
    {
      name: 'memfix serve (leak)',
      shape: 'C: 20 MiB plateau, then requests of 30 MiB each keeping 2 MiB',
      argv: [MEMFIX, 'serve', '20', '2', '30', '250', '3000'],
      expect: 'leak',
      planted: true,
    },
    {
      name: 'memfix serve (plateau)',
      shape: 'C: 50 MiB plateau, then requests of 30 MiB keeping nothing',
      argv: [MEMFIX, 'serve', '50', '0', '30', '250', '3000'],
      expect: 'no-leak',
    },
    {
      name: 'memfix sawtooth',
      shape: 'C: 100 MiB touched and unmapped every 300 ms',
      argv: [MEMFIX, 'sawtooth', '100', '300', '3000'],
      expect: 'no-leak',
    },
    {
      name: 'memfix steps',
      shape: 'C: staircase of 16 × 8 MiB, resting 150 ms after each, then exits',
      argv: [MEMFIX, 'steps', '16', '8', '150'],
      expect: 'leak',
      planted: true,
    },
    {
      name: 'memfix stairfree',
      shape: 'C: staircase of 5 × 40 MiB, all freed, 800 ms more',
      argv: [MEMFIX, 'stairfree', '5', '40', '300', '800'],
      expect: 'no-leak',
    },
    {
      name: 'memfix leak',
      shape: 'C: 50 MiB/s touched and kept, linear until exit',
      argv: [MEMFIX, 'leak', '50', '3000'],
      expect: 'grows-until-exit',
    },
  ];
}
