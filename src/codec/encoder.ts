/**
 * Encoding: writes a `Message` into a reused buffer with exact BodyLength(9) and CheckSum(10).
 *
 * Default field order is the one QuickFIX writes: 8, 9, 35, the other header fields by tag, the
 * body by tag (a repeating group sits at its NumInGroup tag, entries in member order), the trailer
 * and 10. A raw data field always follows its length field. With `preserveOrder` every section is
 * written in the order its fields were set (or parsed).
 */
import { SOH } from './bytes.js';
import { STANDARD_DATA_FIELDS, type DataFieldMap } from './data-fields.js';
import type { FieldMap, Group } from './field-map.js';
import type { Message } from './message.js';

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

const orderCache = new WeakMap<FieldMap, { version: number; order: number[] }>();

/** Sort key: header envelope first, a data field right after its length field. */
function sortKey(tag: number, data: DataFieldMap): number {
  if (tag === 8) return -3;
  if (tag === 9) return -2;
  if (tag === 35) return -1;
  const len = data.lengthTagOf(tag);
  return len ? len * 2 + 1 : tag * 2;
}

/** Indices of a map's fields in FIX order (cached until fields are added or removed). */
function fixOrder(map: FieldMap, data: DataFieldMap): number[] {
  const cached = orderCache.get(map);
  if (cached && cached.version === map.version) return cached.order;
  const order = map.tags.map((_, i) => i);
  const keys = map.tags.map((t) => sortKey(t, data));
  order.sort((a, b) => keys[a] - keys[b] || a - b);
  orderCache.set(map, { version: map.version, order });
  return order;
}

/** Indices of a group entry's fields: delimiter first, then the dictionary's member order. */
function entryOrder(g: Group): number[] {
  const cached = orderCache.get(g);
  if (cached && cached.version === g.version) return cached.order;
  const pos = new Map<number, number>();
  (g.order ?? []).forEach((t, i) => pos.set(t, i));
  const rank = (t: number): number => (t === g.delimiter ? -1 : (pos.get(t) ?? 1e9 + t));
  const order = g.tags.map((_, i) => i);
  order.sort((a, b) => rank(g.tags[a]) - rank(g.tags[b]) || a - b);
  orderCache.set(g, { version: g.version, order });
  return order;
}

export class Encoder {
  private readonly out: ByteBuffer;
  private preserve = false;

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
    this.out.pos = 0;
    const start = this.encodeInto(msg, this.out, options);
    return this.out.buf.subarray(start, this.out.pos);
  }

  /** Appends the encoded message to `out`; returns the offset where it starts. */
  encodeInto(msg: Message, out: ByteBuffer, options?: EncodeOptions): number {
    this.preserve = options?.preserveOrder ?? false;
    const beginString = msg.header.get(8) ?? options?.beginString;
    if (!beginString) throw new RangeError('message has no BeginString(8)');
    const msgType = msg.header.get(35);
    if (!msgType) throw new RangeError('message has no MsgType(35)');
    // Reserve room for "8=<begin>|9=<up to 7 digits>|" and write from MsgType on.
    const reserve = beginString.length + 13;
    out.ensure(reserve);
    const origin = out.pos;
    out.pos += reserve;
    const bodyStart = out.pos;
    this.writeField(out, 35, msgType);
    this.writeMap(out, msg.header, true);
    this.writeMap(out, msg.body, false);
    this.writeMap(out, msg.trailer, true);
    const bodyLength = out.pos - bodyStart;
    // Write the prefix right-aligned against the body.
    const lenText = String(bodyLength);
    const prefixLength = 2 + beginString.length + 1 + 2 + lenText.length + 1;
    const start = bodyStart - prefixLength;
    const buf = out.buf;
    let p = start;
    buf[p++] = 0x38;
    buf[p++] = 0x3d;
    p = writeAscii(buf, p, beginString);
    buf[p++] = SOH;
    buf[p++] = 0x39;
    buf[p++] = 0x3d;
    p = writeAscii(buf, p, lenText);
    buf[p++] = SOH;
    // CheckSum over everything written.
    let sum = 0;
    for (let i = start; i < out.pos; i++) sum += buf[i];
    sum &= 0xff;
    out.ensure(7);
    const b = out.buf;
    let q = out.pos;
    b[q++] = 0x31;
    b[q++] = 0x30;
    b[q++] = 0x3d;
    b[q++] = 0x30 + ((sum / 100) | 0);
    b[q++] = 0x30 + (((sum / 10) | 0) % 10);
    b[q++] = 0x30 + (sum % 10);
    b[q++] = SOH;
    out.pos = q;
    if (start !== origin) {
      // Close the gap left by an over-sized reservation.
      b.copy(b, origin, start, out.pos);
      out.pos -= start - origin;
    }
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
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      this.writeEntry(out, tags[i], values[i], skipEnvelope);
    }
  }

  private writeEntry(out: ByteBuffer, tag: number, value: string | Uint8Array | Group[], skipEnvelope: boolean): void {
    if (skipEnvelope && (tag === 8 || tag === 9 || tag === 35 || tag === 10)) return;
    if (typeof value === 'string' || value instanceof Uint8Array) {
      this.writeField(out, tag, value);
      return;
    }
    this.writeField(out, tag, String(value.length));
    for (const entry of value) {
      if (this.preserve) this.writeMap(out, entry, false);
      else {
        const order = entryOrder(entry);
        for (let k = 0; k < order.length; k++) this.writeEntry(out, entry.tags[order[k]], entry.values[order[k]], false);
      }
    }
  }

  private writeField(out: ByteBuffer, tag: number, value: string | Uint8Array): void {
    out.ensure(12 + value.length * 3);
    const buf = out.buf;
    let p = writeUint(buf, out.pos, tag);
    buf[p++] = 0x3d;
    if (typeof value === 'string') p = writeText(buf, p, value);
    else {
      buf.set(value, p);
      p += value.length;
    }
    buf[p++] = SOH;
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
  return writeAscii(buf, p, String(n));
}

function writeAscii(buf: Buffer, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  return p;
}

/** Writes text as latin1 when every character fits in a byte, else as UTF-8. */
function writeText(buf: Buffer, p: number, s: string): number {
  const n = s.length;
  if (n > 48) return p + buf.write(s, p, isLatin1(s) ? 'latin1' : 'utf8');
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return p - i + buf.write(s, p - i, 'utf8');
    buf[p++] = c;
  }
  return p;
}

function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}
