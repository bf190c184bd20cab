/**
 * The resend rewrite of a stored message (`encodePossDupResend`) against the Message path it
 * replaces (decode, set 122/43/52, encode): the same bytes for every message the encoder writes,
 * with and without a dictionary (the stored message written with the one it is read with), whatever header fields (43, 52, 122 among them) it already has.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Encoder, Message, Parser, STANDARD_HEADER_TAGS } from '../../src/codec/index.js';
import { encodePossDupResend } from '../../src/codec/possdup.js';
import { loadDictionary, shippedDictionaryPath } from '../../src/dictionary/index.js';
import { text } from './helpers.js';

const schema = loadDictionary(shippedDictionaryPath('FIX44.xml')!);
/** Header fields of both the standard set and FIX 4.4's header (data fields and the hop group left out). */
const headerTags = [...STANDARD_HEADER_TAGS].filter((t) => schema.isHeaderField(t) && ![8, 9, 35, 90, 91, 212, 213, 627, 628, 629, 630].includes(t));

const value = fc.string({ minLength: 1, maxLength: 24, unit: fc.constantFrom(...'ABCxyz0123456789.-+ :=') });

const bodyTag = fc.integer({ min: 11, max: 9999 }).filter((t) => !STANDARD_HEADER_TAGS.has(t) && ![10, 89, 93, 95, 96, 348, 350, 352, 354, 356, 358, 360, 362, 364, 445, 618, 621, 1277, 1401, 1403].includes(t));
const stored = fc.record({
  msgType: fc.constantFrom('D', '8', 'AE', 'j'),
  header: fc.uniqueArray(fc.record({ tag: fc.constantFrom(...headerTags), value }), { selector: (f) => f.tag, maxLength: 8 }),
  body: fc.uniqueArray(fc.record({ tag: bodyTag, value }), { selector: (f) => f.tag, maxLength: 20 }),
  now: fc.constantFrom('20261206-05:40:00.123', '20261206-05:40:00', '20261206-05:40:00.123456789'),
  withSchema: fc.boolean(),
});

function oldPath(bytes: Buffer, now: string, withSchema: boolean): Buffer {
  const msg = Message.fromView(new Parser().parse(bytes), withSchema ? schema : undefined);
  const sendingTime = msg.header.get(52);
  if (sendingTime) msg.header.set(122, sendingTime);
  msg.header.set(43, 'Y');
  msg.header.set(52, now);
  return new Encoder().encodeCopy(msg);
}

test('the rewrite writes the bytes the Message path writes', () => {
  fc.assert(
    fc.property(stored, (m) => {
      const msg = new Message(m.msgType, m.withSchema ? schema : undefined).set(8, 'FIX.4.4');
      for (const f of m.header) msg.header.set(f.tag, f.value);
      for (const f of m.body) msg.set(f.tag, f.value);
      const bytes = new Encoder().encodeCopy(msg);
      const expected = oldPath(bytes, m.now, m.withSchema);
      const view = new Parser().parse(bytes);
      const actual = encodePossDupResend(view, m.now, m.withSchema ? schema : undefined);
      assert.equal(text(actual), text(expected));
      // The result is a valid frame (BodyLength and CheckSum checked).
      assert.equal(new Parser({ validateChecksum: true, validateLength: true }).parse(actual).get(43), 'Y');
    }),
    { numRuns: 2000 },
  );
});

test('a stored SendingTime becomes OrigSendingTime; without one there is none', () => {
  const parse = (clOrdId: string, sendingTime?: string) => {
    const m = new Message('D').set(8, 'FIX.4.2').set(49, 'A').set(56, 'B').set(34, 7).set(11, clOrdId);
    if (sendingTime) m.set(52, sendingTime);
    return new Parser().parse(new Encoder().encodeCopy(m));
  };
  const withTime = text(encodePossDupResend(parse('with', '20260101-00:00:00'), '20261206-00:00:01'));
  assert.match(withTime, /\|34=7\|43=Y\|49=A\|52=20261206-00:00:01\|56=B\|122=20260101-00:00:00\|11=with\|10=\d{3}\|$/);
  const without = text(encodePossDupResend(parse('x'), '20261206-00:00:01'));
  assert.match(without, /\|34=7\|43=Y\|49=A\|52=20261206-00:00:01\|56=B\|11=x\|10=\d{3}\|$/);
});
