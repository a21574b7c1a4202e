// Property tests for /proc/PID/statm (parseStatm and the sampler's parseStatmInto): generated counts round-trip
// to pages × page size; malformed and truncated text gives a record or ProbeParseError(file, line 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseStatm, parseStatmInto } from '../../src/probe/statm.js';
import { FILE, check, checkMalformed, malformed, parseOrDocumentedError } from '../helpers/kernel-text.js';

const pageSize = fc.constantFrom(4096, 16384, 65536);
// Counts whose product with a 64 KiB page stays a safe integer.
const pages = fc.oneof(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 0, max: 2 ** 36 }));
const counts = fc.array(pages, { minLength: 7, maxLength: 7 });
// statm is "%lu %lu %lu %lu %lu %lu %lu\n"; the parsers also accept any whitespace between fields.
const render = (c: readonly number[], sep = ' '): string => `${c.join(sep)}\n`;

test('statm: generated text round-trips size, resident, shared, text and data to pages × page size', () => {
  check(
    fc.property(counts, pageSize, fc.constantFrom(' ', '\t', '  '), (c, page, sep) => {
      const r = parseStatm(render(c, sep), page, FILE);
      assert.deepEqual(
        [r.sizeBytes, r.residentBytes, r.sharedBytes, r.textBytes, r.dataBytes],
        [c[0]!, c[1]!, c[2]!, c[3]!, c[5]!].map((n) => n * page),
      );
    }),
  );
});

test('statm: parseStatmInto reads fields 1, 2 and 6 of generated text, from a buffer longer than the text', () => {
  check(
    fc.property(counts, fc.nat({ max: 64 }), (c, slack) => {
      const text = render(c);
      const buf = Buffer.alloc(text.length + slack, 0x39); // stale digits past `len` must be ignored
      buf.write(text, 'latin1');
      const out = new Float64Array(3);
      assert.equal(parseStatmInto(buf, text.length, out), true);
      assert.deepEqual([...out], [c[0], c[1], c[5]]);
    }),
  );
});

test('statm: malformed or truncated text gives a record or ProbeParseError; parseStatmInto agrees when it parses', () => {
  checkMalformed(
    fc.property(malformed(counts.map((c) => render(c))), pageSize, (text, page) => {
      const out = parseOrDocumentedError((t) => parseStatm(t, page, FILE), text);
      const buf = Buffer.from(text, 'utf8');
      const into = new Float64Array(3);
      const ok = parseStatmInto(buf, buf.length, into);
      if ('error' in out) {
        assert.equal(out.error.line, 1);
        return;
      }
      assert.equal(ok, true, JSON.stringify(text));
      assert.deepEqual(
        [...into].map((n) => n * page),
        [out.value.sizeBytes, out.value.residentBytes, out.value.dataBytes],
      );
    }),
  );
});
