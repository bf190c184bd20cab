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
  /**
   * Counts of the single-character MsgTypes (most of them: D, 8, 0…) by character code: one
   * array slot per message, no map lookup or string hashing on the hot path.
   */
  private readonly single = new Float64Array(128);
  /** Counts of longer MsgTypes (AE, BE…) and of {@link OTHER_MSG_TYPE}. */
  private readonly counts = new Map<string, number>();
  /** Every counted type (other included) in the order first seen. */
  private readonly order: string[] = [];

  /** Counts one message of this type. */
  add(msgType: string): void {
    if (msgType.length === 1) {
      const c = msgType.charCodeAt(0);
      if (c < 128) {
        const n = this.single[c];
        if (n !== 0) this.single[c] = n + 1;
        else this.first(msgType);
        return;
      }
    }
    const n = this.counts.get(msgType);
    if (n !== undefined) this.counts.set(msgType, n + 1);
    else this.first(msgType);
  }

  /** A type not counted yet: counted apart while fewer than MAX_COUNTED_MSG_TYPES are, else as other. */
  private first(msgType: string): void {
    const counted = this.order.length - (this.counts.has(OTHER_MSG_TYPE) ? 1 : 0);
    if (counted >= MAX_COUNTED_MSG_TYPES) msgType = OTHER_MSG_TYPE;
    if (msgType.length === 1 && msgType.charCodeAt(0) < 128) this.single[msgType.charCodeAt(0)] = 1;
    else {
      const n = this.counts.get(msgType);
      this.counts.set(msgType, (n ?? 0) + 1);
      if (n !== undefined) return;
    }
    this.order.push(msgType);
  }

  /** The count of one MsgType (0 when none was seen). */
  get(msgType: string): number {
    if (msgType.length === 1 && msgType.charCodeAt(0) < 128) return this.single[msgType.charCodeAt(0)];
    return this.counts.get(msgType) ?? 0;
  }

  /** Every counted MsgType with its count, in the order first seen. */
  *entries(): IterableIterator<[string, number]> {
    for (const t of this.order) yield [t, this.get(t)];
  }

  /** Messages counted in all. */
  total(): number {
    let n = 0;
    for (const t of this.order) n += this.get(t);
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
