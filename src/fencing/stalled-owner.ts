/**
 * A Logon for a session whose owner has stopped renewing (pure logic). The owner renews every
 * tenth of its lease (`leaseTiming`); a record not renewed for two of those periods belongs to a
 * node that is paused, partitioned or dying. Rather than refuse the client (which would then try
 * its other addresses, or wait for its next reconnect interval), a node waits for that record's
 * lease to run out and takes the session then: the client is served as soon as fencing allows.
 * A record renewed recently (a live owner), released or reserved for a move is refused at once.
 */
import { leaseTiming } from './lease-timing.js';
import type { OwnerRecord } from './ownership.js';

/**
 * How long to wait (ms) before asking for the session again, or null to refuse now. `now` is this
 * node's clock, compared with the owner's `renewedAt` (hosts sharing a store must agree on the
 * time to well within the lease).
 */
export function stalledOwnerWait(owner: OwnerRecord, now: number): number | null {
  if (owner.pid === 0 || owner.leaseMs <= 0) return null;
  const age = now - owner.renewedAt;
  if (age < 2 * leaseTiming(owner.leaseMs).renewEveryMs || age > owner.leaseMs) return null;
  // One millisecond past the lease: the first moment another node may take the session.
  return owner.renewedAt + owner.leaseMs + 1 - now;
}
