/**
 * Encoding: writes a `Message` into a reused buffer with exact BodyLength(9) and CheckSum(10).
 *
 * Default field order is the one QuickFIX writes: 8, 9, 35, the other header fields by tag, the
 * body by tag (a repeating group sits at its NumInGroup tag, entries in member order), the trailer
 * and 10. A raw data field always follows its length field. With `preserveOrder` every section is
 * written in the order its fields were set (or parsed).
 */
import { SOH, digitCount, writeDecimal } from './bytes.js';
import { STANDARD_DATA_FIELDS, type DataFieldMap } from './data-fields.js';
import type { FieldMap, Group } from './field-map.js';
import type { Message } from './message.js';
import { MessageBuildError } from './errors.js';

/** How a message is encoded: FIX field order or the order set, and a BeginString for messages without one. */
export interface EncodeOptions {
  /** Write fields in the order they were set instead of FIX order. */
  preserveOrder?: boolean;
  /** BeginString when the message has none. */
  beginString?: string;
}

/** A growable output buffer. */
export class ByteBuffer {
  buf: Buffer;
  pos = 0;

  constructor(capacity = 4096) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

/** Sort key: header envelope first, a data field right after its length field. */
function sortKey(tag: number, data: DataFieldMap): number {
  if (tag === 8) return -3;
  if (tag === 9) return -2;
  if (tag === 35) return -1;
  const len = data.lengthTagOf(tag);
  return len ? len * 2 + 1 : tag * 2;
}

/**
 * Indices 0..n-1 ordered by (key, index). Messages have few fields, usually already in order, so
 * an insertion sort beats Array.prototype.sort with a comparator; NaN keys (which make the
 * comparator inconsistent) and long lists keep the original sort so the result is the same.
 */
function orderByKey(keys: ArrayLike<number>, n: number, order: number[] | Int32Array): void {
  let simple = n <= 64;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (keys[i] !== keys[i]) simple = false;
  }
  if (!simple) {
    const sorted = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
    for (let i = 0; i < n; i++) order[i] = sorted[i];
    return;
  }
  for (let i = 1; i < n; i++) {
    const k = keys[i];
    if (keys[order[i - 1]] <= k) continue;
    let j = i - 1;
    while (j >= 0 && keys[order[j]] > k) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = i;
  }
}

/** The cached order of a field map (private slots of FieldMap, read here by name). */
type OrderSlot = { orderCache: { version: number; order: number[] } | undefined; encodedVersion: number };

/**
 * Scratch space for the order of the map being written: most messages are encoded once (a session
 * builds, sends and drops them), so their order is computed here without allocating; a map
 * encoded a second time unchanged (a prepared message sent again) gets its order cached.
 */
let scratchKeys = new Float64Array(64);
let scratchOrder = new Int32Array(64);

/** Field indices of a map in FIX order (valid until the next call); read the first `tags.length`. */
function fixOrder(map: FieldMap, data: DataFieldMap): ArrayLike<number> {
  const slot = map as unknown as OrderSlot;
  const cached = slot.orderCache;
  if (cached !== undefined && cached.version === map.version) return cached.order;
  const tags = map.tags;
  const n = tags.length;
  if (n > scratchOrder.length) {
    scratchKeys = new Float64Array(n * 2);
    scratchOrder = new Int32Array(n * 2);
  }
  const keys = scratchKeys;
  for (let i = 0; i < n; i++) keys[i] = sortKey(tags[i], data);
  orderByKey(keys, n, scratchOrder);
  if (slot.encodedVersion === map.version) slot.orderCache = { version: map.version, order: Array.from(scratchOrder.subarray(0, n)) };
  else slot.encodedVersion = map.version;
  return scratchOrder;
}

/** Indices of a group entry's fields: delimiter first, then the dictionary's member order. */
function entryOrder(g: Group): number[] {
  const slot = g as unknown as OrderSlot;
  const cached = slot.orderCache;
  if (cached !== undefined && cached.version === g.version) return cached.order;
  const pos = new Map<number, number>();
  (g.order ?? []).forEach((t, i) => pos.set(t, i));
  const keys = g.tags.map((t) => (t === g.delimiter ? -1 : (pos.get(t) ?? 1e9 + t)));
  const order = new Array<number>(keys.length);
  orderByKey(keys, keys.length, order);
  slot.orderCache = { version: g.version, order };
  return order;
}

/** The value of `tag` as text, like FieldMap.get, without the generic lookups for the usual string. */
function textOf(map: FieldMap, tag: number): string | undefined {
  const tags = map.tags;
  for (let i = 0; i < tags.length; i++) {
    if (tags[i] === tag) {
      const v = map.values[i];
      return typeof v === 'string' ? v : map.get(tag);
    }
  }
  return undefined;
}

/** Encodes messages into reused buffers with exact BodyLength and CheckSum, in QuickFIX's field order or the order given. */
export class Encoder {
  private readonly out: ByteBuffer;
  private preserve = false;
  /** Byte sum of the fields written so far by the current call (for CheckSum). */
  private sum = 0;
  /** Digits reserved for the BodyLength value: those of the previous message. */
  private lengthDigits = 3;

  constructor(
    capacity = 4096,
    private readonly dataFields: DataFieldMap = STANDARD_DATA_FIELDS,
  ) {
    this.out = new ByteBuffer(capacity);
  }

  /**
   * Encodes `msg` and returns the bytes: a view into the encoder's buffer, valid until the next
   * call. Copy it (or use `encodeInto`) to keep it.
   */
  encode(msg: Message, options?: EncodeOptions): Buffer {
    const out = this.out;
    out.pos = 0;
    const start = this.encodeInto(msg, out, options);
    return out.buf.subarray(start, out.pos);
  }

  /** Encodes `msg` into a Buffer of its own (one allocation, from Node's pool when small). */
  encodeCopy(msg: Message, options?: EncodeOptions): Buffer {
    const out = this.out;
    out.pos = 0;
    const start = this.encodeInto(msg, out, options);
    const copy = Buffer.allocUnsafe(out.pos - start);
    out.buf.copy(copy, 0, start, out.pos);
    return copy;
  }

  /** Appends the encoded message to `out`; returns the offset where it starts. */
  encodeInto(msg: Message, out: ByteBuffer, options?: EncodeOptions): number {
    this.preserve = options?.preserveOrder ?? false;
    const header = msg.header;
    const beginString = textOf(header, 8) ?? options?.beginString;
    if (!beginString) throw new MessageBuildError('message has no BeginString(8)');
    const msgType = textOf(header, 35);
    if (!msgType) throw new MessageBuildError('message has no MsgType(35)');
    // Reserve "8=<begin>|9=<digits>|" with as many digits as the last BodyLength had; the body is
    // moved in the rare case the count differs.
    const origin = out.pos;
    const reserved = this.lengthDigits;
    const prefix = beginString.length + 6;
    out.ensure(prefix + reserved);
    let bodyStart = origin + prefix + reserved;
    out.pos = bodyStart;
    this.sum = 0;
    this.writeString(out, 35, msgType);
    this.writeMap(out, header, true);
    this.writeMap(out, msg.body, false);
    this.writeMap(out, msg.trailer, true);
    const bodyLength = out.pos - bodyStart;
    const digits = digitCount(bodyLength);
    out.ensure(7 + (digits > reserved ? digits - reserved : 0));
    let buf = out.buf;
    if (digits !== reserved) {
      this.lengthDigits = digits;
      buf.copy(buf, bodyStart + digits - reserved, bodyStart, out.pos);
      out.pos += digits - reserved;
      bodyStart += digits - reserved;
    }
    let p = origin;
    buf[p++] = 0x38;
    buf[p++] = 0x3d;
    p = writeAscii(buf, p, beginString);
    buf[p++] = SOH;
    buf[p++] = 0x39;
    buf[p++] = 0x3d;
    for (let k = bodyStart - 2, n = bodyLength; k >= p; k--) {
      buf[k] = 0x30 + (n % 10);
      n = (n / 10) | 0;
    }
    buf[bodyStart - 1] = SOH;
    // CheckSum: the prefix bytes plus the sum kept while writing the fields.
    let sum = this.sum;
    for (let i = origin; i < bodyStart; i++) sum += buf[i];
    sum &= 0xff;
    buf = out.buf;
    let q = out.pos;
    buf[q++] = 0x31;
    buf[q++] = 0x30;
    buf[q++] = 0x3d;
    buf[q++] = 0x30 + ((sum / 100) | 0);
    buf[q++] = 0x30 + (((sum / 10) | 0) % 10);
    buf[q++] = 0x30 + (sum % 10);
    buf[q++] = SOH;
    out.pos = q;
    return origin;
  }

  private writeMap(out: ByteBuffer, map: FieldMap, skipEnvelope: boolean): void {
    const tags = map.tags;
    const values = map.values;
    if (this.preserve) {
      for (let i = 0; i < tags.length; i++) this.writeEntry(out, tags[i], values[i], skipEnvelope);
      return;
    }
    const order = fixOrder(map, this.dataFields);
    // The usual field, a short string with a tag of one to three digits, is written inline with
    // the position and the checksum in locals; anything else goes through writeEntry.
    let buf = out.buf;
    let p = out.pos;
    let sum = this.sum;
    for (let k = 0, n = tags.length; k < n; k++) {
      const i = order[k];
      const tag = tags[i];
      const value = values[i];
      if (skipEnvelope && (tag === 8 || tag === 9 || tag === 35 || tag === 10)) continue;
      if (typeof value === 'string' && value.length <= 48 && tag > 0 && tag < 1000 && (tag | 0) === tag) {
        const n = value.length;
        if (p + 6 + n > buf.length) {
          out.pos = p;
          out.ensure(6 + n);
          buf = out.buf;
        }
        const fieldStart = p;
        const fieldSum = sum;
        if (tag < 10) {
          buf[p++] = 0x30 + tag;
          sum += 0x30 + 0x3d + tag;
        } else if (tag < 100) {
          const d = (tag / 10) | 0;
          buf[p++] = 0x30 + d;
          buf[p++] = 0x30 + tag - d * 10;
          sum += 0x60 + 0x3d + tag - d * 9;
        } else {
          const h = (tag / 100) | 0;
          const d = ((tag / 10) | 0) - h * 10;
          buf[p++] = 0x30 + h;
          buf[p++] = 0x30 + d;
          buf[p++] = 0x30 + tag - h * 100 - d * 10;
          sum += 0x90 + 0x3d + tag - h * 99 - d * 9;
        }
        buf[p++] = 0x3d;
        let j = 0;
        for (; j < n; j++) {
          const c = value.charCodeAt(j);
          if (c > 0xff) break;
          buf[p++] = c;
          sum += c;
        }
        if (j === n) {
          buf[p++] = SOH;
          sum += SOH;
          continue;
        }
        // A character beyond latin1: the field is written again as UTF-8.
        p = fieldStart;
        sum = fieldSum;
      }
      out.pos = p;
      this.sum = sum;
      this.writeEntry(out, tag, value, skipEnvelope);
      buf = out.buf;
      p = out.pos;
      sum = this.sum;
    }
    out.pos = p;
    this.sum = sum;
  }

  private writeEntry(out: ByteBuffer, tag: number, value: string | Uint8Array | Group[], skipEnvelope: boolean): void {
    if (skipEnvelope && (tag === 8 || tag === 9 || tag === 35 || tag === 10)) return;
    if (typeof value === 'string') {
      this.writeString(out, tag, value);
      return;
    }
    if (value instanceof Uint8Array) {
      this.writeBytes(out, tag, value);
      return;
    }
    this.writeString(out, tag, String(value.length));
    for (const entry of value) {
      if (this.preserve) this.writeMap(out, entry, false);
      else {
        const order = entryOrder(entry);
        for (let k = 0; k < order.length; k++) this.writeEntry(out, entry.tags[order[k]], entry.values[order[k]], false);
      }
    }
  }

  /** A text field: latin1 when every character fits in a byte, else UTF-8. */
  private writeString(out: ByteBuffer, tag: number, value: string): void {
    const n = value.length;
    out.ensure(12 + n * 3);
    const buf = out.buf;
    let p = out.pos;
    let sum = this.sum;
    // "tag=": one to three digits directly, anything else through writeUint.
    if (tag >= 0 && tag < 1000 && (tag | 0) === tag) {
      if (tag < 10) {
        buf[p++] = 0x30 + tag;
        sum += 0x30 + 0x3d + tag;
      } else if (tag < 100) {
        const d = (tag / 10) | 0;
        buf[p++] = 0x30 + d;
        buf[p++] = 0x30 + tag - d * 10;
        sum += 0x60 + 0x3d + tag - d * 9;
      } else {
        const h = (tag / 100) | 0;
        const d = ((tag / 10) | 0) - h * 10;
        const u = tag - h * 100 - d * 10;
        buf[p++] = 0x30 + h;
        buf[p++] = 0x30 + d;
        buf[p++] = 0x30 + u;
        sum += 0x90 + 0x3d + h + d + u;
      }
      buf[p++] = 0x3d;
    } else {
      const p0 = p;
      p = writeUint(buf, p, tag);
      buf[p++] = 0x3d;
      for (let i = p0; i < p; i++) sum += buf[i];
    }
    const valueStart = p;
    if (n > 48) {
      p += buf.write(value, p, isLatin1(value) ? 'latin1' : 'utf8');
      for (let i = valueStart; i < p; i++) sum += buf[i];
    } else {
      const before = sum;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c > 0xff) break;
        buf[p++] = c;
        sum += c;
      }
      if (i < n) {
        p = valueStart + buf.write(value, valueStart, 'utf8');
        sum = before;
        for (let k = valueStart; k < p; k++) sum += buf[k];
      }
    }
    buf[p++] = SOH;
    this.sum = sum + SOH;
    out.pos = p;
  }

  private writeBytes(out: ByteBuffer, tag: number, value: Uint8Array): void {
    out.ensure(12 + value.length * 3);
    const buf = out.buf;
    const p0 = out.pos;
    let p = writeUint(buf, p0, tag);
    buf[p++] = 0x3d;
    buf.set(value, p);
    p += value.length;
    buf[p++] = SOH;
    let sum = this.sum;
    for (let i = p0; i < p; i++) sum += buf[i];
    this.sum = sum;
    out.pos = p;
  }
}

function writeUint(buf: Buffer, p: number, n: number): number {
  if (n < 10) {
    buf[p] = 0x30 + n;
    return p + 1;
  }
  if (n < 100) {
    buf[p] = 0x30 + ((n / 10) | 0);
    buf[p + 1] = 0x30 + (n % 10);
    return p + 2;
  }
  if (n < 1000) {
    buf[p] = 0x30 + ((n / 100) | 0);
    buf[p + 1] = 0x30 + (((n / 10) | 0) % 10);
    buf[p + 2] = 0x30 + (n % 10);
    return p + 3;
  }
  return writeDecimal(buf, p, n);
}

function writeAscii(buf: Buffer, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  return p;
}

function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}
