import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeqIndex } from '../../src/store/file-store-index.js';
import fc from 'fast-check';
import { HeaderParser, SEQNUMS_LENGTH, formatHeaderRecord, formatSeqNums, headerRecordLength, isCompleteMessage, parseCreationTime, parseSeqNums, writeHeaderRecord, writeSeqNumsBytes } from '../../src/store/file-store-format.js';
import { Batch } from '../../src/store/file-store-batch.js';
import { fixMessage } from './helpers.js';

test('index: appends, out-of-order inserts, replacement, ranges, growth', () => {
  const ix = new SeqIndex();
  for (let s = 1; s <= 3000; s += 2) ix.set(s, s * 10, s);
  ix.set(2, 1, 1);
  ix.set(3, 99, 9); // replaces
  assert.deepEqual(ix.range(1, 5), [
    { seq: 1, offset: 10, size: 1 },
    { seq: 2, offset: 1, size: 1 },
    { seq: 3, offset: 99, size: 9 },
    { seq: 5, offset: 50, size: 5 },
  ]);
  assert.equal(ix.length, 1501);
  assert.equal(ix.lastSeq, 2999);
  assert.equal(ix.get(4), undefined);
  assert.deepEqual(ix.range(2998, 1e9).map((e) => e.seq), [2999]);
  ix.clear();
  assert.equal(ix.length, 0);
  assert.equal(ix.byteSize, 1024 * 2 + 16 * 8);
});

test('index: messages stored in order cost 2 bytes each and read back exactly, 64 KiB ones included; a break turns it general', () => {
  const ix = new SeqIndex();
  // Every 1000th message is of 64 KiB or more (its size does not fit the 2 bytes).
  const sizes = (s: number): number => (s % 1000 === 0 ? 65_535 + (s % 3) * 40_000 : 100 + ((s * 37) % 200));
  let offset = 5;
  const expected = new Map<number, { seq: number; offset: number; size: number }>();
  for (let s = 7; s < 7 + 100_000; s++) {
    ix.set(s, offset, sizes(s));
    expected.set(s, { seq: s, offset, size: sizes(s) });
    offset += sizes(s);
  }
  assert.equal(ix.length, 100_000);
  assert.equal(ix.lastSeq, 100_006);
  assert.ok(ix.byteSize <= 131_072 * 2 + 2048 * 8, `byteSize ${ix.byteSize}`);
  for (const s of [7, 8, 70, 71, 134, 1000, 1001, 2000, 50_000, 50_001, 100_006]) assert.deepEqual(ix.get(s), expected.get(s));
  assert.deepEqual(ix.range(990, 2010), [...expected.values()].filter((e) => e.seq >= 990 && e.seq <= 2010));
  assert.equal(ix.get(6), undefined);
  assert.equal(ix.get(100_007), undefined);
  assert.deepEqual(ix.range(60, 200), [...expected.values()].filter((e) => e.seq >= 60 && e.seq <= 200));
  assert.deepEqual(ix.at(63), expected.get(70));
  ix.pop();
  assert.equal(ix.lastSeq, 100_005);
  // Continuing after a pop reuses the dropped place.
  const last = expected.get(100_006)!;
  ix.set(100_006, last.offset, 1);
  assert.deepEqual(ix.get(100_006), { seq: 100_006, offset: last.offset, size: 1 });
  // A gap: the general form, same answers.
  ix.set(100_010, 1e12, 3);
  assert.equal(ix.length, 100_001);
  assert.deepEqual(ix.get(50_000), expected.get(50_000));
  assert.deepEqual(ix.get(2000), expected.get(2000));
  assert.deepEqual(ix.range(100_005, 100_020).map((e) => e.seq), [100_005, 100_006, 100_010]);
  ix.set(8, 1, 2); // replacement
  assert.deepEqual(ix.get(8), { seq: 8, offset: 1, size: 2 });
  assert.equal(ix.length, 100_001);
});

test('header parser: records split across chunks, whitespace variants, stops at garbage', () => {
  const text = '1,0,10 2,10,20\n3,30,5  4,35,1 5,3';
  const p = new HeaderParser();
  const recs = [];
  for (let i = 0; i < text.length; i += 3) recs.push(...p.push(Buffer.from(text.slice(i, i + 3))));
  assert.deepEqual(recs.map((r) => r.seq), [1, 2, 3, 4]);
  assert.equal(p.validEnd, text.indexOf('5,3'));
  assert.equal(p.torn, true);
  const bad = new HeaderParser();
  assert.deepEqual(bad.push(Buffer.from('1,0,10 x,1,2 3,4,5 ')).map((r) => r.seq), [1]);
  assert.equal(bad.torn, true);
  const clean = new HeaderParser();
  clean.push(Buffer.from('1,0,10 \n'));
  assert.equal(clean.torn, false);
});

test('seqnums, session and message checks', () => {
  assert.equal(formatSeqNums(12, 345), '0000000012 : 0000000345');
  assert.deepEqual(parseSeqNums('0000000012 : 0000000345'), { sender: 12, target: 345 });
  assert.deepEqual(parseSeqNums('0000000012 : 0000000345\n'), { sender: 12, target: 345 });
  assert.equal(parseSeqNums('0000000012 : 000000034'), null);
  assert.equal(parseSeqNums('12 : 345'), null);
  assert.equal(parseCreationTime(Buffer.from('20240102-03:04:05'))?.toISOString(), '2024-01-02T03:04:05.000Z');
  assert.equal(parseCreationTime(Buffer.from('20240102-03:04:05.250'))?.toISOString(), '2024-01-02T03:04:05.250Z');
  assert.equal(parseCreationTime(Buffer.from('20240102-03:04:0')), null);
  const m = fixMessage(7);
  assert.equal(isCompleteMessage(m), true);
  assert.equal(isCompleteMessage(m.subarray(0, m.length - 1)), false);
  const damaged = Buffer.from(m);
  damaged[20] ^= 1;
  assert.equal(isCompleteMessage(damaged), false);
});

test('.seqnums written into a reused buffer: the same bytes as the text form', () => {
  const out = Buffer.alloc(SEQNUMS_LENGTH);
  for (const [s, t] of [[1, 1], [12, 345], [9_999_999_999, 10], [0xffffffff, 4_000_000_000], [1_000_000, 999_999]]) {
    assert.equal(writeSeqNumsBytes(out, s, t).toString('latin1'), formatSeqNums(s, t));
  }
});

test('header records written as bytes equal the formatted text, alone and batched', () => {
  const n = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.maxSafeInteger().map(Math.abs));
  fc.assert(
    fc.property(fc.array(fc.tuple(n, n, n), { minLength: 1, maxLength: 20 }), (records) => {
      const text = records.map(([s, o, z]) => formatHeaderRecord(s, o, z)).join('');
      const out = Buffer.alloc(text.length + 4, 0xff);
      let at = 0;
      for (const [s, o, z] of records) {
        const end = writeHeaderRecord(out, at, s, o, z);
        assert.equal(end - at, headerRecordLength(s, o, z));
        at = end;
      }
      assert.equal(out.toString('latin1', 0, at), text);
      assert.equal(out[at], 0xff, 'nothing written past the end');
      // A batch holds the numbers and writes the same bytes; reused, it writes only its own.
      const b = new Batch(0, 0);
      for (const [s, o, z] of records) b.addHeader(s, o, z);
      const scratch = { buf: Buffer.alloc(1) };
      assert.equal(b.headerInto(scratch).toString('latin1', 0, b.headerBytes), text);
      b.reuse(0, 0);
      b.addHeader(7, 8, 9);
      assert.equal(b.headerInto(scratch).toString('latin1', 0, b.headerBytes), '7,8,9 ');
    }),
  );
});

test('header parser: any chunking of any text gives the records, valid end and torn flag a plain token reading gives', () => {
  // Reference: split into whitespace-terminated tokens, stop at the first that is not a record.
  const reference = (text: string) => {
    const recs: number[][] = [];
    let validEnd = 0;
    let torn = false;
    const re = /[^ \n\r\t]+/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const end = m.index + m[0].length;
      const r = /^(\d{1,10}),(\d{1,16}),(\d{1,10})$/.exec(m[0]);
      if (!r || end >= text.length) {
        // Not a record, or one whose terminating whitespace is missing: a torn tail.
        torn = true;
        break;
      }
      validEnd = end + 1;
      recs.push([Number(r[1]), Number(r[2]), Number(r[3]), validEnd]);
    }
    return { recs, validEnd, torn };
  };
  const token = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.nat(99999), fc.nat(9999999), fc.nat(9999)).map(([s, o, z]) => `${s},${o},${z}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: fc.constantFrom(...'0123456789,x-') }) },
  );
  const space = fc.constantFrom(' ', '\n', '  ', '\r\n', '\t');
  fc.assert(
    fc.property(fc.array(fc.tuple(token, space), { maxLength: 20 }), fc.boolean(), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }), (pairs, cut, sizes) => {
      let text = pairs.map(([t, s]) => t + s).join('');
      if (cut && text.length > 0) text = text.slice(0, -1);
      const p = new HeaderParser();
      const recs: number[][] = [];
      for (let i = 0, k = 0; i < text.length; k++) {
        const n = sizes[k % sizes.length];
        p.scan(Buffer.from(text.slice(i, i + n), 'latin1'), (s, o, z, e) => recs.push([s, o, z, e]));
        i += n;
      }
      const want = reference(text);
      assert.deepEqual(recs, want.recs);
      assert.equal(p.validEnd, want.validEnd);
      assert.equal(p.torn, want.torn);
    }),
    { numRuns: 3000 },
  );
});
