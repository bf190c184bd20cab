/**
 * Refusals use up sequence numbers. A node that refuses a Logon for a session another node owns
 * answers with a Logout (naming the owner) that it does not store; a counterparty such as
 * QuickFIX C++ counts that Logout towards its expected MsgSeqNum all the same. So the refusal is
 * sent with a number of the session's own sequence, recorded next to the session's ownership,
 * and the owner moves its next outgoing number past it before it answers the next Logon: the
 * counterparty that counted the refusal then gets exactly the number it expects, and one that did
 * not sees an ordinary gap that a ResendRequest fills (nothing is stored under a refusal's number,
 * so it is gap-filled).
 *
 * The rules are here, free of I/O; the ownerships (`FileOwnership`, `PostgresOwnership`) keep the
 * record and the session driver applies it.
 */

/** The last refusal sent for a session: its MsgSeqNum, within one FIX session of the store. */
export interface RefusalRecord {
  /** The refusal Logout's MsgSeqNum. */
  readonly seq: number;
  /**
   * The store's creation time (ms since the epoch) when the refusal was sent: a record made before
   * a reset of the sequence numbers (a new creation time) no longer applies. 0: nothing was stored
   * yet (a file store no owner has written), so it belongs to the store's first FIX session.
   */
  readonly sessionTime: number;
}

/** The record belongs to the FIX session of `sessionTime`. */
function sameSession(last: RefusalRecord, sessionTime: number): boolean {
  return last.sessionTime === sessionTime || last.sessionTime === 0;
}

/**
 * The number of the next refusal: the store's next outgoing number, or one past the last refusal
 * when that is higher (refusals met one after the other are each counted by the counterparty).
 */
export function nextRefusal(last: RefusalRecord | undefined, nextSender: number, sessionTime: number): RefusalRecord {
  const after = last !== undefined && sameSession(last, sessionTime) ? last.seq + 1 : 0;
  return { seq: Math.max(nextSender, after), sessionTime };
}

/**
 * The owner's next outgoing number after the refusals recorded: one past the last refusal when that
 * is at or above `nextSender` (same FIX session), else null (nothing to skip).
 */
export function senderAfterRefusal(last: RefusalRecord | undefined, nextSender: number, sessionTime: number): number | null {
  if (last === undefined || !sameSession(last, sessionTime) || last.seq < nextSender) return null;
  return last.seq + 1;
}

/** A refusal record read back (from a file or a row); undefined when it is not one. */
export function parseRefusalRecord(value: unknown): RefusalRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { seq, sessionTime } = value as { seq?: unknown; sessionTime?: unknown };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof sessionTime !== 'number' || !Number.isFinite(sessionTime)) return undefined;
  return { seq, sessionTime };
}
