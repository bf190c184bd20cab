import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isApplicationType, moveDecision, msgTypeOf, refuseReturn } from '../../src/cluster/safe-point.js';

const timing = { notBefore: 1000, deadline: 6000, quietMs: 200 };

test('a move waits for its start, then for a quiet point without resend, and happens at the deadline anyway', () => {
  const busy = { loggedOn: true, resending: false, lastAppAt: 1500 };
  assert.equal(moveDecision(busy, timing, 900), 'wait', 'before notBefore (jitter)');
  assert.equal(moveDecision(busy, timing, 1600), 'wait', 'an application message 100 ms ago');
  assert.equal(moveDecision(busy, timing, 1700), 'quiet', '200 ms without one');
  assert.equal(moveDecision({ ...busy, resending: true }, timing, 5999), 'wait', 'a resend in progress is not a safe point');
  assert.equal(moveDecision({ ...busy, resending: true }, timing, 6000), 'deadline');
  assert.equal(moveDecision({ ...busy, lastAppAt: 5990 }, timing, 6000), 'deadline');
  assert.equal(moveDecision({ ...busy, lastAppAt: -Infinity }, timing, 1000), 'quiet', 'never any traffic');
  assert.equal(moveDecision({ ...busy, loggedOn: false }, timing, 7000), 'gone');
});

test('application messages are told from session messages by MsgType', () => {
  assert.equal(msgTypeOf(Buffer.from('8=FIX.4.2\x019=5\x0135=D\x0134=1\x01')), 'D');
  assert.equal(msgTypeOf(Buffer.from('8=FIX.4.2\x019=5\x0135=AE\x01')), 'AE');
  assert.equal(msgTypeOf(Buffer.from('garbage')), '');
  assert.deepEqual(['0', '1', '2', '3', '4', '5', 'A'].map(isApplicationType), [false, false, false, false, false, false, false]);
  assert.deepEqual(['D', '8', 'AE', 'U1'].map(isApplicationType), [true, true, true, true]);
});

test('a node refuses a session it handed over while the minimum stay runs and the target is active, naming the target', () => {
  const h = { at: 1000, to: 'A', toUris: ['tcp://a:1'] };
  assert.equal(refuseReturn(h, 5000, 60_000, true, 'FIX.4.2:EXEC->C1'), 'session FIX.4.2:EXEC->C1 moved to node A (tcp://a:1)');
  assert.equal(refuseReturn(h, 61_000, 60_000, true, 'x'), null, 'the stay is over');
  assert.equal(refuseReturn(h, 5000, 60_000, false, 'x'), null, 'the target is gone: the session must be served here');
  assert.equal(refuseReturn(undefined, 5000, 60_000, true, 'x'), null, 'never handed over');
  assert.equal(refuseReturn(h, 5000, 60_000, true, 'x', true), null, 'handed over to this node since (its owner record reserves it here): taken, not left nowhere');
});
