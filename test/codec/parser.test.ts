import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CodecError, FieldFormatError, FieldNotFoundError, Parser, parseMessage } from '../../src/codec/index.js';
import { parseDecimalBytes } from '../../src/codec/values.js';
import { frame } from './helpers.js';

const parser = new Parser();

function raw(text: string): Buffer {
  return Buffer.from(text.split('|').join('\x01'), 'latin1');
}

function reason(buf: Buffer, p = parser): string {
  const r = p.tryParse(buf);
  return r instanceof CodecError ? r.reason : 'ok';
}

test('tags are integers, values are offsets decoded on access', () => {
  const buf = frame('35=D|34=7|49=A|52=20261123-06:00:00.123|56=B|11=ORD-1|38=100|44=123.46|54=1|');
  const v = parser.parse(buf);
  assert.equal(v.msgType, 'D');
  assert.equal(v.beginString, 'FIX.4.4');
  assert.equal(v.fieldCount, 12);
  assert.equal(v.tagAt(3), 34);
  assert.equal(v.getInt(34), 7);
  assert.equal(v.get(11), 'ORD-1');
  assert.equal(v.getNumber(44), 123.46);
  assert.equal(v.getDecimal(44), '123.46');
  assert.equal(v.getChar(54), '1');
  assert.equal(v.get(999), undefined);
  assert.equal(v.has(38), true);
  assert.throws(() => v.getInt(999), FieldNotFoundError);
  assert.deepEqual(v.getBytes(11), Buffer.from('ORD-1'));
});

test('envelope: 8, 9, 35 must be the first three fields', () => {
  assert.equal(reason(raw('9=5|8=FIX.4.4|35=0|10=000|')), 'begin-string-missing');
  assert.equal(reason(raw('8=FIX.4.4|35=0|9=5|10=000|')), 'body-length-missing');
  assert.equal(reason(raw('8=FIX.4.4|9=5|34=1|35=0|10=000|')), 'msg-type-missing');
  assert.equal(reason(raw('8=FIX.4.4|9=5|35=|10=000|')), 'msg-type-missing');
});

test('BodyLength and CheckSum are checked, and each check can be switched off', () => {
  const good = frame('35=0|34=2|49=A|52=20260101-00:00:00|56=B|');
  assert.equal(reason(good), 'ok');
  const badLength = Buffer.from(good.toString('latin1').replace(/9=\d+/, '9=10'), 'latin1');
  assert.equal(reason(badLength), 'body-length-mismatch');
  const badSum = Buffer.from(good.toString('latin1').replace(/10=\d+/, '10=000'), 'latin1');
  assert.equal(reason(badSum), 'checksum-mismatch');
  assert.equal(reason(badLength, new Parser({ validateLength: false })), 'checksum-mismatch');
  assert.equal(reason(badSum, new Parser({ validateChecksum: false })), 'ok');
  assert.equal(reason(raw('8=FIX.4.4|9=5|35=0|10=12|')), 'checksum-missing');
  assert.equal(reason(raw('8=FIX.4.4|9=5|35=0|')), 'checksum-missing');
});

test('malformed fields are refused with a reason', () => {
  assert.equal(reason(raw('8=FIX.4.4|9=13|35=0|4x9=A|10=000|')), 'malformed-field');
  assert.equal(reason(raw('8=FIX.4.4|9=13|35=0|=A|10=000|')), 'malformed-field');
  assert.equal(reason(raw('8=FIX.4.4|9=13|35=0|-=A|10=000|')), 'malformed-field');
});

test('tags 0 and negative tags parse, as in QuickFIX, so validation can reject them by number', () => {
  const v = parser.parse(frame('35=0|34=2|0=HI|-1=HO|'));
  assert.equal(v.get(0), 'HI');
  assert.equal(v.get(-1), 'HO');
});

test('repeated tags are kept for the session layer to reject', () => {
  const v = parser.parse(frame('35=D|34=1|11=A|11=B|'));
  assert.equal(v.countOf(11), 2);
  assert.equal(v.get(11), 'A');
});

test('raw data fields may contain SOH and are read by length', () => {
  const v = parser.parse(frame('35=B|34=1|95=7|96=a\x01b=c\x01d|148=x|354=3|355=\x01\x01\x01|'));
  assert.equal(v.get(96), 'a\x01b=c\x01d');
  assert.equal(v.get(148), 'x');
  assert.equal(v.get(355), '\x01\x01\x01');
  assert.equal(reason(frame('35=B|34=1|95=8|96=a\x01b|148=x|')), 'data-length-mismatch');
  // Signature (89) is announced by SignatureLength (93).
  assert.equal(parser.parse(frame('35=0|34=1|93=3|89=\x01=\x01|')).get(89), '\x01=\x01');
});

test('typed getters decode every value type lazily', () => {
  const v = parseMessage(
    frame(
      '35=8|34=1|52=20261123-06:05:07|60=20261123-06:05:07.123456789|62=20261123-06:05:07.123456|' +
        '273=12:30:01.5xx|272=20261124|75=20261125|200=202612|541=20261231|1079=23:59:59.999|' +
        '18=G A 1|43=Y|97=N|31=-0.5|14=+3|32=1e5|',
    ),
  );
  assert.deepEqual(v.getTime(52), { millis: Date.UTC(2026, 10, 23, 6, 5, 7), nanos: 0, precision: 0 });
  assert.deepEqual(v.getTime(60), { millis: Date.UTC(2026, 10, 23, 6, 5, 7, 123), nanos: 456789, precision: 9 });
  assert.deepEqual(v.getTime(62), { millis: Date.UTC(2026, 10, 23, 6, 5, 7, 123), nanos: 456000, precision: 6 });
  assert.equal(v.getDate(60).toISOString(), '2026-11-23T06:05:07.123Z');
  assert.throws(() => v.getTimeOnly(273), FieldFormatError);
  assert.deepEqual(v.getTimeOnly(1079), { millis: 86399999, nanos: 0, precision: 3 });
  assert.deepEqual(v.getDateOnly(272), { year: 2026, month: 11, day: 24 });
  assert.deepEqual(v.getMonthYear(200), { year: 2026, month: 12 });
  assert.deepEqual(v.getMonthYear(541), { year: 2026, month: 12, day: 31 });
  assert.deepEqual(v.getValues(18), ['G', 'A', '1']);
  assert.equal(v.getBoolean(43), true);
  assert.equal(v.getBoolean(97), false);
  assert.equal(v.getNumber(31), -0.5);
  assert.throws(() => v.getNumber(14), FieldFormatError);
  assert.throws(() => v.getNumber(32), FieldFormatError);
  assert.throws(() => v.getBoolean(18), FieldFormatError);
  assert.throws(() => v.getInt(31), FieldFormatError);
  assert.throws(() => v.getTime(272), FieldFormatError);
});

test('integers past 2^53 - 1 are a format error, not a rounded number', () => {
  const v = parseMessage(frame('35=4|34=9007199254740991|36=9007199254740993|7=99999999999999999999|16=-9007199254740992|45=000000000000000000000042|'));
  assert.equal(v.getInt(34), Number.MAX_SAFE_INTEGER);
  assert.throws(() => v.getInt(36), (e: unknown) => e instanceof FieldFormatError && e.tag === 36 && /36=9007199254740993 is not an integer/.test(e.message));
  assert.throws(() => v.getInt(7), FieldFormatError);
  assert.throws(() => v.getInt(16), FieldFormatError);
  // Leading zeros are not magnitude.
  assert.equal(v.getInt(45), 42);
});

test('timestamps with 12 fractional digits (picoseconds) are read to the nanosecond', () => {
  const v = parseMessage(frame('35=0|34=1|52=20261123-06:05:07.123456789012|60=20261123-06:05:07.999999999999|62=20261123-06:05:07.12345678901x|273=06:05:07.000000001999|'));
  assert.deepEqual(v.getTime(52), { millis: Date.UTC(2026, 10, 23, 6, 5, 7, 123), nanos: 456789, precision: 12 });
  assert.deepEqual(v.getTime(60), { millis: Date.UTC(2026, 10, 23, 6, 5, 7, 999), nanos: 999999, precision: 12 });
  assert.throws(() => v.getTime(62), FieldFormatError);
  assert.deepEqual(v.getTimeOnly(273), { millis: (6 * 3600 + 5 * 60 + 7) * 1000, nanos: 1, precision: 12 });
});

test('decimals decode to the same double as Number(text)', () => {
  const values = ['123.46', '0.1', '0.3', '99999999999.9999', '1234567890123456789.5', '-0.000001', '7', '00012.50'];
  const body = values.map((x, i) => `${6000 + i}=${x}|`).join('');
  const v = parseMessage(frame(`35=D|34=1|${body}`));
  values.forEach((x, i) => assert.equal(v.getNumber(6000 + i), Number(x), x));
});

test('decimals: any text of digits, dots and minus signs decodes to Number(text) when it is a FIX float, else NaN', () => {
  const float = /^-?(\d+\.?\d*|\.\d+)$/;
  fc.assert(
    fc.property(fc.string({ minLength: 0, maxLength: 19, unit: fc.constantFrom(...'0123456789.-') }), fc.nat(3), (text, at) => {
      // At an offset in a larger buffer, as values are read in a frame.
      const buf = Buffer.from(`${'9'.repeat(at)}${text}5`, 'latin1');
      const v = parseDecimalBytes(buf, at, at + text.length);
      if (float.test(text)) assert.equal(v, Number(text), text);
      else assert.ok(Number.isNaN(v), text);
    }),
    { numRuns: 3000 },
  );
});

test('equals(tag, text) agrees with get(tag) === text, without making the string', () => {
  const value = fc.string({ minLength: 0, maxLength: 12, unit: fc.constantFrom(...'ABab01=\u00e9\u0100') });
  fc.assert(
    fc.property(value, value, fc.boolean(), (field, probe, present) => {
      const body = present && field.length > 0 ? `49=${field}|` : '';
      const v = parseMessage(frame(`35=D|34=1|${body}56=T|`));
      const got = v.get(49);
      assert.equal(v.equals(49, probe), got === probe, `${JSON.stringify(got)} vs ${JSON.stringify(probe)}`);
      if (got !== undefined) assert.equal(v.equals(49, got), true);
    }),
    { numRuns: 2000 },
  );
});

test('clone() survives the parser moving on; toString() shows | for SOH', () => {
  const p = new Parser();
  const a = frame('35=0|34=1|');
  const kept = p.parse(a).clone();
  p.parse(frame('35=1|34=2|112=x|'));
  assert.equal(kept.msgType, '0');
  assert.equal(kept.getInt(34), 1);
  assert.match(kept.toString(), /^8=FIX\.4\.4\|9=\d+\|35=0\|34=1\|10=\d{3}\|$/);
});

test('a frame inside a larger buffer is parsed in place', () => {
  const a = frame('35=0|34=1|');
  const big = Buffer.concat([Buffer.from('xxxx'), a, Buffer.from('yyyy')]);
  const v = parser.parse(big, 4, 4 + a.length);
  assert.equal(v.getInt(34), 1);
  assert.equal(v.bytes.length, a.length);
});
