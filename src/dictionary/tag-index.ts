/**
 * Lookups keyed by integer tag for the validation hot path: a byte map (set) or a dense array
 * (table) for tags below a limit, with a Map for the rare larger tag.
 */

/** Tags at or above this go to the Map fallback. */
export const DENSE_TAG_LIMIT = 1 << 16;

/** A set of tags: one byte per tag up to the largest tag below `DENSE_TAG_LIMIT`. */
export class TagSet {
  private readonly bits: Uint8Array;
  private readonly large: ReadonlySet<number> | undefined;

  constructor(tags: Iterable<number>) {
    const all = [...tags];
    let max = -1;
    const large = new Set<number>();
    for (const t of all) {
      if (t >= DENSE_TAG_LIMIT) large.add(t);
      else if (t > max) max = t;
    }
    this.bits = new Uint8Array(max + 1);
    for (const t of all) if (t >= 0 && t < DENSE_TAG_LIMIT) this.bits[t] = 1;
    this.large = large.size > 0 ? large : undefined;
  }

  has(tag: number): boolean {
    if (tag >= 0 && tag < this.bits.length) return this.bits[tag] === 1;
    return this.large !== undefined && this.large.has(tag);
  }
}

/** Values keyed by tag: a dense array up to the largest tag below `DENSE_TAG_LIMIT`, then a Map. */
export class TagTable<T> {
  private readonly dense: (T | undefined)[];
  private readonly large = new Map<number, T>();

  constructor(entries: Iterable<readonly [number, T]>) {
    const all = [...entries];
    let max = -1;
    for (const [t] of all) if (t < DENSE_TAG_LIMIT && t > max) max = t;
    this.dense = new Array<T | undefined>(max + 1).fill(undefined);
    for (const [t, v] of all) {
      if (t >= 0 && t < DENSE_TAG_LIMIT) this.dense[t] = v;
      else this.large.set(t, v);
    }
  }

  get(tag: number): T | undefined {
    if (tag >= 0 && tag < this.dense.length) return this.dense[tag];
    return this.large.size === 0 ? undefined : this.large.get(tag);
  }
}
