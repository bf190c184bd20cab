/**
 * A parsed FIX message: integer tags and value offsets over the received bytes. Reading is lazy;
 * nothing is decoded until asked for, and no object is created per field.
 */
import { FieldReader, type FieldKey } from './field-reader.js';
import { scanGroup, type GroupScan } from './groups.js';
import { GroupError, MessageBuildError } from './errors.js';
import { printable } from './bytes.js';
import type { FieldTable } from './parser.js';
import { STANDARD_HEADER_TAGS, STANDARD_TRAILER_TAGS, type GroupSchema, type MessageSchema } from './schema.js';

/**
 * Tag -> first field index for the message view being read, shared by all views. The parser fills
 * it for its own view in the same pass (a lookup is then one load instead of a scan); any other
 * view that looks up more than one field fills it once, in one pass over its fields. A slot holds
 * `generation << POS_BITS | index`; a slot of another generation means the tag is absent.
 * Messages with more fields than POS_BITS can number are not indexed.
 */
const enum Index {
  /** Tags below this are indexed. */
  LIMIT = 1024,
  POS_BITS = 12,
  POS_MASK = 0xfff,
  /** Field count above which a message is searched without the index. */
  MAX_FIELDS = 0x1000,
  /** Generations run from 1 to this (exclusive); then the slots are cleared and it starts over. */
  MAX_GENERATION = 0x80000,
}
/** @internal the index layout, for the parser that fills it */
export const INDEX_TAG_LIMIT: number = Index.LIMIT;
/** @internal */
export const INDEX_POS_BITS: number = Index.POS_BITS;
/** @internal */
export const INDEX_MAX_FIELDS: number = Index.MAX_FIELDS;
/** @internal the slots, filled by the parser for its view */
export const indexSlots = new Int32Array(Index.LIMIT);
let indexGeneration = 0;
/** Id of the view the index was filled for. */
let indexOwner = 0;

/** @internal a fresh generation of the index (older slots then read as absent tags) */
export function nextIndexGeneration(): number {
  if (indexGeneration >= Index.MAX_GENERATION - 1) {
    indexSlots.fill(0);
    indexGeneration = 0;
  }
  return ++indexGeneration;
}
let viewIds = 0;

/** Which part of the message a field belongs to. */
export type Section = 'header' | 'body' | 'trailer';

/** Shared implementation of group access for messages and group entries. */
function groupEntries(
  owner: FieldReader & { readonly msgType: string },
  key: FieldKey,
  from: number,
  to: number,
  lookup: (countTag: number) => GroupSchema | undefined,
): GroupView[] {
  const countTag = typeof key === 'number' ? key : (owner.schema?.fieldByName(key)?.tag ?? -1);
  if (countTag < 0) throw new MessageBuildError(`unknown field name ${String(key)}`);
  const tags = owner.table.tags;
  let at = -1;
  for (let i = from; i < to; i++) {
    if (tags[i] === countTag) {
      at = i;
      break;
    }
  }
  if (at < 0) return [];
  const schema = lookup(countTag);
  if (!schema) throw new MessageBuildError(`no repeating group ${countTag} is defined for message type ${owner.msgType}`);
  const scan: GroupScan = scanGroup(owner.buf, owner.table, at, schema, to);
  if (scan.error) throw scan.error;
  return scan.entries.map((e) => new GroupView(owner, e.from, e.to, schema));
}

/** One entry of a repeating group. */
export class GroupView extends FieldReader {
  constructor(
    private readonly owner: FieldReader & { readonly msgType: string },
    from: number,
    to: number,
    /** Layout of the group this entry belongs to. */
    readonly groupSchema: GroupSchema,
  ) {
    super(owner.buf, owner.table, from, to, owner.schema);
  }

  get msgType(): string {
    return this.owner.msgType;
  }

  /** Entries of a group nested in this entry. */
  groups(key: FieldKey): GroupView[] {
    return groupEntries(this, key, this.from, this.to, (t) => this.groupSchema.groups.get(t));
  }

  /** Entries of a group nested in this entry, read with the given layout (no dictionary needed). */
  groupsWith(layout: GroupSchema): GroupView[] {
    return groupEntries(this, layout.countTag, this.from, this.to, () => layout);
  }
}

/**
 * A parsed message. A view returned by `Parser.parse` is reused by the next parse: call `clone()`
 * to keep it.
 */
export class MessageView extends FieldReader {
  private cachedMsgType: string | undefined;
  private cachedBeginString: string | undefined;
  /** Lookups since the last reset; the shared index is filled at the second one. */
  private lookups = 0;
  /** Generation of the shared index when this view filled it (0: never since the last reset). */
  private indexed = 0;
  private readonly viewId = ++viewIds;

  /** @internal use Parser */
  constructor(
    buf: Buffer,
    /** Offset of the frame in `buf`. */
    public start: number,
    /** End of the frame in `buf`. */
    public end: number,
    table: FieldTable,
    schema?: MessageSchema,
  ) {
    super(buf, table, 0, table.count, schema);
  }

  /** @internal points the view at a newly parsed frame. */
  reset(buf: Buffer, start: number, end: number): void {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.from = 0;
    this.to = this.table.count;
    this.cachedMsgType = undefined;
    this.cachedBeginString = undefined;
    this.lookups = 0;
    this.indexed = 0;
  }

  /**
   * First field with this tag: through the shared index when it holds this view (else from the
   * second lookup on). The usual case is kept small so that the getters inline it.
   */
  protected override find(tag: number): number {
    const gen = this.indexed;
    if (gen === indexGeneration && indexOwner === this.viewId && tag >>> 0 < Index.LIMIT) {
      const v = indexSlots[tag];
      return v >>> Index.POS_BITS === gen ? v & Index.POS_MASK : -1;
    }
    return this.findSlow(tag);
  }

  private findSlow(tag: number): number {
    if (tag >>> 0 < Index.LIMIT) {
      if (++this.lookups > 1 && this.to <= Index.MAX_FIELDS) {
        const filled = this.fillIndex();
        const v = indexSlots[tag];
        return v >>> Index.POS_BITS === filled ? v & Index.POS_MASK : -1;
      }
    }
    return super.find(tag);
  }

  /** Fills the shared index for this view; returns its generation. */
  private fillIndex(): number {
    const gen = nextIndexGeneration();
    this.adoptIndex(gen);
    // Locals: module-level bindings would be reloaded and re-checked on every iteration.
    const slots = indexSlots;
    const tags = this.table.tags;
    const stamp = gen << Index.POS_BITS;
    // Backwards, so that the first field with a tag is the one left in its slot.
    for (let i = this.to - 1, from = this.from; i >= from; i--) {
      const t = tags[i];
      if (t >>> 0 < Index.LIMIT) slots[t] = stamp | i;
    }
    return gen;
  }

  /** @internal the shared index of generation `gen` now holds this view's fields */
  adoptIndex(gen: number): void {
    indexOwner = this.viewId;
    this.indexed = gen;
  }

  /** Attaches a dictionary for names, groups and header/trailer membership. */
  withSchema(schema: MessageSchema | undefined): this {
    this.schema = schema;
    return this;
  }

  /** BeginString(8). */
  get beginString(): string {
    return (this.cachedBeginString ??= this.valueAt(0));
  }

  /** MsgType(35). */
  get msgType(): string {
    return (this.cachedMsgType ??= this.valueAt(2));
  }

  /** The frame bytes (a view into the received buffer). */
  get bytes(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** Whether a tag belongs to the header, body or trailer according to the dictionary. */
  sectionOf(tag: number): Section {
    if (this.schema) {
      if (this.schema.isHeaderField(tag)) return 'header';
      if (this.schema.isTrailerField(tag)) return 'trailer';
      return 'body';
    }
    if (STANDARD_HEADER_TAGS.has(tag)) return 'header';
    return STANDARD_TRAILER_TAGS.has(tag) ? 'trailer' : 'body';
  }

  /** Entries of a repeating group at the top level of the message (needs a dictionary). */
  groups(key: FieldKey): GroupView[] {
    const schema = this.requireSchema();
    return groupEntries(this, key, 0, this.to, (t) => schema.group(this.msgType, t));
  }

  /**
   * Entries of a top-level repeating group read with the given layout, whether or not a
   * dictionary is attached (the typed messages use the layouts they were generated with).
   */
  groupsWith(layout: GroupSchema): GroupView[] {
    return groupEntries(this, layout.countTag, 0, this.to, () => layout);
  }

  /** Scans a top-level group without throwing: entries plus the first structural error. @internal */
  scanGroup(countIndex: number, schema: GroupSchema): GroupScan {
    return scanGroup(this.buf, this.table, countIndex, schema, this.to);
  }

  /** An independent copy that stays valid after the parser moves on. */
  clone(): MessageView {
    const buf = Buffer.from(this.buf.subarray(this.start, this.end));
    const table = this.table.copy();
    const delta = this.start;
    for (let i = 0; i < table.count; i++) {
      table.starts[i] -= delta;
      table.ends[i] -= delta;
    }
    const v = new MessageView(buf, 0, buf.length, table, this.schema);
    return v;
  }

  /** The whole message with `|` for SOH. */
  override toString(): string {
    return printable(this.buf, this.start, this.end);
  }

  /**
   * A JSON form for humans: header, body and trailer objects keyed by field name (tag number when
   * unknown), repeating groups as arrays of entries when a dictionary is attached.
   */
  toJSON(): Record<string, Record<string, unknown>> {
    const out: Record<Section, Record<string, unknown>> = { header: {}, body: {}, trailer: {} };
    let i = 0;
    while (i < this.to) {
      const tag = this.table.tags[i];
      const section = this.sectionOf(tag);
      const group = this.schema?.group(this.msgType, tag);
      if (group) {
        const scan = scanGroup(this.buf, this.table, i, group, this.to);
        put(out[section], this.nameOf(tag), scan.entries.map((e) => this.entryJSON(e.from, e.to, group)));
        i = Math.max(scan.next, i + 1);
        continue;
      }
      put(out[section], this.nameOf(tag), this.valueAt(i));
      i++;
    }
    return out;
  }

  private entryJSON(from: number, to: number, schema: GroupSchema): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    let i = from;
    while (i < to) {
      const tag = this.table.tags[i];
      const nested = schema.groups.get(tag);
      if (nested) {
        const scan = scanGroup(this.buf, this.table, i, nested, to);
        put(obj, this.nameOf(tag), scan.entries.map((e) => this.entryJSON(e.from, e.to, nested)));
        i = Math.max(scan.next, i + 1);
        continue;
      }
      put(obj, this.nameOf(tag), this.valueAt(i));
      i++;
    }
    return obj;
  }

  private nameOf(tag: number): string {
    return this.schema?.field(tag)?.name ?? String(tag);
  }

  private requireSchema(): MessageSchema {
    if (!this.schema) throw new GroupError('bad-count', 0, 0, 'repeating groups need a dictionary: call withSchema()');
    return this.schema;
  }
}

function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (!(key in obj)) {
    obj[key] = value;
    return;
  }
  const prev = obj[key];
  obj[key] = Array.isArray(prev) && !Array.isArray(value) ? [...prev, value] : [prev, value];
}
