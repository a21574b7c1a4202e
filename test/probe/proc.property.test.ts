// Property tests for the small /proc readers' pure parts: /proc/PID/stat lines (fields after the comm, the scheduling
// policy) and auxv (AT_PAGESZ). Both return null on what they cannot read (documented), never throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pageSizeFromAuxv, schedPolicyOf, statFieldsAfterComm } from '../../src/probe/proc.js';
import { check, malformed } from '../helpers/kernel-text.js';

const POLICIES: Record<number, string> = { 0: 'other', 1: 'fifo', 2: 'rr', 3: 'batch', 5: 'idle', 6: 'deadline' };
// A comm is up to 15 bytes of anything but NUL, including spaces and parentheses: "(a) b" is a valid name.
const comm = fc.string({ unit: fc.constantFrom(...'ab (x)) 1:/-'.split('')), maxLength: 15 });
// Fields 3..52 of a stat line: the state, then numbers (policy is field 41: numbers[37]).
const stat = fc.record({
  pid: fc.integer({ min: 1, max: 4194304 }),
  comm,
  state: fc.constantFrom('R', 'S', 'D', 'Z', 'T', 'I'),
  numbers: fc.array(fc.nat(), { minLength: 49, maxLength: 49 }),
  policy: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7),
});
type Stat = typeof stat extends fc.Arbitrary<infer T> ? T : never;
const fieldsOf = (s: Stat): string[] => [s.state, ...s.numbers.map((n, i) => String(i === 37 ? s.policy : n))];
const renderStat = (s: Stat): string => `${s.pid} (${s.comm}) ${fieldsOf(s).join(' ')}\n`;

test('stat: fields after the comm come back in order whatever the comm holds; the policy is field 41', () => {
  check(
    fc.property(stat, (s) => {
      const line = renderStat(s).trimEnd();
      assert.deepEqual(statFieldsAfterComm(line), fieldsOf(s));
      assert.equal(schedPolicyOf(line), POLICIES[s.policy] ?? null);
    }),
  );
});

test('stat: malformed or truncated lines never throw; the policy is null or a known one', () => {
  check(
    fc.property(malformed(stat.map(renderStat)), (text) => {
      statFieldsAfterComm(text);
      const p = schedPolicyOf(text);
      assert.ok(p === null || Object.values(POLICIES).includes(p), String(p));
    }),
  );
});

const entry = fc.tuple(
  fc.bigInt({ min: 1n, max: 64n }).filter((t) => t !== 6n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);
const auxv = (pairs: readonly (readonly [bigint, bigint])[]): Buffer => {
  const b = Buffer.alloc(pairs.length * 16);
  pairs.forEach(([t, v], i) => {
    b.writeBigUInt64LE(t, i * 16);
    b.writeBigUInt64LE(v, i * 16 + 8);
  });
  return b;
};

test('auxv: AT_PAGESZ is found among other entries before AT_NULL; a torn or random buffer gives null or a number', () => {
  check(
    fc.property(
      fc.array(entry, { maxLength: 20 }),
      fc.array(entry, { maxLength: 5 }),
      fc.constantFrom(4096, 16384, 65536),
      (before, after, page) => {
        assert.equal(pageSizeFromAuxv(auxv([...before, [6n, BigInt(page)], ...after, [0n, 0n]])), page);
        assert.equal(pageSizeFromAuxv(auxv([...before, [0n, 0n], [6n, BigInt(page)]])), null);
      },
    ),
  );
  check(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const p = pageSizeFromAuxv(Buffer.from(bytes));
      assert.ok(p === null || (Number.isInteger(p) && p >= 0));
    }),
  );
});
