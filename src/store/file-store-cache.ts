/**
 * The bounded cache of recently stored message bodies (`FileStoreMaxCachedMsgs`): a map for lookup
 * and a ring of sequence numbers for first-in, first-out eviction (a Map iterated from its front
 * after many deletions gets slow in V8, a ring does not).
 */
export class MessageCache {
  private readonly map = new Map<number, Buffer>();
  private readonly ring: Uint32Array;
  private head = 0;

  constructor(readonly capacity: number) {
    this.ring = new Uint32Array(Math.max(0, capacity));
  }

  get size(): number {
    return this.map.size;
  }

  get(seq: number): Buffer | undefined {
    return this.map.get(seq);
  }

  has(seq: number): boolean {
    return this.map.has(seq);
  }

  /** Keeps `bytes` for `seq`, evicting the oldest entry when full. */
  set(seq: number, bytes: Buffer): void {
    if (this.capacity === 0) return;
    if (this.map.has(seq)) {
      this.map.set(seq, bytes);
      return;
    }
    if (this.map.size >= this.capacity) this.map.delete(this.ring[this.head]);
    this.ring[this.head] = seq;
    this.head = (this.head + 1) % this.capacity;
    this.map.set(seq, bytes);
  }

  clear(): void {
    this.map.clear();
    this.head = 0;
  }
}
