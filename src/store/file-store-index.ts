/**
 * The in-memory index of a file store: sequence number -> (offset, size) in the `.body` file.
 *
 * Kept in three parallel typed arrays sorted by sequence number (16 bytes per message, no object
 * per entry), so a session that stores millions of messages keeps a flat, compact footprint.
 * Appends in increasing order are O(1) amortised; storing an existing sequence number again
 * replaces its entry (QuickFIX keeps the last record written for a number).
 */

const INITIAL_CAPACITY = 1024;

/** One index entry. */
export interface IndexEntry {
  readonly seq: number;
  readonly offset: number;
  readonly size: number;
}

/** Sorted, compact map from sequence number to the message's place in the body file. */
export class SeqIndex {
  private seqs = new Uint32Array(INITIAL_CAPACITY);
  private offsets = new Float64Array(INITIAL_CAPACITY);
  private sizes = new Uint32Array(INITIAL_CAPACITY);
  private count = 0;

  /** Number of entries. */
  get length(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays (capacity, not just the entries in use). */
  get byteSize(): number {
    return this.seqs.byteLength + this.offsets.byteLength + this.sizes.byteLength;
  }

  /** Highest sequence number indexed, 0 when empty. */
  get lastSeq(): number {
    return this.count === 0 ? 0 : this.seqs[this.count - 1];
  }

  /** Records where message `seq` is stored, replacing an earlier entry for the same number. */
  set(seq: number, offset: number, size: number): void {
    const n = this.count;
    if (n === 0 || seq > this.seqs[n - 1]) {
      this.ensure(n + 1);
      this.put(n, seq, offset, size);
      this.count = n + 1;
      return;
    }
    const i = this.lowerBound(seq);
    if (i < n && this.seqs[i] === seq) {
      this.offsets[i] = offset;
      this.sizes[i] = size;
      return;
    }
    this.ensure(n + 1);
    this.seqs.copyWithin(i + 1, i, n);
    this.offsets.copyWithin(i + 1, i, n);
    this.sizes.copyWithin(i + 1, i, n);
    this.put(i, seq, offset, size);
    this.count = n + 1;
  }

  /** The entry for `seq`, or undefined. */
  get(seq: number): IndexEntry | undefined {
    const i = this.lowerBound(seq);
    return i < this.count && this.seqs[i] === seq ? this.at(i) : undefined;
  }

  /** The entry at position `i` (0 <= i < length), in sequence order. */
  at(i: number): IndexEntry {
    return { seq: this.seqs[i], offset: this.offsets[i], size: this.sizes[i] };
  }

  /** Entries with begin <= seq <= end, in sequence order. */
  range(begin: number, end: number): IndexEntry[] {
    const out: IndexEntry[] = [];
    for (let i = this.lowerBound(begin); i < this.count && this.seqs[i] <= end; i++) out.push(this.at(i));
    return out;
  }

  /** Drops the last entry (used when a torn tail record is discarded). */
  pop(): void {
    if (this.count > 0) this.count--;
  }

  /** Removes every entry and gives the memory back. */
  clear(): void {
    this.seqs = new Uint32Array(INITIAL_CAPACITY);
    this.offsets = new Float64Array(INITIAL_CAPACITY);
    this.sizes = new Uint32Array(INITIAL_CAPACITY);
    this.count = 0;
  }

  /** First position whose sequence number is >= seq. */
  private lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private put(i: number, seq: number, offset: number, size: number): void {
    this.seqs[i] = seq;
    this.offsets[i] = offset;
    this.sizes[i] = size;
  }

  private ensure(n: number): void {
    if (n <= this.seqs.length) return;
    const cap = Math.max(n, this.seqs.length * 2);
    const grow = <T extends Uint32Array | Float64Array>(a: T, b: T): T => {
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.seqs = grow(this.seqs, new Uint32Array(cap));
    this.offsets = grow(this.offsets, new Float64Array(cap));
    this.sizes = grow(this.sizes, new Uint32Array(cap));
  }
}
