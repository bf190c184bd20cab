/**
 * A resend answered chunk by chunk (as the engine streams it from the store) goes out exactly as
 * it would all at once: the same messages, gap fills merged across chunk boundaries; a stored
 * message that cannot be read is gap-filled like an admin message, reported and counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field } from './harness.js';
import { DoNotSend } from '../../src/session/index.js';
import { frame } from '../codec/helpers.js';
import { Message } from '../../src/codec/index.js';

const STAMP = '20261123-12:00:00.000';

/** What the store holds: application messages, admin ones, a hole, a vetoed one and damaged ones. */
function fill(h: Harness): void {
  const put = (seq: number, body: string) => h.store.saveOutgoing(seq, frame(`${body.replace('|', `|34=${seq}|49=ISLD|52=${STAMP}|56=TW|`)}`));
  for (let seq = 1; seq <= 30; seq++) {
    if (seq === 9 || seq === 21) continue; // never stored (a hole)
    if (seq % 5 === 0) put(seq, '35=0|');
    else put(seq, `35=D|11=o${seq}|55=IBM|`);
  }
  // Damaged: cut short (no CheckSum), a stray byte past the end, another sequence number inside.
  const bytes = (seq: number) => h.store.getRangeSync(seq, seq)[0].bytes;
  h.store.saveOutgoing(12, bytes(12).subarray(0, bytes(12).length - 5));
  h.store.saveOutgoing(13, Buffer.concat([bytes(13).subarray(0, bytes(13).length - 1), Buffer.from('X')]));
  h.store.saveOutgoing(26, frame(`35=D|34=99|49=ISLD|52=${STAMP}|56=TW|11=o26|55=IBM|`));
  // A byte of a value changed in place: the structure holds, the CheckSum does not.
  h.store.saveOutgoing(28, Buffer.from(bytes(28).toString('latin1').replace('55=IBM', '55=IBN'), 'latin1'));
  h.store.setNextSenderSeq(31);
  h.core.setSequenceNumbers(31, 1);
}

function resend(chunk: number): { wire: string[]; h: Harness } {
  const h = new Harness({}, { toApp: (m) => { if (m.get(11) === 'o17') throw new DoNotSend('vetoed'); } });
  h.resendChunkSize = chunk;
  fill(h);
  h.connect().logon(1);
  h.take();
  h.send('35=2|7=1|16=0|', { seq: 2 });
  return { wire: h.take(), h };
}

const summary = (wire: string[]) => wire.map((m) => `${field(m, 35)}:${field(m, 34)}${field(m, 35) === '4' ? `>${field(m, 36)}` : ''}`);

test('a resend in chunks of any size goes out exactly as all at once', () => {
  const whole = resend(0).wire;
  assert.deepEqual(summary(whole), [
    'D:1', 'D:2', 'D:3', 'D:4', '4:5>6', 'D:6', 'D:7', 'D:8', '4:9>11', 'D:11', '4:12>14', 'D:14', '4:15>16',
    'D:16', '4:17>18', 'D:18', 'D:19', '4:20>22', 'D:22', 'D:23', 'D:24', '4:25>27', 'D:27', '4:28>29', 'D:29', '4:30>32',
  ]);
  for (const size of [1, 2, 3, 4, 7, 13, 100]) assert.deepEqual(resend(size).wire, whole, `chunks of ${size}`);
});

test('stored messages that cannot be read are gap-filled, reported with their number and counted', () => {
  const { h } = resend(4);
  const unreadable = h.events.filter((e) => e.kind === 'unreadable-stored').map((e) => (e.kind === 'unreadable-stored' ? e.seq : 0));
  assert.deepEqual(unreadable, [12, 13, 26, 28]);
  assert.equal(h.core.unreadableStoredMessages, 4);
  assert.ok(h.notes.some((n) => /^Stored message 28 cannot be read \(.*CheckSum/i.test(n)), h.notes.join('\n'));
  assert.ok(h.notes.some((n) => /^Stored message 26 cannot be read \(it carries MsgSeqNum 99\)/.test(n)), h.notes.join('\n'));
  assert.equal(h.disconnects.length, 0);
  // The session carries on.
  h.send('35=1|112=after|', { seq: 3 });
  assert.equal(field(h.take()[0], 112), 'after');
});

test('an application message sent during a chunked resend goes out after it', () => {
  const h = new Harness();
  fill(h);
  h.deferResend = true;
  h.resendChunkSize = 5;
  h.connect().logon(1);
  h.send('35=2|7=1|16=0|', { seq: 2 });
  h.take();
  h.apply(h.core.send(new Message('D').set(11, 'new').set(55, 'IBM'), h.now).actions);
  assert.deepEqual(h.take(), [], 'held while the resend is loading');
  h.completeResends();
  const out = h.take();
  assert.equal(field(out[out.length - 1], 11), 'new');
  assert.equal(field(out[out.length - 1], 34), '32');
  assert.equal(field(out[out.length - 2], 35), '4');
});
