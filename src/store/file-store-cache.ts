/**
 * The bounded cache of recently stored message bodies (`FileStoreMaxCachedMsgs`), kept without an
 * object per message.
 *
 * A cache of Buffer objects (one per message) looks cheap but is not: every cached message
 * survives a few young-generation collections, is copied and promoted to the old generation, and
 * is garbage there once evicted. At tens of thousands of messages per second that makes each
 * scavenge copy megabytes (milliseconds of pause), grows the heap and the resident set with
 * promoted garbage, and holds Buffer pool slabs alive until a full collection. Here the bytes are
 * copied into one ring of bytes and the entries are three typed arrays, so storing a message
 * allocates nothing and the garbage collector has nothing to trace.
 *
 * Entries are slots addressed by `seq % slots` (a session stores consecutive numbers, so the
 * last `slots` messages each have their own slot; a number that lands on an occupied slot
 * replaces the older entry, which is only a cache miss). The slots double, up to `capacity`,
 * when a number would replace one of the last `capacity` numbers. Bytes are written one after
 * the other into the ring; an entry whose bytes have since been overwritten is gone. Positions
 * are counted from the start without wrapping (a double counts exactly to 2^53), so
 * "overwritten" is a comparison. The ring doubles, up to MAX_RING_BYTES, when it would overwrite
 * an entry the slots still need; a message larger than a quarter of the ring is not cached.
 */
const INITIAL_RING_BYTES = 64 * 1024;
const MAX_RING_BYTES = 64 * 1024 * 1024;
const INITIAL_SLOTS = 1024;

export class MessageCache {
  /** Sequence number held by each slot (0: empty). */
  private seqs: Float64Array;
  /** Position of each slot's bytes, counted from the first byte ever written. */
  private positions: Float64Array;
  private sizes: Uint32Array;
  private ring: Buffer;
  /** Bytes written since the start (the position the next message goes to, before wrapping). */
  private written = 0;

  constructor(readonly capacity: number) {
    const n = Math.min(Math.max(0, capacity), INITIAL_SLOTS);
    this.seqs = new Float64Array(n);
    this.positions = new Float64Array(n);
    this.sizes = new Uint32Array(n);
    this.ring = Buffer.allocUnsafe(n === 0 ? 0 : INITIAL_RING_BYTES);
  }

  /** Number of messages held (counted on demand: a diagnostic, not for the hot path). */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.seqs.length; i++) if (this.seqs[i] !== 0 && this.live(i)) n++;
    return n;
  }

  /** Bytes reserved for message bodies. */
  get byteSize(): number {
    return this.ring.length;
  }

  /** A copy of the bytes stored for `seq`, or undefined when not cached. */
  get(seq: number): Buffer | undefined {
    const i = this.slotOf(seq);
    if (i < 0) return undefined;
    const start = this.positions[i] % this.ring.length;
    return Buffer.from(this.ring.subarray(start, start + this.sizes[i]));
  }

  has(seq: number): boolean {
    return this.slotOf(seq) >= 0;
  }

  /** Keeps a copy of `bytes` for `seq`, replacing what the slot held. */
  set(seq: number, bytes: Uint8Array): void {
    const n = this.capacity;
    if (n <= 0) return;
    const size = bytes.length;
    if (size * 4 > this.ring.length && !this.grow(size)) {
      this.drop(seq);
      return;
    }
    let at = this.written % this.ring.length;
    if (at + size > this.ring.length) {
      // Never split a message: skip the ring's tail and start again at its front.
      this.written += this.ring.length - at;
      at = 0;
    }
    this.ring.set(bytes, at);
    let i = seq % this.seqs.length;
    const held = this.seqs[i];
    if (held !== 0 && held !== seq && held > seq - n && this.seqs.length < n && this.live(i)) {
      this.moreSlots();
      i = seq % this.seqs.length;
    }
    this.seqs[i] = seq;
    this.positions[i] = this.written;
    this.sizes[i] = size;
    this.written += size;
    // The ring is too small for the slots' messages of this size when it starts overwriting the
    // entry due to be replaced next (with consecutive numbers, the oldest one): grow it then.
    if (this.written > this.ring.length && this.ring.length < MAX_RING_BYTES) {
      const older = (seq + 1) % this.seqs.length;
      if (this.seqs[older] !== 0 && !this.live(older)) this.grow(size);
    }
  }

  clear(): void {
    this.seqs.fill(0);
    this.written = 0;
  }

  private slotOf(seq: number): number {
    const n = this.seqs.length;
    if (n === 0) return -1;
    const i = seq % n;
    return this.seqs[i] === seq && this.live(i) ? i : -1;
  }

  /** Doubles the slots (up to `capacity`), moving the live entries to their new places. */
  private moreSlots(): void {
    const { seqs, positions, sizes } = this;
    const n = Math.min(this.capacity, seqs.length * 2);
    this.seqs = new Float64Array(n);
    this.positions = new Float64Array(n);
    this.sizes = new Uint32Array(n);
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i];
      if (seq === 0 || !this.liveAt(positions[i])) continue;
      const j = seq % n;
      // Two old entries can meet in one new slot only when their numbers are `n` apart: keep the later.
      if (this.seqs[j] > seq) continue;
      this.seqs[j] = seq;
      this.positions[j] = positions[i];
      this.sizes[j] = sizes[i];
    }
  }

  /** The slot's bytes have not been overwritten since. */
  private live(i: number): boolean {
    return this.liveAt(this.positions[i]);
  }

  /** Bytes written at `position` have not been overwritten since. */
  private liveAt(position: number): boolean {
    return position >= this.written - this.ring.length;
  }

  private drop(seq: number): void {
    const i = seq % this.seqs.length;
    if (this.seqs[i] === seq) this.seqs[i] = 0;
  }

  /**
   * Doubles the ring (up to MAX_RING_BYTES) until `size` is at most a quarter of it, keeping the
   * entries that are still live; returns false when it cannot get that large.
   */
  private grow(size: number): boolean {
    let length = this.ring.length;
    while (size * 4 > length || length === this.ring.length) {
      if (length * 2 > MAX_RING_BYTES) break;
      length *= 2;
    }
    if (length === this.ring.length) return size * 4 <= length;
    const next = Buffer.allocUnsafe(length);
    // Live entries keep their positions: written - old length <= position, so after the copy
    // each lies within the last `length` bytes and at position % length in the new ring.
    for (let i = 0; i < this.seqs.length; i++) {
      if (this.seqs[i] === 0) continue;
      if (!this.live(i)) {
        this.seqs[i] = 0;
        continue;
      }
      const from = this.positions[i] % this.ring.length;
      this.ring.copy(next, this.positions[i] % length, from, from + this.sizes[i]);
    }
    this.ring = next;
    return size * 4 <= length;
  }
}
