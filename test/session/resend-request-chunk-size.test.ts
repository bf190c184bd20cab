import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field } from './harness.js';

const requests = (msgs: string[]) => msgs.filter((m) => field(m, 35) === '2').map((m) => [field(m, 7), field(m, 16)]);

test('ResendRequestChunkSize: each chunk filled (by messages or a gap fill) asks for the next; the message above the gap is then processed', () => {
  const seen: string[] = [];
  const h = new Harness({ resendRequestChunkSize: 5 }, { fromApp: (m) => void seen.push(m.get(11)!) }).connect().logon(1);
  h.take();
  // 2..12 are missing.
  h.send('35=D|11=above|', { seq: 13 });
  assert.deepEqual(requests(h.take()), [['2', '6']]);
  // The first chunk is gap-filled: the second is asked for at once.
  h.send('35=4|123=Y|36=7|', { seq: 2, possDup: true });
  assert.deepEqual(requests(h.take()), [['7', '11']]);
  // The second chunk comes as resent messages; only once its last one is in, the rest is asked for.
  for (let seq = 7; seq <= 10; seq++) h.send(`35=D|11=r${seq}|`, { seq, possDup: true, sendingTime: undefined });
  assert.deepEqual(requests(h.take()), []);
  h.send('35=D|11=r11|', { seq: 11, possDup: true });
  assert.deepEqual(requests(h.take()), [['12', '0']], 'the last chunk is open-ended, as an unsplit request');
  h.send('35=D|11=r12|', { seq: 12, possDup: true });
  assert.deepEqual(seen, ['r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'above']);
  assert.equal(h.store.getNextTargetSeq(), 14);
  assert.equal(h.core.isResending, false);
  h.send('35=0|', { seq: 14 });
  assert.deepEqual(requests(h.take()), []);
});

test('ResendRequestChunkSize with ClosedResendInterval: the last chunk names its end', () => {
  const h = new Harness({ resendRequestChunkSize: 3, closedResendInterval: true }).connect().logon(1);
  h.take();
  h.send('35=0|', { seq: 7 });
  assert.deepEqual(requests(h.take()), [['2', '4']]);
  h.send('35=4|123=Y|36=5|', { seq: 2, possDup: true });
  assert.deepEqual(requests(h.take()), [['5', '6']]);
  h.send('35=4|123=Y|36=7|', { seq: 5, possDup: true });
  assert.deepEqual(requests(h.take()), []);
  assert.equal(h.store.getNextTargetSeq(), 8);
});
