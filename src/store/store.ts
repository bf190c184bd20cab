/**
 * The message store interface: the session's sequence numbers, its creation time and the outgoing
 * messages kept for resends. Writes are buffered and made durable by `flush()` (group commit); the
 * session flushes before the bytes of a stored message reach the socket.
 */
import type { StoreRepair } from './store-repair.js';

/** A sent message as a store hands it back for a resend: its sequence number and bytes. */
export interface StoredMessage {
  readonly seq: number;
  readonly bytes: Buffer;
}

/**
 * At most how much one `getRange` call returns: `maxMessages` messages and about `maxBytes` bytes
 * (the message that reaches `maxBytes` is the last; at least one message is returned when any is
 * in the range). A caller reading a long range in chunks goes on after the last sequence number
 * it got, until a call returns nothing.
 */
export interface RangeLimit {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

/** How many of `count` items (sizes in bytes by `sizeAt`, in order) a range call returns within `limit`. */
export function countWithin(limit: RangeLimit | undefined, count: number, sizeAt: (i: number) => number): number {
  if (!limit) return count;
  let n = 0;
  let bytes = 0;
  while (n < count && n < limit.maxMessages && bytes < limit.maxBytes) bytes += sizeAt(n++);
  return n;
}

/**
 * Where a session keeps its sequence numbers and the messages it sent (for resends): memory,
 * files (`FileStore`, QuickFIX's format) or PostgreSQL (`PostgresStore`). Implement it to keep
 * them elsewhere and hand it to `Engine.create` through the `store` option.
 */
export interface MessageStore {
  /** When the store was created or last reset (start of the current FIX session). */
  readonly creationTime: Date;
  getNextSenderSeq(): number;
  getNextTargetSeq(): number;
  setNextSenderSeq(seq: number): void;
  setNextTargetSeq(seq: number): void;
  /** Keeps an outgoing message for resends and sets the next sender sequence number past it. */
  saveOutgoing(seq: number, bytes: Buffer): void;
  /** Stored outgoing messages with begin <= seq <= end, in sequence order; the first ones within `limit` when given. */
  getRange(begin: number, end: number, limit?: RangeLimit): Promise<StoredMessage[]>;
  /** Sequence numbers back to 1, messages dropped, a new creation time. */
  reset(now?: Date): void;
  /** Reloads state written by another process sharing the store. */
  refresh(): Promise<void>;
  /**
   * What is stored now (another process may have written it): the next outgoing sequence number and
   * the creation time, read without writing anything or changing this store object. A node that
   * does not own a shared store's session reads it to number a refusal. Optional: stores shared by
   * processes.
   */
  peekStored?(): Promise<StoredState>;
  /** Makes every write so far durable. */
  flush(): Promise<void>;
  /**
   * Does what `flush` does at once when that needs no waiting, and returns true; returns false
   * when `flush()` is needed. Lets the session store and write a turn's messages without a
   * round through the event loop. Optional.
   */
  flushNow?(): boolean;
  close(): Promise<void>;
  /**
   * What the store repaired when it opened or last refreshed (a torn last write, or damage under
   * `StoreRecovery=repair`), each naming file, offset and what was dropped. Optional: stores that
   * check their data when they load it.
   */
  readonly repairs?: readonly StoreRepair[];
}

/** The state of a store as {@link MessageStore.peekStored} reads it. */
export interface StoredState {
  readonly nextSenderSeq: number;
  /** null when nothing is stored yet (a shared file store no owner has written). */
  readonly creationTime: Date | null;
}

/** Creates a store for a session, from the settings that name the kind of store. */
export interface MessageStoreFactory {
  create(sessionId: { toString(): string; filePrefix: string }): Promise<MessageStore>;
}
