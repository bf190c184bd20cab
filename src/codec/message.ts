/**
 * A FIX message to build, modify and send: header, body and trailer field maps. Created empty,
 * from a parsed `MessageView` (groups structured when a dictionary is attached), or cloned.
 */
import { FieldMap, Group, type FieldInput, type FieldKey } from './field-map.js';
import { scanGroup } from './groups.js';
import { latin1, printable } from './bytes.js';
import type { MessageView } from './message-view.js';
import { STANDARD_HEADER_TAGS, STANDARD_TRAILER_TAGS, type GroupSchema, type MessageSchema } from './schema.js';
import { Encoder, type EncodeOptions } from './encoder.js';
import { Parser } from './parser.js';
import { MessageBuildError } from './errors.js';

/** Stands in for a missing BeginString while a message being built is shown (then cut off). */
const PLACEHOLDER_BEGIN_STRING = 'FIX.0.0';

/**
 * A FIX message being built or kept: header, body and trailer as field maps, set by tag number
 * (or by field name when a dictionary schema is attached: `Session.newMessage` attaches the session's), with repeating groups. `send` fills
 * the session fields (BeginString, CompIDs, MsgSeqNum, SendingTime); `toBuffer` encodes it.
 * Received messages are read through {@link MessageView} instead; `Message.fromView` copies one.
 *
 * @example
 * const order = new Message('D').set(11, 'C1').set(55, 'IBM').set(54, '1').set(38, 100).set(40, '1');
 */
export class Message {
  readonly header: FieldMap;
  readonly body: FieldMap;
  readonly trailer: FieldMap;

  constructor(
    msgType?: string,
    /** Dictionary used for names, sections and group layouts. */
    readonly schema?: MessageSchema,
  ) {
    this.header = new FieldMap(schema);
    this.body = new FieldMap(schema);
    this.trailer = new FieldMap(schema);
    if (msgType !== undefined) this.header.set(35, msgType);
  }

  /** MsgType(35). */
  get msgType(): string {
    return this.header.get(35) ?? '';
  }

  /** BeginString(8), when set. */
  get beginString(): string | undefined {
    return this.header.get(8);
  }

  private tagOf(key: FieldKey): number {
    if (typeof key === 'number') return key;
    const def = this.schema?.fieldByName(key);
    if (!def) throw new MessageBuildError(`unknown field name ${key}${this.schema ? '' : ' (no dictionary given)'}`);
    return def.tag;
  }

  /** The section a tag belongs in (dictionary first, then the standard header/trailer sets). */
  sectionFor(key: FieldKey): FieldMap {
    const tag = this.tagOf(key);
    if (this.schema ? this.schema.isHeaderField(tag) : STANDARD_HEADER_TAGS.has(tag)) return this.header;
    if (this.schema ? this.schema.isTrailerField(tag) : STANDARD_TRAILER_TAGS.has(tag)) return this.trailer;
    return this.body;
  }

  /** Sets a field in the section it belongs to. */
  set(key: FieldKey, value: FieldInput): this {
    this.sectionFor(key).set(this.tagOf(key), value);
    return this;
  }

  /** Reads a field from whichever section holds it. */
  get(key: FieldKey): string | undefined {
    return this.sectionFor(key).get(this.tagOf(key));
  }

  /** True when the field is present in its section. */
  has(key: FieldKey): boolean {
    return this.sectionFor(key).has(this.tagOf(key));
  }

  /** Removes a field from its section. */
  remove(key: FieldKey): boolean {
    return this.sectionFor(key).remove(this.tagOf(key));
  }

  /** A new, empty entry for one of this message's repeating groups (layout from the dictionary). */
  newGroup(key: FieldKey): Group {
    const countTag = this.tagOf(key);
    const layout = this.schema?.group(this.msgType, countTag);
    if (!layout) throw new MessageBuildError(`no repeating group ${countTag} is defined for message type ${this.msgType}`);
    return new Group(countTag, layout.delimiter, layout, this.schema);
  }

  /** Adds an entry to a repeating group in the body (or the header, for header groups). */
  addGroup(entry: Group): this {
    this.sectionFor(entry.countTag).addGroup(entry);
    return this;
  }

  /** Entries of a repeating group. */
  getGroups(key: FieldKey): Group[] {
    return this.sectionFor(key).getGroups(this.tagOf(key));
  }

  /** A deep copy. */
  clone(): Message {
    const m = new Message(undefined, this.schema);
    this.header.copyInto(m.header);
    this.body.copyInto(m.body);
    this.trailer.copyInto(m.trailer);
    return m;
  }

  /** Encodes the message into a new Buffer with BodyLength and CheckSum computed. */
  toBuffer(options?: EncodeOptions): Buffer {
    return new Encoder().encodeCopy(this, options);
  }

  /**
   * The encoded message with `|` for SOH. A message without BeginString(8) yet (one being built,
   * before the session fills in the header) is shown from MsgType(35) on, without the BeginString,
   * BodyLength and CheckSum it does not have.
   */
  toString(): string {
    if (this.header.has(8)) return printable(this.toBuffer());
    const bytes = this.toBuffer({ beginString: PLACEHOLDER_BEGIN_STRING });
    // Skip "8=…|9=…|" and drop the trailing "10=nnn|".
    const bodyStart = bytes.indexOf(1, bytes.indexOf(1) + 1) + 1;
    return printable(bytes.subarray(bodyStart, bytes.length - 7));
  }

  /**
   * Human-readable JSON (field names when a dictionary is attached). Before BeginString(8) is set,
   * BeginString, BodyLength and CheckSum are left out, as in `toString()`.
   */
  toJSON(): Record<string, unknown> {
    const complete = this.header.has(8);
    const buf = complete ? this.toBuffer() : this.toBuffer({ beginString: PLACEHOLDER_BEGIN_STRING });
    const json = new Parser({ validateChecksum: false, validateLength: false }).parse(buf).withSchema(this.schema).toJSON();
    if (!complete) {
      for (const tag of [8, 9]) delete json.header[this.schema?.field(tag)?.name ?? String(tag)];
      delete json.trailer[this.schema?.field(10)?.name ?? '10'];
    }
    return json;
  }

  /**
   * Builds a message from a parsed view, keeping the wire order of fields. With a dictionary
   * (given or attached to the view) repeating groups become `Group` entries.
   */
  static fromView(view: MessageView, schema: MessageSchema | undefined = view.schema): Message {
    const m = new Message(undefined, schema);
    const table = view.table;
    const msgType = view.msgType;
    let i = 0;
    const n = view.fieldCount;
    while (i < n) {
      const tag = table.tags[i];
      if (tag === 10 || tag === 9) {
        i++;
        continue;
      }
      const section = m.sectionFor(tag);
      const layout = schema?.group(msgType, tag);
      if (layout) {
        i = readGroupInto(view, i, layout, n, section, schema);
        continue;
      }
      section.append(tag, fieldValue(view, i));
      i++;
    }
    return m;
  }
}

function fieldValue(view: MessageView, i: number): string {
  return latin1(view.buf, view.table.starts[i], view.table.ends[i]);
}

/** Converts the group at index i into Group entries appended to `target`; returns the next index. */
function readGroupInto(view: MessageView, i: number, layout: GroupSchema, limit: number, target: FieldMap, schema?: MessageSchema): number {
  const scan = scanGroup(view.buf, view.table, i, layout, limit);
  if (scan.entries.length === 0) {
    target.append(layout.countTag, fieldValue(view, i));
    return i + 1;
  }
  const entries: Group[] = [];
  for (const e of scan.entries) {
    const g = new Group(layout.countTag, layout.delimiter, layout, schema);
    let k = e.from;
    while (k < e.to) {
      const nested = layout.groups.get(view.table.tags[k]);
      if (nested) {
        k = readGroupInto(view, k, nested, e.to, g, schema);
        continue;
      }
      g.append(view.table.tags[k], fieldValue(view, k));
      k++;
    }
    entries.push(g);
  }
  target.tags.push(layout.countTag);
  target.values.push(entries);
  target.version++;
  return Math.max(scan.next, i + 1);
}
