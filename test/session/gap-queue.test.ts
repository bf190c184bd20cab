/**
 * The messages waiting above a sequence gap are bounded in bytes (`MaxQueuedBytesAboveGap`), not
 * only in count: past the limit a message is not kept (a `gap-queue-full` event) and the session
 * stays logged on; the message is not lost, the resend brings it again (or a new ResendRequest
 * asks for it once the gap is filled). Every application message reaches the application once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field } from './harness.js';

const BIG = 'x'.repeat(400);

function run(options: { closedResendInterval?: boolean }) {
  const seen: number[] = [];
  const h = new Harness({ maxQueuedBytes: 2000, ...options }, { fromApp: (m) => void seen.push(m.getInt(34)) }).connect().logon(1);
  h.take();
  let maxQueued = 0;
  // Message 2 is lost; 3 to 12 (about 480 bytes each) arrive above the gap.
  for (let seq = 3; seq <= 12; seq++) {
    h.send(`35=D|11=o${seq}|58=${BIG}|`, { seq });
    maxQueued = Math.max(maxQueued, h.core.queuedAboveGap.bytes);
  }
  return { h, seen, maxQueued };
}

test('messages above a gap beyond MaxQueuedBytesAboveGap are not kept; the resend brings them, each delivered once', () => {
  const { h, seen, maxQueued } = run({});
  assert.ok(maxQueued <= 2000, `queued ${maxQueued} bytes`);
  const full = h.events.filter((e) => e.kind === 'gap-queue-full');
  assert.ok(full.length >= 5, `${full.length} gap-queue-full events`);
  const first = full[0];
  assert.ok(first.kind === 'gap-queue-full' && first.limit === 2000 && first.seq === 7, JSON.stringify(first));
  assert.ok(h.notes.some((n) => /Message 7 not queued/.test(n)));
  assert.equal(h.disconnects.length, 0, 'still logged on');
  const rr = h.take().filter((m) => field(m, 35) === '2');
  assert.equal(rr.length, 1);
  assert.equal(field(rr[0], 7), '2');
  assert.equal(field(rr[0], 16), '0', 'open-ended: it covers the messages not kept');
  // The counterparty answers the ResendRequest [2, infinity) with everything it sent.
  for (let seq = 2; seq <= 12; seq++) h.send(`35=D|11=o${seq}|58=${BIG}|`, { seq, possDup: true });
  assert.deepEqual(seen, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(h.store.getNextTargetSeq(), 13);
  assert.equal(h.core.queuedAboveGap.bytes, 0);
  assert.equal(h.disconnects.length, 0);
});

test('with a closed ResendRequest the messages not kept are asked for again once the gap is filled', () => {
  const { h, seen } = run({ closedResendInterval: true });
  const rr = h.take().filter((m) => field(m, 35) === '2');
  assert.deepEqual([field(rr[0], 7), field(rr[0], 16)], ['2', '2']);
  h.send(`35=D|11=o2|58=${BIG}|`, { seq: 2, possDup: true });
  const kept = seen.length;
  assert.ok(kept > 1 && kept < 11, `${kept} delivered after the gap filled`);
  // The next message shows the gap again: a new ResendRequest for the messages not kept.
  h.send('35=0|', { seq: 13 });
  const again = h.take().filter((m) => field(m, 35) === '2');
  assert.equal(again.length, 1);
  assert.equal(field(again[0], 7), String(kept + 2));
  for (let seq = kept + 2; seq <= 12; seq++) h.send(`35=D|11=o${seq}|58=${BIG}|`, { seq, possDup: true });
  assert.deepEqual(seen, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(h.store.getNextTargetSeq(), 14);
  assert.equal(h.disconnects.length, 0);
});

test('messages queued above a gap that a GapFill then jumps past are dropped: no resend is left in progress', () => {
  const h = new Harness({}).connect().logon(1);
  h.take();
  // Message 2 is lost; 3 and 4 (session messages) arrive above the gap and wait.
  h.send('35=0|', { seq: 3 });
  h.send('35=0|', { seq: 4 });
  assert.equal(h.core.queuedAboveGap.messages, 2);
  // The counterparty gap-fills from 2 past them (they were session messages).
  h.send('35=4|123=Y|36=6|', { seq: 2, possDup: true });
  assert.equal(h.store.getNextTargetSeq(), 6);
  assert.equal(h.core.queuedAboveGap.messages, 0, 'nothing left waiting for a number already passed');
  assert.equal(h.core.isResending, false, 'a move or a failback may log out now');
  h.send('35=0|', { seq: 6 });
  assert.equal(h.store.getNextTargetSeq(), 7);
  assert.equal(h.disconnects.length, 0);
});
