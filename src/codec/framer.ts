/**
 * Framing: finds whole FIX messages in a byte stream that arrives in arbitrary chunks.
 *
 * A frame starts at `8=FIX`, its end is located from BodyLength(9) and the CheckSum(10) field that
 * follows, exactly as QuickFIX does: the search for `<SOH>10=` starts where BodyLength says the body
 * ends, so a message with a wrong BodyLength is still delimited (and later refused by the parser).
 * Bytes before a frame are skipped and reported as garbage; after a frame that cannot be delimited
 * the framer resynchronises on the next `8=FIX`. A frame larger than `maxMessageSize` is dropped
 * with an error, so memory stays bounded whatever the peer sends.
 */
import { CodecError, InvalidOptionError } from './errors.js';

/** FIX syntax bytes, inlined as literals (an imported constant is reloaded on every use in optimised code). */
const enum Byte {
  SOH = 0x01,
  EQUALS = 0x3d,
  ZERO = 0x30,
}

/** Receives complete frames and framing errors. */
export interface FrameHandler {
  /**
   * A complete frame in `buf[start, end)`. The bytes are only valid during the call: copy them to
   * keep them (the parser's `MessageView.clone()` does).
   */
  onFrame(buf: Buffer, start: number, end: number): void;
  /** Bytes were skipped or a frame was dropped; the stream continues after them. */
  onError(error: CodecError): void;
}

/** Options of a {@link Framer}: the largest message accepted. */
export interface FramerOptions {
  /** Largest accepted frame in bytes (default 1 MiB). Larger frames are dropped with an error. */
  maxMessageSize?: number;
}

/** The largest message accepted by default (`MaxMessageSize`): 1 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;
/** Longest BeginString value accepted while looking for BodyLength. */
const MAX_BEGIN_STRING = 32;
const START = Buffer.from('8=FIX', 'latin1');
const TRAILER = Buffer.from('\x0110=', 'latin1');

/**
 * @internal What the fast path read of the frame it hands to `onFrame`, valid during that call
 * (`buf` is cleared after it): where BeginString's and BodyLength's values end (their SOH),
 * BodyLength, the sum of the bytes before BodyLength's SOH, and the CheckSum value (three digits).
 * A parser called then with the same buffer and bounds starts at MsgType instead of reading the
 * first two fields again; the handler must not have changed the frame's bytes before parsing it.
 */
export const frameHint = { buf: undefined as Buffer | undefined, start: -1, end: -1, end8: 0, end9: 0, length: 0, sum: 0, checksum: 0 };

/** Outcome of examining the buffer at a frame start. */
const enum Scan {
  NeedMore = -1,
  Bad = -2,
}

/** Cuts a byte stream into FIX messages from any chunking, skipping and reporting garbage, refusing oversized frames. */
export class Framer {
  private readonly maxMessageSize: number;
  private pending: Buffer = Buffer.allocUnsafe(0);
  private pendingLength = 0;
  /** Garbage bytes skipped since the last report; reported once a frame start is found. */
  private skipped = 0;

  constructor(
    private readonly handler: FrameHandler,
    options: FramerOptions = {},
  ) {
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    if (!(this.maxMessageSize >= 64)) throw new InvalidOptionError('maxMessageSize must be at least 64 bytes');
  }

  /** Number of bytes held while waiting for the rest of a frame. */
  get buffered(): number {
    return this.pendingLength;
  }

  /** Drops any partial frame (after a disconnect, for example). */
  reset(): void {
    this.pendingLength = 0;
    this.skipped = 0;
  }

  /** Feeds the next chunk of the stream. Frames and errors are reported synchronously. */
  push(chunk: Buffer): void {
    let from = 0;
    if (this.pendingLength > 0) {
      // A frame split between chunks: when its header says how long it is, complete it with just
      // the bytes it still needs and frame the rest of the chunk in place, without copying it.
      const total = declaredFrameLength(this.pending, this.pendingLength, this.maxMessageSize);
      const need = total - this.pendingLength;
      if (need > 0 && need < chunk.length) {
        this.append(chunk, 0, need);
        this.drain();
        from = need;
      }
      if (this.pendingLength > 0 || from === 0) {
        // Not delimited as declared (or length unknown): go on with everything held.
        this.append(chunk, from, chunk.length);
        this.drain();
        return;
      }
    }
    const used = this.scan(chunk, from, chunk.length);
    if (used < chunk.length) this.keep(chunk, used, chunk.length);
  }

  /** Frames what is held and keeps the unconsumed rest. */
  private drain(): void {
    const buf = this.pending;
    const used = this.scan(buf, 0, this.pendingLength);
    if (used > 0) {
      buf.copy(buf, 0, used, this.pendingLength);
      this.pendingLength -= used;
    }
  }

  /** Processes buf[start, end); returns how many bytes were consumed. */
  private scan(buf: Buffer, start: number, end: number): number {
    let pos = start;
    const handler = this.handler;
    const max = this.maxMessageSize;
    while (pos < end) {
      // Fast path: a complete, well-formed frame starts right here.
      if (this.skipped === 0) {
        const f = wholeFrame(buf, pos, end, max);
        if (f > 0) {
          frameHint.buf = buf;
          try {
            handler.onFrame(buf, pos, f);
          } finally {
            frameHint.buf = undefined;
          }
          pos = f;
          continue;
        }
      }
      const frameStart = this.findStart(buf, pos, end);
      if (frameStart < 0) {
        // Keep a possible partial "8=FIX" at the very end; everything before it is garbage.
        const keep = partialStartLength(buf, end);
        this.skipped += end - keep - pos;
        if (this.skipped > 0 && keep === 0) this.flushGarbage();
        return end - keep;
      }
      this.skipped += frameStart - pos;
      this.flushGarbage();
      const frameEnd = this.frameEnd(buf, frameStart, end);
      if (frameEnd === Scan.NeedMore) {
        if (end - frameStart > this.maxMessageSize) {
          this.dropOversized(end - frameStart);
          pos = frameStart + 1;
          continue;
        }
        return frameStart;
      }
      if (frameEnd === Scan.Bad) {
        pos = frameStart + 1;
        continue;
      }
      if (frameEnd - frameStart > this.maxMessageSize) {
        this.dropOversized(frameEnd - frameStart);
        pos = frameEnd;
        continue;
      }
      this.handler.onFrame(buf, frameStart, frameEnd);
      pos = frameEnd;
    }
    return pos;
  }

  private findStart(buf: Buffer, pos: number, end: number): number {
    // Fast path: the next frame starts right here (the usual case between frames).
    if (pos + 5 <= end && buf[pos] === 0x38 && buf[pos + 1] === Byte.EQUALS && buf[pos + 2] === 0x46 && buf[pos + 3] === 0x49 && buf[pos + 4] === 0x58) {
      return pos;
    }
    const i = buf.indexOf(START, pos);
    return i < 0 || i + START.length > end ? -1 : i;
  }

  /**
   * Returns the end of the frame starting at `s`, Scan.NeedMore when more bytes are needed, or
   * Scan.Bad (after reporting) when the envelope cannot be read.
   */
  private frameEnd(buf: Buffer, s: number, end: number): number {
    // BeginString value ends at the first SOH.
    let p = s + 2;
    const limit = Math.min(end, p + MAX_BEGIN_STRING);
    while (p < limit && buf[p] !== Byte.SOH) p++;
    if (p >= limit) {
      if (limit === end && end - s < MAX_BEGIN_STRING + 2) return Scan.NeedMore;
      return this.bad('begin-string-missing', 'BeginString(8) is not terminated by SOH', 8);
    }
    p++;
    // "9=" then digits then SOH.
    if (end - p < 2) return Scan.NeedMore;
    if (buf[p] !== 0x39 || buf[p + 1] !== Byte.EQUALS) {
      return this.bad('body-length-missing', 'BodyLength(9) must be the second field', 9);
    }
    p += 2;
    let length = 0;
    const digitsStart = p;
    while (p < end && buf[p] !== Byte.SOH) {
      const d = buf[p] - Byte.ZERO;
      if (d < 0 || d > 9 || p - digitsStart >= 9) {
        return this.bad('body-length-missing', 'BodyLength(9) is not a non-negative integer', 9);
      }
      length = length * 10 + d;
      p++;
    }
    if (p >= end) return Scan.NeedMore;
    if (p === digitsStart) return this.bad('body-length-missing', 'BodyLength(9) is empty', 9);
    p++;
    if (p - s + length > this.maxMessageSize) {
      this.dropOversized(p - s + length);
      return Scan.Bad;
    }
    // Fast path: "10=ddd<SOH>" right where BodyLength says the body ends.
    const b = p + length;
    // (Three digits only: a CheckSum value holding an SOH ends the frame at that SOH, found below.)
    if (b + 7 <= end && buf[b] === 0x31 && buf[b + 1] === Byte.ZERO && buf[b + 2] === Byte.EQUALS && buf[b + 6] === Byte.SOH && buf[b - 1] === Byte.SOH && checkSumDigits(buf, b + 3) >= 0) {
      return b + 7;
    }
    // Otherwise search for "<SOH>10=" from the last byte of the declared body, as QuickFIX does.
    const from = p + length - 1;
    if (from + TRAILER.length > end) return Scan.NeedMore;
    const t = buf.indexOf(TRAILER, Math.max(from, p - 1));
    if (t < 0 || t + TRAILER.length > end) return Scan.NeedMore;
    const soh = buf.indexOf(Byte.SOH, t + TRAILER.length);
    if (soh < 0 || soh >= end) return Scan.NeedMore;
    return soh + 1;
  }

  private bad(reason: 'begin-string-missing' | 'body-length-missing', message: string, tag: number): Scan {
    this.handler.onError(new CodecError(reason, message, tag));
    return Scan.Bad;
  }

  private dropOversized(size: number): void {
    this.handler.onError(
      new CodecError('oversized', `message of at least ${size} bytes exceeds the maximum of ${this.maxMessageSize}`, undefined, size),
    );
  }

  private flushGarbage(): void {
    if (this.skipped === 0) return;
    const n = this.skipped;
    this.skipped = 0;
    this.handler.onError(new CodecError('garbage', `skipped ${n} bytes that do not start a FIX message`, undefined, n));
  }

  private keep(src: Buffer, start: number, end: number): void {
    this.pendingLength = 0;
    this.ensure(end - start);
    src.copy(this.pending, 0, start, end);
    this.pendingLength = end - start;
  }

  private append(chunk: Buffer, start: number, end: number): void {
    this.ensure(this.pendingLength + end - start);
    chunk.copy(this.pending, this.pendingLength, start, end);
    this.pendingLength += end - start;
  }

  private ensure(size: number): void {
    if (this.pending.length >= size) return;
    const next = Buffer.allocUnsafe(Math.max(size, this.pending.length * 2, 4096));
    this.pending.copy(next, 0, 0, this.pendingLength);
    this.pending = next;
  }
}

/** Length of a proper prefix of "8=FIX" that ends the buffer (0 when none). */
function partialStartLength(buf: Buffer, end: number): number {
  for (let k = Math.min(START.length - 1, end); k > 0; k--) {
    let match = true;
    for (let j = 0; j < k; j++) {
      if (buf[end - k + j] !== START[j]) {
        match = false;
        break;
      }
    }
    if (match) return k;
  }
  return 0;
}

/**
 * The length of the frame at the start of buf[0, end) as its BodyLength declares it, with the usual
 * 7-byte CheckSum field ("8=FIX", BeginString, "9=" and up to 9 digits), or -1 when the bytes held
 * do not tell or the frame would exceed `max`. Only a hint: the frame is delimited by `scan`.
 */
function declaredFrameLength(buf: Buffer, end: number, max: number): number {
  if (end < 5 || buf[0] !== 0x38 || buf[1] !== Byte.EQUALS || buf[2] !== 0x46 || buf[3] !== 0x49 || buf[4] !== 0x58) return -1;
  let p = 5;
  const limit = 2 + MAX_BEGIN_STRING < end ? 2 + MAX_BEGIN_STRING : end;
  while (p < limit && buf[p] !== Byte.SOH) p++;
  if (p >= limit || p + 3 >= end || buf[p + 1] !== 0x39 || buf[p + 2] !== Byte.EQUALS) return -1;
  p += 3;
  const digitsStart = p;
  let length = 0;
  for (; p < end && buf[p] !== Byte.SOH; p++) {
    const d = buf[p] - Byte.ZERO;
    if (d >>> 0 > 9 || p - digitsStart >= 9) return -1;
    length = length * 10 + d;
  }
  if (p >= end || p === digitsStart) return -1;
  const total = p + 1 + length + 7;
  return total > max ? -1 : total;
}

/**
 * The end of the frame at `s` when it is complete in buf[s, end) and takes the usual shape
 * ("8=FIX", BeginString, "9=" and up to 9 digits, "<SOH>10=ddd<SOH>" where BodyLength says, no
 * larger than `max`), else -1; the general code then handles the frame, with the same result for
 * a frame of that shape.
 */
function wholeFrame(buf: Buffer, s: number, end: number, max: number): number {
  if (s + 16 > end || buf[s] !== 0x38 || buf[s + 1] !== Byte.EQUALS || buf[s + 2] !== 0x46 || buf[s + 3] !== 0x49 || buf[s + 4] !== 0x58) return -1;
  let p = s + 5;
  const limit = s + 2 + MAX_BEGIN_STRING < end ? s + 2 + MAX_BEGIN_STRING : end;
  // The bytes read here are summed for the parser (frameHint), which then does not read them again.
  let sum = 0x38 + Byte.EQUALS + 0x46 + 0x49 + 0x58;
  let c = 0;
  while (p < limit && (c = buf[p]) !== Byte.SOH) {
    sum += c;
    p++;
  }
  if (p >= limit || p + 3 >= end || buf[p + 1] !== 0x39 || buf[p + 2] !== Byte.EQUALS) return -1;
  const end8 = p;
  sum += Byte.SOH + 0x39 + Byte.EQUALS;
  p += 3;
  const digitsStart = p;
  let length = 0;
  c = buf[p];
  while (c !== Byte.SOH) {
    const d = c - Byte.ZERO;
    if (d >>> 0 > 9 || p - digitsStart >= 9 || p + 1 >= end) return -1;
    length = length * 10 + d;
    sum += c;
    c = buf[++p];
  }
  if (p === digitsStart) return -1;
  const b = p + 1 + length;
  if (b - s > max || b + 7 > end || buf[b] !== 0x31 || buf[b + 1] !== Byte.ZERO || buf[b + 2] !== Byte.EQUALS || buf[b + 6] !== Byte.SOH || buf[b - 1] !== Byte.SOH) return -1;
  if (b + 7 - s > max) return -1;
  // Three digits of CheckSum (anything else, an SOH in particular, is left to the general code,
  // which ends the frame at the first SOH after "10=").
  const checksum = checkSumDigits(buf, b + 3);
  if (checksum < 0) return -1;
  const hint = frameHint;
  hint.checksum = checksum;
  hint.start = s;
  hint.end = b + 7;
  hint.end8 = end8;
  hint.end9 = p;
  hint.length = length;
  hint.sum = sum;
  return b + 7;
}

/** The three digits at `at` as a number, or -1 when they are not three digits. */
function checkSumDigits(buf: Buffer, at: number): number {
  const d0 = buf[at] - Byte.ZERO;
  const d1 = buf[at + 1] - Byte.ZERO;
  const d2 = buf[at + 2] - Byte.ZERO;
  return d0 >>> 0 > 9 || d1 >>> 0 > 9 || d2 >>> 0 > 9 ? -1 : d0 * 100 + d1 * 10 + d2;
}
