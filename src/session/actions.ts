/**
 * What the sans-I/O session core asks its driver to do, in order. The driver executes the actions
 * of one call in sequence: store writes before the socket write that follows them.
 */
import type { MessageView } from '../codec/message-view.js';

/** How an outgoing message touches the store before it is written. */
export type Persist =
  /** Store the message under its sequence number and advance the next sender sequence number. */
  | 'message'
  /** Advance the next sender sequence number only (PersistMessages=N). */
  | 'seq'
  /** Nothing: a resend or gap fill reusing an old sequence number. */
  | 'none';

/** What the session state machine asks its driver to do: send, store, load a resend, pause, disconnect, wait, report. */
export type SessionAction =
  /** An outgoing message: persist as asked, then write it to the socket when `write` is true. */
  | { readonly type: 'send'; readonly bytes: Buffer; readonly seq: number; readonly msgType: string; readonly persist: Persist; readonly write: boolean }
  | { readonly type: 'set-next-target-seq'; readonly seq: number }
  | { readonly type: 'set-next-sender-seq'; readonly seq: number }
  /** Reset the store: both sequence numbers to 1, stored messages dropped, new creation time. */
  | { readonly type: 'reset-store' }
  /**
   * Load stored outgoing messages [begin, end] and pass them to `SessionCore.resendStored` (all at
   * once) or `SessionCore.resendChunk` (in order, a bounded chunk at a time). The driver answers
   * these actions one after the other, in the order they came.
   */
  | { readonly type: 'load-resend'; readonly begin: number; readonly end: number }
  /** Stop reading from the connection for `ms` milliseconds (the inbound message rate was exceeded). */
  | { readonly type: 'pause-input'; readonly ms: number }
  /** Close the connection. */
  | { readonly type: 'disconnect'; readonly reason: string }
  /** Wait for an asynchronous application callback, then call `SessionCore.resume`. */
  | { readonly type: 'wait'; readonly promise: Promise<unknown> }
  | { readonly type: 'event'; readonly event: SessionEvent };

/** Something that happened, for logs, metrics and the application. */
export type SessionEvent =
  | { readonly kind: 'logon' }
  /** The session logged out; `text` is the Text(58) of the counterparty's Logout, when it sent one with a text. */
  | { readonly kind: 'logout'; readonly reason: string; readonly text?: string }
  /**
   * The application's callback (fromApp, fromAdmin) threw for an incoming message and the session
   * answered it with a Reject (`reject`) or a BusinessMessageReject (`business-reject`).
   */
  | { readonly kind: 'application-reject'; readonly msgType: string; readonly seq: number; readonly reject: 'reject' | 'business-reject'; readonly error: Error }
  | { readonly kind: 'incoming'; readonly bytes: Buffer }
  | { readonly kind: 'outgoing'; readonly bytes: Buffer }
  | { readonly kind: 'note'; readonly text: string }
  | { readonly kind: 'error'; readonly text: string }
  /**
   * A stored message asked for by a resend cannot be read (damaged bytes): it was gap-filled
   * instead of resent. `seq` is its sequence number, `reason` what is wrong with it.
   */
  | { readonly kind: 'unreadable-stored'; readonly seq: number; readonly reason: string }
  /**
   * A message above a sequence gap was not kept: the messages already waiting for the gap hold
   * `queuedBytes` (the limit is `maxQueuedBytes`). It is asked for again once the gap is filled.
   */
  | { readonly kind: 'gap-queue-full'; readonly seq: number; readonly queuedBytes: number; readonly limit: number }
  /**
   * More messages arrived than the inbound rate allows (`InboundMessageRate`); `action` is what the
   * session did: paused reading, rejected the message, or logged out.
   */
  | { readonly kind: 'inbound-rate-exceeded'; readonly rate: number; readonly action: InboundRateAction; readonly seq: number }
  /** A cluster message (U1 ClusterTopology, U2 ReconnectTo) for a session with `clusterClient`: its body fields in order. */
  | { readonly kind: 'cluster-message'; readonly msgType: string; readonly fields: ReadonlyArray<readonly [number, string]> };

/**
 * Why a message handed to `send` was not sent nor queued: `not-logged-on` (the session is not
 * logged on and its next Logon resets the sequence numbers, so the message would be lost),
 * `vetoed` (toApp threw DoNotSend), `sequence-exhausted` (no sequence number is left), `fault`
 * (an unexpected error ended the connection).
 */
export type SendRefusal = 'not-logged-on' | 'vetoed' | 'sequence-exhausted' | 'fault';

/** What a session does with messages above its inbound rate (`InboundRateAction`). */
export type InboundRateAction = 'pause' | 'reject' | 'logout';

/** A stored outgoing message handed back for a resend. */
export type { StoredMessage } from '../store/store.js';

/** The application's callbacks, QuickFIX style. Throwing the session errors steers the engine. */
export interface Application<Id = unknown> {
  onCreate?(sessionId: Id): void;
  onLogon?(sessionId: Id): void;
  onLogout?(sessionId: Id): void;
  /** An admin message is about to be sent; it may be modified. */
  toAdmin?(message: import('../codec/message.js').Message, sessionId: Id): void;
  /** An admin message arrived. Throw RejectLogon to refuse a Logon. */
  fromAdmin?(message: MessageView, sessionId: Id): void | Promise<void>;
  /** An application message is about to be sent; throw DoNotSend to veto it. */
  toApp?(message: import('../codec/message.js').Message, sessionId: Id): void;
  /**
   * An application message arrived. The view is only valid during the call (clone it to keep it).
   * Throw FieldNotFoundError, IncorrectTagValue, IncorrectDataFormat or UnsupportedMessageType to
   * make the engine reject it. A returned promise is awaited before the next message is handled.
   */
  fromApp?(message: MessageView, sessionId: Id): void | Promise<void>;
}
