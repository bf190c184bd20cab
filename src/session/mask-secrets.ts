/**
 * Passwords never reach a log, an event or an error: `Password(554)` and `NewPassword(925)` are
 * replaced by `*****` (whatever their length) in the copy of a message given to logs and event
 * listeners. The bytes sent and stored are untouched.
 */

/** The tags whose values are masked. */
export const SECRET_TAGS: readonly number[] = [554, 925];

/** What a secret value is replaced by. */
export const MASK = '*****';

const SOH = 0x01;
const needles = SECRET_TAGS.map((t) => Buffer.from(`\x01${t}=`, 'latin1'));
const starts = SECRET_TAGS.map((t) => Buffer.from(`${t}=`, 'latin1'));
const MASK_BYTES = Buffer.from(MASK, 'latin1');

/**
 * Where each secret field's value starts and ends in `bytes` (sorted), or null when there is none:
 * the usual case (every outgoing message when a log listens) makes no array and no slice.
 */
function secretValues(bytes: Buffer): Array<[number, number]> | null {
  let out: Array<[number, number]> | null = null;
  for (let i = 0; i < needles.length; i++) {
    const start = starts[i];
    if (bytes.length >= start.length && bytes.compare(start, 0, start.length, 0, start.length) === 0) (out ??= []).push(valueAt(bytes, start.length));
    for (let at = bytes.indexOf(needles[i]); at >= 0; at = bytes.indexOf(needles[i], at + 1)) (out ??= []).push(valueAt(bytes, at + needles[i].length));
  }
  return out === null ? null : out.sort((a, b) => a[0] - b[0]);
}

function valueAt(bytes: Buffer, from: number): [number, number] {
  const end = bytes.indexOf(SOH, from);
  return [from, end < 0 ? bytes.length : end];
}

/** `bytes` with every Password(554) and NewPassword(925) value masked; the same buffer when it holds none. */
export function maskSecrets(bytes: Buffer): Buffer {
  const values = secretValues(bytes);
  if (values === null) return bytes;
  const parts: Buffer[] = [];
  let at = 0;
  for (const [from, to] of values) {
    parts.push(bytes.subarray(at, from), MASK_BYTES);
    at = to;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}

/** Text with every `554=` and `925=` value masked (for text built from messages, such as errors). */
export function maskSecretsInText(text: string): string {
  return text.replace(TEXT_SECRET, `$1$2=${MASK}`);
}

/** `554=` or `925=` at the start or after SOH, `|`, `^` or a space, up to the next SOH or `|`. */
const SOH_TEXT = String.fromCharCode(SOH);
const TEXT_SECRET = new RegExp(`(^|[${SOH_TEXT}|^ ])(554|925)=[^${SOH_TEXT}|]*`, 'g');
