/**
 * The core's operator changes and running counts, with a fake clock: setting the next numbers
 * (stored through the driver's actions; the next messages carry them), resetting (Logout with the
 * text, disconnect, numbers and store back to 1), and the counts metrics read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field } from './harness.js';
import { Message } from '../../src/codec/index.js';
import { MAX_COUNTED_MSG_TYPES, OTHER_MSG_TYPE, MsgTypeCounts } from '../../src/session/index.js';

test('setNextSequenceNumbers: stored, and the next messages sent and expected use them', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.apply(h.core.setNextSequenceNumbers(40, 7, h.now));
  assert.equal(h.store.getNextSenderSeq(), 40);
  assert.equal(h.store.getNextTargetSeq(), 7);
  assert.deepEqual(h.take(), [], 'nothing is sent for it');
  h.send('35=1|112=T|', { seq: 7 });
  const [hb] = h.take();
  assert.equal(field(hb, 35), '0');
  assert.equal(field(hb, 34), '40');
  assert.equal(h.core.nextTargetSeq, 8);
  // Only the sender number: the target stays.
  h.apply(h.core.setNextSequenceNumbers(100, undefined, h.now));
  assert.equal(h.store.getNextTargetSeq(), 8);
  assert.equal(h.store.getNextSenderSeq(), 100);
});

test('setNextSequenceNumbers of the target forgets messages held above a gap (they were numbered against the old one)', () => {
  const h = new Harness().connect().logon(1);
  h.send('35=0|', { seq: 5 }); // gap 2..4: asked for, 5 held
  assert.ok(h.core.queuedAboveGap.messages >= 1 || h.core.isResending);
  h.apply(h.core.setNextSequenceNumbers(undefined, 20, h.now));
  assert.equal(h.core.queuedAboveGap.messages, 0);
  assert.equal(h.core.isResending, false);
  assert.equal(h.core.nextTargetSeq, 20);
});

test('reset while logged on: Logout with the text, disconnect, both numbers and the store back to 1', () => {
  const h = new Harness().connect().logon(1);
  h.apply(h.core.send(new Message('B').set(148, 'news').set(33, 1).set(58, 'x'), h.now).actions);
  h.take();
  h.advance(5000);
  h.apply(h.core.reset('operator reset', h.now));
  const [logout] = h.take();
  assert.equal(field(logout, 35), '5');
  assert.equal(field(logout, 58), 'operator reset');
  assert.deepEqual(h.disconnects, ['operator reset']);
  assert.equal(h.core.isConnected, false);
  assert.equal(h.core.nextSenderSeq, 1);
  assert.equal(h.core.nextTargetSeq, 1);
  assert.equal(h.store.getNextSenderSeq(), 1);
  assert.equal(h.store.getNextTargetSeq(), 1);
  assert.equal(h.store.getRangeSync(1, 10).length, 0, 'stored messages dropped');
  assert.equal(h.store.creationTime.getTime(), h.now, 'a new FIX session, from now');
});

test('reset while not connected: nothing is sent, numbers and store back to 1', () => {
  const h = new Harness();
  h.apply(h.core.setNextSequenceNumbers(9, 9, h.now));
  h.apply(h.core.reset('x', h.now));
  assert.deepEqual(h.take(), []);
  assert.deepEqual(h.disconnects, []);
  assert.equal(h.store.getNextSenderSeq(), 1);
  assert.equal(h.core.nextTargetSeq, 1);
});

test('stats: messages in and out by MsgType, bytes, resent, garbled, last message times', () => {
  const h = new Harness().connect().logon(1);
  for (let i = 0; i < 3; i++) h.apply(h.core.send(new Message('B').set(148, `n${i}`).set(33, 1).set(58, 'x'), h.now).actions);
  h.advance(1000);
  h.send('35=0|', { seq: 2 });
  h.send('35=2|7=2|16=0|', { seq: 3 }); // resend of the three news
  h.raw(Buffer.from('8=FIX.4.4\x019=5\x0135=0\x0110=000\x01', 'latin1'));
  const s = h.core.stats;
  assert.equal(s.messagesIn.get('A'), 1);
  assert.equal(s.messagesIn.get('0'), 1);
  assert.equal(s.messagesIn.get('2'), 1);
  assert.equal(s.garbledIn, 1);
  assert.equal(s.messagesOut.get('A'), 1);
  assert.equal(s.messagesOut.get('B'), 6, 'three sent, three resent');
  assert.equal(s.messagesResent, 3);
  assert.equal(s.lastReceivedAt, h.now);
  assert.ok(s.bytesIn > 100 && s.bytesOut > 300);
  assert.equal(s.messagesOut.total(), 7);
});

test('MsgTypeCounts keeps at most MAX_COUNTED_MSG_TYPES types apart; the rest count as other', () => {
  const c = new MsgTypeCounts();
  for (let i = 0; i < MAX_COUNTED_MSG_TYPES + 10; i++) c.add(`X${i}`);
  c.add('X0');
  assert.equal([...c.entries()].length, MAX_COUNTED_MSG_TYPES + 1);
  assert.equal(c.get(OTHER_MSG_TYPE), 10);
  assert.equal(c.get('X0'), 2);
  assert.equal(c.total(), MAX_COUNTED_MSG_TYPES + 11);
});

test('MsgTypeCounts: one-character types (kept in an array) and longer ones share the bound and the first-seen order', () => {
  const c = new MsgTypeCounts();
  for (const t of ['D', 'AE', '8', 'D', 'é', '8', 'D']) c.add(t);
  assert.deepEqual([...c.entries()], [['D', 3], ['AE', 1], ['8', 2], ['é', 1]]);
  assert.equal(c.get('0'), 0);
  assert.equal(c.total(), 7);
  for (let i = 0; i < MAX_COUNTED_MSG_TYPES; i++) c.add(`X${i}`);
  // The bound reached: a new one-character type counts as other, a counted one still apart.
  c.add('z');
  c.add('z');
  c.add('D');
  assert.equal(c.get('z'), 0);
  assert.equal(c.get(OTHER_MSG_TYPE), 4 + 2, 'four X types past the bound, then z twice');
  assert.equal(c.get('D'), 4);
  assert.equal([...c.entries()].length, MAX_COUNTED_MSG_TYPES + 1);
  assert.equal(c.total(), 7 + MAX_COUNTED_MSG_TYPES + 3);
});
