import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field } from './harness.js';
import { Message } from '../../src/codec/index.js';
import { LAST_MSG_SEQ_NUM, MAX_HEART_BT_INT } from '../../src/session/session-numbers.js';
import { MAX_SEQ_NUM } from '../../src/store/index.js';

const types = (msgs: string[]) => msgs.map((m) => field(m, 35));
/** A MsgSeqNum written as any text. */
const seqText = (text: string) => ({ seq: text as unknown as number });

function loggedOn(options = {}): Harness {
  const h = new Harness(options).connect().logon(1);
  h.take();
  return h;
}

test('limits: a session counts MsgSeqNum up to one below the stores\' limit', () => {
  assert.equal(MAX_SEQ_NUM, 4294967295);
  assert.equal(LAST_MSG_SEQ_NUM, 4294967294);
  assert.equal(MAX_HEART_BT_INT, 2147483647);
});

test('SequenceReset with NewSeqNo past the limit or not a number: Reject naming tag 36, the session and its store go on', () => {
  for (const [value, reason] of [
    ['4294967296', '5'],
    ['4294967295', '5'],
    ['99999999999999999999', '6'],
    ['9007199254740993', '6'],
  ]) {
    for (const mode of ['123=N|', '123=Y|']) {
      const h = loggedOn();
      assert.doesNotThrow(() => h.send(`35=4|${mode}36=${value}|`, { seq: 2 }));
      const out = h.take();
      assert.deepEqual(types(out), ['3'], `${mode}36=${value}`);
      assert.equal(field(out[0], 45), '2');
      assert.equal(field(out[0], 371), '36');
      assert.equal(field(out[0], 373), reason);
      assert.equal(h.disconnects.length, 0);
      assert.equal(h.store.getNextTargetSeq(), 2, 'the SequenceReset is not applied');
      // The session still answers.
      h.send('35=1|112=still-there|', { seq: 2 });
      const hb = h.take();
      assert.deepEqual(types(hb), ['0']);
      assert.equal(field(hb[0], 112), 'still-there');
      assert.equal(h.store.getNextTargetSeq(), 3);
    }
  }
});

test('MsgSeqNum that is not a number a session can count: Logout saying so, disconnect, store unchanged', () => {
  for (const value of ['4294967295', '4294967296', '9007199254740993', '99999999999999999999', 'abc', '']) {
    const h = loggedOn();
    assert.doesNotThrow(() => h.send('35=0|', seqText(value)));
    const out = h.take();
    assert.deepEqual(types(out), ['5'], `34=${value}`);
    assert.match(field(out[0], 58)!, /^MsgSeqNum\(34\) .* (is out of range|is not a number): sequence numbers run from 1 to 4294967294; past that the session must be reset \(ResetSeqNumFlag=Y\)$/);
    assert.equal(h.disconnects.length, 1);
    assert.equal(h.store.getNextTargetSeq(), 2);
    assert.equal(h.store.getNextSenderSeq(), 3, 'the Logout is stored and counted');
  }
  // Also as the first message (a Logon): refused before anything else of it is read.
  const h = new Harness().connect();
  h.send('35=A|98=0|108=30|', seqText('99999999999999999999'));
  assert.deepEqual(types(h.take()), ['5']);
  assert.equal(h.store.getNextTargetSeq(), 1);
});

test('an in-order MsgSeqNum up to the limit is counted; the next one is refused with a Logout, and nothing is handed to the store past it', () => {
  const h = loggedOn();
  h.core.setSequenceNumbers(h.core.nextSenderSeq, LAST_MSG_SEQ_NUM);
  h.store.setNextTargetSeq(LAST_MSG_SEQ_NUM);
  h.send('35=1|112=last|', { seq: LAST_MSG_SEQ_NUM });
  assert.deepEqual(types(h.take()), ['0']);
  assert.equal(h.store.getNextTargetSeq(), MAX_SEQ_NUM);
  // A Logout is counted without a sequence check: it must not push the store past its limit.
  h.send('35=5|', { seq: LAST_MSG_SEQ_NUM });
  assert.deepEqual(types(h.take()), ['5']);
  assert.equal(h.store.getNextTargetSeq(), MAX_SEQ_NUM);
  const again = new Harness().connect();
  again.core.setSequenceNumbers(1, MAX_SEQ_NUM);
  again.store.setNextTargetSeq(MAX_SEQ_NUM);
  again.send('35=A|98=0|108=30|', { seq: MAX_SEQ_NUM });
  const out = again.take();
  assert.deepEqual(types(out), ['5']);
  assert.match(field(out[0], 58)!, /MsgSeqNum\(34\) 4294967295 is out of range/);
  assert.equal(again.store.getNextTargetSeq(), MAX_SEQ_NUM);
  // A Logon with ResetSeqNumFlag=Y starts over.
  again.connect().send('35=A|98=0|108=30|141=Y|', { seq: 1 });
  assert.deepEqual(types(again.take()), ['A']);
  assert.equal(again.store.getNextTargetSeq(), 2);
});

test('our own next MsgSeqNum past the limit: a Logout saying so (not stored), disconnect, nothing stored past the limit', () => {
  const h = loggedOn();
  h.core.setSequenceNumbers(LAST_MSG_SEQ_NUM, 2);
  h.store.setNextSenderSeq(LAST_MSG_SEQ_NUM);
  const order = () => new Message('D').set(11, 'x');
  const first = h.core.send(order(), h.now);
  h.apply(first.actions);
  assert.equal(first.sent, true);
  assert.equal(field(h.take()[0], 34), String(LAST_MSG_SEQ_NUM));
  assert.equal(h.store.getNextSenderSeq(), MAX_SEQ_NUM);
  const second = h.core.send(order(), h.now);
  h.apply(second.actions);
  assert.equal(second.sent, false);
  const out = h.take();
  assert.deepEqual(types(out), ['5']);
  assert.equal(field(out[0], 34), String(MAX_SEQ_NUM));
  assert.match(field(out[0], 58)!, /^Sequence numbers exhausted: the next MsgSeqNum would pass 4294967294/);
  assert.equal(h.disconnects.length, 1);
  assert.equal(h.store.getNextSenderSeq(), MAX_SEQ_NUM);
  assert.equal(h.store.getRangeSync(MAX_SEQ_NUM - 1, MAX_SEQ_NUM).length, 1, 'only the last counted message is stored');
  // A Logon from the counterparty cannot be answered with a number either.
  h.connect().send('35=A|98=0|108=30|', { seq: 2 });
  const refused = h.take();
  assert.deepEqual(types(refused), ['5']);
  assert.equal(h.store.getNextSenderSeq(), MAX_SEQ_NUM);
  assert.equal(h.core.isLoggedOn, false);
  assert.equal(h.disconnects.length, 2);
});

test('HeartBtInt in a Logon that is negative, too large or not a number: Logout saying why, no Logon answer', () => {
  for (const value of ['-30', '99999999999999999999', '2147483648', 'abc', '']) {
    const h = new Harness().connect();
    assert.doesNotThrow(() => h.send(`35=A|98=0|108=${value}|`, { seq: 1 }));
    const out = h.take();
    assert.deepEqual(types(out), ['5'], `108=${value}`);
    assert.match(field(out[0], 58)!, /^HeartBtInt\(108\) .* is not valid: expected a whole number of seconds from 0 to 2147483647$/);
    assert.equal(h.disconnects.length, 1);
    assert.equal(h.core.isLoggedOn, false);
  }
  const h = new Harness().connect().send('35=A|98=0|108=2147483647|', { seq: 1 });
  assert.equal(field(h.take()[0], 108), '2147483647');
});

test('ResendRequest with BeginSeqNo or EndSeqNo out of range or not a number: Reject naming the tag, the message counted', () => {
  for (const [body, tag, reason] of [
    ['7=4294967296|16=0|', '7', '5'],
    ['7=0|16=0|', '7', '5'],
    ['7=99999999999999999999|16=0|', '7', '6'],
    ['7=1|16=4294967296|', '16', '5'],
    ['7=1|16=-1|', '16', '5'],
    ['7=1|16=99999999999999999999|', '16', '6'],
  ]) {
    const h = loggedOn();
    assert.doesNotThrow(() => h.send(`35=2|${body}`, { seq: 2 }));
    const out = h.take();
    assert.deepEqual(types(out), ['3'], body);
    assert.equal(field(out[0], 371), tag, body);
    assert.equal(field(out[0], 373), reason, body);
    assert.equal(h.store.getNextTargetSeq(), 3);
    assert.equal(h.disconnects.length, 0);
  }
});

test('NextExpectedMsgSeqNum(789) that is not a number: Logout saying why', () => {
  const h = new Harness({ enableNextExpectedMsgSeqNum: true }).connect();
  h.send('35=A|98=0|108=30|789=99999999999999999999|', { seq: 1 });
  const out = h.take();
  assert.deepEqual(types(out), ['5']);
  assert.match(field(out[0], 58)!, /^NextExpectedMsgSeqNum\(789\) 99999999999999999999 is not valid/);
});

test('SendingTime with 12 fractional digits (picoseconds) is accepted, also by the latency check', () => {
  const h = loggedOn();
  const ps = h.now - 1000;
  const d = new Date(ps);
  const text = `${d.toISOString().slice(0, 10).replace(/-/g, '')}-${d.toISOString().slice(11, 23)}123456789`;
  h.send('35=1|112=ps|', { seq: 2, sendingTime: text });
  const out = h.take();
  assert.deepEqual(types(out), ['0']);
  assert.equal(field(out[0], 112), 'ps');
});
