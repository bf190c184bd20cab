/**
 * The QuickFIX C++ file store formats, read strictly so that a torn record is recognised as such
 * rather than misread:
 *
 * - `.header`: one record per stored message, `printf("%d,%ld,%lu ", seq, offset, size)`, e.g.
 *   `1,0,84 2,84,91 `. A record counts only when its terminating whitespace is present.
 * - `.seqnums`: `printf("%10.10d : %10.10d", nextSender, nextTarget)`, e.g.
 *   `0000000003 : 0000000002`, rewritten in place. Both numbers must have their full width.
 * - `.session`: the creation time as a UTCTimestamp, e.g. `20240102-03:04:05` (QuickFIX C++
 *   writes whole seconds; fractions are accepted on read).
 * - `.body`: the messages' bytes back to back.
 */
import { checksum, digitCount, writeDecimal } from '../codec/bytes.js';
import { formatUtcTimestamp, parseUtcTimestamp } from '../codec/values.js';

/** One `.header` record. */
export interface HeaderRecord {
  readonly seq: number;
  readonly offset: number;
  readonly size: number;
  /** Byte position just past the record's terminating whitespace in the header file. */
  readonly end: number;
}

/** Digits allowed per record field: sequence number, offset, size. */
const FIELD_DIGITS = [10, 16, 10];

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Receives one complete record: its numbers and the byte position just past its whitespace. */
export type HeaderRecordSink = (seq: number, offset: number, size: number, end: number) => void;

/**
 * Incremental `.header` parser: feed chunks in file order; complete records come out. Parsing
 * stops for good at the first malformed token (everything from there on is a torn or corrupt tail).
 * Reads the bytes directly: no string or object per record, so a store of millions of messages
 * loads without garbage.
 */
export class HeaderParser {
  private pos = 0;
  private stopped = false;
  /** In a token: which field (0 to 2), its digits so far, and the values read. */
  private inToken = false;
  private field = 0;
  private digits = 0;
  private values = [0, 0, 0];

  /** Byte position just past the last complete record (the valid prefix of the file). */
  validEnd = 0;

  /** True when bytes after the last complete record are not just whitespace (a torn or corrupt tail). */
  get torn(): boolean {
    return this.stopped || this.inToken;
  }

  /** Parses a chunk and returns the records completed in it. */
  push(chunk: Buffer): HeaderRecord[] {
    const out: HeaderRecord[] = [];
    this.scan(chunk, (seq, offset, size, end) => out.push({ seq, offset, size, end }));
    return out;
  }

  /** Parses a chunk, handing each record completed in it to `sink`. */
  scan(chunk: Buffer, sink: HeaderRecordSink): void {
    if (this.stopped) return;
    const values = this.values;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (isSpace(c)) {
        if (!this.inToken) continue;
        if (this.field !== 2 || this.digits === 0) return this.stop();
        this.inToken = false;
        this.validEnd = this.pos + i + 1;
        sink(values[0], values[1], values[2], this.validEnd);
        continue;
      }
      if (!this.inToken) {
        this.inToken = true;
        this.field = 0;
        this.digits = 0;
        values[0] = values[1] = values[2] = 0;
      }
      const d = c - 0x30;
      if (d >= 0 && d <= 9) {
        if (++this.digits > FIELD_DIGITS[this.field]) return this.stop();
        values[this.field] = values[this.field] * 10 + d;
      } else if (c === 0x2c && this.field < 2 && this.digits > 0) {
        this.field++;
        this.digits = 0;
      } else {
        return this.stop();
      }
    }
    this.pos += chunk.length;
  }

  private stop(): void {
    this.stopped = true;
  }
}

/** The `.header` record for a message, as QuickFIX writes it. */
export function formatHeaderRecord(seq: number, offset: number, size: number): string {
  return `${seq},${offset},${size} `;
}

/** Length in bytes of the `.header` record `formatHeaderRecord` gives. */
export function headerRecordLength(seq: number, offset: number, size: number): number {
  return digitCount(seq) + digitCount(offset) + digitCount(size) + 3;
}

/**
 * Writes the `.header` record `formatHeaderRecord` gives into `out` at `at` (ASCII, one byte per
 * character) and returns where it ends, without making a string (see `writeDecimal`).
 */
export function writeHeaderRecord(out: Buffer, at: number, seq: number, offset: number, size: number): number {
  at = writeDecimal(out, at, seq);
  out[at++] = 0x2c;
  at = writeDecimal(out, at, offset);
  out[at++] = 0x2c;
  at = writeDecimal(out, at, size);
  out[at++] = 0x20;
  return at;
}

/** The `.seqnums` content, as QuickFIX writes it (23 bytes for numbers below 10^10). */
export function formatSeqNums(nextSender: number, nextTarget: number): string {
  return `${String(nextSender).padStart(10, '0')} : ${String(nextTarget).padStart(10, '0')}`;
}

/** Length of `.seqnums` as written (every valid sequence number fits in its 10 digits). */
export const SEQNUMS_LENGTH = formatSeqNums(1, 1).length;

/** The `.seqnums` content written into `out` (SEQNUMS_LENGTH bytes), as `formatSeqNums` gives it. */
export function writeSeqNumsBytes(out: Buffer, nextSender: number, nextTarget: number): Buffer {
  writeDigits(out, 0, nextSender);
  out[10] = 0x20;
  out[11] = 0x3a;
  out[12] = 0x20;
  writeDigits(out, 13, nextTarget);
  return out;
}

/** `n` (below 10^10) as 10 digits with leading zeros at `at`. */
function writeDigits(out: Buffer, at: number, n: number): void {
  for (let i = at + 9; i >= at; i--) {
    out[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
}

/** Parses `.seqnums`; null when empty, torn or malformed. */
export function parseSeqNums(text: string): { sender: number; target: number } | null {
  const m = /^(\d{10,}) : (\d{10,})\s*$/.exec(text);
  if (!m) return null;
  const sender = Number(m[1]);
  const target = Number(m[2]);
  return sender >= 1 && target >= 1 && Number.isSafeInteger(sender) && Number.isSafeInteger(target) ? { sender, target } : null;
}

/** The `.session` content: the creation time in whole seconds, as QuickFIX C++ writes it. */
export function formatCreationTime(time: Date): string {
  return formatUtcTimestamp(time.getTime(), 0);
}

/** Parses `.session`; null when empty, torn or malformed. */
export function parseCreationTime(content: Buffer): Date | null {
  const text = content.toString('latin1', 0, content.length).trim();
  const buf = Buffer.from(text, 'latin1');
  const t = parseUtcTimestamp(buf, 0, buf.length);
  return t ? new Date(t.millis) : null;
}

/** Creation times are kept at whole seconds, the precision of the `.session` file. */
export function truncateToSecond(time: Date): Date {
  return new Date(Math.floor(time.getTime() / 1000) * 1000);
}

/**
 * Whether `bytes` is a complete FIX message: starts with `8=`, ends with `<SOH>10=nnn<SOH>` and the
 * checksum matches. Used to vet the last stored message after a crash.
 */
export function isCompleteMessage(bytes: Buffer): boolean {
  const n = bytes.length;
  if (n < 10 || bytes[0] !== 0x38 || bytes[1] !== 0x3d) return false;
  const t = n - 8;
  if (bytes[t] !== 0x01 || bytes[t + 1] !== 0x31 || bytes[t + 2] !== 0x30 || bytes[t + 3] !== 0x3d || bytes[n - 1] !== 0x01) return false;
  let v = 0;
  for (let i = t + 4; i < t + 7; i++) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) return false;
    v = v * 10 + d;
  }
  return checksum(bytes, 0, t + 1) === v;
}

/** A FIX message found in `.body` bytes no `.header` record points at. */
export interface FramedMessage {
  readonly size: number;
  /** Its MsgSeqNum (34), 0 when it has none. */
  readonly seq: number;
}

/**
 * The complete FIX message starting at `at` in `buf` (framed by BodyLength, checked by
 * `isCompleteMessage`); 'more' when `buf` ends before it does; null when the bytes there are not one.
 * Used to tell what lies in `.body` past the last indexed message.
 */
export function framedMessageAt(buf: Buffer, at: number): FramedMessage | 'more' | null {
  if (buf.length - at < 2) return 'more';
  if (buf[at] !== 0x38 || buf[at + 1] !== 0x3d) return null;
  const soh = buf.indexOf(0x01, at);
  if (soh < 0) return buf.length - at > 64 ? null : 'more';
  if (buf.length - soh < 3) return 'more';
  if (buf[soh + 1] !== 0x39 || buf[soh + 2] !== 0x3d) return null;
  let length = 0;
  let i = soh + 3;
  for (; i < buf.length && buf[i] !== 0x01; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9 || i - soh > 12) return null;
    length = length * 10 + d;
  }
  if (i >= buf.length) return 'more';
  const end = i + 1 + length + 7;
  if (end > buf.length) return 'more';
  const bytes = buf.subarray(at, end);
  if (!isCompleteMessage(bytes)) return null;
  const tag = bytes.indexOf('\x0134=', 0, 'latin1');
  let seq = 0;
  for (let k = tag < 0 ? bytes.length : tag + 4; k < bytes.length && bytes[k] !== 0x01; k++) seq = seq * 10 + (bytes[k] - 0x30);
  return { size: end - at, seq };
}
