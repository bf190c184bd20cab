/**
 * A Logon for a session whose owner stopped renewing waits for the owner's lease to run out
 * (pure: src/fencing/stalled-owner.ts); a live, released or reserved owner is refused at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stalledOwnerWait } from '../../src/fencing/stalled-owner.js';
import type { OwnerRecord } from '../../src/fencing/index.js';

const owner = (renewedAt: number, extra: Partial<OwnerRecord> = {}): OwnerRecord => ({ node: 'A', host: 'h', pid: 42, epoch: 3, renewedAt, leaseMs: 5000, ...extra });

test('an owner that renewed within two renewal periods (1 s of a 5 s lease) is live: refused now', () => {
  assert.equal(stalledOwnerWait(owner(10_000), 10_000), null);
  assert.equal(stalledOwnerWait(owner(10_000), 10_999), null);
});

test('an owner silent for longer: wait until 1 ms past its lease, whatever the age', () => {
  assert.equal(stalledOwnerWait(owner(10_000), 11_000), 4001);
  assert.equal(stalledOwnerWait(owner(10_000), 14_000), 1001);
  assert.equal(stalledOwnerWait(owner(10_000), 15_000), 1);
  // Past the lease: acquiring succeeds by itself; nothing to wait for.
  assert.equal(stalledOwnerWait(owner(10_000), 15_001), null);
});

test('released records and hand-over reservations are not waited for', () => {
  assert.equal(stalledOwnerWait(owner(0, { pid: 0 }), 12_000), null);
  assert.equal(stalledOwnerWait(owner(0, { pid: 0, movingTo: 'B', movingUntil: 20_000 }), 12_000), null);
});
