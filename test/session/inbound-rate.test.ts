/**
 * `InboundMessageRate` and `InboundRateAction`, with a fake clock: the pure token bucket, and
 * what the session core does above the rate (pause reading, Reject, Logout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, T0, field } from './harness.js';
import { InboundRate } from '../../src/session/inbound-rate.js';
import { InvalidOptionError, formatUtcTimestamp } from '../../src/codec/index.js';

test('the bucket: a second of messages at once, then the rate; the debt says how long to wait', () => {
  const r = new InboundRate(10, 0);
  for (let i = 0; i < 10; i++) assert.equal(r.take(0), 0, `message ${i}`);
  assert.equal(r.take(0), 100, 'one message over: 100 ms at 10/s');
  assert.equal(r.take(0), 200);
  assert.equal(r.take(300), 0, '300 ms repay the two over and give one back');
  assert.equal(r.take(300), 100);
  r.refund();
  assert.equal(r.take(400), 0);
  // Idle time refills to one second's worth at most.
  const idle = new InboundRate(5, 0);
  for (let i = 0; i < 5; i++) idle.take(0);
  let over = 0;
  for (let i = 0; i < 20; i++) if (idle.take(60_000) > 0) over++;
  assert.equal(over, 15);
  assert.throws(() => new InboundRate(0, 0), (e: unknown) => e instanceof InvalidOptionError);
});

function flood(action: 'pause' | 'reject' | 'logout', count: number) {
  const seen: number[] = [];
  const h = new Harness({ inboundMessageRate: 10, inboundRateAction: action }, { fromApp: (m) => void seen.push(m.getInt(34)) }).connect().logon(1);
  h.take();
  for (let seq = 2; seq < 2 + count; seq++) h.send(`35=D|11=o${seq}|55=IBM|`, { seq });
  return { h, seen };
}

test('pause: every message is handled, reading stops until the rate is met again; reported once', () => {
  const { h, seen } = flood('pause', 15);
  assert.equal(seen.length, 15);
  assert.deepEqual(h.pauses, [100, 200, 300, 400, 500]);
  const reported = h.events.filter((e) => e.kind === 'inbound-rate-exceeded');
  assert.equal(reported.length, 1);
  assert.ok(reported[0].kind === 'inbound-rate-exceeded' && reported[0].seq === 12 && reported[0].action === 'pause' && reported[0].rate === 10);
  // Within the rate again after the pause: no more pauses.
  h.now = T0 + 1500;
  h.send('35=D|11=late|55=IBM|', { seq: 17 });
  assert.equal(h.pauses.length, 5);
  assert.equal(h.disconnects.length, 0);
});

test('reject: messages over the rate are rejected (their numbers used up), the application never sees them', () => {
  const { h, seen } = flood('reject', 15);
  assert.deepEqual(seen, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const out = h.take();
  assert.equal(out.length, 5);
  for (const [i, m] of out.entries()) {
    assert.equal(field(m, 35), '3');
    assert.equal(field(m, 45), String(12 + i));
    assert.equal(field(m, 58), 'inbound message rate above 10 messages per second');
  }
  assert.equal(h.store.getNextTargetSeq(), 17);
  // Rejected messages do not use the budget: 100 ms later one more is accepted.
  h.now += 100;
  h.send('35=D|11=next|55=IBM|', { seq: 17 });
  assert.deepEqual(seen.slice(-1), [17]);
  assert.equal(h.disconnects.length, 0);
});

test('reject: a message over the rate that fails the header checks is dealt with as such, not rejected for the rate', () => {
  const { h, seen } = flood('reject', 10);
  assert.equal(seen.length, 10);
  h.take();
  // SendingTime ten minutes off: the usual SendingTime accuracy Reject and Logout, not the rate's.
  h.send('35=D|11=late|55=IBM|', { seq: 12, sendingTime: formatUtcTimestamp(h.now - 600_000, 3) });
  const out = h.take();
  assert.ok(out.length > 0);
  assert.ok(out.every((m) => field(m, 58) !== 'inbound message rate above 10 messages per second'), out.map((m) => field(m, 58)).join(';'));
  assert.match(out.map((m) => field(m, 58)).join(';'), /SendingTime/);
  // Out of turn (a gap): asked for again as usual, and once the gap is filled the rate applies.
  const gap = flood('reject', 10).h;
  gap.take();
  gap.send('35=D|11=ahead|55=IBM|', { seq: 14 });
  assert.deepEqual(gap.take().map((m) => field(m, 35)), ['2']);
});

test('logout: the first message over the rate ends the session with a Logout saying why', () => {
  const { h, seen } = flood('logout', 15);
  assert.equal(seen.length, 10);
  const out = h.take();
  assert.deepEqual(out.map((m) => field(m, 35)), ['5']);
  assert.equal(field(out[0], 58), 'inbound message rate above 10 messages per second');
  assert.equal(h.disconnects.length, 1);
});

test('admin messages are not counted', () => {
  const h = new Harness({ inboundMessageRate: 2, inboundRateAction: 'logout' }).connect().logon(1);
  for (let seq = 2; seq < 30; seq++) h.send(`35=1|112=t${seq}|`, { seq });
  assert.equal(h.disconnects.length, 0);
  assert.equal(h.store.getNextTargetSeq(), 30);
});

test('messages resent at our request (PossDupFlag=Y) are not counted: a gap is filled whatever the rate', () => {
  const seen: number[] = [];
  const h = new Harness({ inboundMessageRate: 2, inboundRateAction: 'reject' }, { fromApp: (m) => void seen.push(m.getInt(34)) }).connect().logon(1);
  h.take();
  // 2..21 are missing: the session asks for them, and they come back at once, marked as resent.
  h.send('35=D|11=above|55=IBM|', { seq: 22 });
  for (let seq = 2; seq <= 21; seq++) h.send(`35=D|11=r${seq}|55=IBM|`, { seq, possDup: true });
  assert.deepEqual(seen, [...Array.from({ length: 20 }, (_, i) => i + 2), 22]);
  assert.equal(h.take().filter((m) => field(m, 35) === '3').length, 0, 'no Reject');
});
