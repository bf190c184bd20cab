/**
 * The log interface, QuickFIX style: every message in and out, and session events, per session.
 * Calls never block: implementations buffer and write in the background; `flush()` waits for it.
 */

/** A FIX message as bytes (one byte per character) or as text. */
export type LogMessage = Uint8Array | string;

/** What a log needs to know of a session: its text form and its file prefix. */
export interface LogSessionId {
  toString(): string;
  readonly filePrefix: string;
}

/** Receives a session's messages and events. */
export interface Log {
  /**
   * False when `onIncoming` ignores every message (a screen log with ScreenLogShowIncoming=N):
   * a session then does not copy the incoming messages for this log. Absent means true.
   */
  readonly logsIncoming?: boolean;
  /** A message received from the counterparty. */
  onIncoming(message: LogMessage): void;
  /** A message sent to the counterparty. */
  onOutgoing(message: LogMessage): void;
  /** A session event (logon, resend, error, ...). */
  onEvent(text: string): void;
  /** Discards what was logged so far (QuickFIX: on reset). */
  clear(): Promise<void>;
  /** Moves what was logged so far aside and starts afresh (QuickFIX: on a new session period). */
  backup(): Promise<void>;
  /** Resolves when everything logged so far has been written. */
  flush(): Promise<void>;
  /** Flushes and releases files or streams. */
  close(): Promise<void>;
}

/** Creates a log for a session, or the global log (prefix `GLOBAL`) without one. */
export interface LogFactory {
  create(sessionId?: LogSessionId): Promise<Log>;
}

/** A log that drops everything. */
export class NullLog implements Log {
  readonly logsIncoming = false;
  onIncoming(): void {}
  onOutgoing(): void {}
  onEvent(): void {}
  async clear(): Promise<void> {}
  async backup(): Promise<void> {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

const SOH = '\x01';

/** The message as a latin1 string (FIX bytes are one character each). */
export function messageText(message: LogMessage): string {
  return typeof message === 'string' ? message : Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('latin1');
}

/** The message as bytes (a string is taken one byte per character). */
export function messageBytes(message: LogMessage): Uint8Array {
  return typeof message === 'string' ? Buffer.from(message, 'latin1') : message;
}

/** The value of a header field (`35`, `34`, ...) in a message, or undefined. Scans the first 256 bytes. */
export function headerField(message: LogMessage, tag: number): string | undefined {
  const head = messageText(typeof message === 'string' ? message.slice(0, 256) : message.subarray(0, 256));
  const key = `${SOH}${tag}=`;
  const at = head.indexOf(key);
  if (at < 0) return undefined;
  const start = at + key.length;
  const end = head.indexOf(SOH, start);
  return end < 0 ? undefined : head.slice(start, end);
}

/** Whether the message is a Heartbeat (MsgType 0). */
export function isHeartbeat(message: LogMessage): boolean {
  return headerField(message, 35) === '0';
}
