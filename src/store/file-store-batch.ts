/**
 * The writes a file store has buffered since its last flush, performed together by the next one.
 * Positions are logical (computed when the writes were made), so performing a batch again after a
 * failure writes the same bytes at the same places.
 */
export class Batch {
  /** Truncate `.header` and `.body` first (a store reset). */
  reset = false;
  /** Cut `.header` back to `headerPos` first (a torn tail left by a crash). */
  truncateHeader = false;
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
  private body: Buffer[] = [];
  private header: string[] = [];
  bodyBytes = 0;
  headerBytes = 0;

  constructor(
    /** Where the body bytes of this batch start in `.body`. */
    readonly bodyPos: number,
    /** Where the records of this batch start in `.header`. */
    readonly headerPos: number,
  ) {}

  /** Nothing to write. */
  get empty(): boolean {
    return !this.reset && !this.truncateHeader && !this.session && !this.seqNums && this.header.length === 0;
  }

  /** End of this batch's bytes in `.body`. */
  get bodyEnd(): number {
    return this.bodyPos + this.bodyBytes;
  }

  addBody(bytes: Buffer): void {
    this.body.push(bytes);
    this.bodyBytes += bytes.length;
  }

  addHeader(record: string): void {
    this.header.push(record);
    this.headerBytes += record.length;
  }

  bodyBuffer(): Buffer {
    return this.body.length === 1 ? this.body[0] : Buffer.concat(this.body, this.bodyBytes);
  }

  /** The header records as bytes, in `scratch` (grown when too small) when given. */
  headerBuffer(scratch?: { buf: Buffer }): Buffer {
    if (!scratch) return Buffer.from(this.header.join(''), 'latin1');
    if (scratch.buf.length < this.headerBytes) scratch.buf = Buffer.allocUnsafe(Math.max(this.headerBytes, scratch.buf.length * 2));
    const buf = scratch.buf;
    let at = 0;
    for (const record of this.header) at += buf.write(record, at, 'latin1');
    return buf.subarray(0, at);
  }

  /** This (failed) batch followed by the writes buffered since it was taken. */
  merge(next: Batch): Batch {
    if (next.reset) return next;
    const m = new Batch(this.bodyPos, this.headerPos);
    m.epoch = next.epoch === -1 || next.epoch === this.epoch ? this.epoch : this.epoch === -1 ? next.epoch : 0;
    m.reset = this.reset;
    m.truncateHeader = this.truncateHeader || next.truncateHeader;
    m.session = next.session ?? this.session;
    m.seqNums = this.seqNums || next.seqNums;
    for (const b of [this, next]) {
      for (const x of b.body) m.addBody(x);
      for (const x of b.header) m.addHeader(x);
    }
    return m;
  }
}
