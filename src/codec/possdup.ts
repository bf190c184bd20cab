/**
 * A stored message rewritten for a resend straight from its bytes: PossDupFlag(43)=Y,
 * OrigSendingTime(122) set to its SendingTime(52), SendingTime set to now, BodyLength(9) and
 * CheckSum(10) recomputed. The three fields take their places among the header fields in tag order
 * (as the encoder writes them); every other field is copied byte for byte. One buffer per message
 * and no object per field, so a resend of any length leaves no garbage beyond what it sends.
 */
import { InternalError } from './errors.js';
import { EQUALS, SOH, ZERO, digitCount, writeDecimal } from './bytes.js';
import type { MessageView } from './message-view.js';
import { STANDARD_HEADER_TAGS, type MessageSchema } from './schema.js';

const TAG_POSS_DUP = 43;
const TAG_SENDING_TIME = 52;
const TAG_ORIG_SENDING_TIME = 122;

/** Where the header fields of a parsed message end and where each added field goes. */
interface Layout {
  /** Index of the first field after the header (the run of header fields after MsgType). */
  headerEnd: number;
  /** Field index of the stored SendingTime, or -1. */
  sendingTime: number;
}

function layoutOf(view: MessageView, schema: MessageSchema | undefined): Layout {
  const tags = view.table.tags;
  const last = view.table.count - 1;
  let headerEnd = 3;
  let sendingTime = -1;
  for (let i = 3; i < last; i++) {
    const tag = tags[i];
    if (!(schema ? schema.isHeaderField(tag) : STANDARD_HEADER_TAGS.has(tag))) break;
    if (tag === TAG_SENDING_TIME && sendingTime < 0) sendingTime = i;
    headerEnd = i + 1;
  }
  return { headerEnd, sendingTime };
}

/** A field this rewrite replaces, dropped from the copy (OrigSendingTime only when there is a SendingTime to take its place). */
function replaced(tag: number, hasSendingTime: boolean): boolean {
  return tag === TAG_POSS_DUP || tag === TAG_SENDING_TIME || (tag === TAG_ORIG_SENDING_TIME && hasSendingTime);
}

/**
 * The bytes to resend for a stored message (parsed into `view`, which must be a whole message
 * whose last field is CheckSum): its SendingTime becomes OrigSendingTime, PossDupFlag is Y and
 * SendingTime is `sendingTime`. `schema` decides which fields are header fields (the standard set
 * without one).
 */
export function encodePossDupResend(view: MessageView, sendingTime: string, schema?: MessageSchema): Buffer {
  const { buf, table } = view;
  const { tags, starts, ends } = table;
  const n = table.count;
  const { headerEnd, sendingTime: st } = layoutOf(view, schema);
  const origStart = st >= 0 ? starts[st] : 0;
  const origLength = st >= 0 ? ends[st] - origStart : 0;

  // Body: from MsgType to the SOH before CheckSum, without the replaced fields, plus the new ones.
  const msgTypeStart = ends[1] + 1;
  let body = ends[n - 2] + 1 - msgTypeStart;
  for (let i = 3; i < n - 1; i++) {
    if (replaced(tags[i], st >= 0)) body -= ends[i] + 1 - (ends[i - 1] + 1);
  }
  body += 5 + (4 + sendingTime.length); // 43=Y| and 52=...|
  if (st >= 0) body += 5 + origLength; // 122=...|

  const beginLength = ends[0] + 1 - view.start; // 8=...|
  const size = beginLength + 3 + digitCount(body) + body + 7;
  const out = Buffer.allocUnsafe(size);
  let at = buf.copy(out, 0, view.start, ends[0] + 1);
  out[at++] = 0x39; // 9
  out[at++] = EQUALS;
  at = writeDecimal(out, at, body);
  out[at++] = SOH;
  const bodyStart = at;
  at += buf.copy(out, at, msgTypeStart, ends[2] + 1);

  // The header run after MsgType, each added field before the first header field with a higher
  // tag (or after the run), then the rest as it is.
  let added = 0; // how many of 43, 52, 122 (in that order) are written
  const nextAdded = (): number => (added === 0 ? TAG_POSS_DUP : added === 1 ? TAG_SENDING_TIME : added === 2 ? TAG_ORIG_SENDING_TIME : Infinity);
  const addBefore = (tag: number): void => {
    for (let next = nextAdded(); next < tag; next = nextAdded()) {
      if (next === TAG_POSS_DUP) at += out.write('43=Y\x01', at, 'latin1');
      else if (next === TAG_SENDING_TIME) at += out.write(`52=${sendingTime}\x01`, at, 'latin1');
      else if (st >= 0) {
        at += out.write('122=', at, 'latin1');
        at += buf.copy(out, at, origStart, origStart + origLength);
        out[at++] = SOH;
      }
      added++;
    }
  };
  // Fields are copied in runs: [runStart, end of the field before the current one].
  let runStart = ends[2] + 1;
  for (let i = 3; i < n - 1; i++) {
    const tag = tags[i];
    const fieldStart = ends[i - 1] + 1;
    const before = i < headerEnd ? tag : i === headerEnd ? Infinity : 0;
    if (replaced(tag, st >= 0) || nextAdded() < before) {
      at += buf.copy(out, at, runStart, fieldStart);
      runStart = fieldStart;
      if (!replaced(tag, st >= 0)) addBefore(before);
    }
    if (replaced(tag, st >= 0)) runStart = ends[i] + 1;
  }
  at += buf.copy(out, at, runStart, ends[n - 2] + 1);
  addBefore(Infinity);

  let sum = 0;
  for (let i = 0; i < at; i++) sum += out[i];
  sum &= 0xff;
  out[at++] = 0x31; // 1
  out[at++] = ZERO;
  out[at++] = EQUALS;
  out[at++] = ZERO + Math.floor(sum / 100);
  out[at++] = ZERO + (Math.floor(sum / 10) % 10);
  out[at++] = ZERO + (sum % 10);
  out[at++] = SOH;
  if (at !== size || at - 7 - bodyStart !== body) throw new InternalError(`resend rewrite wrote ${at} bytes, expected ${size}`);
  return out;
}
