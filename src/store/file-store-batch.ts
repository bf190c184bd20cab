/**
 * The writes a file store has buffered since its last flush, performed together by the next one.
 * Positions are logical (computed when the writes were made), so performing a batch again after a
 * failure writes the same bytes at the same places.
 */
import { headerRecordLength, writeHeaderRecord } from './file-store-format.js';

const EMPTY = Buffer.alloc(0);

export class Batch {
  /** Truncate `.header` and `.body` first (a store reset). */
  reset = false;
  /**
   * A reset must cut `.header` and `.body` (under its marker); false when both were empty on disk
   * with nothing queued that would change them: only `.seqnums` and `.session` are then written.
   */
  cuts = true;
  /** Cut `.header` back to `headerPos` first (a torn tail left by a crash). */
  truncateHeader = false;
  /** Cut `.body` back to `bodyPos` first (bytes no record points at, dropped by a repair). */
  truncateBody = false;
  /** Creation time to write to `.session`. */
  session: Date | null = null;
  /** `.seqnums` changed. */
  seqNums = false;
  /** The sequence numbers to write to `.seqnums` (next sender, next target), fixed when the batch is taken for writing; -1 when not taken. */
  nextSender = -1;
  nextTarget = -1;
  /**
   * Ownership epoch the writes were made under (-1: none yet, so the epoch current when the batch
   * is written applies; 0: made by a node that did not own the session, or under several epochs).
   */
  epoch = -1;
  // Entries [0, count) are this batch's; the arrays are not cut when a batch is reused (V8 drops
  // an array's storage when its length is set to 0, and the next push would allocate it again).
  private body: Buffer[] = [];
  private bodyCount = 0;
  /** The `.header` records as numbers (sequence number, offset, size), formatted when written. */
  private header: number[] = [];
  private headerCount = 0;
  bodyBytes = 0;
  headerBytes = 0;

  constructor(
    /** Where the body bytes of this batch start in `.body`. */
    public bodyPos: number,
    /** Where the records of this batch start in `.header`. */
    public headerPos: number,
  ) {}

  /**
   * Empties a written batch for reuse as the next one: its arrays keep their capacity, so a store
   * flushing one message at a time does not allocate them again for each.
   */
  reuse(bodyPos: number, headerPos: number): this {
    this.bodyPos = bodyPos;
    this.headerPos = headerPos;
    this.reset = false;
    this.cuts = true;
    this.truncateHeader = false;
    this.truncateBody = false;
    this.session = null;
    this.seqNums = false;
    this.nextSender = -1;
    this.nextTarget = -1;
    this.epoch = -1;
    this.body.fill(EMPTY, 0, this.bodyCount);
    this.bodyCount = 0;
    this.headerCount = 0;
    this.bodyBytes = 0;
    this.headerBytes = 0;
    return this;
  }

  /** Nothing to write. */
  get empty(): boolean {
    return !this.reset && !this.truncateHeader && !this.truncateBody && !this.session && !this.seqNums && this.headerCount === 0;
  }

  /** End of this batch's bytes in `.body`. */
  get bodyEnd(): number {
    return this.bodyPos + this.bodyBytes;
  }

  addBody(bytes: Buffer): void {
    if (this.bodyCount < this.body.length) this.body[this.bodyCount] = bytes;
    else this.body.push(bytes);
    this.bodyCount++;
    this.bodyBytes += bytes.length;
  }

  /** The `.header` record of a message: `seq,offset,size ` (see `formatHeaderRecord`); returns its length. */
  addHeader(seq: number, offset: number, size: number): number {
    const h = this.header;
    const at = this.headerCount * 3;
    if (at < h.length) {
      h[at] = seq;
      h[at + 1] = offset;
      h[at + 2] = size;
    } else h.push(seq, offset, size);
    this.headerCount++;
    const length = headerRecordLength(seq, offset, size);
    this.headerBytes += length;
    return length;
  }

  bodyBuffer(): Buffer {
    return this.bodyCount === 1 ? this.body[0] : Buffer.concat(this.body.slice(0, this.bodyCount), this.bodyBytes);
  }

  /**
   * The header records as bytes in the first `headerBytes` bytes of `scratch.buf` (grown when too
   * small), which it returns. Records are ASCII: one byte per character.
   */
  headerInto(scratch: { buf: Buffer }): Buffer {
    if (scratch.buf.length < this.headerBytes) scratch.buf = Buffer.allocUnsafe(Math.max(this.headerBytes, scratch.buf.length * 2));
    const buf = scratch.buf;
    const h = this.header;
    for (let i = 0, at = 0; i < this.headerCount * 3; i += 3) at = writeHeaderRecord(buf, at, h[i], h[i + 1], h[i + 2]);
    return buf;
  }

  /** This (failed) batch followed by the writes buffered since it was taken. */
  merge(next: Batch): Batch {
    if (next.reset) return next;
    const m = new Batch(this.bodyPos, this.headerPos);
    m.epoch = next.epoch === -1 || next.epoch === this.epoch ? this.epoch : this.epoch === -1 ? next.epoch : 0;
    m.reset = this.reset;
    m.cuts = this.cuts;
    m.truncateHeader = this.truncateHeader || next.truncateHeader;
    m.truncateBody = this.truncateBody || next.truncateBody;
    m.session = next.session ?? this.session;
    m.seqNums = this.seqNums || next.seqNums;
    for (const b of [this, next]) {
      for (let i = 0; i < b.bodyCount; i++) m.addBody(b.body[i]);
      for (let i = 0; i < b.headerCount * 3; i += 3) m.addHeader(b.header[i], b.header[i + 1], b.header[i + 2]);
    }
    return m;
  }
}
