/**
 * Property-based tests: random and mutated byte streams fed to the framer and parser. No
 * exception escapes, nothing hangs, buffered memory stays bounded and every refusal has a reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CodecError, Framer, Message, Parser, type MessageView } from '../../src/codec/index.js';

const MAX = 2048;

const fieldArb = fc.record({
  tag: fc.integer({ min: 11, max: 9999 }).filter((t) => ![35, 10, 9, 8, 90, 93, 95, 212, 348, 350, 352, 354, 356, 358, 360, 362, 364, 445, 618, 621, 1277, 1401, 1403].includes(t)),
  value: fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom(...'ABCxyz0123456789.-+ :=') }),
});

const messageArb = fc.record({
  msgType: fc.constantFrom('0', '1', 'D', '8', 'AE'),
  fields: fc.array(fieldArb, { maxLength: 30 }),
});

function build(m: { msgType: string; fields: { tag: number; value: string }[] }): Buffer {
  const msg = new Message(m.msgType).set(8, 'FIX.4.4');
  for (const f of m.fields) msg.body.append(f.tag, f.value);
  return msg.toBuffer({ preserveOrder: true });
}

/** The messages back to back with the mutations applied in turn: a byte replaced, inserted or deleted. */
function mutated(msgs: Parameters<typeof build>[0][], muts: ReadonlyArray<{ at: number; byte: number; kind: 'flip' | 'insert' | 'delete' }>): Buffer {
  const bytes = [...Buffer.concat(msgs.map(build))];
  for (const m of muts) {
    const at = m.at % (bytes.length + 1);
    if (m.kind === 'flip' && at < bytes.length) bytes[at] = m.byte;
    else if (m.kind === 'insert') bytes.splice(at, 0, m.byte);
    else if (at < bytes.length) bytes.splice(at, 1);
  }
  return Buffer.from(bytes);
}

function feed(stream: Buffer, cuts: number[], maxMessageSize = MAX) {
  const frames: Buffer[] = [];
  const errors: CodecError[] = [];
  const parser = new Parser();
  const parseErrors: CodecError[] = [];
  let maxBuffered = 0;
  const framer = new Framer(
    {
      onFrame(b, s, e) {
        frames.push(Buffer.from(b.subarray(s, e)));
        const r = parser.tryParse(b, s, e);
        if (r instanceof CodecError) parseErrors.push(r);
        else r.toString();
      },
      onError: (e) => errors.push(e),
    },
    { maxMessageSize },
  );
  let pos = 0;
  for (const c of [...cuts.filter((x) => x < stream.length)].sort((a, b) => a - b).concat(stream.length)) {
    framer.push(stream.subarray(pos, c));
    pos = c;
    maxBuffered = Math.max(maxBuffered, framer.buffered);
  }
  return { frames, errors, parseErrors, maxBuffered };
}

test('valid messages round-trip through framer and parser for any chunking', () => {
  fc.assert(
    fc.property(fc.array(messageArb, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(4000)), (msgs, cuts) => {
      const bufs = msgs.map(build);
      const { frames, errors, parseErrors } = feed(Buffer.concat(bufs), cuts);
      assert.equal(errors.length, 0);
      assert.equal(parseErrors.length, 0);
      assert.deepEqual(frames, bufs);
      const parser = new Parser();
      bufs.forEach((b, i) => {
        const v = parser.parse(b);
        assert.equal(v.msgType, msgs[i].msgType);
        assert.equal(v.fieldCount, msgs[i].fields.length + 4);
        msgs[i].fields.forEach((f, k) => {
          assert.equal(v.tagAt(k + 3), f.tag);
          assert.equal(v.valueAt(k + 3), f.value);
        });
      });
    }),
    { numRuns: 300 },
  );
});

test('mutated streams: no exception escapes, memory stays bounded, every refusal has a reason', () => {
  const mutation = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('flip', 'insert', 'delete') });
  fc.assert(
    fc.property(fc.array(messageArb, { minLength: 1, maxLength: 6 }), fc.array(mutation, { maxLength: 10 }), fc.array(fc.nat(3000)), (msgs, muts, cuts) => {
      const stream = mutated(msgs, muts);
      const { errors, parseErrors, maxBuffered } = feed(stream, cuts);
      assert.ok(maxBuffered <= MAX + 4000, `buffered ${maxBuffered}`);
      for (const e of [...errors, ...parseErrors]) {
        assert.ok(e instanceof CodecError);
        assert.ok(e.reason.length > 0 && e.message.length > 0);
      }
    }),
    { numRuns: 500 },
  );
});

test('random bytes: the framer and parser never throw and never hold more than the maximum', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 6000 }), fc.array(fc.nat(6000)), (arr, cuts) => {
      const { maxBuffered } = feed(Buffer.from(arr), cuts);
      assert.ok(maxBuffered <= MAX + 6000);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (arr) => {
      const r = new Parser().tryParse(Buffer.from(arr));
      if (r instanceof CodecError) assert.ok(r.reason);
    }),
    { numRuns: 1000 },
  );
});

test('random bytes prefixed with a valid envelope start do not hang the parser', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (arr) => {
      const buf = Buffer.concat([Buffer.from('8=FIX.4.4\x019=5\x0135=0\x01'), Buffer.from(arr)]);
      const r = new Parser().tryParse(buf);
      assert.ok(r instanceof CodecError || r.fieldCount >= 3);
    }),
    { numRuns: 1000 },
  );
});

test('mutated streams: the frames delivered do not depend on how the stream is cut', () => {
  // A frame split between chunks is completed with just the bytes its BodyLength asks for and the
  // rest of the chunk is framed in place; that must deliver what framing the whole stream does.
  const mutation = fc.record({ at: fc.nat(), byte: fc.constantFrom(0x01, 0x30, 0x31, 0x39, 0x3d, 0x38, 0x41), kind: fc.constantFrom('flip', 'insert', 'delete') });
  fc.assert(
    fc.property(fc.array(messageArb, { minLength: 1, maxLength: 6 }), fc.array(mutation, { maxLength: 6 }), fc.array(fc.nat(3000)), (msgs, muts, cuts) => {
      const stream = mutated(msgs, muts);
      const whole = feed(stream, [], 1 << 20);
      const cut = feed(stream, cuts, 1 << 20);
      assert.deepEqual(cut.frames, whole.frames);
      assert.deepEqual(cut.parseErrors.map((e) => e.reason), whole.parseErrors.map((e) => e.reason));
    }),
    { numRuns: 500 },
  );
});

test('field lookups through the shared index agree with a scan, across views and repeated tags', () => {
  // Small tags repeat often; 5000 is beyond the index and is always searched.
  const tagArb = fc.constantFrom(11, 12, 13, 55, 207, 448, 1023, 1024, 5000);
  const msgArb = fc.array(fc.record({ tag: tagArb, value: fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom(...'abc123') }) }), { maxLength: 25 });
  const first = (fields: { tag: number; value: string }[], tag: number): string | undefined => fields.find((f) => f.tag === tag)?.value;
  const parser = new Parser();
  // Another parser fills the same index: a frame it refuses half-way leaves slots of a generation
  // no view owns, one it accepts takes the index over.
  const other = new Parser();
  const good = build({ msgType: 'D', fields: [{ tag: 11, value: 'zz' }, { tag: 55, value: 'yy' }] });
  const bad = Buffer.from(good);
  bad[bad.length - 2] ^= 1;
  fc.assert(
    fc.property(fc.array(msgArb, { minLength: 2, maxLength: 5 }), fc.array(fc.tuple(fc.nat(6), tagArb), { maxLength: 40 }), (bodies, lookups) => {
      const frames = bodies.map((fields) => build({ msgType: 'D', fields }));
      // Clones of all but the last message, and the parser's own view of the last one: lookups
      // alternate between them, so the index is taken over back and forth.
      const views = frames.slice(0, -1).map((f) => parser.parse(f).clone());
      views.push(parser.parse(frames[frames.length - 1]));
      for (const [k, tag] of lookups) {
        if (k >= 5) {
          const r = other.tryParse(k === 5 ? bad : good);
          assert.equal(r instanceof CodecError, k === 5);
          if (!(r instanceof CodecError)) assert.equal(r.get(55), 'yy');
          continue;
        }
        const i = k % views.length;
        assert.equal(views[i].get(tag), first(bodies[i], tag), `view ${i} tag ${tag}`);
        assert.equal(views[i].has(tag), first(bodies[i], tag) !== undefined);
      }
    }),
    { numRuns: 500 },
  );
});

test('field lookups in a message with more fields than the index holds', () => {
  const fields: { tag: number; value: string }[] = [];
  for (let i = 0; i < 5000; i++) fields.push({ tag: 400 + (i % 40), value: String(i) });
  fields.push({ tag: 900, value: 'last' });
  const v = new Parser().parse(build({ msgType: 'D', fields }));
  for (let round = 0; round < 2; round++) {
    assert.equal(v.get(400), '0');
    assert.equal(v.get(439), '39');
    assert.equal(v.get(900), 'last');
    assert.equal(v.get(901), undefined);
  }
});

test('mutated streams: a frame parsed during onFrame, with what the framer read of it, parses as a copy of it does', () => {
  const mutation = fc.record({ at: fc.nat(), byte: fc.constantFrom(0x01, 0x30, 0x31, 0x34, 0x39, 0x3d, 0x38, 0x41), kind: fc.constantFrom('flip', 'insert', 'delete') });
  // Everything the parse produced: each field's tag and value offsets (from the frame start), and
  // the first field found for each tag through the lookups.
  const outcome = (r: MessageView | CodecError, start: number): string => {
    if (r instanceof CodecError) return `${r.reason}: ${r.message}`;
    const fields: string[] = [];
    for (let i = 0; i < r.fieldCount; i++) {
      const tag = r.tagAt(i);
      fields.push(`${tag}@${r.table.starts[i] - start}-${r.table.ends[i] - start}:${r.get(tag) ?? '?'}`);
    }
    return `${r.toString()} ${fields.join(' ')}`;
  };
  // Some messages carry raw data (RawDataLength 95 then RawData 96, which may hold SOH).
  const rawArb = fc.option(fc.string({ minLength: 0, maxLength: 12, unit: fc.constantFrom(...'AB1=\x01') }), { nil: undefined });
  const withRaw = fc.record({ msg: messageArb, raw: rawArb }).map(({ msg, raw }) =>
    raw === undefined ? msg : { ...msg, fields: [...msg.fields, { tag: 95, value: String(raw.length) }, { tag: 96, value: raw }] },
  );
  fc.assert(
    fc.property(fc.array(withRaw, { minLength: 1, maxLength: 6 }), fc.array(mutation, { maxLength: 4 }), (msgs, muts) => {
      const stream = mutated(msgs, muts);
      const inPlace = new Parser();
      const fromCopy = new Parser();
      let frames = 0;
      const framer = new Framer({
        onFrame(b, s, e) {
          frames++;
          assert.equal(outcome(inPlace.tryParse(b, s, e), s), outcome(fromCopy.tryParse(Buffer.from(b.subarray(s, e))), 0));
        },
        onError: () => undefined,
      });
      framer.push(stream);
      if (muts.length === 0) assert.equal(frames, msgs.length);
    }),
    { numRuns: 500 },
  );
});
