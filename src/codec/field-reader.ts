/**
 * Typed, lazy access to the fields of a parsed message or of one repeating-group entry. Values are
 * decoded from the received bytes only when asked for.
 */
import { FieldFormatError, FieldNotFoundError, MessageBuildError } from './errors.js';
import { latin1, printable } from './bytes.js';
import type { FieldTable } from './parser.js';
import type { MessageSchema } from './schema.js';
import {
  isDecimalBytes,
  parseDate,
  parseDecimalBytes,
  parseIntBytes,
  parseMonthYear,
  parseUtcTimeOnly,
  parseUtcTimestamp,
  type FixDate,
  type FixMonthYear,
  type FixTime,
} from './values.js';

const fromCharCode = String.fromCharCode;

/**
 * Decodes bytes [s, e) one byte per character, like `latin1`. Short values, the usual case, are
 * built with String.fromCharCode, which costs a fraction of a call into Node's latin1Slice.
 */
function text(b: Buffer, s: number, e: number): string {
  switch (e - s) {
    case 0:
      return '';
    case 1:
      return fromCharCode(b[s]);
    case 2:
      return fromCharCode(b[s], b[s + 1]);
    case 3:
      return fromCharCode(b[s], b[s + 1], b[s + 2]);
    case 4:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
    case 9:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8]);
    case 10:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9]);
    case 11:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10]);
    case 12:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11]);
    case 13:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12]);
    case 14:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13]);
    case 15:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14]);
    case 16:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15]);
    case 17:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16]);
    case 18:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17]);
    case 19:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18]);
    case 20:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19]);
    case 21:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20]);
    case 22:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21]);
    case 23:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22]);
    case 24:
      return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15], b[s + 16], b[s + 17], b[s + 18], b[s + 19], b[s + 20], b[s + 21], b[s + 22], b[s + 23]);
    default:
      return latin1(b, s, e);
  }
}

function notFound(tag: number): never {
  throw new FieldNotFoundError(tag);
}

/** A tag number, or a field name when a dictionary is attached. */
export type FieldKey = number | string;

/** Read access to the fields in table[from, to) over `buf`. */
export abstract class FieldReader {
  protected constructor(
    /** The buffer holding the values. */
    public buf: Buffer,
    /** The field table. */
    public table: FieldTable,
    protected from: number,
    protected to: number,
    /** Dictionary used for names and groups, when one is attached. */
    public schema: MessageSchema | undefined,
  ) {}

  /** Number of fields in this range. */
  get fieldCount(): number {
    return this.to - this.from;
  }

  /** Tag of the i-th field of this range. */
  tagAt(i: number): number {
    return this.table.tags[this.from + i];
  }

  /** Text value of the i-th field of this range. */
  valueAt(i: number): string {
    return this.textAt(this.from + i);
  }

  /** Resolves a field name through the attached dictionary. Small, so that the getters inline it. */
  protected tagOf(key: FieldKey): number {
    return typeof key === 'number' ? key : this.tagOfName(key);
  }

  private tagOfName(key: string): number {
    const def = this.schema?.fieldByName(key);
    if (!def) throw new MessageBuildError(`unknown field name ${key}${this.schema ? '' : ' (no dictionary attached)'}`);
    return def.tag;
  }

  /** Absolute table index of the first field with this tag in the range, or -1. */
  protected find(tag: number): number {
    const tags = this.table.tags;
    for (let i = this.from; i < this.to; i++) if (tags[i] === tag) return i;
    return -1;
  }

  private must(key: FieldKey): number {
    const i = this.find(this.tagOf(key));
    // The throw in a function of its own keeps this one small enough for the JIT to inline.
    if (i < 0) notFound(this.tagOf(key));
    return i;
  }

  /** True when the field is present. */
  has(key: FieldKey): boolean {
    return this.find(this.tagOf(key)) >= 0;
  }

  /** Number of occurrences of a tag (more than one means a repeated tag). */
  countOf(key: FieldKey): number {
    const tag = this.tagOf(key);
    let n = 0;
    for (let i = this.from; i < this.to; i++) if (this.table.tags[i] === tag) n++;
    return n;
  }

  /** The value as text, or undefined when absent. */
  get(key: FieldKey): string | undefined {
    const i = this.find(this.tagOf(key));
    return i < 0 ? undefined : this.textAt(i);
  }

  /** True when the field is present with exactly this (latin1) text; compares bytes, makes no string. */
  equals(key: FieldKey, text: string): boolean {
    const i = this.find(this.tagOf(key));
    if (i < 0) return false;
    const data = this.table.data;
    const capacity = this.table.capacity;
    const s = data[capacity + i];
    const n = text.length;
    if (data[2 * capacity + i] - s !== n) return false;
    const b = this.buf;
    for (let k = 0; k < n; k++) if (b[s + k] !== text.charCodeAt(k)) return false;
    return true;
  }

  /** The value as text; throws FieldNotFoundError when absent. */
  getString(key: FieldKey): string {
    return this.textAt(this.must(key));
  }

  /**
   * Text of the field at absolute table index i: start and end read from the table's one array.
   * The getters read them the same way, written out: start/end helper methods took them over V8's
   * inlining budget (about 190 more instructions per NewOrderSingle with five reads).
   */
  private textAt(i: number): string {
    const t = this.table;
    const data = t.data;
    const capacity = t.capacity;
    return text(this.buf, data[capacity + i], data[2 * capacity + i]);
  }

  /** The raw value bytes (a view into the received buffer), or undefined. */
  getBytes(key: FieldKey): Buffer | undefined {
    const i = this.find(this.tagOf(key));
    return i < 0 ? undefined : this.buf.subarray(this.table.starts[i], this.table.ends[i]);
  }

  /** Integer value; throws FieldNotFoundError or FieldFormatError. */
  getInt(key: FieldKey): number {
    const i = this.must(key);
    const v = parseIntBytes(this.buf, this.table.starts[i], this.table.ends[i]);
    if (Number.isNaN(v)) throw this.formatError(i, 'an integer');
    return v;
  }

  /**
   * Integer value, or NaN when the field is absent or not an integer (or past 2^53 - 1 in
   * magnitude); never throws. For range checks of numbers a counterparty sends.
   */
  getIntOrNaN(key: FieldKey): number {
    const i = this.find(this.tagOf(key));
    return i < 0 ? NaN : parseIntBytes(this.buf, this.table.starts[i], this.table.ends[i]);
  }

  /** Integer value, or `fallback` when the field is absent. */
  getIntOr(key: FieldKey, fallback: number): number {
    return this.has(key) ? this.getInt(key) : fallback;
  }

  /** Decimal value as a JavaScript number (price, quantity, amount…). */
  getNumber(key: FieldKey): number {
    const i = this.must(key);
    const data = this.table.data;
    const capacity = this.table.capacity;
    const v = parseDecimalBytes(this.buf, data[capacity + i], data[2 * capacity + i]);
    if (Number.isNaN(v)) throw this.formatError(i, 'a decimal');
    return v;
  }

  /** Integer value, or undefined when the field is absent (one lookup); throws FieldFormatError. */
  optInt(key: FieldKey): number | undefined {
    const i = this.find(this.tagOf(key));
    if (i < 0) return undefined;
    const v = parseIntBytes(this.buf, this.table.starts[i], this.table.ends[i]);
    if (Number.isNaN(v)) throw this.formatError(i, 'an integer');
    return v;
  }

  /** Decimal value as a number, or undefined when the field is absent (one lookup); throws FieldFormatError. */
  optNumber(key: FieldKey): number | undefined {
    const i = this.find(this.tagOf(key));
    if (i < 0) return undefined;
    const data = this.table.data;
    const capacity = this.table.capacity;
    const v = parseDecimalBytes(this.buf, data[capacity + i], data[2 * capacity + i]);
    if (Number.isNaN(v)) throw this.formatError(i, 'a decimal');
    return v;
  }

  /** Single-character value, or undefined when the field is absent (one lookup); throws FieldFormatError. */
  optChar(key: FieldKey): string | undefined {
    const i = this.find(this.tagOf(key));
    if (i < 0) return undefined;
    const data = this.table.data;
    const capacity = this.table.capacity;
    const s = data[capacity + i];
    if (data[2 * capacity + i] - s !== 1) throw this.formatError(i, 'a single character');
    return String.fromCharCode(this.buf[s]);
  }

  /** Boolean value (Y or N), or undefined when the field is absent (one lookup); throws FieldFormatError. */
  optBoolean(key: FieldKey): boolean | undefined {
    return this.find(this.tagOf(key)) < 0 ? undefined : this.getBoolean(key);
  }

  /** Decimal value as its exact text (no binary rounding), validated. */
  getDecimal(key: FieldKey): string {
    const i = this.must(key);
    if (!isDecimalBytes(this.buf, this.table.starts[i], this.table.ends[i])) throw this.formatError(i, 'a decimal');
    return text(this.buf, this.table.starts[i], this.table.ends[i]);
  }

  /** Boolean value (Y or N). */
  getBoolean(key: FieldKey): boolean {
    const i = this.must(key);
    if (this.table.ends[i] - this.table.starts[i] === 1) {
      const c = this.buf[this.table.starts[i]];
      if (c === 0x59) return true;
      if (c === 0x4e) return false;
    }
    throw this.formatError(i, 'Y or N');
  }

  /** Single-character value. */
  getChar(key: FieldKey): string {
    const i = this.must(key);
    const data = this.table.data;
    const capacity = this.table.capacity;
    const s = data[capacity + i];
    if (data[2 * capacity + i] - s !== 1) throw this.formatError(i, 'a single character');
    return String.fromCharCode(this.buf[s]);
  }

  /** UTCTimestamp with full precision. */
  getTime(key: FieldKey): FixTime {
    const i = this.must(key);
    const t = parseUtcTimestamp(this.buf, this.table.starts[i], this.table.ends[i]);
    if (!t) throw this.formatError(i, 'a UTCTimestamp (YYYYMMDD-HH:MM:SS[.sss])');
    return t;
  }

  /** UTCTimestamp as a Date (millisecond precision). */
  getDate(key: FieldKey): Date {
    return new Date(this.getTime(key).millis);
  }

  /** UTCTimeOnly; millis are since midnight. */
  getTimeOnly(key: FieldKey): FixTime {
    const i = this.must(key);
    const t = parseUtcTimeOnly(this.buf, this.table.starts[i], this.table.ends[i]);
    if (!t) throw this.formatError(i, 'a UTCTimeOnly (HH:MM:SS[.sss])');
    return t;
  }

  /** UTCDateOnly or LocalMktDate (YYYYMMDD). */
  getDateOnly(key: FieldKey): FixDate {
    const i = this.must(key);
    const d = parseDate(this.buf, this.table.starts[i], this.table.ends[i]);
    if (!d) throw this.formatError(i, 'a date (YYYYMMDD)');
    return d;
  }

  /** MonthYear (YYYYMM, YYYYMMDD or YYYYMMwN). */
  getMonthYear(key: FieldKey): FixMonthYear {
    const i = this.must(key);
    const d = parseMonthYear(this.buf, this.table.starts[i], this.table.ends[i]);
    if (!d) throw this.formatError(i, 'a MonthYear (YYYYMM[DD|wN])');
    return d;
  }

  /** MultipleValueString / MultipleCharValue: space-separated values. */
  getValues(key: FieldKey): string[] {
    const v = this.getString(key);
    return v.length === 0 ? [] : v.split(' ');
  }

  /** Iterates the fields of the range as [tag, text] pairs (allocates; not for the hot path). */
  *entries(): IterableIterator<[number, string]> {
    for (let i = this.from; i < this.to; i++) {
      yield [this.table.tags[i], text(this.buf, this.table.starts[i], this.table.ends[i])];
    }
  }

  /** The fields of the range with `|` for SOH. */
  toString(): string {
    let s = '';
    for (let i = this.from; i < this.to; i++) {
      s += `${this.table.tags[i]}=${printable(this.buf, this.table.starts[i], this.table.ends[i])}|`;
    }
    return s;
  }

  private formatError(i: number, expected: string): FieldFormatError {
    const tag = this.table.tags[i];
    const text = printable(this.buf, this.table.starts[i], this.table.ends[i]);
    return new FieldFormatError(tag, expected, `field ${tag}=${text} is not ${expected}`);
  }
}
