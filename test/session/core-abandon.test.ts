/**
 * What the core offers the driver's last-resort boundary: `abandon` after an unexpected error, and
 * a disconnect that completes whatever the application's onLogout does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field } from './harness.js';
import { Message } from '../../src/codec/index.js';

test('abandon after an error escaped the core: connection ended, numbers from the store, held messages stored', () => {
  let failResend = true;
  const h = new Harness({}, {
    toApp: (m) => {
      if (failResend && m.header.get(43) === 'Y') throw new Error('bug');
    },
  }).connect().logon(1);
  h.apply(h.core.send(new Message('B').set(148, 'one').set(33, 1).set(58, 'x'), h.now).actions);
  h.take();
  h.deferResend = true;
  h.send('35=2|7=2|16=0|', { seq: 2 });
  // An order sent while the resend loads is held; the load then fails in toApp.
  h.apply(h.core.send(new Message('B').set(148, 'two').set(33, 1).set(58, 'y'), h.now).actions);
  assert.throws(() => h.completeResends(), /bug/);
  assert.equal(h.store.getRangeSync(3, 3).length, 0, 'the interrupted resend left the order held');
  h.take();

  failResend = false;
  h.apply(h.core.abandon(h.now, 'fault: bug', h.store.getNextSenderSeq(), h.store.getNextTargetSeq()));
  assert.equal(h.core.isConnected, false);
  assert.equal(h.core.isLoggedOn, false);
  assert.equal(h.core.isResending, false);
  assert.deepEqual(h.take(), [], 'nothing is written for a dropped connection');
  assert.equal(h.core.nextTargetSeq, 3);
  const held = h.store.getRangeSync(3, 3);
  assert.equal(held.length, 1, 'the held message is stored for the next resend');
  assert.equal(field(held[0].bytes.toString('latin1').split('\x01').join('|'), 148), 'two');
  assert.equal(h.core.nextSenderSeq, 4);

  // The next connection logs on normally.
  h.connect().logon(3);
  assert.ok(h.core.isLoggedOn);
  h.take();
  // A new resend starts afresh (the interrupted one's cursor is gone): message 2 goes out again.
  h.deferResend = false;
  h.send('35=2|7=2|16=0|', { seq: 4 });
  const resent = h.take().filter((m) => field(m, 43) === 'Y' && field(m, 35) === 'B');
  assert.deepEqual(resent.map((m) => [field(m, 34), field(m, 148)]), [['2', 'one'], ['3', 'two']]);
});

test('abandon with ResetOnDisconnect: the reset wins over the numbers the store had', () => {
  const h = new Harness({ resetOnDisconnect: true }).connect().logon(1);
  h.apply(h.core.send(new Message('B').set(148, 'one').set(33, 1).set(58, 'x'), h.now).actions);
  h.take();
  h.apply(h.core.abandon(h.now, 'fault: bug', h.store.getNextSenderSeq(), h.store.getNextTargetSeq()));
  assert.deepEqual([h.core.nextSenderSeq, h.core.nextTargetSeq], [1, 1]);
  assert.deepEqual([h.store.getNextSenderSeq(), h.store.getNextTargetSeq()], [1, 1], 'the store was reset too');
});

test('an application whose onLogout throws cannot leave the disconnect half done', () => {
  const h = new Harness({}, {
    onLogout: () => {
      throw new Error('onLogout broke');
    },
  }).connect().logon(1);
  const actions = h.core.disconnected(h.now);
  assert.ok(actions.some((a) => a.type === 'event' && a.event.kind === 'error' && /onLogout broke/.test(a.event.text)));
  assert.equal(h.core.isConnected, false);
  h.connect().logon(2);
  assert.ok(h.core.isLoggedOn, 'the next connection logs on');
});
