/**
 * Mutable fields for building and modifying messages. Fields keep the order they were set in;
 * the encoder writes them in FIX order (or in that insertion order when asked to).
 */
import { formatDate, formatDecimal, formatTimeOfDay, formatUtcTimestamp, integerText, isDecimalText, type FixDate, type TimestampPrecision } from './values.js';
import type { GroupSchema, MessageSchema } from './schema.js';
import { MessageBuildError } from './errors.js';

/**
 * What a field can be set to. Numbers are written as exact decimals, booleans as Y/N. A `Date` is
 * written in the form of the field's type in the dictionary (see {@link dateText}); without a
 * dictionary, as a UTCTimestamp with milliseconds.
 */
export type FieldInput = string | number | boolean | Uint8Array | Date;

/** What a field map needs of a dictionary: tags by name and, to write dates, field types. */
export type FieldNames = Pick<MessageSchema, 'fieldByName'> & Partial<Pick<MessageSchema, 'field'>>;

/**
 * A `Date` as the text of a field of the given dictionary type (upper-case, as `FieldDef.type`):
 * UTCTIMESTAMP (and no type) `YYYYMMDD-HH:MM:SS.sss`, TZTIMESTAMP the same with `Z`,
 * UTCTIMEONLY/TIME `HH:MM:SS.sss`, TZTIMEONLY the same with `Z`, UTCDATEONLY/UTCDATE/LOCALMKTDATE/
 * DATE `YYYYMMDD`, MONTHYEAR `YYYYMM`; always in UTC.
 * @throws RangeError for a field whose type holds no date or time
 */
export function dateText(date: Date, type: string | undefined, tag: number): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new MessageBuildError(`field ${tag}: invalid Date`);
  switch (type) {
    case undefined:
    case 'UTCTIMESTAMP':
      return formatUtcTimestamp(ms, 3);
    case 'TZTIMESTAMP':
      return `${formatUtcTimestamp(ms, 3)}Z`;
    case 'UTCTIMEONLY':
    case 'TIME':
      return formatTimeOfDay(ms, 3);
    case 'TZTIMEONLY':
      return `${formatTimeOfDay(ms, 3)}Z`;
    case 'UTCDATEONLY':
    case 'UTCDATE':
    case 'LOCALMKTDATE':
    case 'DATE':
      return formatDate(date);
    case 'MONTHYEAR':
      return formatDate(date).slice(0, 6);
    default:
      throw new MessageBuildError(`field ${tag} is of type ${type}: a Date can only be set on a date or time field (UTCTIMESTAMP, TZTIMESTAMP, UTCTIMEONLY, TZTIMEONLY, UTCDATEONLY, LOCALMKTDATE, MONTHYEAR)`);
  }
}

/** A field key: tag number, or field name when a dictionary is known. */
export type FieldKey = number | string;

/** A group entry list stored under its NumInGroup tag. */
export type GroupList = Group[];

type Stored = string | Uint8Array | GroupList;

/** Converts a value to the text stored for it. */
export function toFieldText(value: string | number | boolean): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  return Number.isSafeInteger(value) ? integerText(value) : formatDecimal(value);
}

/** An ordered collection of fields; base of message sections and group entries. */
export class FieldMap {
  /** Tags in insertion order. */
  readonly tags: number[] = [];
  /** Values aligned with `tags`. */
  readonly values: Stored[] = [];
  /** Incremented when the set of tags changes (used to cache the encoding order). */
  version = 0;
  /** The encoder's cached field order for `version` (read by the encoder). */
  private orderCache: { version: number; order: number[] } | undefined = undefined;
  /** The `version` this map was last encoded at (read by the encoder to decide on caching). */
  private encodedVersion = -1;

  constructor(protected readonly names?: FieldNames) {}

  /** The stored form of a value for `tag`. */
  private stored(tag: number, value: FieldInput): string | Uint8Array {
    if (value instanceof Uint8Array) return value;
    if (value instanceof Date) return dateText(value, this.names?.field?.(tag)?.type, tag);
    return toFieldText(value);
  }

  protected tagOf(key: FieldKey): number {
    if (typeof key === 'number') return key;
    const def = this.names?.fieldByName(key);
    if (!def) throw new MessageBuildError(`unknown field name ${key}${this.names ? '' : ' (no dictionary given)'}`);
    return def.tag;
  }

  private indexOf(tag: number): number {
    return this.tags.indexOf(tag);
  }

  /** Sets (or replaces) a field. */
  set(key: FieldKey, value: FieldInput): this {
    const tag = this.tagOf(key);
    const stored = this.stored(tag, value);
    const i = this.indexOf(tag);
    if (i >= 0) this.values[i] = stored;
    else {
      this.tags.push(tag);
      this.values.push(stored);
      this.version++;
    }
    return this;
  }

  /** Appends a field even if the tag is present (to build deliberately repeated tags). */
  append(key: FieldKey, value: FieldInput): this {
    const tag = this.tagOf(key);
    this.tags.push(tag);
    this.values.push(this.stored(tag, value));
    this.version++;
    return this;
  }

  /** Sets a decimal from a number or from exact text (validated). */
  setDecimal(key: FieldKey, value: number | string): this {
    if (typeof value === 'string' && !isDecimalText(value)) throw new MessageBuildError(`not a decimal: ${value}`);
    return this.set(key, typeof value === 'string' ? value : formatDecimal(value));
  }

  /** Sets a UTCTimestamp from a Date or epoch milliseconds at the given precision. */
  setTimestamp(key: FieldKey, time: Date | number, precision: TimestampPrecision = 3, nanos = 0): this {
    return this.set(key, formatUtcTimestamp(typeof time === 'number' ? time : time.getTime(), precision, nanos));
  }

  /** Sets a UTCDateOnly / LocalMktDate. */
  setDate(key: FieldKey, date: Date | FixDate): this {
    return this.set(key, formatDate(date));
  }

  /** Removes every occurrence of a field; returns whether it was present. */
  remove(key: FieldKey): boolean {
    const tag = this.tagOf(key);
    let found = false;
    for (let i = this.tags.length - 1; i >= 0; i--) {
      if (this.tags[i] === tag) {
        this.tags.splice(i, 1);
        this.values.splice(i, 1);
        found = true;
      }
    }
    if (found) this.version++;
    return found;
  }

  /** True when the field is present. */
  has(key: FieldKey): boolean {
    return this.indexOf(this.tagOf(key)) >= 0;
  }

  /** Text of a field (raw bytes are decoded as latin1), undefined when absent or a group. */
  get(key: FieldKey): string | undefined {
    const i = this.indexOf(this.tagOf(key));
    if (i < 0) return undefined;
    const v = this.values[i];
    if (typeof v === 'string') return v;
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
    return String(v.length);
  }

  /** Integer value of a field, or undefined. */
  getInt(key: FieldKey): number | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : Number.parseInt(v, 10);
  }

  /** Replaces the entries of a repeating group. */
  setGroups(key: FieldKey, entries: Group[]): this {
    const tag = this.tagOf(key);
    const i = this.indexOf(tag);
    if (i >= 0) this.values[i] = entries;
    else {
      this.tags.push(tag);
      this.values.push(entries);
      this.version++;
    }
    return this;
  }

  /** Appends an entry to a repeating group, creating the group when needed. */
  addGroup(entry: Group): this {
    const i = this.indexOf(entry.countTag);
    const v = i >= 0 ? this.values[i] : undefined;
    if (Array.isArray(v)) v.push(entry);
    else this.setGroups(entry.countTag, [entry]);
    return this;
  }

  /** Entries of a repeating group (empty when absent). */
  getGroups(key: FieldKey): Group[] {
    const i = this.indexOf(this.tagOf(key));
    const v = i >= 0 ? this.values[i] : undefined;
    return Array.isArray(v) ? v : [];
  }

  /** Number of fields (a group counts once). */
  get size(): number {
    return this.tags.length;
  }

  /** Copies every field (groups deeply) into `target`. */
  copyInto(target: FieldMap): void {
    for (let i = 0; i < this.tags.length; i++) {
      const v = this.values[i];
      target.tags.push(this.tags[i]);
      target.values.push(Array.isArray(v) ? v.map((g) => g.clone()) : v);
    }
    target.version++;
  }
}

/** One entry of a repeating group. */
export class Group extends FieldMap {
  /** Member order from the dictionary, when known. */
  readonly order: readonly number[] | undefined;

  constructor(
    /** The NumInGroup tag. */
    readonly countTag: number,
    /** The tag that starts every entry. */
    readonly delimiter: number,
    layout?: GroupSchema | readonly number[],
    names?: FieldNames,
  ) {
    super(names);
    this.order = layout === undefined ? undefined : Array.isArray(layout) ? (layout as readonly number[]) : (layout as GroupSchema).order;
    this.schema = layout !== undefined && !Array.isArray(layout) ? (layout as GroupSchema) : undefined;
  }

  /** Group layout this entry was created from, if any (for nested groups). */
  readonly schema: GroupSchema | undefined;

  /** Creates an entry of a nested group using this group's layout. */
  newGroup(countTag: number): Group {
    const nested = this.schema?.groups.get(countTag);
    if (!nested) throw new MessageBuildError(`group ${this.countTag} has no nested group ${countTag}`);
    return new Group(countTag, nested.delimiter, nested, this.names);
  }

  /** A deep copy. */
  clone(): Group {
    const g = new Group(this.countTag, this.delimiter, this.schema ?? this.order, this.names);
    this.copyInto(g);
    return g;
  }
}
