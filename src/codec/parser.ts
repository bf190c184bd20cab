/**
 * Parsing: one pass over a frame's bytes that records, for every field, its integer tag and the
 * offsets of its value. Values stay in the received buffer and are decoded only when read.
 * The same pass checks the envelope: 8, 9 and 35 first, BodyLength and CheckSum.
 */
import { CodecError, InternalError } from './errors.js';
import { frameHint } from './framer.js';
import { DataFieldMap, STANDARD_DATA_FIELDS } from './data-fields.js';
import type { MessageSchema } from './schema.js';
import { INDEX_MAX_FIELDS, INDEX_POS_BITS, INDEX_TAG_LIMIT, MessageView, indexSlots, nextIndexGeneration } from './message-view.js';

/**
 * FIX syntax bytes. A const enum is inlined as literals; constants imported from another module
 * are reloaded from the module on every use in optimised code, which the byte loops here notice.
 */
const enum Byte {
  SOH = 0x01,
  EQUALS = 0x3d,
  ZERO = 0x30,
}

/** The layout of the shared tag index (message-view.ts), as literals for the parse loop. */
const enum Index {
  TAG_LIMIT = 1024,
  POS_BITS = 12,
  MAX_FIELDS = 0x1000,
}
if (INDEX_TAG_LIMIT !== Index.TAG_LIMIT || INDEX_POS_BITS !== Index.POS_BITS || INDEX_MAX_FIELDS !== Index.MAX_FIELDS) {
  throw new InternalError('parser and message view disagree on the tag index layout');
}

/** Options of a {@link Parser}: the BodyLength and CheckSum checks, and the raw data field pairs to know. */
export interface ParserOptions {
  /** Check that BodyLength(9) matches the body (QuickFIX `ValidateLengthAndChecksum`). Default true. */
  validateLength?: boolean;
  /** Check the CheckSum(10) value (QuickFIX `ValidateChecksum`). Default true. */
  validateChecksum?: boolean;
  /** Length/data field pairs for raw data; defaults to the standard pairs. */
  dataFields?: DataFieldMap;
  /**
   * Dictionary attached to the parsed views (names, groups, sections). Attached once to the
   * reused view: nothing is done per message.
   */
  schema?: MessageSchema;
}

/**
 * Growable parallel arrays: tag, value start and value end of every field, in wire order. The
 * three are views of one array (`capacity` tags, then as many starts, then ends), so the
 * parser's three stores per field need one check of the array the JIT makes per array accessed.
 */
export class FieldTable {
  /** tags, starts and ends, back to back. */
  data: Int32Array;
  capacity: number;
  tags: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  count = 0;

  constructor(capacity = 64) {
    this.capacity = capacity;
    this.data = new Int32Array(3 * capacity);
    this.tags = this.data.subarray(0, capacity);
    this.starts = this.data.subarray(capacity, 2 * capacity);
    this.ends = this.data.subarray(2 * capacity, 3 * capacity);
  }

  grow(): void {
    const n = this.capacity * 2;
    const data = new Int32Array(3 * n);
    data.set(this.tags, 0);
    data.set(this.starts, n);
    data.set(this.ends, 2 * n);
    this.capacity = n;
    this.data = data;
    this.tags = data.subarray(0, n);
    this.starts = data.subarray(n, 2 * n);
    this.ends = data.subarray(2 * n, 3 * n);
  }

  /** A copy holding exactly `count` fields. */
  copy(): FieldTable {
    const t = new FieldTable(Math.max(this.count, 1));
    t.tags.set(this.tags.subarray(0, this.count));
    t.starts.set(this.starts.subarray(0, this.count));
    t.ends.set(this.ends.subarray(0, this.count));
    t.count = this.count;
    return t;
  }
}

/**
 * Parses frames into a reused `MessageView`: `parse()` returns the same view object each time, so
 * decoding allocates nothing per field. Call `view.clone()` to keep a message past the next parse.
 */
export class Parser {
  private readonly table = new FieldTable();
  private readonly view: MessageView;
  private readonly validateLength: boolean;
  private readonly validateChecksum: boolean;
  private readonly dataFields: DataFieldMap;

  constructor(options: ParserOptions = {}) {
    this.validateLength = options.validateLength ?? true;
    this.validateChecksum = options.validateChecksum ?? true;
    this.dataFields = options.dataFields ?? STANDARD_DATA_FIELDS;
    this.view = new MessageView(Buffer.alloc(0), 0, 0, this.table, options.schema);
  }

  /**
   * Parses the frame in buf[start, end). Throws `CodecError` when the envelope is invalid; the
   * returned view is valid until the next call.
   */
  parse(buf: Buffer, start = 0, end = buf.length): MessageView {
    const gen = nextIndexGeneration();
    const indexed = parseInto(buf, start, end, this.table, this.validateLength, this.validateChecksum, this.dataFields, gen);
    this.view.reset(buf, start, end);
    if (indexed) this.view.adoptIndex(gen);
    return this.view;
  }

  /** Like `parse` but returns the error instead of throwing it. */
  tryParse(buf: Buffer, start = 0, end = buf.length): MessageView | CodecError {
    try {
      return this.parse(buf, start, end);
    } catch (e) {
      if (e instanceof CodecError) return e;
      throw e;
    }
  }
}

/** Parses a standalone frame into a new, independent view. */
export function parseMessage(buf: Buffer, options: ParserOptions = {}): MessageView {
  return new Parser(options).parse(buf).clone();
}

function fail(reason: ConstructorParameters<typeof CodecError>[0], message: string, tag?: number): never {
  throw new CodecError(reason, message, tag);
}

/**
 * The single pass. Fills `table`, and the shared tag index with generation `gen` when it returns
 * true; throws CodecError on an envelope failure.
 */
function parseInto(
  buf: Buffer,
  start: number,
  end: number,
  table: FieldTable,
  validateLength: boolean,
  validateChecksum: boolean,
  dataFields: DataFieldMap,
  gen: number,
): boolean {
  // The framer has just read "8=FIX" to BodyLength's SOH of a frame it hands over (1 to 9 digits),
  // and found "<SOH>10=" then SOH seven bytes from the end, where BodyLength says the body ends.
  const hint = frameHint;
  const hinted = hint.buf === buf && hint.start === start && hint.end === end;
  // A frame always ends with SOH; knowing that, the loops below stop at the latest on the last
  // byte without a bounds check per byte (SOH is neither a digit nor '=').
  if (!hinted && (end - start < 3 || buf[end - 1] !== Byte.SOH)) fail('checksum-missing', 'message does not end with SOH', 10);
  const fast = dataFields.fast;
  // The table's one array: tags from 0, starts from `capacity`, ends from `2 * capacity`.
  let data = table.data;
  let capacity = table.capacity;
  // Fast path for the usual prologue "8=...|9=digits|35=...|"; anything unusual (or a dictionary
  // that makes 8 or 9 a length field) goes through the general loop, which reports the error.
  if (fast[8] !== 0 || fast[9] !== 0 || capacity < 3 || (!hinted && (buf[start] !== 0x38 || buf[start + 1] !== Byte.EQUALS))) {
    parseGeneral(buf, start, end, table, validateLength, validateChecksum, dataFields);
    return false;
  }
  let sum: number;
  let pos: number;
  let c: number;
  let end8: number;
  let length: number;
  // Where the field loop stops: the end, or the CheckSum field when the framer has found it.
  let stop = end;
  if (hinted) {
    stop = end - 7;
    end8 = hint.end8;
    pos = hint.end9;
    length = hint.length;
    sum = hint.sum;
  } else {
    sum = 0x38 + Byte.EQUALS;
    pos = start + 2;
    c = buf[pos];
    while (c !== Byte.SOH) {
      sum += c;
      c = buf[++pos];
    }
    end8 = pos;
    // pos < end - 1 here, else the byte after it is outside the frame.
    if (pos >= end - 1 || buf[pos + 1] !== 0x39 || buf[pos + 2] !== Byte.EQUALS) {
      parseGeneral(buf, start, end, table, validateLength, validateChecksum, dataFields);
      return false;
    }
    sum += Byte.SOH + 0x39 + Byte.EQUALS;
    length = 0;
    pos = end8 + 3;
    c = buf[pos];
    while (c !== Byte.SOH) {
      const d = c - Byte.ZERO;
      length = d >>> 0 > 9 ? -1e10 : length * 10 + d;
      sum += c;
      c = buf[++pos];
    }
  }
  const start9 = end8 + 3;
  const end9 = pos;
  if (pos >= end - 1 || buf[pos + 1] !== 0x33 || buf[pos + 2] !== 0x35 || buf[pos + 3] !== Byte.EQUALS) {
    parseGeneral(buf, start, end, table, validateLength, validateChecksum, dataFields);
    return false;
  }
  const start35 = pos + 4;
  sum += Byte.SOH + 0x33 + 0x35 + Byte.EQUALS;
  pos = start35;
  c = buf[pos];
  while (c !== Byte.SOH) {
    sum += c;
    c = buf[++pos];
  }
  if (pos === start35) {
    parseGeneral(buf, start, end, table, validateLength, validateChecksum, dataFields);
    return false;
  }
  let startsAt = capacity;
  let endsAt = 2 * capacity;
  data[0] = 8;
  data[startsAt] = start + 2;
  data[endsAt] = end8;
  data[1] = 9;
  data[startsAt + 1] = start9;
  data[endsAt + 1] = end9;
  data[2] = 35;
  data[startsAt + 2] = start35;
  data[endsAt + 2] = pos;
  const declaredLength = end9 === start9 || end9 - start9 > 9 || length < 0 ? -1 : length;
  const bodyStart = end9 + 1;
  sum = (sum + Byte.SOH) | 0;
  pos++;
  // The fields after MsgType: the rules of parseGeneral with the common cases unrolled (tags of
  // one to three digits, values scanned four bytes per iteration). Only sum & 0xff matters, so
  // the sum wraps in 32 bits and no add needs an overflow check.
  let count = 3;
  // The tag index, filled as fields are found: the first field with a tag below the limit wins.
  const slots = indexSlots;
  const stamp = gen << Index.POS_BITS;
  slots[8] = stamp;
  slots[9] = stamp | 1;
  slots[35] = stamp | 2;
  let dataTag = fast[35];
  let dataLength = dataTag !== 0 ? readLength(buf, start35, pos) : -1;
  const minLengthTag = dataFields.minLengthTag;
  // pos never passes `end` (every field ends at an SOH inside the frame), and stops at `stop` when
  // the CheckSum field is where the framer found it; a raw data field that runs over it ends the
  // loop past `stop`, and the frame is read again from the start by the general rules.
  while (pos < stop) {
    const fieldStart = pos;
    c = buf[pos];
    let tag = c - Byte.ZERO;
    if (tag >>> 0 > 9) {
      // Signed (or malformed) tag: checked by the general rules, then summed.
      tag = signedTag(buf, pos, start);
      while (c !== Byte.EQUALS) {
        sum = (sum + c) | 0;
        c = buf[++pos];
      }
    } else {
      sum = (sum + c) | 0;
      c = buf[pos + 1];
      if (c === Byte.EQUALS) pos += 1;
      else {
        let d = c - Byte.ZERO;
        if (d >>> 0 > 9) badTag(fieldStart - start);
        tag = tag * 10 + d;
        sum = (sum + c) | 0;
        c = buf[pos + 2];
        if (c === Byte.EQUALS) pos += 2;
        else {
          pos += 2;
          while (c !== Byte.EQUALS) {
            d = c - Byte.ZERO;
            if (d >>> 0 > 9) badTag(fieldStart - start);
            tag = tag * 10 + d;
            sum = (sum + c) | 0;
            c = buf[++pos];
          }
        }
      }
    }
    sum = (sum + Byte.EQUALS) | 0;
    const valueStart = ++pos;
    if (count === capacity) {
      table.grow();
      data = table.data;
      capacity = table.capacity;
      startsAt = capacity;
      endsAt = 2 * capacity;
    }
    if (tag === 10) {
      finishTrailer(buf, end, fieldStart, valueStart, count, bodyStart, declaredLength, sum - 0x31 - 0x30 - Byte.EQUALS, validateLength, validateChecksum);
      return storeCheckSum(table, count, valueStart, end, stamp, gen);
    }
    if (tag === dataTag && dataLength >= 0) {
      // Raw data: read exactly dataLength bytes, which may include SOH.
      const valueEnd = valueStart + dataLength;
      if (valueEnd >= end || buf[valueEnd] !== Byte.SOH) {
        fail('data-length-mismatch', `data field ${tag} is not ${dataLength} bytes long`, tag);
      }
      for (let i = valueStart; i < valueEnd; i++) sum = (sum + buf[i]) | 0;
      pos = valueEnd;
    } else {
      // The frame ends with SOH, so this stops inside it.
      for (;;) {
        c = buf[pos];
        if (c === Byte.SOH) break;
        sum = (sum + c) | 0;
        c = buf[pos + 1];
        if (c === Byte.SOH) {
          pos += 1;
          break;
        }
        sum = (sum + c) | 0;
        c = buf[pos + 2];
        if (c === Byte.SOH) {
          pos += 2;
          break;
        }
        sum = (sum + c) | 0;
        c = buf[pos + 3];
        if (c === Byte.SOH) {
          pos += 3;
          break;
        }
        sum = (sum + c) | 0;
        pos += 4;
      }
    }
    sum = (sum + Byte.SOH) | 0;
    data[count] = tag;
    data[startsAt + count] = valueStart;
    data[endsAt + count] = pos;
    if (tag >>> 0 < Index.TAG_LIMIT && count < Index.MAX_FIELDS && slots[tag] >>> Index.POS_BITS !== gen) slots[tag] = stamp | count;
    // Most tags are below every length tag: no table lookup for them.
    if (tag >= minLengthTag) {
      dataTag = tag < 4096 ? fast[tag] : dataFields.dataTagOf(tag);
      if (dataTag !== 0) dataLength = readLength(buf, valueStart, pos);
    } else dataTag = 0;
    count++;
    pos++;
  }
  if (stop === end) {
    table.count = count;
    fail('checksum-missing', 'message does not end with CheckSum(10)', 10);
  }
  if (pos !== stop) {
    parseGeneral(buf, start, end, table, validateLength, validateChecksum, dataFields);
    return false;
  }
  // The CheckSum field the framer found ("10=" at stop, three digits, SOH at end - 1): BodyLength
  // matches by construction; the sum is checked here, else finishTrailer reports.
  if (count === capacity) table.grow();
  if (validateChecksum && (sum & 0xff) !== hint.checksum) {
    finishTrailer(buf, end, stop, stop + 3, count, bodyStart, declaredLength, sum, validateLength, validateChecksum);
  }
  return storeCheckSum(table, count, stop + 3, end, stamp, gen);
}

/**
 * Stores the CheckSum field, the frame's last, at `count` (the table has room) and indexes it;
 * false when the message has more fields than the shared index holds.
 */
function storeCheckSum(table: FieldTable, count: number, valueStart: number, end: number, stamp: number, gen: number): boolean {
  const data = table.data;
  const capacity = table.capacity;
  data[count] = 10;
  data[capacity + count] = valueStart;
  data[2 * capacity + count] = end - 1;
  table.count = count + 1;
  if (count >= Index.MAX_FIELDS) return false;
  if (indexSlots[10] >>> Index.POS_BITS !== gen) indexSlots[10] = stamp | count;
  return true;
}

/** A tag that does not start with a digit: '-' then digits (as QuickFIX reads it), else malformed. */
function signedTag(buf: Buffer, fieldStart: number, start: number): number {
  let pos = fieldStart;
  if (buf[pos] !== 0x2d) badTag(fieldStart - start);
  let c = buf[++pos];
  const digitsStart = pos;
  let tag = 0;
  while (c !== Byte.EQUALS) {
    const d = c - Byte.ZERO;
    if (d >>> 0 > 9) badTag(fieldStart - start);
    tag = tag * 10 + d;
    c = buf[++pos];
  }
  if (pos === digitsStart) badTag(fieldStart - start);
  return -tag;
}

/** The general pass, from the first byte, for any input. */
function parseGeneral(
  buf: Buffer,
  start: number,
  end: number,
  table: FieldTable,
  validateLength: boolean,
  validateChecksum: boolean,
  dataFields: DataFieldMap,
): void {
  let count = 0;
  let pos = start;
  let sum = 0;
  let bodyStart = -1;
  let declaredLength = -1;
  let dataTag = 0;
  let dataLength = -1;
  let tags = table.tags;
  let starts = table.starts;
  let ends = table.ends;
  let capacity = tags.length;
  const fast = dataFields.fast;
  while (pos < end) {
    const fieldStart = pos;
    // Tag: digits up to '='.
    let tag = 0;
    let c = buf[pos];
    // QuickFIX reads tags as signed integers: "0=x" and "-1=x" parse, and are refused later by
    // validation with "Invalid tag number".
    const negative = c === 0x2d;
    if (negative) {
      sum += c;
      c = buf[++pos];
    }
    const digitsStart = pos;
    while (c !== Byte.EQUALS) {
      const d = c - Byte.ZERO;
      if (d >>> 0 > 9) badTag(fieldStart - start);
      tag = tag * 10 + d;
      sum += c;
      c = buf[++pos];
    }
    if (pos === digitsStart) badTag(fieldStart - start);
    if (negative) tag = -tag;
    sum += Byte.EQUALS;
    const valueStart = ++pos;
    if (count === capacity) {
      table.grow();
      tags = table.tags;
      starts = table.starts;
      ends = table.ends;
      capacity = tags.length;
    }
    if (tag === 10) {
      finishTrailer(buf, end, fieldStart, valueStart, count, bodyStart, declaredLength, sum - 0x31 - 0x30 - Byte.EQUALS, validateLength, validateChecksum);
      tags[count] = 10;
      starts[count] = valueStart;
      ends[count] = end - 1;
      table.count = count + 1;
      return;
    }
    if (tag === dataTag && dataLength >= 0) {
      // Raw data: read exactly dataLength bytes, which may include SOH.
      const valueEnd = valueStart + dataLength;
      if (valueEnd >= end || buf[valueEnd] !== Byte.SOH) {
        fail('data-length-mismatch', `data field ${tag} is not ${dataLength} bytes long`, tag);
      }
      for (let i = valueStart; i < valueEnd; i++) sum += buf[i];
      pos = valueEnd;
    } else {
      c = buf[pos];
      while (c !== Byte.SOH) {
        sum += c;
        c = buf[++pos];
      }
    }
    sum += Byte.SOH;
    tags[count] = tag;
    starts[count] = valueStart;
    ends[count] = pos;
    if (count < 3 && checkEnvelopeField(count, tag, valueStart, pos)) {
      declaredLength = readLength(buf, valueStart, pos);
      bodyStart = pos + 1;
    }
    dataTag = tag >>> 0 < 4096 ? fast[tag] : dataFields.dataTagOf(tag);
    if (dataTag !== 0) dataLength = readLength(buf, valueStart, pos);
    count++;
    pos++;
  }
  table.count = count;
  fail('checksum-missing', 'message does not end with CheckSum(10)', 10);
}

function badTag(offset: number): never {
  fail('malformed-field', `malformed field at byte ${offset}: tag is not a number`);
}

/** Checks that fields 0, 1, 2 are 8, 9, 35; returns true for BodyLength. */
function checkEnvelopeField(index: number, tag: number, valueStart: number, valueEnd: number): boolean {
  if (index === 0 && tag !== 8) fail('begin-string-missing', 'BeginString(8) must be the first field', 8);
  if (index === 1 && tag !== 9) fail('body-length-missing', 'BodyLength(9) must be the second field', 9);
  if (index === 2 && (tag !== 35 || valueEnd === valueStart)) fail('msg-type-missing', 'MsgType(35) must be the third field', 35);
  return index === 1;
}

function readLength(buf: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 9) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - Byte.ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function finishTrailer(
  buf: Buffer,
  end: number,
  fieldStart: number,
  valueStart: number,
  count: number,
  bodyStart: number,
  declaredLength: number,
  sum: number,
  validateLength: boolean,
  validateChecksum: boolean,
): void {
  if (count < 3) fail('msg-type-missing', 'message ends before MsgType(35)', 35);
  if (end - 1 <= valueStart || buf[end - 1] !== Byte.SOH) fail('checksum-missing', 'CheckSum(10) must be the last field', 10);
  const declaredSum = readLength(buf, valueStart, end - 1);
  if (declaredSum < 0 || end - 1 - valueStart !== 3) fail('checksum-missing', 'CheckSum(10) must be three digits', 10);
  if (validateLength && declaredLength !== fieldStart - bodyStart) {
    fail('body-length-mismatch', `BodyLength(9) is ${declaredLength} but the body is ${fieldStart - bodyStart} bytes`, 9);
  }
  if (validateChecksum && (sum & 0xff) !== declaredSum) {
    fail('checksum-mismatch', `CheckSum(10) is ${declaredSum} but the message sums to ${sum & 0xff}`, 10);
  }
}
