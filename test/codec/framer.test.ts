import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Framer, type CodecError } from '../../src/codec/index.js';
import { frame, text } from './helpers.js';

function collect(maxMessageSize?: number) {
  const frames: string[] = [];
  const errors: CodecError[] = [];
  const framer = new Framer(
    { onFrame: (b, s, e) => frames.push(text(b.subarray(s, e))), onError: (e) => errors.push(e) },
    { maxMessageSize },
  );
  return { framer, frames, errors };
}

const A = frame('35=0|34=2|49=A|52=20260101-00:00:00|56=B|');
const B = frame('35=1|34=3|49=A|52=20260101-00:00:00|56=B|112=hello|');

test('whole frames, several per chunk', () => {
  const { framer, frames, errors } = collect();
  framer.push(Buffer.concat([A, B, A]));
  assert.deepEqual(frames, [text(A), text(B), text(A)]);
  assert.equal(errors.length, 0);
  assert.equal(framer.buffered, 0);
});

test('a frame split at every possible position, including inside 8=, 9= and 10=', () => {
  const stream = Buffer.concat([A, B]);
  for (let cut = 1; cut < stream.length; cut++) {
    const { framer, frames, errors } = collect();
    framer.push(stream.subarray(0, cut));
    framer.push(stream.subarray(cut));
    assert.deepEqual(frames, [text(A), text(B)], `cut at ${cut}`);
    assert.equal(errors.length, 0, `cut at ${cut}`);
  }
});

test('a CheckSum holding an SOH ends the frame at that SOH, however the stream is cut', () => {
  // "10=0|0|": QuickFIX ends the frame at the first SOH after "10="; the rest is garbage.
  const bad = Buffer.from(text(A).replace(/10=(\d)\d\d\|$/, '10=$1|0|').replace(/\|/g, '\x01'), 'latin1');
  const stream = Buffer.concat([bad, B]);
  const expected = [text(bad).slice(0, text(bad).length - 2), text(B)];
  for (let cut = 0; cut < stream.length; cut++) {
    const { framer, frames, errors } = collect();
    if (cut > 0) framer.push(stream.subarray(0, cut));
    framer.push(stream.subarray(cut));
    assert.deepEqual(frames, expected, `cut at ${cut}`);
    // The two bytes after it are skipped (reported in two parts when the cut falls between them).
    assert.ok(
      errors.every((e) => e.reason === 'garbage'),
      `cut at ${cut}`,
    );
    assert.equal(
      errors.reduce((n, e) => n + (e.discarded ?? 0), 0),
      2,
      `cut at ${cut}`,
    );
  }
});

test('one byte at a time', () => {
  const { framer, frames } = collect();
  const stream = Buffer.concat([A, B, A]);
  for (let i = 0; i < stream.length; i++) framer.push(stream.subarray(i, i + 1));
  assert.equal(frames.length, 3);
  assert.equal(framer.buffered, 0);
});

test('garbage between frames is skipped and reported', () => {
  const { framer, frames, errors } = collect();
  framer.push(Buffer.concat([Buffer.from('xx\x01yy'), A, Buffer.from('zzz'), B]));
  assert.deepEqual(frames, [text(A), text(B)]);
  assert.deepEqual(
    errors.map((e) => [e.reason, e.discarded]),
    [
      ['garbage', 5],
      ['garbage', 3],
    ],
  );
});

test('a frame without BodyLength is dropped and the framer resynchronises on the next 8=FIX', () => {
  const { framer, frames, errors } = collect();
  framer.push(Buffer.concat([Buffer.from('8=FIX.4.4\x0135=0\x0110=000\x01'), A]));
  assert.deepEqual(frames, [text(A)]);
  assert.equal(errors[0].reason, 'body-length-missing');
});

test('a non-numeric BodyLength is dropped', () => {
  const { framer, frames, errors } = collect();
  framer.push(Buffer.concat([Buffer.from('8=FIX.4.4\x019=1x\x0135=0\x0110=000\x01'), B]));
  assert.deepEqual(frames, [text(B)]);
  assert.equal(errors[0].reason, 'body-length-missing');
});

test('a BodyLength that is too long swallows the next message, as QuickFIX does', () => {
  const { framer, frames } = collect();
  const long = Buffer.from(text(A).replace(/9=\d+/, '9=80').replace(/\|/g, '\x01'), 'latin1');
  framer.push(Buffer.concat([long, B, A]));
  assert.equal(frames.length, 2);
  assert.ok(frames[0].includes('35=0') && frames[0].includes('35=1'));
  assert.equal(frames[1], text(A));
});

test('an oversized declared length is dropped at once without buffering', () => {
  const { framer, frames, errors } = collect(1024);
  framer.push(Buffer.concat([Buffer.from('8=FIX.4.4\x019=99999999\x0135=0\x01'), A]));
  assert.deepEqual(frames, [text(A)]);
  assert.equal(errors[0].reason, 'oversized');
});

test('an endless frame is dropped once it passes the maximum, memory stays bounded', () => {
  const { framer, frames, errors } = collect(1024);
  framer.push(Buffer.from('8=FIX.4.4\x019=10\x0135=0\x01'));
  for (let i = 0; i < 100; i++) {
    framer.push(Buffer.alloc(100, 0x41));
    assert.ok(framer.buffered <= 1024 + 100, `buffered ${framer.buffered}`);
  }
  assert.ok(errors.some((e) => e.reason === 'oversized'));
  framer.push(A);
  assert.deepEqual(frames, [text(A)]);
});

test('a BeginString with no SOH is dropped', () => {
  const { framer, frames, errors } = collect();
  framer.push(Buffer.concat([Buffer.from('8=FIX' + 'X'.repeat(60)), A]));
  assert.deepEqual(frames, [text(A)]);
  assert.equal(errors[0].reason, 'begin-string-missing');
});

test('reset drops a partial frame', () => {
  const { framer, frames } = collect();
  framer.push(A.subarray(0, 20));
  assert.equal(framer.buffered, 20);
  framer.reset();
  framer.push(B);
  assert.deepEqual(frames, [text(B)]);
});
