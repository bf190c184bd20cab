/**
 * What a session core counts as it works, for operations (metrics, status displays): messages in
 * and out by MsgType, their bytes, messages resent, and when a message last went each way. Plain
 * integer increments on the hot path; readers (a metrics collector) read them when asked.
 */

/** At most this many distinct MsgTypes are counted apart each way; any further type counts as {@link OTHER_MSG_TYPE}. */
export const MAX_COUNTED_MSG_TYPES = 64;

/** The MsgType label of messages past the {@link MAX_COUNTED_MSG_TYPES} distinct types. */
export const OTHER_MSG_TYPE = 'other';

/** Counts by MsgType, over a bounded set of types (so a counterparty inventing types cannot grow it without limit). */
export class MsgTypeCounts {
  private readonly counts = new Map<string, number>();

  /** Counts one message of this type. */
  add(msgType: string): void {
    const n = this.counts.get(msgType);
    if (n !== undefined) this.counts.set(msgType, n + 1);
    else if (this.counts.size < MAX_COUNTED_MSG_TYPES) this.counts.set(msgType, 1);
    else this.counts.set(OTHER_MSG_TYPE, (this.counts.get(OTHER_MSG_TYPE) ?? 0) + 1);
  }

  /** The count of one MsgType (0 when none was seen). */
  get(msgType: string): number {
    return this.counts.get(msgType) ?? 0;
  }

  /** Every counted MsgType with its count. */
  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }

  /** Messages counted in all. */
  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}

/** A session core's running counts since it was created (they survive reconnects and resets). */
export class SessionStats {
  /** Messages received (whole frames that parsed) by MsgType. */
  readonly messagesIn = new MsgTypeCounts();
  /** Messages written to the connection by MsgType (resends and gap fills included). */
  readonly messagesOut = new MsgTypeCounts();
  /** Bytes of the frames received (unreadable ones included). */
  bytesIn = 0;
  /** Bytes of the messages written to the connection. */
  bytesOut = 0;
  /** Stored messages sent again (PossDupFlag=Y) to answer a ResendRequest. */
  messagesResent = 0;
  /** Frames received that could not be read (garbled). */
  garbledIn = 0;
  /** When a message was last received, ms since the epoch (0: never). */
  lastReceivedAt = 0;
  /** When a message was last written, ms since the epoch (0: never). */
  lastSentAt = 0;
}
