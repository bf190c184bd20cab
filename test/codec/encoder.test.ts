import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Encoder, FixoverError, Group, Message, MessageBuildError, Parser, checksum } from '../../src/codec/index.js';
import { schema } from './schema-fixture.js';
import { text } from './helpers.js';

function order(buf: Buffer): number[] {
  return text(buf)
    .split('|')
    .filter(Boolean)
    .map((f) => Number(f.slice(0, f.indexOf('='))));
}

test('exact BodyLength and CheckSum; the parser accepts what the encoder writes', () => {
  const m = new Message('D').set(8, 'FIX.4.2').set(49, 'A').set(56, 'B').set(34, 1).set(11, 'X').set(55, 'IBM');
  const buf = m.toBuffer();
  const s = buf.toString('latin1');
  const bodyStart = s.indexOf('\x0135=') + 1;
  const trailer = s.lastIndexOf('10=');
  assert.equal(Number(/9=(\d+)/.exec(s)![1]), trailer - bodyStart);
  assert.equal(Number(s.slice(trailer + 3, trailer + 6)), checksum(buf, 0, trailer));
  assert.equal(new Parser().parse(buf).get(55), 'IBM');
});

test('encodeCopy returns the bytes encode returns, in a buffer of its own', () => {
  const e = new Encoder();
  const m = new Message('D').set(8, 'FIX.4.4').set(49, 'A').set(56, 'B').set(34, 1).set(11, 'first');
  const copy = e.encodeCopy(m);
  const expected = Buffer.from(e.encode(m));
  assert.deepEqual(copy, expected);
  e.encodeCopy(m.set(11, 'second-and-longer').set(34, 2));
  e.encode(m);
  assert.deepEqual(copy, expected, 'later encodes leave the copy alone');
  assert.equal(new Parser().parse(copy).get(11), 'first');
});

test('FIX order: 8, 9, 35, header by tag, body by tag, trailer, 10', () => {
  const m = new Message('D');
  m.set(55, 'IBM').set(11, 'X').set(56, 'B').set(8, 'FIX.4.4').set(52, '20260101-00:00:00').set(34, 3).set(49, 'A');
  m.set(93, 3).set(89, 'sig').set(1, 'acct');
  assert.deepEqual(order(m.toBuffer()), [8, 9, 35, 34, 49, 52, 56, 1, 11, 55, 93, 89, 10]);
});

test('preserveOrder writes fields in the order they were set', () => {
  const m = new Message('D').set(8, 'FIX.4.4').set(56, 'B').set(49, 'A').set(34, 3).set(55, 'IBM').set(11, 'X');
  assert.deepEqual(order(new Encoder().encode(m, { preserveOrder: true })), [8, 9, 35, 56, 49, 34, 55, 11, 10]);
});

test('a data field always follows its length field', () => {
  const m = new Message('B').set(8, 'FIX.4.4').set(34, 1).set(96, Buffer.from('a=b')).set(95, 3).set(148, 'h');
  assert.deepEqual(order(m.toBuffer()).slice(3), [34, 95, 96, 148, 10]);
  m.set(96, Buffer.from('a\x01b'));
  assert.equal(new Parser().parse(m.toBuffer()).get(96), 'a\x01b');
});

test('decimals are written exactly as given', () => {
  const m = new Message('D').set(8, 'FIX.4.4').set(44, 123.46);
  m.body.setDecimal(6000, '0.10');
  const v = new Parser().parse(m.toBuffer());
  assert.equal(v.get(44), '123.46');
  assert.equal(v.get(6000), '0.10');
  m.set(44, 0.1 + 0.2);
  assert.equal(new Parser().parse(m.toBuffer()).get(44), '0.30000000000000004');
  m.set(44, 1e-7);
  assert.equal(new Parser().parse(m.toBuffer()).get(44), '0.0000001');
  m.set(44, 1.5e21);
  assert.equal(new Parser().parse(m.toBuffer()).get(44), '1500000000000000000000');
  assert.throws(() => m.body.setDecimal(44, '1e5'), (e: unknown) => e instanceof MessageBuildError && e instanceof FixoverError && e.code === 'MESSAGE_BUILD_ERROR');
});

test('timestamps at a chosen precision', () => {
  const t = Date.UTC(2026, 10, 23, 6, 5, 7, 123);
  const m = new Message('0').set(8, 'FIX.4.4');
  const at = (p: 0 | 3 | 6 | 9, nanos = 0) => {
    m.header.setTimestamp(52, t, p, nanos);
    return new Parser().parse(m.toBuffer()).get(52);
  };
  assert.equal(at(0), '20261123-06:05:07');
  assert.equal(at(3), '20261123-06:05:07.123');
  assert.equal(at(6, 456789), '20261123-06:05:07.123456');
  assert.equal(at(9, 456789), '20261123-06:05:07.123456789');
});

test('groups: count written from the entries, members in dictionary order, nesting', () => {
  const m = new Message('D', schema).set(8, 'FIX.4.4').set('ClOrdID', 'X');
  const p1 = m.newGroup('NoPartyIDs');
  p1.set('PartyRole', 3).set('PartyID', 'BROKER').set('PartyIDSource', 'D');
  const sub = p1.newGroup(802).set(803, 1).set(523, 'desk-1');
  p1.addGroup(sub);
  const p2 = m.newGroup(453).set(452, 11).set(448, 'TRADER');
  m.addGroup(p1).addGroup(p2).set(55, 'IBM');
  const buf = m.toBuffer();
  assert.match(text(buf), /\|11=X\|55=IBM\|453=2\|448=BROKER\|447=D\|452=3\|802=1\|523=desk-1\|803=1\|448=TRADER\|452=11\|10=/);
  const v = new Parser().parse(buf).withSchema(schema);
  const entries = v.groups('NoPartyIDs');
  assert.equal(entries.length, 2);
  assert.equal(entries[0].get('PartyID'), 'BROKER');
  assert.equal(entries[0].groups(802)[0].get(523), 'desk-1');
  assert.equal(entries[1].getInt(452), 11);
});

test('fromView keeps the wire order and structures groups; clone is deep', () => {
  const src = new Message('D', schema).set(8, 'FIX.4.4').set(55, 'IBM');
  src.addGroup(src.newGroup(453).set(448, 'A').set(452, 1));
  const view = new Parser().parse(src.toBuffer()).withSchema(schema);
  const copy = Message.fromView(view);
  assert.equal(copy.getGroups(453).length, 1);
  assert.equal(copy.getGroups(453)[0].get(448), 'A');
  assert.equal(text(copy.toBuffer()), text(src.toBuffer()));
  const deep = copy.clone();
  deep.getGroups(453)[0].set(448, 'B');
  assert.equal(copy.getGroups(453)[0].get(448), 'A');
  assert.ok(deep.getGroups(453)[0] instanceof Group);
});

test('toJSON names fields and nests groups', () => {
  const m = new Message('D', schema).set(8, 'FIX.4.4').set(11, 'X').set(34, 2);
  m.addGroup(m.newGroup(453).set(448, 'A'));
  const json = m.toJSON();
  assert.equal((json.header as Record<string, unknown>).MsgType, 'D');
  assert.equal((json.header as Record<string, unknown>).MsgSeqNum, '2');
  assert.deepEqual((json.body as Record<string, unknown>).NoPartyIDs, [{ PartyID: 'A' }]);
  assert.equal((json.body as Record<string, unknown>).ClOrdID, 'X');
});

test('the encoder buffer is reused and grows for large messages', () => {
  const enc = new Encoder(64);
  const big = new Message('B').set(8, 'FIX.4.4').set(58, 'x'.repeat(10000));
  const a = Buffer.from(enc.encode(big));
  const small = enc.encode(new Message('0').set(8, 'FIX.4.4'));
  assert.equal(new Parser().parse(a).get(58)!.length, 10000);
  assert.equal(new Parser().parse(small).msgType, '0');
});

test('non-latin1 text is written as UTF-8 with a correct BodyLength', () => {
  const m = new Message('B').set(8, 'FIX.4.4').set(58, 'prix €');
  const buf = m.toBuffer();
  assert.equal(new Parser().parse(buf).getBytes(58)!.toString('utf8'), 'prix €');
});

test('integers are written as String(n) writes them, without a string per number from V8', async () => {
  const fc = (await import('fast-check')).default;
  const { integerText } = await import('../../src/codec/values.js');
  const edges = [0, 1, 9, 10, 99, 100, 101, 999, 1000, 1e6, 1e12 - 1, 1e12, 1e12 + 1, -1, -100, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  for (const n of edges) assert.equal(integerText(n), String(n), `${n}`);
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: -1000, max: 1e7 }), fc.maxSafeInteger(), fc.maxSafeInteger().map((n) => -n)), (n) => integerText(n) === String(n)),
    { numRuns: 2000 },
  );
  // Through a message: MsgSeqNum and counters set as numbers.
  const m = new Message('8').set(37, 1234567).set(17, 0).set(14, 1e12 + 5);
  m.header.set(8, 'FIX.4.4').set(34, 100);
  assert.match(text(new Encoder().encode(m)), /\|34=100\|14=1000000000005\|17=0\|37=1234567\|/);
});
