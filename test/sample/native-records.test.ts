// The boundary between native/sampler.c and node: the record decoder fed whole, split, torn, garbled, lost and
// replayed records. Every good record must come out once and in order; nothing else may come out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRecord, RECORD_BYTES, RecordDecoder, REC, type NativeRecord } from '../../src/sample/native-records.js';

interface Seen {
  readonly type: number;
  readonly seq: number;
  readonly pid: number;
  readonly t: number;
  readonly name: string;
}

const ticks = (n: number, from = 0): Buffer[] =>
  Array.from({ length: n }, (_, i) => encodeRecord({ type: REC.TICK, seq: from + i, pid: 6, v: [from + i, 1e8, 2e8, 3e8, 2e7], u: 0 }));

function decode(chunks: readonly Uint8Array[]): { seen: Seen[]; d: RecordDecoder } {
  const d = new RecordDecoder();
  const seen: Seen[] = [];
  const take = (r: NativeRecord): void => void seen.push({ type: r.type, seq: r.seq, pid: r.pid, t: r.v[0]!, name: r.name });
  for (const c of chunks) d.feed(c, take);
  return { seen, d };
}

test('whole records decode with their fields; JOIN and LEAVE carry the process name', () => {
  const recs = [
    encodeRecord({ type: REC.JOIN, seq: 0, pid: 4242, v: [1.5], name: 'memfix' }),
    encodeRecord({ type: REC.TICK, seq: 1, pid: 1, v: [2, 104857600, 20971520, 41943040, 20971520], u: 3, flags: 1 }),
    encodeRecord({ type: REC.LEAVE, seq: 2, pid: 4242, v: [9, 8.5, 20971520], name: 'python3' }),
  ];
  const d = new RecordDecoder();
  const got: { type: number; pid: number; v: number[]; u: number; flags: number; name: string }[] = [];
  d.feed(Buffer.concat(recs), (r) => void got.push({ type: r.type, pid: r.pid, v: [...r.v], u: r.u, flags: r.flags, name: r.name }));
  assert.equal(got.length, 3);
  // JOIN: the name sits in v[1..2], LEAVE: in v[3..4]; the doubles before it are the record's own.
  assert.deepEqual({ ...got[0]!, v: got[0]!.v.slice(0, 1) }, { type: REC.JOIN, pid: 4242, v: [1.5], u: 0, flags: 0, name: 'memfix' });
  assert.deepEqual(got[1], { type: REC.TICK, pid: 1, v: [2, 104857600, 20971520, 41943040, 20971520], u: 3, flags: 1, name: '' });
  assert.deepEqual(
    { ...got[2]!, v: got[2]!.v.slice(0, 3) },
    { type: REC.LEAVE, pid: 4242, v: [9, 8.5, 20971520], u: 0, flags: 0, name: 'python3' },
  );
  assert.equal(d.skippedBytes, 0);
  assert.equal(d.lostRecords, 0);
});

test('records split across chunks at every byte boundary come out once, in order', () => {
  const all = Buffer.concat(ticks(3));
  for (let cut = 1; cut < all.length; cut++) {
    const { seen, d } = decode([all.subarray(0, cut), all.subarray(cut)]);
    assert.deepEqual(
      seen.map((s) => s.seq),
      [0, 1, 2],
      `cut at byte ${cut}`,
    );
    assert.equal(d.skippedBytes + d.lostRecords + d.pendingBytes, 0, `cut at byte ${cut}`);
  }
  // One byte at a time.
  const { seen } = decode([...all].map((b) => Uint8Array.of(b)));
  assert.deepEqual(
    seen.map((s) => s.seq),
    [0, 1, 2],
  );
});

test('a torn stream: the incomplete tail is held, not delivered, and counted', () => {
  const all = Buffer.concat(ticks(2));
  const { seen, d } = decode([all.subarray(0, RECORD_BYTES + 40)]);
  assert.deepEqual(
    seen.map((s) => s.seq),
    [0],
  );
  assert.equal(d.pendingBytes, 40);
});

test('garbled bytes: the damaged record is dropped, the decoder resynchronises on the next good one', () => {
  const recs = ticks(5);
  // Flip one byte inside record 1's payload (checksum fails), and put 13 bytes of junk between records 3 and 4.
  const bad = Buffer.from(recs[1]!);
  bad[30] = bad[30]! ^ 0xff;
  const junk = Buffer.from('garbage\0\x4dBS1x!', 'latin1'); // includes a false start of the magic
  const { seen, d } = decode([Buffer.concat([recs[0]!, bad, recs[2]!, recs[3]!, junk, recs[4]!])]);
  assert.deepEqual(
    seen.map((s) => s.seq),
    [0, 2, 3, 4],
  );
  assert.deepEqual(
    seen.map((s) => s.t),
    [0, 2, 3, 4],
    "the payloads are the good records' own",
  );
  assert.equal(d.skippedBytes, RECORD_BYTES + junk.length);
  assert.equal(d.lostRecords, 1, 'the dropped record shows as a gap in the sequence');
});

test('a record whose magic is intact but whose checksum fails is never delivered', () => {
  for (let byte = 4; byte < 60; byte++) {
    const r = Buffer.from(ticks(1)[0]!);
    r[byte] = r[byte]! ^ 0x01;
    const { seen } = decode([r, ticks(1, 1)[0]!]);
    assert.deepEqual(
      seen.map((s) => s.seq),
      [1],
      `byte ${byte} flipped`,
    );
  }
});

test('lost records are counted from the sequence numbers; replayed ones are not delivered twice', () => {
  const recs = ticks(10);
  const { seen, d } = decode([Buffer.concat([recs[0]!, recs[1]!, recs[5]!, recs[5]!, recs[2]!, recs[6]!, recs[9]!])]);
  assert.deepEqual(
    seen.map((s) => s.seq),
    [0, 1, 5, 6, 9],
  );
  assert.equal(d.lostRecords, 3 + 2);
});
