/**
 * The I/O of numbering refusals (`src/fencing/refusal-record.ts` has the rules): the refusing node
 * reads the shared store's next outgoing number (without writing the store) and records the
 * refusal next to the session's ownership; the owner, before it answers a Logon, moves its next
 * outgoing number past the last refusal recorded and stores it.
 */
import type { MessageStore } from '../store/store.js';
import type { SessionOwnership } from '../fencing/ownership.js';
import { senderAfterRefusal } from '../fencing/refusal-record.js';

/**
 * The MsgSeqNum of a refusal this node is about to send, recorded for the owner; undefined when
 * the ownership or the store cannot record one (the refusal then carries this node's own number).
 */
export async function reserveRefusalSeq(store: MessageStore, own: SessionOwnership | undefined): Promise<number | undefined> {
  if (own?.recordRefusal === undefined || store.peekStored === undefined) return undefined;
  const stored = await store.peekStored();
  return own.recordRefusal(stored.nextSenderSeq, stored.creationTime?.getTime() ?? 0);
}

/**
 * For the owner about to answer a Logon: the next outgoing number to continue from, past the last
 * refusal recorded, with that refusal's number; null when no refusal is at or above `nextSender`.
 */
export async function skipRefusedSeq(store: MessageStore, own: SessionOwnership | undefined, nextSender: number): Promise<{ next: number; refused: number } | null> {
  if (own?.lastRefusal === undefined) return null;
  const last = await own.lastRefusal();
  const next = senderAfterRefusal(last, nextSender, store.creationTime.getTime());
  return next === null ? null : { next, refused: last!.seq };
}
