import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeqIndex } from '../../src/store/file-store-index.js';
import { HeaderParser, formatSeqNums, isCompleteMessage, parseCreationTime, parseSeqNums } from '../../src/store/file-store-format.js';
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
  assert.equal(ix.byteSize, 1024 * 16);
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
