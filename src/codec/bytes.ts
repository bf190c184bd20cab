/** Byte constants and small helpers shared by the framer, parser and encoder. */

export const SOH = 0x01;
export const EQUALS = 0x3d;
export const ZERO = 0x30;
export const NINE = 0x39;

/** Sum of bytes in [start, end) modulo 256: the FIX CheckSum(10) value. */
export function checksum(buf: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += buf[i];
  return sum & 0xff;
}

/** Reads an unsigned decimal integer in [start, end); returns -1 if any byte is not a digit or the range is empty. */
export function readUint(buf: Uint8Array, start: number, end: number): number {
  if (end <= start) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Renders bytes as text with SOH shown as `|`, for logs and error messages. */
export function printable(buf: Uint8Array, start = 0, end = buf.length): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i];
    s += c === SOH ? '|' : String.fromCharCode(c);
  }
  return s;
}

/** Converts `|`-separated text (as written in docs and tests) to a FIX byte string with SOH. */
export function fromPrintable(text: string): Buffer {
  return Buffer.from(text.replace(/\|/g, '\x01'), 'latin1');
}

interface Latin1Sliceable {
  latin1Slice(start: number, end: number): string;
}

/** Decodes bytes [s, e) one byte per character (Node's fast internal latin1 slice). */
export function latin1(buf: Buffer, s: number, e: number): string {
  return (buf as unknown as Latin1Sliceable).latin1Slice(s, e);
}

/** Number of decimal digits of a non-negative safe integer. */
export function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/**
 * Writes a non-negative safe integer in decimal at `at` and returns where it ends. Makes no string:
 * a number turned into one stays in V8's number-string cache and is promoted to the old generation.
 */
export function writeDecimal(buf: Uint8Array, at: number, n: number): number {
  const end = at + digitCount(n);
  for (let i = end - 1; i >= at; i--) {
    buf[i] = ZERO + (n % 10);
    n = Math.floor(n / 10);
  }
  return end;
}
