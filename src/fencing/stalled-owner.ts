/**
 * A Logon for a session another node owns (pure logic). A live owner renews its record every
 * tenth of its lease (`leaseTiming`); one that is paused, partitioned or dying does not. Rather
 * than refuse the client at once (it would then try its other addresses, the silent owner among
 * them, or wait for its next reconnect interval), a node watches the record: renewed (or taken by
 * another node) means a live owner, and the Logon is refused naming it, at the latest a renewal
 * period later; not renewed until its lease ran out means a stalled owner, and the node takes the
 * session over at that moment, the first fencing allows. Released records and hand-over
 * reservations are answered at once.
 */
import type { OwnerRecord } from './ownership.js';

/**
 * How long (ms) until the owner record `first`, as seen when the Logon arrived, runs out if it is
 * not renewed, given the record read now (`latest`): null to stop waiting (refuse now, or take the
 * session if it can be taken). `now` is this node's clock, compared with the owner's `renewedAt`
 * (hosts sharing a store must agree on the time to well within the lease).
 */
export function stalledOwnerWait(first: OwnerRecord, latest: OwnerRecord, now: number): number | null {
  if (first.pid === 0 || latest.pid === 0 || latest.leaseMs <= 0) return null;
  // Renewed, or owned by another node or epoch since: a live owner.
  if (latest.epoch !== first.epoch || latest.node !== first.node || latest.renewedAt !== first.renewedAt) return null;
  // One millisecond past the lease: the first moment another node may take the session.
  const left = latest.renewedAt + latest.leaseMs + 1 - now;
  if (left > latest.leaseMs + 1) return null;
  // Already past it: the acquisition that just failed read its clock a moment earlier (a timer
  // can fire a millisecond early, and taking the lock takes time), so try again at once; a
  // record past its lease is taken. Bounded, so that nothing can make this loop for ever.
  if (left <= 0) return left > -latest.leaseMs ? 0 : null;
  return left;
}
