/**
 * Fenced session ownership: at most one process runs a session at a time, and only the owner may
 * write the session's store. Ownership is a lease with an epoch that grows on every change of
 * owner; the store checks the epoch before it writes, so a process that lost ownership while
 * paused (SIGSTOP, GC pause, partition) is refused before it writes a byte.
 */
import { FixoverError } from '../codec/errors.js';
import type { RefusalRecord } from './refusal-record.js';

/** Who owns a session. */
export interface OwnerRecord {
  /** Node name (`NodeName` setting, default host:pid). */
  readonly node: string;
  readonly host: string;
  readonly pid: number;
  /** Grows by one on every change of owner. */
  readonly epoch: number;
  /** When the owner last renewed its lease (epoch milliseconds). */
  readonly renewedAt: number;
  /** How long the lease lasts after a renewal. */
  readonly leaseMs: number;
  /**
   * Set by a hand-over (a cluster move): the session has no owner and only this node may take it
   * until `movingUntil` (epoch milliseconds). Any other node is refused, the one that handed it
   * over included.
   */
  readonly movingTo?: string;
  readonly movingUntil?: number;
}

/** The outcome of taking a session's ownership: acquired with a new epoch, or refused with the live owner. */
export type AcquireResult = { readonly acquired: true; readonly epoch: number } | { readonly acquired: false; readonly owner: OwnerRecord; readonly reason: string };

/**
 * What a store needs to refuse stale writes: every write is stamped with the epoch current when it
 * was made, and `check` confirms, before the write reaches the store, that this epoch still owns the
 * session. A shared store calls it before each batch it commits.
 */
export interface StoreFence {
  /** The epoch writes made now belong to (0 when this node does not own the session). */
  readonly epoch: number;
  /** Throws StoreFencedError unless `epoch` is still this node's ownership of the session. */
  check(epoch: number): Promise<void>;
  /**
   * Our lease is still valid by our own clock (no I/O). A store checks it between the writes of a
   * batch, so a node paused in the middle of one stops before the rest once it runs again.
   */
  holds(): boolean;
  /**
   * `check` without waiting, when the fence can tell at once (a file owner: one stat): true when
   * `epoch` is still ours; false when `check` must decide. Lets a store write a batch synchronously.
   */
  checkNow?(epoch: number): boolean;
}

/** Ownership of one session. */
export interface SessionOwnership extends StoreFence {
  /** This node's name (`NodeName`). */
  readonly node: string;
  /** Becomes the owner unless a live node owns the session. */
  acquire(): Promise<AcquireResult>;
  /** Extends the lease; throws OwnershipLostError when another node took the session. */
  renew(): Promise<void>;
  /** Gives the session up (after a logout or disconnect) so another node can take it at once. */
  release(): Promise<void>;
  /**
   * Gives the session up to one node: like `release`, but until `untilMs` only `node` may take it
   * (a cluster move hands the session to its target directly). Ownerships without it release.
   */
  handOver?(node: string, untilMs: number): Promise<void>;
  /** The current owner, for operations. */
  current(): Promise<OwnerRecord | undefined>;
  /** Our epoch while we own the session (0 when we do not). */
  readonly epoch: number;
  /**
   * Throws StoreFencedError unless we still own the session at `epoch` (default: ours): reads the
   * owner record. Called before every store write.
   */
  check(epoch?: number): Promise<void>;
  /**
   * Records a refusal this node is about to send (a Logout answering a Logon for a session another
   * node owns) and returns its MsgSeqNum: the larger of `nextSender` (the store's next outgoing
   * number, read without writing the store) and one past the last refusal of the same FIX session
   * (`sessionTime`: the store's creation time); see `refusal-record.ts`. Any node may call it: the
   * record is not the message store, and the owner only ever moves forward from it.
   */
  recordRefusal?(nextSender: number, sessionTime: number): Promise<number>;
  /** The last refusal recorded (undefined when none), read by the owner before it answers a Logon. */
  lastRefusal?(): Promise<RefusalRecord | undefined>;
  /**
   * The version of the owner record while nobody holds the session (no record yet, or one released
   * or handed over), read at once; undefined while a node holds it (or when it cannot be read).
   * Taken just before the session's store is loaded, it lets {@link SessionOwnership.acquiredFrom}
   * tell that nobody wrote the store since.
   */
  restingVersion?(): string | undefined;
  /**
   * The last `acquire` took the session over from the resting record `version` (see
   * {@link SessionOwnership.restingVersion}): no node owned the session in between, so none wrote
   * its store, and a store loaded under that version needs no reloading.
   */
  acquiredFrom?(version: string | undefined): boolean;
}

/** Another live node owns the session. */
export class SessionOwnedError extends FixoverError {
  constructor(readonly owner: OwnerRecord) {
    super(`session is active on node ${owner.node} (epoch ${owner.epoch})`);
  }
}

/** This node no longer owns the session: it must stop at once without writing. */
export class StoreFencedError extends FixoverError {
  constructor(
    readonly epoch: number,
    readonly current: OwnerRecord | undefined,
    /** Why, when known (e.g. the lease ran out while the node was stalled). */
    readonly why?: string,
  ) {
    super(`fenced: epoch ${epoch} is no longer the owner${why ? `: ${why}` : ''}${current ? ` (now node ${current.node}, epoch ${current.epoch})` : ''}`);
  }
}
