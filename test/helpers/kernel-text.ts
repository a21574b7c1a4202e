// Property-test kit for probe parsers (fast-check): corrupt and truncate generated kernel text, and check that a
// parser either returns or throws the documented ProbeParseError naming the file and a line that exists.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProbeParseError } from '../../src/probe/errors.js';

/** The file name every parser under test is given: its errors must carry it. */
export const FILE = '/fixture/file-under-test';

/**
 * Fixed seed so CI is deterministic; FC_SEED / FC_RUNS explore further locally (fast-check prints the seed and the
 * shrunk counterexample of a failure, which replays with FC_SEED).
 */
export const FC_PARAMS: fc.Parameters<unknown> = {
  seed: Number(process.env.FC_SEED ?? 0x6d656d62),
  numRuns: Number(process.env.FC_RUNS ?? 200),
};

/** fc.assert with the kit's seed and run count; `examples` (counterexamples found before) run first, every time. */
export function check<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, examples: Ts[] = []): void {
  fc.assert(property, { ...(FC_PARAMS as fc.Parameters<Ts>), examples });
}

/** Outcomes of parseOrDocumentedError since the last checkMalformed began. */
const tally = { parsed: 0, rejected: 0 };

/**
 * check() for a malformed-input property built on parseOrDocumentedError, which must also have seen both outcomes:
 * a generator whose every text parses (or none does) would make the property say little.
 */
export function checkMalformed<Ts extends [unknown, ...unknown[]]>(property: fc.IProperty<Ts>, examples: Ts[] = []): void {
  tally.parsed = 0;
  tally.rejected = 0;
  check(property, examples);
  assert.ok(tally.parsed > 0 && tally.rejected > 0, `parsed ${tally.parsed}, rejected ${tally.rejected}: the generator must give both`);
}

/**
 * Runs `parse(text)`: returns what it returned, or the ProbeParseError it threw after checking that the error names
 * FILE and a line between 1 and the number of lines of `text`. Any other exception fails the assertion.
 */
export function parseOrDocumentedError<T>(parse: (text: string) => T, text: string): { value: T } | { error: ProbeParseError } {
  try {
    const value = parse(text);
    tally.parsed++;
    return { value };
  } catch (e) {
    const where = JSON.stringify(text.slice(0, 400));
    assert.ok(e instanceof ProbeParseError, `threw ${String(e)} on ${where}`);
    assert.equal(e.file, FILE, where);
    const lineCount = text.split('\n').length;
    assert.ok(Number.isInteger(e.line) && e.line >= 1 && e.line <= lineCount, `line ${e.line} of ${lineCount} in ${where}`);
    assert.ok(e.message.startsWith(`cannot parse ${FILE} line ${e.line}: `), e.message);
    tally.rejected++;
    return { error: e };
  }
}

// Tokens that break /proc parsers: signs, exponents, hex, counts past 2^53 or that overflow once multiplied by a
// page size or 1024, prototype keys, the separators of other formats, non-ASCII whitespace, NUL, CR.
const TOKENS = [
  '',
  ' ',
  '\t',
  '\n',
  '\n\n',
  ':',
  ' - ',
  ',',
  ';',
  '=',
  '/',
  '(',
  ')',
  'kB',
  ' kB',
  ' MB',
  '-1',
  '-',
  '+5',
  '1e3',
  '0x10',
  '1.5',
  '.',
  '99999999999999999999',
  '18446744073709551615',
  '9007199254740993',
  '9223372036854771712',
  '4503599627370496',
  '8796093022208',
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
  'Size:',
  '0::',
  'cgroup2',
  'Node 0, zone',
  'some',
];
const token = fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }));

/** `text` cut at any point: a torn read. */
export const truncations = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  text.chain((t) => fc.nat({ max: t.length }).map((n) => t.slice(0, n)));

/** One edit of `t`: a cut, an insertion, a deletion, a number replaced, a line dropped, doubled or moved. */
function editOf(t: string): fc.Arbitrary<string> {
  const at = fc.nat({ max: t.length });
  const lines = t.split('\n');
  const line = fc.nat({ max: lines.length - 1 });
  const numbers = [...t.matchAll(/\d+/g)];
  const edits: fc.Arbitrary<string>[] = [
    at.map((i) => t.slice(0, i)),
    fc.tuple(at, fc.nat({ max: 8 })).map(([i, n]) => t.slice(0, i) + t.slice(i + 1 + n)),
    fc.tuple(at, token).map(([i, s]) => t.slice(0, i) + s + t.slice(i)),
    fc.tuple(at, fc.integer({ min: 0, max: 255 })).map(([i, c]) => t.slice(0, i) + String.fromCharCode(c) + t.slice(i + 1)),
    line.map((i) => lines.filter((_, k) => k !== i).join('\n')),
    line.map((i) => [...lines.slice(0, i + 1), ...lines.slice(i)].join('\n')),
    fc.tuple(line, line).map(([i, j]) => {
      const l = [...lines];
      [l[i], l[j]] = [l[j]!, l[i]!];
      return l.join('\n');
    }),
  ];
  if (numbers.length > 0) {
    edits.push(fc.tuple(fc.constantFrom(...numbers), token).map(([m, s]) => t.slice(0, m.index) + s + t.slice(m.index! + m[0].length)));
  }
  return fc.oneof(...edits);
}

/** `text` with one to three edits: malformed kernel text that still looks like the real thing. */
export const corruptions = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  text.chain((t) =>
    fc.integer({ min: 1, max: 3 }).chain((n) => {
      let acc: fc.Arbitrary<string> = fc.constant(t);
      for (let k = 0; k < n; k++) acc = acc.chain(editOf);
      return acc;
    }),
  );

/** Text with no relation to the format: lines of tokens and random characters. */
export const noise: fc.Arbitrary<string> = fc
  .array(
    fc.array(token, { maxLength: 8 }).map((ts) => ts.join('')),
    { maxLength: 6 },
  )
  .map((ls) => ls.join('\n'));

/** Any malformed input: corrupted or truncated well-formed text, or noise. */
export const malformed = (text: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.oneof(corruptions(text), truncations(text), noise);

/** A count whose product with 1024 (or a 64 KiB page) is still a safe integer, biased to small values and edges. */
export const kib = fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.integer({ min: 0, max: 2 ** 36 }), fc.constantFrom(0, 1, 2 ** 36));

/** The kernel's right-aligned "%8lu" (wider values are printed whole). */
export const pad8 = (n: number): string => String(n).padStart(8);

/**
 * A "Key:    N kB" line as status, smaps and smaps_rollup print it: "Key:" padded to 16 columns then "%8lu", or for
 * a 16-character label ("Private_Hugetlb:") one space then "%7lu".
 */
export function kbLine(key: string, n: number): string {
  const label = `${key}:`.padEnd(16);
  return label.endsWith(' ') ? `${label}${pad8(n)} kB` : `${label} ${String(n).padStart(7)} kB`;
}
