// The records native/sampler.c writes on its stdout, and their decoder: fixed 64-byte records, each with a magic
// that carries the format version, a sequence number and a FNV-1a checksum. The decoder takes the pipe's chunks as
// they come (a record may be split across chunks), skips bytes that are not a valid record (resynchronising on
// the next magic) and counts what it skipped and which sequence numbers never arrived.

export const RECORD_BYTES = 64;
/** "MBS1": the format's version is its last byte. */
export const RECORD_MAGIC = 0x3153424d;

export const REC = { HELLO: 1, TICK: 2, JOIN: 3, LEAVE: 4, CHANGE: 5, ADAPT: 6, END: 7 } as const;

/** One decoded record. The decoder hands the same object to every call: copy what must outlive the callback. */
export interface NativeRecord {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Five doubles (TICK: tMs, treeBytes, rssSum, vszSum, largest; see native/sampler.c for the others). */
  readonly v: Float64Array;
  u: number;
  /** JOIN: comm at join; LEAVE: comm at the end ("" when unreadable). */
  name: string;
}

/** FNV-1a, 32 bits, over buf[start, end). */
export function fnv1a(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 16777619) >>> 0;
  return h >>> 0;
}

const nameAt = (buf: Buffer, at: number): string => {
  const end = buf.indexOf(0, at);
  return buf.toString('latin1', at, end < 0 || end > at + 16 ? at + 16 : end);
};

export class RecordDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly rec: NativeRecord = { type: 0, flags: 0, seq: 0, pid: 0, v: new Float64Array(5), u: 0, name: '' };
  private nextSeq = 0;
  /** Bytes skipped because they did not form a valid record (torn, garbled). */
  skippedBytes = 0;
  /** Records whose sequence number never arrived (a gap in seq). */
  lostRecords = 0;
  /** Records decoded. */
  records = 0;

  /** Decodes every whole record in what arrived so far; keeps an incomplete tail for the next chunk. */
  feed(chunk: Uint8Array, onRecord: (r: NativeRecord) => void): void {
    const buf =
      this.pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.pending, chunk]);
    let at = 0;
    while (buf.length - at >= RECORD_BYTES) {
      if (buf.readUInt32LE(at) !== RECORD_MAGIC || fnv1a(buf, at, at + 60) !== buf.readUInt32LE(at + 60)) {
        // Not a record here: move to the next place the magic appears (byte by byte, a record may start anywhere).
        const next = buf.indexOf(MAGIC_BYTES, at + 1);
        const to = next < 0 ? Math.max(at + 1, buf.length - (MAGIC_BYTES.length - 1)) : next;
        this.skippedBytes += to - at;
        at = to;
        continue;
      }
      const seq = buf.readUInt32LE(at + 8);
      if (seq > this.nextSeq) this.lostRecords += seq - this.nextSeq;
      if (seq >= this.nextSeq) this.nextSeq = seq + 1;
      else {
        // A sequence number already seen (a duplicate or a replay): not delivered twice.
        at += RECORD_BYTES;
        continue;
      }
      const r = this.rec;
      const type = buf.readUInt16LE(at + 4);
      r.type = type;
      r.flags = buf.readUInt16LE(at + 6);
      r.seq = seq;
      r.pid = buf.readInt32LE(at + 12);
      for (let k = 0; k < 5; k++) r.v[k] = buf.readDoubleLE(at + 16 + 8 * k);
      r.u = buf.readUInt32LE(at + 56);
      r.name = type === REC.JOIN ? nameAt(buf, at + 24) : type === REC.LEAVE ? nameAt(buf, at + 40) : '';
      onRecord(r);
      this.records++;
      at += RECORD_BYTES;
    }
    this.pending = Buffer.from(buf.subarray(at));
  }

  /** Bytes of an incomplete record still held (a stream that ended here was torn). */
  get pendingBytes(): number {
    return this.pending.length;
  }
}

const MAGIC_BYTES = (() => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(RECORD_MAGIC);
  return b;
})();

/** One record as native/sampler.c writes it (tests, and the fake helper of the tests). */
export function encodeRecord(r: {
  type: number;
  flags?: number;
  seq: number;
  pid?: number;
  v?: readonly number[];
  u?: number;
  name?: string;
}): Buffer {
  const b = Buffer.alloc(RECORD_BYTES);
  b.writeUInt32LE(RECORD_MAGIC, 0);
  b.writeUInt16LE(r.type, 4);
  b.writeUInt16LE(r.flags ?? 0, 6);
  b.writeUInt32LE(r.seq, 8);
  b.writeInt32LE(r.pid ?? 0, 12);
  for (let k = 0; k < 5; k++) b.writeDoubleLE(r.v?.[k] ?? 0, 16 + 8 * k);
  if (r.name !== undefined) b.write(r.name.slice(0, 15), r.type === REC.LEAVE ? 40 : 24, 'latin1');
  b.writeUInt32LE(r.u ?? 0, 56);
  b.writeUInt32LE(fnv1a(b, 0, 60), 60);
  return b;
}
