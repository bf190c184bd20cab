/**
 * A Logon for a session another node owns watches the owner record (pure:
 * src/fencing/stalled-owner.ts): renewed or taken since, refused; not renewed, waited for until 1 ms
 * past its lease, then taken (at once when already past it); released records and hand-over reservations answered at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stalledOwnerWait } from '../../src/fencing/stalled-owner.js';
import type { OwnerRecord } from '../../src/fencing/index.js';

const owner = (renewedAt: number, extra: Partial<OwnerRecord> = {}): OwnerRecord => ({ node: 'A', host: 'h', pid: 42, epoch: 3, renewedAt, leaseMs: 5000, ...extra });

test('a record that is not renewed: wait until 1 ms past its lease, however fresh it was when the Logon came', () => {
  const first = owner(10_000);
  assert.equal(stalledOwnerWait(first, owner(10_000), 10_000), 5001);
  assert.equal(stalledOwnerWait(first, owner(10_000), 11_000), 4001);
  assert.equal(stalledOwnerWait(first, owner(10_000), 15_000), 1);
  // Already past the lease when the failed acquisition returns (it read the clock a moment
  // earlier): acquire again at once, not refuse (a refusal there made the plain-client test of
  // test/cluster/paused-owner.test.ts fail in CI).
  assert.equal(stalledOwnerWait(first, owner(10_000), 15_001), 0);
  assert.equal(stalledOwnerWait(first, owner(10_000), 19_000), 0);
  // Long past it, yet not taken: something else is wrong; stop waiting rather than loop.
  assert.equal(stalledOwnerWait(first, owner(10_000), 20_002), null);
});

test('a live owner reveals itself at its next renewal: refused then', () => {
  assert.equal(stalledOwnerWait(owner(10_000), owner(10_500), 10_600), null);
});

test('taken by another node or epoch meanwhile: refused (naming the new owner)', () => {
  assert.equal(stalledOwnerWait(owner(10_000), owner(10_000, { epoch: 4 }), 11_000), null);
  assert.equal(stalledOwnerWait(owner(10_000), owner(10_000, { node: 'C' }), 11_000), null);
});

test('released records and hand-over reservations are not waited for; nor a record from a clock far ahead', () => {
  assert.equal(stalledOwnerWait(owner(0, { pid: 0 }), owner(0, { pid: 0 }), 12_000), null);
  assert.equal(stalledOwnerWait(owner(0, { pid: 0, movingTo: 'B', movingUntil: 20_000 }), owner(0, { pid: 0, movingTo: 'B', movingUntil: 20_000 }), 12_000), null);
  assert.equal(stalledOwnerWait(owner(60_000), owner(60_000), 12_000), null);
});
