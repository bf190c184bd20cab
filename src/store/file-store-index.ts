/**
 * The in-memory index of a file store: sequence number -> (offset, size) in the `.body` file.
 *
 * A session stores its messages one after the other: consecutive sequence numbers, each message
 * right after the previous one in `.body`. As long as that holds the index keeps only each
 * message's size (2 bytes per message; the rare message of 64 KiB or more has its size in a map)
 * and the offset of every 64th (DenseIndex), so a million messages cost 2 MiB. The first entry
 * that breaks the pattern (a gap, a replacement, an insertion) turns it into the general form:
 * three parallel typed arrays sorted by sequence number, 16 bytes per message (SparseIndex). Storing an existing sequence number again replaces
 * its entry (QuickFIX keeps the last record written for a number).
 */

const INITIAL_CAPACITY = 1024;

/** One index entry. */
export interface IndexEntry {
  readonly seq: number;
  readonly offset: number;
  readonly size: number;
}

/** Sorted map from sequence number to the message's place in the body file, any order. */
class SparseIndex {
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

  /** Entries with begin <= seq <= end, in sequence order (the first `max` of them). */
  range(begin: number, end: number, max = Infinity): IndexEntry[] {
    const out: IndexEntry[] = [];
    for (let i = this.lowerBound(begin); i < this.count && this.seqs[i] <= end && out.length < max; i++) out.push(this.at(i));
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

const BLOCK = 64;

/** Sizes from this value up are kept in `DenseIndex.large`. */
const LARGE = 0xffff;

/** Consecutive sequence numbers stored back to back: sizes, and the offset of every 64th entry. */
class DenseIndex {
  firstSeq = 0;
  count = 0;
  /** Where the next message must start to keep the pattern. */
  end = 0;
  /** Sizes below LARGE; LARGE means "see `large`". */
  private sizes = new Uint16Array(INITIAL_CAPACITY);
  /** Position -> size of the messages of LARGE bytes or more. */
  private readonly large = new Map<number, number>();
  blocks = new Float64Array(INITIAL_CAPACITY / BLOCK);

  sizeAt(i: number): number {
    const s = this.sizes[i];
    return s === LARGE ? this.large.get(i)! : s;
  }

  /** Appends when `seq`/`offset` continue the pattern; false otherwise (nothing changed). */
  append(seq: number, offset: number, size: number): boolean {
    const n = this.count;
    if (n === 0) this.firstSeq = seq;
    else if (seq !== this.firstSeq + n || offset !== this.end) return false;
    if (n === this.sizes.length) {
      const sizes = new Uint16Array(n * 2);
      sizes.set(this.sizes);
      this.sizes = sizes;
      const blocks = new Float64Array((n * 2) / BLOCK);
      blocks.set(this.blocks);
      this.blocks = blocks;
    }
    if (n % BLOCK === 0) this.blocks[n / BLOCK] = offset;
    if (size >= LARGE) this.large.set(n, size);
    this.sizes[n] = size >= LARGE ? LARGE : size;
    this.count = n + 1;
    this.end = offset + size;
    return true;
  }

  offsetAt(i: number): number {
    const b = Math.floor(i / BLOCK);
    let offset = this.blocks[b];
    for (let k = b * BLOCK; k < i; k++) offset += this.sizeAt(k);
    return offset;
  }

  at(i: number): IndexEntry {
    return { seq: this.firstSeq + i, offset: this.offsetAt(i), size: this.sizeAt(i) };
  }

  range(begin: number, end: number, max = Infinity): IndexEntry[] {
    const out: IndexEntry[] = [];
    const from = Math.max(0, begin - this.firstSeq);
    const to = Math.min(this.count - 1, end - this.firstSeq, from + max - 1);
    if (from > to) return out;
    let offset = this.offsetAt(from);
    for (let i = from; i <= to; i++) {
      const size = this.sizeAt(i);
      out.push({ seq: this.firstSeq + i, offset, size });
      offset += size;
    }
    return out;
  }

  pop(): void {
    if (this.count === 0) return;
    this.count--;
    this.end -= this.sizeAt(this.count);
    this.large.delete(this.count);
  }

  get byteSize(): number {
    return this.sizes.byteLength + this.blocks.byteLength;
  }
}

/** The index a file store keeps: dense while messages are stored in order, sparse after that. */
export class SeqIndex {
  private dense: DenseIndex | null = new DenseIndex();
  private sparse: SparseIndex | null = null;

  /** Number of entries. */
  get length(): number {
    return this.dense ? this.dense.count : this.sparse!.length;
  }

  /** Bytes held by the typed arrays (capacity, not just the entries in use). */
  get byteSize(): number {
    return this.dense ? this.dense.byteSize : this.sparse!.byteSize;
  }

  /** Highest sequence number indexed, 0 when empty. */
  get lastSeq(): number {
    const d = this.dense;
    if (!d) return this.sparse!.lastSeq;
    return d.count === 0 ? 0 : d.firstSeq + d.count - 1;
  }

  /** Records where message `seq` is stored, replacing an earlier entry for the same number. */
  set(seq: number, offset: number, size: number): void {
    if (this.dense) {
      if (this.dense.append(seq, offset, size)) return;
      this.toSparse();
    }
    this.sparse!.set(seq, offset, size);
  }

  /** The entry for `seq`, or undefined. */
  get(seq: number): IndexEntry | undefined {
    const d = this.dense;
    if (!d) return this.sparse!.get(seq);
    const i = seq - d.firstSeq;
    return i >= 0 && i < d.count ? d.at(i) : undefined;
  }

  /** The entry at position `i` (0 <= i < length), in sequence order. */
  at(i: number): IndexEntry {
    return this.dense ? this.dense.at(i) : this.sparse!.at(i);
  }

  /** Entries with begin <= seq <= end, in sequence order (the first `max` of them). */
  range(begin: number, end: number, max = Infinity): IndexEntry[] {
    return this.dense ? this.dense.range(begin, end, max) : this.sparse!.range(begin, end, max);
  }

  /** Drops the last entry (used when a torn tail record is discarded). */
  pop(): void {
    if (this.dense) this.dense.pop();
    else this.sparse!.pop();
  }

  /** Removes every entry and gives the memory back. */
  clear(): void {
    this.dense = new DenseIndex();
    this.sparse = null;
  }

  private toSparse(): void {
    const d = this.dense!;
    const sparse = new SparseIndex();
    let offset = d.count > 0 ? d.blocks[0] : 0;
    for (let i = 0; i < d.count; i++) {
      const size = d.sizeAt(i);
      sparse.set(d.firstSeq + i, offset, size);
      offset += size;
    }
    this.sparse = sparse;
    this.dense = null;
  }
}
