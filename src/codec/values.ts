/**
 * Decoding and formatting of FIX value types, straight from and to bytes.
 *
 * Timestamps keep their full precision: a UTCTimestamp decodes to epoch milliseconds plus the
 * nanoseconds within the millisecond, and the number of fractional digits it was written with.
 */
import { MessageBuildError } from './errors.js';

/** The digit zero, inlined as a literal (an imported constant is reloaded on every use in optimised code). */
const enum Byte {
  ZERO = 0x30,
}

/** Fractional-second digits written in timestamps: 0 (seconds), 3, 6 or 9. */
export type TimestampPrecision = 0 | 3 | 6 | 9;

/** Maps QuickFIX's `TimeStampPrecision` names to digits. */
export const PRECISION_BY_NAME: Readonly<Record<string, TimestampPrecision>> = {
  SECONDS: 0,
  MILLIS: 3,
  MICROS: 6,
  NANOS: 9,
};

/** A decoded UTC timestamp or time of day with sub-millisecond precision preserved. */
export interface FixTime {
  /** Milliseconds since the epoch (for a time-only value: since midnight). */
  readonly millis: number;
  /** Nanoseconds beyond `millis` (0 to 999,999). */
  readonly nanos: number;
  /** Fractional digits present in the text (12: picoseconds, read to the nanosecond). */
  readonly precision: ParsedPrecision;
}

/** Fractional-second digits a received timestamp may carry: those written, and 12 (picoseconds). */
export type ParsedPrecision = TimestampPrecision | 12;

/** A LocalMktDate or UTCDateOnly: calendar date without time. */
export interface FixDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A MonthYear value: YYYYMM, optionally with a day (DD) or week (wN). */
export interface FixMonthYear {
  readonly year: number;
  readonly month: number;
  readonly day?: number;
  readonly week?: number;
}

function digits(buf: Uint8Array, s: number, n: number): number {
  let v = 0;
  for (let i = s; i < s + n; i++) {
    const d = buf[i] - Byte.ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Parses a signed integer; NaN when the text is not one, or when its magnitude is past
 * `Number.MAX_SAFE_INTEGER` (a double would silently round it: 9007199254740993 reads as ...992).
 */
export function parseIntBytes(buf: Uint8Array, s: number, e: number): number {
  if (e <= s) return NaN;
  let neg = false;
  let i = s;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
    if (i === e) return NaN;
  }
  let v = 0;
  for (; i < e; i++) {
    const d = buf[i] - Byte.ZERO;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  // Every value from 2^53 on (rounded or not) compares above the largest safe integer.
  if (v > Number.MAX_SAFE_INTEGER) return NaN;
  return neg ? -v : v;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parses a FIX float into the nearest double; NaN when malformed. With at most 15 significant
 * digits the value is digits / 10^scale, one correctly rounded division, so the result equals
 * `Number(text)` without building a string.
 */
export function parseDecimalBytes(buf: Uint8Array, s: number, e: number): number {
  // The usual price or quantity: digits, then maybe '.' and digits, at most 15 in all, read in
  // one loop without the sign, scale and digit bookkeeping of the general form below.
  if (e - s <= 15 && e > s) {
    let i = s;
    let d = buf[i] - Byte.ZERO;
    let mantissa = 0;
    while (d >>> 0 <= 9) {
      mantissa = mantissa * 10 + d;
      if (++i === e) return mantissa;
      d = buf[i] - Byte.ZERO;
    }
    if (d === 0x2e - Byte.ZERO && i > s) {
      const dot = i;
      while (++i < e) {
        d = buf[i] - Byte.ZERO;
        if (d >>> 0 > 9) return NaN;
        mantissa = mantissa * 10 + d;
      }
      return i - dot > 1 ? mantissa / POW10[i - dot - 1] : mantissa;
    }
  }
  return parseDecimalGeneral(buf, s, e);
}

/** parseDecimalBytes for any text: sign, leading '.', more than 15 digits. */
function parseDecimalGeneral(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (i < e && buf[i] === 0x2d) {
    neg = true;
    i++;
  }
  let mantissa = 0;
  let digitsSeen = 0;
  let scale = -1;
  for (; i < e; i++) {
    const c = buf[i];
    if (c === 0x2e) {
      if (scale >= 0) return NaN;
      scale = 0;
      continue;
    }
    const d = c - Byte.ZERO;
    if (d >>> 0 > 9) return NaN;
    mantissa = mantissa * 10 + d;
    digitsSeen++;
    if (scale >= 0) scale++;
  }
  if (digitsSeen === 0) return NaN;
  if (digitsSeen > 15 || scale > 22) {
    let text = '';
    for (let k = s; k < e; k++) text += String.fromCharCode(buf[k]);
    return Number(text);
  }
  const v = scale > 0 ? mantissa / POW10[scale] : mantissa;
  return neg ? -v : v;
}

/** True when [s, e) is a FIX float as QuickFIX reads one: optional '-', digits, optional single '.', at least one digit ('+' is refused). */
export function isDecimalBytes(buf: Uint8Array, s: number, e: number): boolean {
  let i = s;
  if (i < e && buf[i] === 0x2d) i++;
  let seenDigit = false;
  let seenDot = false;
  for (; i < e; i++) {
    const c = buf[i];
    if (c === 0x2e) {
      if (seenDot) return false;
      seenDot = true;
    } else if (c >= 0x30 && c <= 0x39) seenDigit = true;
    else return false;
  }
  return seenDigit;
}

function validTime(h: number, m: number, sec: number): boolean {
  return h >= 0 && h <= 23 && m >= 0 && m <= 59 && sec >= 0 && sec <= 60;
}

function validDate(y: number, mo: number, d: number): boolean {
  return y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

/**
 * Parses HH:MM:SS[.f{3,6,9,12}] at s; returns millis since midnight in `out`, or false. Picoseconds
 * (12 digits, accepted as QuickFIX/J does) are cut to the nanosecond.
 */
function parseTimeOfDay(buf: Uint8Array, s: number, e: number, out: { millis: number; nanos: number; precision: ParsedPrecision }): boolean {
  if (e - s < 8 || buf[s + 2] !== 0x3a || buf[s + 5] !== 0x3a) return false;
  const h = digits(buf, s, 2);
  const m = digits(buf, s + 3, 2);
  const sec = digits(buf, s + 6, 2);
  if (!validTime(h, m, sec)) return false;
  let millis = ((h * 60 + m) * 60 + sec) * 1000;
  let nanos = 0;
  let precision: ParsedPrecision = 0;
  if (e - s > 8) {
    if (buf[s + 8] !== 0x2e) return false;
    const n = e - s - 9;
    if (n !== 3 && n !== 6 && n !== 9 && n !== 12) return false;
    // The nanoseconds; of picoseconds the first 9 digits (the rest would be a fraction of one).
    const ns = digits(buf, s + 9, n === 12 ? 9 : n);
    if (ns < 0 || (n === 12 && digits(buf, s + 18, 3) < 0)) return false;
    const scaled = n === 3 ? ns * 1_000_000 : n === 6 ? ns * 1000 : ns;
    millis += Math.floor(scaled / 1_000_000);
    nanos = scaled % 1_000_000;
    precision = n as ParsedPrecision;
  }
  out.millis = millis;
  out.nanos = nanos;
  out.precision = precision;
  return true;
}

/** Parses a UTCTimestamp `YYYYMMDD-HH:MM:SS[.sss|.ssssss|.sssssssss|.ssssssssssss]`; null when malformed. */
export function parseUtcTimestamp(buf: Uint8Array, s: number, e: number): FixTime | null {
  if (e - s < 17 || buf[s + 8] !== 0x2d) return null;
  const y = digits(buf, s, 4);
  const mo = digits(buf, s + 4, 2);
  const d = digits(buf, s + 6, 2);
  if (!validDate(y, mo, d)) return null;
  const t = { millis: 0, nanos: 0, precision: 0 as ParsedPrecision };
  if (!parseTimeOfDay(buf, s + 9, e, t)) return null;
  return { millis: Date.UTC(y, mo - 1, d) + t.millis, nanos: t.nanos, precision: t.precision };
}

/** Parses a UTCTimeOnly `HH:MM:SS[.fff…]`; millis are since midnight. */
export function parseUtcTimeOnly(buf: Uint8Array, s: number, e: number): FixTime | null {
  const t = { millis: 0, nanos: 0, precision: 0 as ParsedPrecision };
  return parseTimeOfDay(buf, s, e, t) ? t : null;
}

/** Parses a UTCDateOnly or LocalMktDate `YYYYMMDD`. */
export function parseDate(buf: Uint8Array, s: number, e: number): FixDate | null {
  if (e - s !== 8) return null;
  const year = digits(buf, s, 4);
  const month = digits(buf, s + 4, 2);
  const day = digits(buf, s + 6, 2);
  return validDate(year, month, day) ? { year, month, day } : null;
}

/** Parses a MonthYear `YYYYMM`, `YYYYMMDD` or `YYYYMMwN`. */
export function parseMonthYear(buf: Uint8Array, s: number, e: number): FixMonthYear | null {
  const n = e - s;
  if (n !== 6 && n !== 8) return null;
  const year = digits(buf, s, 4);
  const month = digits(buf, s + 4, 2);
  if (year < 0 || month < 1 || month > 12) return null;
  if (n === 6) return { year, month };
  if (buf[s + 6] === 0x77) {
    const week = digits(buf, s + 7, 1);
    return week >= 1 && week <= 5 ? { year, month, week } : null;
  }
  const day = digits(buf, s + 6, 2);
  return day >= 1 && day <= 31 ? { year, month, day } : null;
}

/** Formats epoch milliseconds (plus extra nanoseconds) as a UTCTimestamp at the given precision. */
export function formatUtcTimestamp(millis: number, precision: TimestampPrecision = 3, nanos = 0): string {
  const d = new Date(millis);
  const date = `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;
  return `${date}-${formatTimeOfDay(millis, precision, nanos)}`;
}

/** Formats the time of day of `millis` as HH:MM:SS[.fff…]. */
export function formatTimeOfDay(millis: number, precision: TimestampPrecision = 3, nanos = 0): string {
  const d = new Date(millis);
  const base = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  if (precision === 0) return base;
  const ns = d.getUTCMilliseconds() * 1_000_000 + nanos;
  return `${base}.${String(ns).padStart(9, '0').slice(0, precision)}`;
}

/** Formats a date as YYYYMMDD (UTC). */
export function formatDate(d: Date | FixDate): string {
  if (d instanceof Date) return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;
  return `${String(d.year).padStart(4, '0')}${pad2(d.month)}${pad2(d.day)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** '0' to '99', and '00' to '99': the pieces `integerText` joins. */
const SMALL = Array.from({ length: 100 }, (_, i) => String(i));
const PAIRS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * A safe integer as decimal text, the same as `String(n)`. Below 10^12 (every sequence number and
 * counter in practice) it is joined from constant strings instead of converted: V8 keeps each
 * number it converts to a string in its number-string cache, an old-generation table, so a string
 * made for every message (MsgSeqNum, order ids) lives on there, is copied by the next minor
 * collections and promoted, and makes each of them longer.
 */
export function integerText(n: number): string {
  if (n >= 0 && n < 100) return SMALL[n];
  if (!(n > 0 && n < 1e12)) return String(n);
  let text = PAIRS[n % 100];
  n = Math.floor(n / 100);
  while (n >= 100) {
    text = PAIRS[n % 100] + text;
    n = Math.floor(n / 100);
  }
  return SMALL[n] + text;
}

/**
 * Formats a number as a FIX decimal: the shortest text that reads back as the same number
 * (so 123.46 stays `123.46`), never in exponent notation.
 */
export function formatDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new MessageBuildError(`not a finite decimal: ${value}`);
  const s = String(value);
  if (s.indexOf('e') < 0) return s;
  return expandExponent(s);
}

/** Rewrites `1.5e-7` style text without an exponent. */
function expandExponent(s: string): string {
  const neg = s.startsWith('-');
  const [mant, expText] = (neg ? s.slice(1) : s).split('e');
  const exp = Number(expText);
  const [intPart, fracPart = ''] = mant.split('.');
  const digitsAll = intPart + fracPart;
  const point = intPart.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digitsAll}`;
  else if (point >= digitsAll.length) out = digitsAll + '0'.repeat(point - digitsAll.length);
  else out = `${digitsAll.slice(0, point)}.${digitsAll.slice(point)}`;
  return neg ? `-${out}` : out;
}

/** Checks that a decimal given as text is a valid FIX float (used when text is passed through as is). */
export function isDecimalText(text: string): boolean {
  return /^-?(\d+\.?\d*|\.\d+)$/.test(text);
}
