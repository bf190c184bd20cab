/** Behaviour switches of one session, with QuickFIX's setting names in the doc comments. */
import type { MessageSchema } from '../codec/schema.js';
import type { TimestampPrecision } from '../codec/values.js';
import type { MessageValidator, ValidationDictionary } from '../validation/validator.js';
import type { SessionID } from './session-id.js';
import type { Schedule } from './schedule.js';
import type { InboundRateAction } from './actions.js';
import { QUICKFIX_BEHAVIOUR, type SessionBehaviour } from './behaviour.js';

/** Everything a session's state machine needs to know, as the settings give it (see `sessionOptionsFrom`). */
export interface SessionOptions {
  sessionId: SessionID;
  /** `ConnectionType`. */
  role: 'acceptor' | 'initiator';
  /** `HeartBtInt` in seconds (an acceptor uses the value from the counterparty's Logon). */
  heartBtInt?: number;
  /** `DefaultApplVerID` (FIXT): sent in our Logon, e.g. `FIX.5.0SP2` or its enum `9`. */
  defaultApplVerID?: string;
  /** `ResetOnLogon`. */
  resetOnLogon?: boolean;
  /** `ResetOnLogout`. */
  resetOnLogout?: boolean;
  /** `ResetOnDisconnect`. */
  resetOnDisconnect?: boolean;
  /** `CheckCompID` (default true). */
  checkCompID?: boolean;
  /** `CheckLatency` (default true). */
  checkLatency?: boolean;
  /** `MaxLatency` in seconds (default 120). */
  maxLatency?: number;
  /** `LogonTimeout` in seconds (default 10). */
  logonTimeout?: number;
  /** `LogoutTimeout` in seconds (default 2). */
  logoutTimeout?: number;
  /** `ResendRequestChunkSize` (default 0: one request for the whole gap). */
  resendRequestChunkSize?: number;
  /** `SendRedundantResendRequests` (default false). */
  sendRedundantResendRequests?: boolean;
  /** `ClosedResendInterval` (default false): a ResendRequest names the real end of the gap instead of "infinity" (0, or 999999 before FIX 4.2). */
  closedResendInterval?: boolean;
  /** `PersistMessages` (default true): without it resend requests are answered with a gap fill. */
  persistMessages?: boolean;
  /** `TimeStampPrecision`: fractional digits of SendingTime (default 3; FIX 4.0/4.1 always 0). */
  timestampPrecision?: TimestampPrecision;
  /** `EnableLastMsgSeqNumProcessed`: put tag 369 on every message. */
  enableLastMsgSeqNumProcessed?: boolean;
  /** `EnableNextExpectedMsgSeqNum`: put tag 789 on Logon. */
  enableNextExpectedMsgSeqNum?: boolean;
  /** `RequiresOrigSendingTime` (default true): PossDup messages without tag 122 are rejected. */
  requiresOrigSendingTime?: boolean;
  /** `ValidateLengthAndChecksum` (default true). */
  validateLengthAndChecksum?: boolean;
  /** `ValidateChecksum` (default true). */
  validateChecksum?: boolean;
  /** Dictionary validation (absent with `UseDataDictionary=N` or `ValidateIncomingMessage=N`). */
  validator?: MessageValidator;
  /** FIXT: application dictionaries by ApplVerID (enum value or `FIX.5.0SP2` form). */
  appDictionaries?: ReadonlyMap<string, ValidationDictionary>;
  /** Dictionary used to build outgoing messages (names, groups). */
  schema?: MessageSchema;
  /** `ResetOnError`: on a message error a logged-on session logs out and resets instead of rejecting. */
  resetOnError?: boolean;
  /** `DisconnectOnError`: on a message error a logged-on session disconnects instead of rejecting. */
  disconnectOnError?: boolean;
  /** `RejectMessageOnUnhandledException`: reject a message whose callback threw an unexpected error. */
  rejectMessageOnUnhandledException?: boolean;
  /**
   * `RejectGarbledMessage` (default false, QuickFIX/J): a garbled message from a logged-on
   * counterparty (bad BodyLength or CheckSum when checked, a field not `tag=value`) is answered
   * with a Reject "Message failed basic validity check" instead of being ignored.
   */
  rejectGarbledMessage?: boolean;
  /**
   * `TestRequestDelayMultiplier`: a TestRequest goes out after (1 + m) × HeartBtInt of inbound
   * silence (and again after each further such period). Default 0.2: QuickFIX C++'s 1.2 × HeartBtInt.
   */
  testRequestDelayMultiplier?: number;
  /**
   * `HeartBeatTimeoutMultiplier`: the connection is dropped after (1 + m) × HeartBtInt of inbound
   * silence. Default 1.4: QuickFIX C++'s 2.4 × HeartBtInt.
   */
  heartBeatTimeoutMultiplier?: number;
  /** `DisableHeartBeatCheck`: never drop the connection for inbound silence (TestRequests still go out). */
  disableHeartBeatCheck?: boolean;
  /** `SendLogoutBeforeDisconnectFromTimeout`: send a Logout before dropping a connection that timed out. */
  sendLogoutBeforeDisconnectFromTimeout?: boolean;
  /** `HeartBtIntOverride` (acceptor): keep our `HeartBtInt` instead of the one in the counterparty's Logon. */
  heartBtIntOverride?: boolean;
  /** `IgnorePossDupResendRequests`: a ResendRequest flagged PossDupFlag=Y is not answered. */
  ignorePossDupResendRequests?: boolean;
  /**
   * A fixover initiator following a cluster (docs/cluster.md): its Logon carries
   * ClusterTopologySupport(21110)=Y, and incoming U1/U2 messages are `cluster-message` events for
   * the driver, not application messages (default false).
   */
  clusterClient?: boolean;
  /** `LogonTag<n>`: extra fields put on our Logon. */
  logonTags?: ReadonlyArray<readonly [number, string]>;
  /** Largest accepted incoming message in bytes. */
  maxMessageSize?: number;
  /** Messages kept while waiting for a gap to fill (default 100,000); past that the session logs out. */
  maxQueuedMessages?: number;
  /**
   * `MaxQueuedBytesAboveGap`: bytes of messages kept while waiting for a gap to fill (default
   * 64 MiB). A message that would go past it is not kept (a `gap-queue-full` event); it is asked
   * for again by the resend that fills the gap or by the next ResendRequest once the gap is filled.
   */
  maxQueuedBytes?: number;
  /** `InboundMessageRate`: messages per second the counterparty may send (default 0: no limit). */
  inboundMessageRate?: number;
  /** `InboundRateAction`: what happens above the rate: pause (stop reading, the default), reject, logout. */
  inboundRateAction?: InboundRateAction;
  /** `StartTime`/`EndTime`/`StartDay`/`EndDay`/`Weekdays`/`TimeZone`/`NonStopSession` (default: always in session). */
  schedule?: Schedule;
  /**
   * `SessionBehaviour`: how the session answers where QuickFIX C++ and QuickFIX/J differ (reject
   * texts, RefTagID, Logout texts, LastMsgSeqNumProcessed…). Default: QuickFIX C++'s
   * (`QUICKFIX_BEHAVIOUR`); `QUICKFIXJ_BEHAVIOUR` answers as QuickFIX/J does.
   */
  behaviour?: SessionBehaviour;
}

/** Options with defaults applied. */
type Optional = 'validator' | 'appDictionaries' | 'schema' | 'defaultApplVerID' | 'schedule';
export type ResolvedSessionOptions = Required<Omit<SessionOptions, Optional>> & Pick<SessionOptions, Optional>;

export function resolveOptions(o: SessionOptions): ResolvedSessionOptions {
  const old = o.sessionId.beginString === 'FIX.4.0' || o.sessionId.beginString === 'FIX.4.1';
  return {
    heartBtInt: 30,
    resetOnLogon: false,
    resetOnLogout: false,
    resetOnDisconnect: false,
    checkCompID: true,
    checkLatency: true,
    maxLatency: 120,
    logonTimeout: 10,
    logoutTimeout: 2,
    resendRequestChunkSize: 0,
    sendRedundantResendRequests: false,
    closedResendInterval: false,
    persistMessages: true,
    enableLastMsgSeqNumProcessed: false,
    enableNextExpectedMsgSeqNum: false,
    requiresOrigSendingTime: true,
    validateLengthAndChecksum: true,
    validateChecksum: true,
    logonTags: [],
    clusterClient: false,
    resetOnError: false,
    disconnectOnError: false,
    rejectMessageOnUnhandledException: false,
    rejectGarbledMessage: false,
    testRequestDelayMultiplier: 0.2,
    heartBeatTimeoutMultiplier: 1.4,
    disableHeartBeatCheck: false,
    sendLogoutBeforeDisconnectFromTimeout: false,
    heartBtIntOverride: false,
    ignorePossDupResendRequests: false,
    maxMessageSize: 1024 * 1024,
    maxQueuedMessages: 100_000,
    maxQueuedBytes: 64 * 1024 * 1024,
    inboundMessageRate: 0,
    inboundRateAction: 'pause',
    behaviour: QUICKFIX_BEHAVIOUR,
    ...o,
    timestampPrecision: old ? 0 : (o.timestampPrecision ?? 3),
  };
}

/** ApplVerID(1128) enum values by the names used in settings. */
export const APPL_VER_IDS: Readonly<Record<string, string>> = {
  'FIX.2.7': '0',
  'FIX.3.0': '1',
  'FIX.4.0': '2',
  'FIX.4.1': '3',
  'FIX.4.2': '4',
  'FIX.4.3': '5',
  'FIX.4.4': '6',
  'FIX.5.0': '7',
  'FIX.5.0SP1': '8',
  'FIX.5.0SP2': '9',
};

/** Normalises `FIX.5.0SP2` or `9` to the enum value. */
export function applVerIdValue(v: string): string {
  return APPL_VER_IDS[v] ?? v;
}
