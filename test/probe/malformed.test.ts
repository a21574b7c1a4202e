// Property tests: every probe parser fed mutated / truncated kernel text either returns a well-typed record
// or throws ProbeParseError naming the file and a real line — never another exception, never a half-typed record.
// The generator is a seeded PRNG (mulberry32) so a failure reproduces from the seed and case number it prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBytesOrMax, parseCgroupMounts, parseFlatKeyed, parsePids, parseProcCgroup } from '../../src/probe/cgroup.js';
import { ProbeParseError } from '../../src/probe/errors.js';
import { parseSmapsRollup } from '../../src/probe/smaps-rollup.js';
import { parseStatm, parseStatmInto } from '../../src/probe/statm.js';
import { kibFieldBytes, parseStatus } from '../../src/probe/status.js';
import { ROOT } from '../helpers/fixtures.js';
import { mulberry32, type Rng } from '../helpers/prng.js';

const FIX = join(ROOT, 'test', 'fixtures');
const read = (...rel: string[]): string => readFileSync(join(FIX, ...rel), 'utf8');
const SEED = 0x6d656d62; // "memb"
const CASES = 500;
const FILE = '/fixture/file-under-test';

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)]!;

// Tokens that have broken /proc parsers elsewhere: signs, exponents, hex, numbers past 2^53, prototype keys,
// separators of the other formats, non-ASCII whitespace, NUL, CRLF.
const TOKENS = [
  '',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n\n',
  ':',
  '::',
  ' - ',
  ',',
  '/',
  'kB',
  ' kB',
  ' MB',
  '-1',
  '-',
  '+5',
  '1e3',
  '0x10',
  '1.5',
  '99999999999999999999',
  '9007199254740993',
  '9223372036854771712',
  '4503599627370496',
  'NaN',
  'Infinity',
  'é',
  '\u00a0',
  '\u2028',
  '\0',
  '\r',
  '\r\n',
  'constructor',
  '__proto__',
  'toString',
  'max',
  'Name:',
  'PPid:\t',
  'Rss:',
  '0::',
  'cgroup2',
  'cgroup',
];

// Safe as counts, but not once multiplied by a page size or 1024 (or added together), and past 2^53.
const BIG = ['4503599627370496', '2251799813685248', '8796093022208', '9007199254740991', '9007199254740992', '18446744073709551615'];

function mutateOnce(rng: Rng, text: string): string {
  const at = int(rng, text.length + 1);
  const lines = text.split('\n');
  const li = int(rng, lines.length);
  switch (int(rng, 9)) {
    case 0:
      return text.slice(0, at); // torn read
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + int(rng, 8));
    case 2:
      return text.slice(0, at) + pick(rng, TOKENS) + text.slice(at);
    case 3:
      return text.slice(0, at) + String.fromCharCode(int(rng, 256)) + text.slice(at + 1);
    case 4: {
      // replace one number with a token, or (half the time) with a count near or past 2^53
      const nums = [...text.matchAll(/\d+/g)];
      if (nums.length === 0) return text;
      const m = pick(rng, nums);
      return text.slice(0, m.index) + (rng() < 0.5 ? pick(rng, BIG) : pick(rng, TOKENS)) + text.slice(m.index! + m[0].length);
    }
    case 5:
      lines.splice(li, 1);
      return lines.join('\n');
    case 6:
      lines.splice(li, 0, lines[li]!);
      return lines.join('\n');
    case 7: {
      const j = int(rng, lines.length);
      [lines[li], lines[j]] = [lines[j]!, lines[li]!];
      return lines.join('\n');
    }
    default:
      return Array.from({ length: int(rng, 40) }, () => pick(rng, TOKENS) + String.fromCharCode(32 + int(rng, 95))).join('');
  }
}

function mutate(rng: Rng, text: string): string {
  let t = text;
  for (let k = 1 + int(rng, 3); k > 0; k--) t = mutateOnce(rng, t);
  return t;
}

const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isBytes = (v: unknown, unit: number): boolean => isCount(v) && (v as number) % unit === 0;
const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');

interface Subject {
  readonly name: string;
  readonly corpus: readonly string[];
  readonly parse: (text: string) => unknown;
  /** Returns a description of what is wrong with a returned record, or null when it is well typed. */
  readonly wrong: (r: unknown) => string | null;
}

/**
 * A checker for records of exactly `others` plus `byteKeys`, each byte field a multiple of `unit` (or null when
 * `nullable`); `others` checks the remaining fields. Returns what is wrong, or null.
 */
function bytesRecord(
  byteKeys: readonly string[],
  unit: number,
  nullable: boolean,
  others: Readonly<Record<string, (v: unknown) => boolean>> = {},
): Subject['wrong'] {
  const expected = [...byteKeys, ...Object.keys(others)].sort().join();
  return (r) => {
    const s = r as Record<string, unknown>;
    if (Object.keys(s).sort().join() !== expected) return `keys ${Object.keys(s).join()}`;
    const badOther = Object.keys(others).find((k) => !others[k]!(s[k]));
    if (badOther) return `${badOther} = ${String(s[badOther])}`;
    const bad = byteKeys.find((k) => !(nullable && s[k] === null) && !isBytes(s[k], unit));
    return bad ? `${bad} = ${String(s[bad])}` : null;
  };
}

const SUBJECTS: readonly Subject[] = [
  {
    name: 'parseStatm',
    corpus: ['6683', '6701', '2'].map((p) => read('proc', 'root', p, 'statm')),
    parse: (t) => parseStatm(t, 4096, FILE),
    wrong: bytesRecord(['sizeBytes', 'residentBytes', 'sharedBytes', 'textBytes', 'dataBytes'], 4096, false),
  },
  {
    name: 'parseStatus',
    corpus: ['6683', '6701', '2'].map((p) => read('proc', 'root', p, 'status')),
    parse: (t) => parseStatus(t, FILE),
    wrong: bytesRecord(
      ['vmHwmBytes', 'vmRssBytes', 'vmSizeBytes', 'vmDataBytes', 'vmSwapBytes', 'rssAnonBytes', 'rssFileBytes', 'rssShmemBytes'],
      1024,
      true,
      {
        name: (v) => typeof v === 'string',
        ppid: isCount,
      },
    ),
  },
  {
    name: 'parseSmapsRollup',
    corpus: [read('proc', 'root', '6683', 'smaps_rollup')],
    parse: (t) => parseSmapsRollup(t, FILE),
    wrong: bytesRecord(['rssBytes', 'pssBytes', 'ussBytes', 'swapBytes', 'swapPssBytes'], 1024, false),
  },
  {
    name: 'parseProcCgroup',
    corpus: ['hybrid', 'v2', 'v1', 'v1-docker'].map((d) => read('proc', d, 'self', 'cgroup')),
    parse: (t) => parseProcCgroup(t, FILE),
    wrong: (r) => {
      if (!Array.isArray(r)) return 'not an array';
      for (const m of r as Array<Record<string, unknown>>) {
        if (Object.keys(m).sort().join() !== 'controllers,hierarchyId,path') return `keys ${Object.keys(m).join()}`;
        if (!isCount(m.hierarchyId)) return `hierarchyId = ${String(m.hierarchyId)}`;
        if (!isStringArray(m.controllers)) return 'controllers';
        if (typeof m.path !== 'string' || !m.path.startsWith('/')) return `path = ${String(m.path)}`;
      }
      return null;
    },
  },
  {
    name: 'parseCgroupMounts',
    corpus: ['hybrid', 'v2', 'v1', 'v1-docker'].map((d) => read('proc', d, 'self', 'mountinfo')),
    parse: (t) => parseCgroupMounts(t, FILE),
    wrong: (r) => {
      if (!Array.isArray(r)) return 'not an array';
      for (const m of r as Array<Record<string, unknown>>) {
        if (m.version !== 1 && m.version !== 2) return `version = ${String(m.version)}`;
        if (typeof m.mountPoint !== 'string' || typeof m.root !== 'string') return 'mountPoint/root';
        if (!isStringArray(m.controllers)) return 'controllers';
        if (m.version === 2 && (m.controllers as unknown[]).length > 0) return 'v2 with controllers';
      }
      return null;
    },
  },
  {
    name: 'parseFlatKeyed',
    corpus: [
      read('cgroup', 'v2', 'memory.stat'),
      read('cgroup', 'v2', 'memory.events'),
      read('cgroup', 'v1', 'memory.stat'),
      read('cgroup', 'v1', 'memory.oom_control'),
      read('proc', 'root', 'vmstat'),
    ],
    parse: (t) => parseFlatKeyed(t, FILE),
    wrong: (r) => {
      if (!(r instanceof Map)) return 'not a Map';
      for (const [k, v] of r) {
        // Values past 2^53 (v1 "unlimited" limits) are kept as the nearest double: still non-negative integers.
        if (typeof k !== 'string' || typeof v !== 'number' || !Number.isInteger(v) || v < 0) return `${String(k)} = ${String(v)}`;
      }
      return null;
    },
  },
  {
    name: 'parsePids',
    corpus: ['101\n202\n303\n', '', '4194304\n'],
    parse: (t) => parsePids(t, FILE),
    wrong: (r) => (Array.isArray(r) && r.every(isCount) ? null : `pids ${JSON.stringify(r)}`),
  },
  {
    name: 'parseBytesOrMax',
    corpus: [
      read('cgroup', 'v2', 'memory.current'),
      read('cgroup', 'v2', 'memory.max'),
      read('cgroup', 'v1', 'memory.limit_in_bytes'),
      read('cgroup', 'v1', 'memory.max_usage_in_bytes'),
    ],
    parse: (t) => parseBytesOrMax(t, FILE),
    wrong: (r) => (r === null || isCount(r) ? null : `value ${String(r)}`),
  },
];

for (const subject of SUBJECTS) {
  test(`${subject.name}: ${CASES} mutated inputs give a well-typed record or ProbeParseError(file, line)`, () => {
    const rng = mulberry32(SEED ^ (subject.name.length * 7919));
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < CASES; i++) {
      const text = i === 0 ? '' : mutate(rng, pick(rng, subject.corpus));
      const where = `${subject.name} case ${i} (seed ${SEED}): ${JSON.stringify(text.slice(0, 300))}`;
      let result: unknown;
      try {
        result = subject.parse(text);
      } catch (e) {
        assert.ok(e instanceof ProbeParseError, `${where}\nthrew ${String(e)}`);
        const lineCount = text.split('\n').length;
        assert.equal(e.file, FILE, where);
        assert.ok(Number.isInteger(e.line) && e.line >= 1 && e.line <= lineCount, `${where}\nline ${e.line} of ${lineCount}`);
        assert.ok(e.message.includes(`${FILE} line ${e.line}`), `${where}\n${e.message}`);
        rejected++;
        continue;
      }
      const wrong = subject.wrong(result);
      assert.equal(wrong, null, `${where}\nreturned a badly typed record: ${wrong}`);
      parsed++;
    }
    // The generator must exercise both outcomes, or the property says little.
    assert.ok(parsed > 0 && rejected > 0, `${subject.name}: parsed ${parsed}, rejected ${rejected}`);
  });
}

test('statm: on random well-formed text (any whitespace, any safe counts) parseStatmInto agrees with parseStatm', () => {
  const rng = mulberry32(SEED + 1);
  const sep = [' ', '  ', '\t', ' \t'];
  for (let i = 0; i < CASES; i++) {
    const counts = Array.from({ length: 7 }, () => (rng() < 0.2 ? 0 : int(rng, 2 ** (1 + int(rng, 40)))));
    const text = counts.map((c) => String(c)).reduce((a, b) => a + pick(rng, sep) + b) + (rng() < 0.8 ? '\n' : '');
    const buf = Buffer.from(text, 'latin1');
    const out = new Float64Array(3);
    const ref = parseStatm(text, 4096, FILE);
    assert.equal(parseStatmInto(buf, buf.length, out), true, text);
    assert.deepEqual([out[0]! * 4096, out[1]! * 4096, out[2]! * 4096], [ref.sizeBytes, ref.residentBytes, ref.dataBytes], text);
  }
});

test('statm: whenever parseStatm accepts mutated text, parseStatmInto accepts it with the same numbers', () => {
  const rng = mulberry32(SEED + 2);
  const corpus = ['6683', '6701', '2'].map((p) => read('proc', 'root', p, 'statm'));
  let accepted = 0;
  for (let i = 0; i < CASES; i++) {
    const text = mutate(rng, pick(rng, corpus));
    let ref: ReturnType<typeof parseStatm>;
    try {
      ref = parseStatm(text, 4096, FILE);
    } catch {
      continue;
    }
    accepted++;
    const buf = Buffer.from(text, 'utf8');
    const out = new Float64Array(3);
    assert.equal(parseStatmInto(buf, buf.length, out), true, JSON.stringify(text));
    assert.deepEqual(
      [out[0]! * 4096, out[1]! * 4096, out[2]! * 4096],
      [ref.sizeBytes, ref.residentBytes, ref.dataBytes],
      JSON.stringify(text),
    );
  }
  assert.ok(accepted > 0);
});

test('status: with random kB values in the captured text, kibFieldBytes agrees with parseStatus', () => {
  const rng = mulberry32(SEED + 3);
  const base = read('proc', 'root', '6683', 'status');
  const fields = {
    VmHWM: 'vmHwmBytes',
    VmRSS: 'vmRssBytes',
    VmSize: 'vmSizeBytes',
    VmData: 'vmDataBytes',
    VmSwap: 'vmSwapBytes',
    RssAnon: 'rssAnonBytes',
    RssFile: 'rssFileBytes',
    RssShmem: 'rssShmemBytes',
  } as const;
  for (let i = 0; i < CASES; i++) {
    // The kernel right-aligns kB values in an 8-wide field; values can be wider than that.
    const text = base.replace(
      /^(\w+):(\s+)\d+ kB$/gm,
      (_, key: string) => `${key}:\t${String(int(rng, 2 ** (1 + int(rng, 40)))).padStart(int(rng, 12))} kB`,
    );
    const ref = parseStatus(text, FILE);
    for (const [key, field] of Object.entries(fields)) assert.equal(kibFieldBytes(text, key), ref[field], `${key} in\n${text}`);
  }
});
