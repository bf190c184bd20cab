/**
 * The FIX session state machine, sans I/O: bytes and clock ticks go in; bytes to send, store
 * operations, events and disconnects come out as actions. The same core serves acceptors and
 * initiators. Rules follow QuickFIX's session layer so the same input gives the same output.
 */
import { Framer } from '../codec/framer.js';
import { Parser } from '../codec/parser.js';
import { Encoder } from '../codec/encoder.js';
import { Message } from '../codec/message.js';
import { STANDARD_HEADER_TAGS, STANDARD_TRAILER_TAGS } from '../codec/schema.js';
import { encodePossDupResend } from '../codec/possdup.js';
import type { MessageView } from '../codec/message-view.js';
import type { MessageSchema } from '../codec/schema.js';
import { CodecError, FieldNotFoundError, FixoverError } from '../codec/errors.js';
import { parseUtcTimestamp } from '../codec/values.js';
import { SendingTimeFormatter } from './sending-time.js';
import { SessionRejectReason as R, rejectText } from '../validation/reject-reason.js';
import { behaviourRejectText } from './behaviour.js';
import type { Rejection, ValidationDictionary } from '../validation/validator.js';
import type { Application, Persist, SendRefusal, SessionAction, StoredMessage } from './actions.js';
import { maskSecrets, maskSecretsInText } from './mask-secrets.js';
import { DoNotSend, IncorrectDataFormat, IncorrectTagValue, RejectLogon, UnsupportedMessageType } from './errors.js';
import { APPL_VER_IDS, applVerIdValue, resolveOptions, type ResolvedSessionOptions, type SessionOptions } from './options.js';
import type { SessionID } from './session-id.js';
import { Schedule } from './schedule.js';
import { MAX_SEQ_NUM } from '../store/seq-num.js';
import { SessionStats } from './session-stats.js';
import { garbledSubject, type RejectSubject } from './garbled.js';
import { LAST_MSG_SEQ_NUM, MAX_HEART_BT_INT, SEQ_NUMS_EXHAUSTED_TEXT, heartBtIntText, msgSeqNumText, seqFieldText } from './session-numbers.js';
import { InboundRate } from './inbound-rate.js';

/** ApplVerID(1128) values a DefaultApplVerID(1137) may carry: FIX 2.7 (0) to FIX 5.0 SP2 (9), and FIXLatest (10). */
const KNOWN_APPL_VER_IDS: ReadonlySet<string> = new Set<string>([...Object.values(APPL_VER_IDS), '10']);

const ADMIN_TYPES = new Set(['0', '1', '2', '3', '4', '5', 'A']);
/**
 * The cluster's session-level messages (docs/cluster.md): ClusterTopology (U1) and ReconnectTo (U2).
 * Gap-filled on resend like admin messages; a session with `clusterClient` hands them to the
 * driver as `cluster-message` events instead of the application.
 */
const CLUSTER_TYPES = new Set(['U1', 'U2']);
/** The disconnect reason of `watchSilence`. */
export const SILENT_COUNTERPARTY = 'counterparty silent';
/** ClusterTopologySupport(21110): a fixover initiator's Logon announces it can take U1/U2. */
const CLUSTER_SUPPORT_TAG = 21110;

/** A session's dictionary with another application dictionary: header and trailer stay the session's. */
function withApplication(session: MessageSchema, app: MessageSchema): MessageSchema {
  return {
    field: (tag) => app.field(tag) ?? session.field(tag),
    fieldByName: (name) => app.fieldByName(name) ?? session.fieldByName(name),
    isHeaderField: (tag) => session.isHeaderField(tag),
    isTrailerField: (tag) => session.isTrailerField(tag),
    group: (msgType, countTag) =>
      session.isHeaderField(countTag) || session.isTrailerField(countTag) ? session.group(msgType, countTag) : app.group(msgType, countTag),
  };
}

/** Thrown inside the core to end processing of a message with a disconnect (QuickFIX's logic_error path). */
class Disconnect extends Error {}

/** Where the answer to a resend request stands between the chunks of stored messages it is given. */
interface ResendCursor {
  readonly begin: number;
  readonly end: number;
  /** First sequence number of the gap fill still to send (0: none pending). */
  gapStart: number;
  /** Last stored message handled (0: none yet). */
  lastSeq: number;
}

/** Sequence numbers and flags of one session. */
interface State {
  nextSenderSeq: number;
  nextTargetSeq: number;
  connected: boolean;
  receivedLogon: boolean;
  sentLogon: boolean;
  sentLogout: boolean;
  receivedReset: boolean;
  sentReset: boolean;
  /** HeartBtInt in milliseconds (0: no heartbeats). */
  heartBtInt: number;
  lastSentTime: number;
  lastReceivedTime: number;
  testRequests: number;
  logoutReason: string;
  /**
   * The ResendRequest outstanding: its BeginSeqNo, its last number, and the last number of the
   * whole gap (past the request's end when ResendRequestChunkSize splits the gap).
   */
  resendRange: [number, number, number] | null;
  /** Messages that arrived with a sequence number too high, waiting for the gap to fill. */
  queue: Map<number, Buffer>;
  /** Bytes held by `queue`. */
  queuedBytes: number;
  targetDefaultApplVerID: string;
  /** The counterparty's last Logon carried ClusterTopologySupport(21110)=Y. */
  peerClusterSupport: boolean;
}

export class SessionCore {
  readonly options: ResolvedSessionOptions;
  readonly sessionId: SessionID;
  /**
   * Emit an `incoming` event for each message received. Its bytes are a copy (the framer's buffer
   * is reused), so a driver with nobody recording messages turns this off to save the copy.
   */
  incomingEvents = true;
  /** Emit an `outgoing` event for each message sent (a driver with no listener turns this off). */
  outgoingEvents = true;
  /** Running counts for operations (messages by type, bytes, resends, last message times). */
  readonly stats = new SessionStats();
  private readonly app: Application<SessionID>;
  private readonly parser: Parser;
  private readonly framer: Framer;
  private readonly encoder = new Encoder();
  private readonly sendingTime: SendingTimeFormatter;
  private readonly state: State;
  private actions: SessionAction[] = [];
  private now: number;
  /** Frames received while an asynchronous callback is pending. */
  private pending: Buffer[] = [];
  private waiting = false;
  /** Why the last `send` refused its message. */
  private sendRefusal: SendRefusal | undefined = undefined;
  /** The exception the application's callback just threw (reported when it becomes a Reject). */
  private appError: unknown = undefined;
  /** Continuation to run when the pending callback settles. */
  private afterWait: ((error: unknown) => void) | null = null;
  /** Application messages sent while a resend is being loaded; written after it. */
  private resendLoading = 0;
  private held: Message[] = [];
  /** The resend being answered chunk by chunk (`resendChunk`). */
  private resendCursor: ResendCursor | null = null;
  /** Reads stored messages for resends, BodyLength and CheckSum checked: the session wrote them right, so a mismatch is damage. */
  private storedParser: Parser | null = null;
  private unreadable = 0;
  /** `InboundMessageRate` (null: no limit). */
  private readonly inboundRate: InboundRate | null;
  /**
   * The number of the message being answered while its answer is built, with a behaviour that
   * names it in LastMsgSeqNumProcessed(369) (QuickFIX/J); 0 otherwise.
   */
  private answering = 0;
  /** The number of the ResendRequest (or Logon with NextExpectedMsgSeqNum) the resend under way answers. */
  private resendAnswering = 0;

  /** Sends an answer to message `seq` (its number in LastMsgSeqNumProcessed when the behaviour says so). */
  private answer(seq: number | undefined, send: () => void): void {
    if (this.options.behaviour.lastMsgSeqNumProcessed !== 'answered' || seq === undefined || !(seq > 0)) return send();
    const before = this.answering;
    this.answering = seq;
    try {
      send();
    } finally {
      this.answering = before;
    }
  }

  /** Set while a message over the inbound rate is handled with InboundRateAction=reject: the Reject's text. */
  private rateReject: string | null = null;
  /** Until when the current excess over the inbound rate has been reported. */
  private rateReportedUntil = 0;
  /** `watchSilence`: leave a counterparty silent for this long (0: off). */
  private silenceLimitMs = 0;
  /** The last-received time the silence TestRequest was sent for (one per silence). */
  private silenceProbed = -1;
  private readonly schedule: Schedule;
  /** Start of the current FIX session in the store (its creation or last reset). */
  private creationTime: number;

  constructor(options: SessionOptions, app: Application<SessionID> = {}, now = Date.now()) {
    this.options = resolveOptions(options);
    this.sendingTime = new SendingTimeFormatter(this.options.timestampPrecision);
    this.sessionId = options.sessionId;
    this.app = app;
    this.now = now;
    this.schedule = options.schedule ?? Schedule.nonStop();
    this.appSchemas = this.sessionId.isFIXT && this.options.schema !== undefined && (this.options.appDictionaries?.size ?? 0) > 1 ? new Map() : null;
    this.creationTime = now;
    this.inboundRate = this.options.inboundMessageRate > 0 ? new InboundRate(this.options.inboundMessageRate, now) : null;
    // The session's dictionary rides on the parser's reused view: the application reads fields
    // by name and groups without attaching anything (and nothing is done per message).
    this.parser = new Parser({
      validateLength: this.options.validateLengthAndChecksum,
      validateChecksum: this.options.validateLengthAndChecksum && this.options.validateChecksum,
      schema: this.options.schema,
    });
    this.framer = new Framer(
      {
        onFrame: (buf, start, end) => this.onFrame(buf, start, end),
        onError: (e) => this.onFramingError(e),
      },
      { maxMessageSize: this.options.maxMessageSize },
    );
    this.state = {
      nextSenderSeq: 1,
      nextTargetSeq: 1,
      connected: false,
      receivedLogon: false,
      peerClusterSupport: false,
      sentLogon: false,
      sentLogout: false,
      receivedReset: false,
      sentReset: false,
      heartBtInt: this.options.role === 'initiator' ? this.options.heartBtInt * 1000 : 0,
      lastSentTime: now,
      lastReceivedTime: now,
      testRequests: 0,
      logoutReason: '',
      resendRange: null,
      queue: new Map(),
      queuedBytes: 0,
      targetDefaultApplVerID: '',
    };
    app.onCreate?.(this.sessionId);
  }

  // ---------------------------------------------------------------- inputs

  /** Sets the sequence numbers and the session's creation time (from the store at start-up or on refresh). */
  setSequenceNumbers(nextSender: number, nextTarget: number, creationTime?: number): void {
    this.state.nextSenderSeq = nextSender;
    this.state.nextTargetSeq = nextTarget;
    if (creationTime !== undefined) this.creationTime = creationTime;
  }

  /**
   * A Logout refusing a connection this node must not serve (the session is active on another
   * node): the reason in Text, MsgSeqNum `seq` (the number the driver reserved for the refusal in
   * the session's shared sequence, `src/fencing/refusal-record.ts`) or else this node's next
   * sender number, but neither stored nor counted, and nothing else about the session changes.
   */
  refusal(text: string, now: number, seq?: number): Buffer {
    this.now = now;
    const logout = this.newAdmin('5').set(58, text);
    this.fill(logout);
    if (seq !== undefined) logout.header.set(34, seq);
    return this.encoder.encodeCopy(logout);
  }

  /** Inside the schedule's window now. */
  isSessionTime(now: number): boolean {
    return this.schedule.isSessionTime(now);
  }

  get nextSenderSeq(): number {
    return this.state.nextSenderSeq;
  }

  get nextTargetSeq(): number {
    return this.state.nextTargetSeq;
  }

  /** Logged on in both directions. */
  get isLoggedOn(): boolean {
    return this.state.receivedLogon && this.state.sentLogon;
  }

  /** A resend is in progress either way (ours being loaded, or a gap the counterparty is filling): not a moment to log out. */
  get isResending(): boolean {
    return this.resendLoading > 0 || this.state.resendRange !== null || this.state.queue.size > 0;
  }

  get isConnected(): boolean {
    return this.state.connected;
  }

  /** Stored messages that could not be read when asked for by a resend (gap-filled instead), since start. */
  get unreadableStoredMessages(): number {
    return this.unreadable;
  }

  /** Messages waiting above a sequence gap, and their bytes. */
  get queuedAboveGap(): { readonly messages: number; readonly bytes: number } {
    return { messages: this.state.queue.size, bytes: this.state.queuedBytes };
  }

  /** A connection was established. An initiator sends its Logon at once. */
  connected(now: number): SessionAction[] {
    this.now = now;
    this.state.connected = true;
    this.state.lastReceivedTime = now;
    this.state.lastSentTime = now;
    this.framer.reset();
    if (this.options.role === 'initiator') this.generateLogon();
    return this.take();
  }

  /** The connection was lost or closed. */
  disconnected(now: number, reason = 'connection closed'): SessionAction[] {
    this.now = now;
    if (this.state.connected) this.disconnect(reason, false);
    return this.take();
  }

  /** Bytes received from the counterparty. */
  receive(chunk: Buffer, now: number): SessionAction[] {
    this.now = now;
    this.framer.push(chunk);
    return this.take();
  }

  /** Clock tick: heartbeats, test requests, logon and logout timeouts. Call at least once a second. */
  tick(now: number): SessionAction[] {
    this.now = now;
    if (this.checkSessionTime() && this.state.connected && !this.waiting) this.onTimer();
    return this.take();
  }

  /**
   * Applies the schedule: outside the window a logged-on session logs out and nothing else runs;
   * when a new session instance has started since the store was created, the session resets.
   */
  private checkSessionTime(): boolean {
    if (!this.schedule.isSessionTime(this.now)) {
      if (this.isLoggedOn && !this.state.sentLogout) {
        this.note('Session time ended: logging out');
        this.generateLogout();
      } else if (this.state.connected && !this.isLoggedOn) {
        this.disconnect('outside session time', true);
      }
      return this.isLoggedOn;
    }
    if (!this.schedule.isSameSession(this.creationTime, this.now)) {
      this.note('New session period: resetting sequence numbers');
      if (this.isLoggedOn) this.generateLogout();
      if (this.state.connected) this.disconnect('session reset', true);
      this.resetState();
      return false;
    }
    return true;
  }

  /**
   * A new message of this session: the session's dictionary attached (fields by name, groups,
   * dates written in their field's type), BeginString, SenderCompID and TargetCompID set (the rest
   * of the header is filled in when it is sent).
   */
  newMessage(msgType: string): Message {
    const msg = new Message(msgType, this.options.schema);
    const id = this.sessionId;
    msg.header.set(8, id.beginString).set(49, id.senderCompID).set(56, id.targetCompID);
    return msg;
  }

  /**
   * Sends an application (or admin) message: header fields are filled in, the message is stored and
   * written when logged on, or stored for the resend rules when not. Returns false when toApp vetoed it.
   */
  send(message: Message, now: number): { sent: boolean; refusal?: SendRefusal; actions: SessionAction[] } {
    this.now = now;
    this.sendRefusal = undefined;
    // A new message is never a possible duplicate (QuickFIX's Session::send does the same).
    message.header.remove(43);
    message.header.remove(122);
    if (this.resendLoading > 0 && !ADMIN_TYPES.has(message.msgType)) {
      // A copy: the caller may reuse its message once send returns.
      this.held.push(message.clone());
      return { sent: true, actions: this.take() };
    }
    const sent = this.sendRaw(message);
    return sent ? { sent, actions: this.take() } : { sent, refusal: this.sendRefusal ?? 'vetoed', actions: this.take() };
  }

  /** The counterparty's Logon announced ClusterTopologySupport(21110)=Y (it takes U1/U2 messages). */
  get peerSupportsCluster(): boolean {
    return this.state.peerClusterSupport && this.state.receivedLogon;
  }

  /**
   * Sends a cluster message (U1/U2) to a logged-on counterparty that announced support: numbered
   * and stored like any message, not given to `toApp`, and gap-filled (never replayed) on resend.
   * Returns false (nothing sent) when not logged on or the counterparty did not announce support.
   */
  sendClusterMessage(message: Message, now: number): { sent: boolean; actions: SessionAction[] } {
    this.now = now;
    if (!CLUSTER_TYPES.has(message.msgType) || !this.isLoggedOn || !this.peerSupportsCluster || this.resendLoading > 0) return { sent: false, actions: [] };
    if (this.state.nextSenderSeq > LAST_MSG_SEQ_NUM) return { sent: false, actions: [] };
    this.fill(message);
    this.write(message, this.state.nextSenderSeq, this.persistMode(), true);
    return { sent: true, actions: this.take() };
  }

  /**
   * An operator sets the next sender and/or target sequence numbers (each kept when undefined).
   * The driver persists them (set-next-sender-seq, set-next-target-seq actions) in order with the
   * session's other writes. Messages held above a gap, and a gap being filled, are forgotten: the
   * numbers they were measured against changed (a later gap is asked for again as usual).
   * The numbers are the caller's to check (1 to MAX_SEQ_NUM).
   */
  setNextSequenceNumbers(nextSender: number | undefined, nextTarget: number | undefined, now: number): SessionAction[] {
    this.now = now;
    if (nextSender !== undefined) {
      this.state.nextSenderSeq = nextSender;
      this.push({ type: 'set-next-sender-seq', seq: nextSender });
    }
    if (nextTarget !== undefined) {
      this.state.nextTargetSeq = nextTarget;
      this.state.queue.clear();
      this.state.queuedBytes = 0;
      this.state.resendRange = null;
      this.push({ type: 'set-next-target-seq', seq: nextTarget });
    }
    this.note(`Sequence numbers set: next sender ${this.state.nextSenderSeq}, next target ${this.state.nextTargetSeq}`);
    return this.take();
  }

  /**
   * An operator resets the session: a logged-on session sends a Logout (with `reason` as Text),
   * the connection ends, and both sequence numbers go back to 1 with the store reset (a new
   * creation time), as at the start of a new FIX session.
   */
  reset(reason: string, now: number): SessionAction[] {
    this.now = now;
    if (this.state.connected) {
      if (this.isLoggedOn) this.generateLogout(reason);
      this.disconnect(reason, true);
    }
    this.resetState();
    this.note(`Session reset: ${reason}`);
    return this.take();
  }

  /** Starts a logout with an optional reason text. */
  logout(reason: string, now: number): SessionAction[] {
    this.now = now;
    if (this.isLoggedOn && !this.state.sentLogout) this.generateLogout(reason);
    else if (this.state.connected) this.disconnect(reason || 'logout', true);
    return this.take();
  }

  /** Stored messages for a `load-resend` action (any that exist in the range, in order), all at once. */
  resendStored(begin: number, end: number, messages: readonly StoredMessage[], now: number): SessionAction[] {
    return this.resendChunk(begin, end, messages, true, now);
  }

  /**
   * The next chunk of stored messages for the `load-resend` action [begin, end] being answered:
   * in sequence order, after those of the chunks before; `done` with the last one (which may be
   * empty). The resend goes out chunk by chunk, exactly as it would all at once: gap fills span
   * chunks. A stored message that cannot be read is gap-filled like an admin message.
   */
  resendChunk(begin: number, end: number, messages: readonly StoredMessage[], done: boolean, now: number): SessionAction[] {
    this.now = now;
    if (this.state.connected) {
      const cursor = (this.resendCursor ??= { begin, end, gapStart: 0, lastSeq: 0 });
      this.resendMessages(cursor, messages);
      if (done) this.finishResend(cursor);
    }
    if (done) this.endResend();
    return this.take();
  }

  /**
   * A `load-resend` action that will not be answered: it was asked on a connection that has
   * ended (a new one may be up by now, and gets nothing of it). Messages held for it go out.
   */
  resendCancelled(now: number): SessionAction[] {
    this.now = now;
    this.endResend();
    return this.take();
  }

  private endResend(): void {
    this.resendCursor = null;
    this.resendLoading = Math.max(0, this.resendLoading - 1);
    if (this.resendLoading === 0 && this.held.length > 0) {
      const held = this.held;
      this.held = [];
      for (const m of held) this.sendRaw(m);
    }
  }

  /** An awaited application callback settled (`error` is what it threw, if anything). */
  resume(error: unknown, now: number): SessionAction[] {
    this.now = now;
    const k = this.afterWait;
    this.afterWait = null;
    this.waiting = false;
    if (k) this.guard(() => k(error));
    this.processQueued();
    while (!this.waiting && this.pending.length > 0) {
      const frame = this.pending.shift()!;
      this.onFrame(frame, 0, frame.length);
    }
    return this.take();
  }

  /**
   * The driver met an unexpected error in this core or while carrying out its actions (its last-
   * resort boundary): what the interrupted call left undone is dropped, the connection ends, and the
   * sequence numbers go on from `nextSender`/`nextTarget`, the store's, which hold what was really
   * stored. Application messages held for a resend being loaded are stored for the next one. The
   * actions returned are the logout event and the store writes of those messages.
   */
  abandon(now: number, reason: string, nextSender: number, nextTarget: number): SessionAction[] {
    this.now = now;
    this.actions = [];
    // The store's numbers first: a reset on disconnect (ResetOnDisconnect) then starts from them.
    this.state.nextSenderSeq = nextSender;
    this.state.nextTargetSeq = nextTarget;
    this.disconnect(reason, false);
    this.pending = [];
    this.waiting = false;
    this.afterWait = null;
    // The interrupted resend is over: the next one starts a cursor of its own.
    this.resendLoading = 0;
    this.resendCursor = null;
    const held = this.held;
    this.held = [];
    for (const m of held) {
      try {
        this.sendRaw(m);
      } catch (e) {
        this.emitEvent({ kind: 'error', text: `held message ${m.msgType} dropped: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    return this.take();
  }

  // ---------------------------------------------------------------- inbound

  /**
   * Bytes the framer skipped or a frame it dropped. A message over MaxMessageSize ends a logged-on
   * session with a Logout saying so: it could never be read, not even resent, so asking for it
   * again would hold the session at the gap it leaves for ever.
   */
  private onFramingError(e: CodecError): void {
    this.note(`garbled input: ${e.message}`);
    if (e.reason !== 'oversized' || !this.state.connected || !this.state.receivedLogon) return;
    const text = `${e.message} (MaxMessageSize)`;
    if (!this.state.sentLogout) this.generateLogout(text);
    this.disconnect(text, true);
  }

  private onFrame(buf: Buffer, start: number, end: number): void {
    if (!this.state.connected) return;
    if (this.waiting) {
      this.pending.push(Buffer.from(buf.subarray(start, end)));
      return;
    }
    const stats = this.stats;
    stats.bytesIn += end - start;
    stats.lastReceivedAt = this.now;
    // A copy: the framer's bytes are only valid during this call, the event is delivered after it.
    if (this.incomingEvents) this.emitEvent({ kind: 'incoming', bytes: maskSecrets(Buffer.from(buf.subarray(start, end))) });
    const parsed = this.parser.tryParse(buf, start, end);
    if (parsed instanceof CodecError) {
      stats.garbledIn++;
      this.onGarbled(parsed, buf.subarray(start, end));
      return;
    }
    stats.messagesIn.add(parsed.msgType);
    if (this.inboundRate !== null && this.state.receivedLogon && !ADMIN_TYPES.has(parsed.msgType) && !parsed.equals(43, 'Y') && this.overRate(parsed)) return;
    // guard(() => this.next(...)) without a closure per message.
    try {
      this.next(parsed, false);
    } catch (e) {
      this.caught(e);
    }
    this.rateReject = null;
    this.processQueued();
  }

  /**
   * Counts an application message against `InboundMessageRate`. Above it: pause asks the driver to
   * stop reading until the debt is repaid (the message is handled); reject answers the message
   * with a Reject (its number is used up, the application does not see it); logout ends the
   * session. Returns true when the message was dealt with here.
   */
  private overRate(view: MessageView): boolean {
    const rate = this.inboundRate!;
    const wait = rate.take(this.now);
    if (wait === 0) return false;
    const action = this.options.inboundRateAction;
    const seq = view.has(34) ? view.getInt(34) : 0;
    if (this.now >= this.rateReportedUntil) {
      this.emitEvent({ kind: 'inbound-rate-exceeded', rate: rate.rate, action, seq });
      this.note(`Inbound message rate above ${rate.rate}/s at message ${seq}: ${action}`);
    }
    this.rateReportedUntil = Math.max(this.rateReportedUntil, this.now + wait);
    const text = `inbound message rate above ${rate.rate} messages per second`;
    switch (action) {
      case 'pause':
        this.push({ type: 'pause-input', ms: wait });
        return false;
      case 'reject':
        // Rejected where the application would get it, after the header checks (`verify`): a
        // message with a wrong CompID or SendingTime, or out of turn, is dealt with as usual.
        this.rateReject = text;
        return false;
      case 'logout':
        this.generateLogout(text);
        this.disconnect(text, true);
        return true;
    }
  }

  /** Runs a step, turning a Disconnect into the disconnect action. */
  private guard(step: () => void): void {
    try {
      step();
    } catch (e) {
      this.caught(e);
    }
  }

  /** A Disconnect thrown by a step becomes the disconnect action; anything else is rethrown. */
  private caught(e: unknown): void {
    if (!(e instanceof Disconnect)) throw e;
    this.note(e.message);
    this.disconnect(e.message, true);
  }

  private onGarbled(error: CodecError, bytes: Buffer): void {
    this.note(`Invalid message: ${error.message}`);
    if (bytes.includes('\x0135=A\x01')) {
      this.note('Logon message is not valid');
      this.disconnect('invalid logon', true);
    } else if (this.options.rejectGarbledMessage && this.state.receivedLogon) {
      // RejectGarbledMessage (QuickFIX/J): answered with a Reject instead of ignored; its
      // MsgSeqNum, when readable and the one expected, is counted.
      const subject = garbledSubject(bytes);
      this.guard(() => this.generateReject(subject, 'Message failed basic validity check'));
    }
  }

  /** QuickFIX's Session::next(message): checks, validation and dispatch by MsgType. */
  private next(view: MessageView, queued: boolean): void {
    const msgType = view.msgType;
    if (this.options.behaviour.missingMsgSeqNum === 'logout' && !view.has(34)) {
      // QuickFIX/J: a message without MsgSeqNum ends the session (a Logout saying so), not a Reject.
      const text = 'Received message without MsgSeqNum';
      this.note(text);
      this.generateLogout(text);
      throw new Disconnect(text);
    }
    // A MsgSeqNum that is not a number a session can count: nothing else of the message is read.
    // (NaN when absent or not an integer; the usual message costs one lookup.)
    if (!(view.getIntOrNaN(34) <= LAST_MSG_SEQ_NUM) && view.has(34)) {
      const text = msgSeqNumText(view.get(34));
      this.note(text);
      this.generateLogout(text);
      throw new Disconnect(text);
    }
    if (!view.has(49) || !view.has(56)) {
      this.rejectOrDisconnect(view, { reason: R.RequiredTagMissing, tag: view.has(49) ? 56 : 49, text: rejectText(R.RequiredTagMissing) });
      return;
    }
    if (!view.equals(8, this.sessionId.beginString)) {
      if (msgType === '5') this.nextLogout(view);
      else {
        this.generateLogout('Incorrect BeginString');
        this.incrTarget();
      }
      return;
    }
    if (msgType === 'A') {
      this.state.targetDefaultApplVerID = this.sessionId.isFIXT ? (view.get(1137) ?? '') : '';
      const b = this.options.behaviour;
      if (this.sessionId.isFIXT && b.unknownDefaultApplVerID === 'refuse' && view.has(1137) && !KNOWN_APPL_VER_IDS.has(view.get(1137)!)) {
        // QuickFIX/J: a DefaultApplVerID that is no ApplVerID value fails validation, and the Logon is refused.
        this.refuseLogon(b.tagInRejectText.validation(behaviourRejectText(b, R.ValueIsIncorrect), 1137));
      }
    }
    const rejection = this.options.clusterClient && CLUSTER_TYPES.has(msgType) ? null : this.validate(view);
    if (rejection) {
      this.rejectOrDisconnect(view, rejection);
      return;
    }
    void queued;
    try {
      switch (msgType) {
        case 'A':
          this.nextLogon(view);
          break;
        case '0':
          this.nextHeartbeat(view);
          break;
        case '1':
          this.nextTestRequest(view);
          break;
        case '4':
          this.nextSequenceReset(view);
          break;
        case '5':
          this.nextLogout(view);
          break;
        case '2':
          this.nextResendRequest(view);
          break;
        case '3':
          this.nextReject(view);
          break;
        default:
          this.verify(view, true, true, () => this.incrTarget());
      }
    } catch (e) {
      this.handleCallbackError(view, e);
    }
  }

  /**
   * FIXT with application dictionaries for more than one ApplVerID: the session's dictionary with
   * the application dictionary of a message's ApplVerID (or the counterparty's default), made once
   * per dictionary. Null otherwise: the session's dictionary fits every message.
   */
  private readonly appSchemas: Map<ValidationDictionary, MessageSchema> | null;

  private appSchemaFor(view: MessageView): MessageSchema | undefined {
    const base = this.options.schema;
    const app = this.options.appDictionaries?.get(applVerIdValue(view.get(1128) ?? this.state.targetDefaultApplVerID));
    if (base === undefined || app === undefined) return base;
    let schema = this.appSchemas!.get(app);
    if (schema === undefined) {
      schema = withApplication(base, app);
      this.appSchemas!.set(app, schema);
    }
    return schema;
  }

  /** Dictionary validation with the right application dictionary (FIXT: by ApplVerID). */
  private validate(view: MessageView): Rejection | null {
    const v = this.options.validator;
    if (!v) return null;
    let app: ValidationDictionary | undefined;
    if (this.sessionId.isFIXT && !ADMIN_TYPES.has(view.msgType)) {
      const id = view.get(1128) ?? this.state.targetDefaultApplVerID;
      app = this.options.appDictionaries?.get(applVerIdValue(id)) ?? v.app;
    }
    return app ? v.validate(view, app) : v.validate(view);
  }

  /** A reject for a bad message; a Logon missing a required field ends the connection instead. */
  private rejectOrDisconnect(view: MessageView, r: Rejection): void {
    if (this.resetOrDisconnectOnError(r.text)) return;
    if (r.reason === R.RequiredTagMissing && view.msgType === 'A') {
      this.note('Required field missing from logon');
      this.disconnect('required field missing from logon', true);
      return;
    }
    const b = this.options.behaviour;
    // QuickFIX/J names MsgType(35) as the RefTagID of an invalid MsgType.
    const tag = r.tag === undefined && r.reason === R.InvalidMsgType && b.refTagOnHeaderRejects ? 35 : r.tag;
    if (view.msgType === 'A' && b.badLogonHeader === 'logout') {
      this.refuseLogon(tag === undefined ? r.text : b.tagInRejectText.validation(r.text, tag));
    }
    this.generateReject(view, r.reason, tag, r.reason === R.InvalidMsgType ? 'check' : 'validation');
  }

  /** QuickFIX/J's answer to a Logon it cannot accept: a Logout saying why, its number counted, then disconnect. */
  private refuseLogon(reason: string): never {
    const text = `Invalid Logon message: ${reason}`;
    this.note(text);
    this.generateLogout(text);
    this.incrTarget();
    throw new Disconnect(text);
  }

  /**
   * `ResetOnError` / `DisconnectOnError` (QuickFIX/J): instead of rejecting, a logged-on session
   * logs out and resets, or disconnects. Returns true when it did.
   */
  private resetOrDisconnectOnError(reason: string): boolean {
    const o = this.options;
    if ((!o.resetOnError && !o.disconnectOnError) || !this.isLoggedOn) return false;
    if (o.resetOnError) {
      this.note(`ResetOnError: ${reason}`);
      this.generateLogout(reason);
      this.disconnect(`error: ${reason}`, true);
      this.resetState();
    } else {
      this.note(`DisconnectOnError: ${reason}`);
      this.disconnect(`error: ${reason}`, true);
    }
    return true;
  }

  /**
   * The application's exception is answered with a Reject or a BusinessMessageReject: said locally
   * too (an error line for the logs and an `application-reject` event), since the counterparty
   * alone would otherwise know.
   */
  private applicationRejected(view: MessageView, e: Error, reject: 'reject' | 'business-reject', line = true): void {
    const seq = view.getIntOrNaN(34);
    const callback = ADMIN_TYPES.has(view.msgType) ? 'fromAdmin' : 'fromApp';
    const answer = reject === 'reject' ? 'Reject (35=3)' : 'BusinessMessageReject (35=j)';
    if (line) this.emitEvent({ kind: 'error', text: `${callback} threw ${e.name}: ${e.message}, on message ${Number.isNaN(seq) ? '?' : seq} (35=${view.msgType}): answered with a ${answer}` });
    this.emitEvent({ kind: 'application-reject', msgType: view.msgType, seq: Number.isNaN(seq) ? 0 : seq, reject, error: e });
  }

  /** Exceptions thrown by application callbacks, mapped to rejects as QuickFIX does. */
  private handleCallbackError(view: MessageView, e: unknown): void {
    if (e !== this.appError) this.appError = undefined;
    if (e instanceof Disconnect) throw e;
    const known = e instanceof FieldNotFoundError || e instanceof IncorrectTagValue || e instanceof IncorrectDataFormat || e instanceof UnsupportedMessageType;
    if (known && this.resetOrDisconnectOnError(e.message)) return;
    if (e instanceof RejectLogon) {
      this.note(e.message);
      this.generateLogout(e.message);
      this.disconnect(e.message, true);
      return;
    }
    const fix42 = this.sessionId.beginString >= 'FIX.4.2' || this.sessionId.isFIXT;
    if (e === this.appError && e instanceof Error) {
      this.appError = undefined;
      const business = fix42 && !ADMIN_TYPES.has(view.msgType) && (e instanceof FieldNotFoundError || e instanceof UnsupportedMessageType);
      if (e instanceof FieldNotFoundError || e instanceof IncorrectTagValue || e instanceof IncorrectDataFormat || e instanceof UnsupportedMessageType) {
        this.applicationRejected(view, e, business ? 'business-reject' : 'reject');
      } else if (this.options.rejectMessageOnUnhandledException && this.state.receivedLogon && !this.options.resetOnError && !this.options.disconnectOnError) {
        // The error line is written below; the event says it was answered with a reject.
        this.applicationRejected(view, e, fix42 && !ADMIN_TYPES.has(view.msgType) ? 'business-reject' : 'reject', false);
      }
    }
    this.appError = undefined;
    if (e instanceof FieldNotFoundError) {
      if (fix42 && !ADMIN_TYPES.has(view.msgType)) this.generateBusinessReject(view, 5, e.tag);
      else this.generateReject(view, R.RequiredTagMissing, e.tag);
      return;
    }
    if (e instanceof IncorrectTagValue) return this.generateReject(view, R.ValueIsIncorrect, e.tag);
    if (e instanceof IncorrectDataFormat) return this.generateReject(view, R.IncorrectDataFormat, e.tag);
    if (e instanceof UnsupportedMessageType) {
      if (fix42) this.generateBusinessReject(view, 3);
      else this.generateReject(view, 'Unsupported message type');
      return;
    }
    // Anything else the application threw: never let it take the process down.
    const text = e instanceof Error ? e.message : String(e);
    this.emitEvent({ kind: 'error', text: `application error on message ${view.get(34) ?? '?'} (${view.msgType}): ${text}` });
    if (this.resetOrDisconnectOnError(text)) return;
    if (this.options.rejectMessageOnUnhandledException && this.state.receivedLogon) {
      if (fix42 && !ADMIN_TYPES.has(view.msgType)) this.generateBusinessReject(view, 0);
      else this.generateReject(view, R.Other);
    }
    // Otherwise the message is not processed and its sequence number not consumed (QuickFIX/J).
  }

  /** The application callback for an incoming message; async results pause the session. */
  private fromCallback(view: MessageView, after: () => void): void {
    if (this.options.clusterClient && CLUSTER_TYPES.has(view.msgType)) {
      this.emitEvent({ kind: 'cluster-message', msgType: view.msgType, fields: bodyFields(view) });
      after();
      return;
    }
    const admin = ADMIN_TYPES.has(view.msgType);
    if (this.appSchemas !== null) view.withSchema(admin ? this.options.schema : this.appSchemaFor(view));
    let result: void | Promise<void> | undefined;
    try {
      result = admin ? this.app.fromAdmin?.(view, this.sessionId) : this.app.fromApp?.(view, this.sessionId);
    } catch (e) {
      // Remembered so that the Reject it turns into is reported locally (an `application-reject` event).
      this.appError = e;
      throw e;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      const copy = view.clone();
      this.waiting = true;
      this.afterWait = (error) => {
        if (error) {
          this.appError = error;
          this.handleCallbackError(copy, error);
          return;
        }
        after();
      };
      this.push({ type: 'wait', promise: result as Promise<void> });
      return;
    }
    after();
  }

  /** Sequence, CompID, SendingTime and logon-state checks, then the application callback. */
  private verify(view: MessageView, checkTooHigh: boolean, checkTooLow: boolean, after?: () => void): boolean {
    const msgType = view.msgType;
    const seq = checkTooHigh || checkTooLow ? this.requireInt(view, 34) : 0;
    if (!this.validLogonState(msgType)) throw new Disconnect('Logon state is not valid for message');
    if (!this.isGoodTime(view)) {
      this.doBadTime(view);
      return false;
    }
    if (!this.isCorrectCompID(view)) {
      this.doBadCompID(view);
      return false;
    }
    if (checkTooHigh && seq > this.state.nextTargetSeq) {
      this.doTargetTooHigh(view, seq);
      return false;
    }
    if (checkTooLow && seq < this.state.nextTargetSeq) {
      this.doTargetTooLow(view, seq);
      return false;
    }
    if ((checkTooHigh || checkTooLow) && this.state.resendRange && seq >= this.state.resendRange[2]) {
      this.note(`ResendRequest for messages FROM: ${this.state.resendRange[0]} TO: ${this.state.resendRange[2]} has been satisfied.`);
      this.state.resendRange = null;
    }
    this.state.lastReceivedTime = this.now;
    this.state.testRequests = 0;
    if (this.rateReject !== null && !ADMIN_TYPES.has(msgType)) {
      // Over InboundMessageRate with InboundRateAction=reject: its number is used up, the application does not see it.
      const text = this.rateReject;
      this.rateReject = null;
      this.inboundRate?.refund();
      this.generateReject(view, text);
      return true;
    }
    this.fromCallback(view, after ?? (() => undefined));
    return true;
  }

  private requireInt(view: MessageView, tag: number): number {
    if (!view.has(tag)) throw new FieldNotFoundError(tag);
    return view.getInt(tag);
  }

  /**
   * A required sequence-number field of a session message, range-checked: a Reject follows for a
   * value that is missing, not a number, or outside min..MAX_SEQ_NUM.
   */
  private seqField(view: MessageView, tag: number, name: string, min: number): number {
    if (!view.has(tag)) throw new FieldNotFoundError(tag);
    const v = view.getIntOrNaN(tag);
    if (v >= min && v <= MAX_SEQ_NUM) return v;
    this.note(seqFieldText(name, tag, view.get(tag), min, MAX_SEQ_NUM));
    throw Number.isNaN(v) ? new IncorrectDataFormat(tag) : new IncorrectTagValue(tag);
  }

  private validLogonState(msgType: string): boolean {
    const s = this.state;
    if ((msgType === 'A' && s.sentReset) || s.receivedReset) return true;
    if ((msgType === 'A' && !s.receivedLogon) || (msgType !== 'A' && s.receivedLogon)) return true;
    if (msgType === '5' && s.sentLogon) return true;
    if (msgType !== '5' && s.sentLogout) return true;
    return msgType === '4' || msgType === '3';
  }

  private isGoodTime(view: MessageView): boolean {
    if (!this.options.checkLatency) return true;
    const b = view.getBytes(52);
    const t = b ? parseUtcTimestamp(b, 0, b.length) : null;
    if (!t) return false;
    return Math.abs(this.now - (t.millis + t.nanos / 1e6)) <= this.options.maxLatency * 1000;
  }

  private isCorrectCompID(view: MessageView): boolean {
    if (!this.options.checkCompID) return true;
    return view.equals(49, this.sessionId.targetCompID) && view.equals(56, this.sessionId.senderCompID);
  }

  private doBadTime(view: MessageView): void {
    const b = this.options.behaviour;
    if (!b.refTagOnHeaderRejects) {
      this.generateReject(view, R.SendingTimeAccuracyProblem);
      this.generateLogout();
      return;
    }
    const text = b.tagInRejectText.validation(behaviourRejectText(b, R.SendingTimeAccuracyProblem), 52);
    if (view.msgType === 'A' && b.badLogonHeader === 'logout') this.refuseLogon(text);
    this.generateReject(view, R.SendingTimeAccuracyProblem, 52);
    this.generateLogout(b.logoutTextOnHeaderProblems ? text : '');
  }

  private doBadCompID(view: MessageView): void {
    const b = this.options.behaviour;
    const text = behaviourRejectText(b, R.CompIdProblem);
    if (view.msgType === 'A' && b.badLogonHeader === 'logout') this.refuseLogon(text);
    this.generateReject(view, R.CompIdProblem);
    this.generateLogout(b.logoutTextOnHeaderProblems ? text : '');
  }

  private doTargetTooLow(view: MessageView, seq: number): void {
    const possDup = view.get(43) === 'Y';
    if (!possDup) {
      const text = `MsgSeqNum too low, expecting ${this.state.nextTargetSeq} but received ${seq}`;
      this.generateLogout(text);
      throw new Disconnect(text);
    }
    this.doPossDup(view);
  }

  private doPossDup(view: MessageView): boolean {
    if (view.msgType === '4') return true;
    if (!view.has(122)) {
      if (this.options.requiresOrigSendingTime) {
        this.generateReject(view, R.RequiredTagMissing, 122);
        return false;
      }
      return true;
    }
    const orig = view.getBytes(122)!;
    const sending = view.getBytes(52)!;
    const o = parseUtcTimestamp(orig, 0, orig.length);
    const s = parseUtcTimestamp(sending, 0, sending.length);
    if (o && s && o.millis * 1e6 + o.nanos > s.millis * 1e6 + s.nanos) {
      const b = this.options.behaviour;
      this.generateReject(view, R.SendingTimeAccuracyProblem, b.refTagOnHeaderRejects ? 122 : undefined);
      this.generateLogout(b.logoutTextOnHeaderProblems ? b.tagInRejectText.validation(behaviourRejectText(b, R.SendingTimeAccuracyProblem), 122) : '');
      return false;
    }
    return true;
  }

  private doTargetTooHigh(view: MessageView, seq: number): void {
    this.note(`MsgSeqNum too high, expecting ${this.state.nextTargetSeq} but received ${seq}`);
    if (this.state.queue.size >= this.options.maxQueuedMessages) {
      // A counterparty that never fills its gap must not grow memory without bound.
      const text = `more than ${this.options.maxQueuedMessages} messages queued behind a sequence gap`;
      this.generateLogout(text);
      throw new Disconnect(text);
    }
    const queuedBefore = this.state.queue.get(seq)?.length ?? 0;
    const limit = this.options.maxQueuedBytes;
    if (this.state.queuedBytes - queuedBefore + view.bytes.length > limit) {
      // Not kept: memory stays bounded. The message is not lost: a ResendRequest asks for it
      // again (the one below or an earlier one covers it, or the gap shows again once filled).
      this.note(`Message ${seq} not queued: the messages above the gap hold ${this.state.queuedBytes} bytes (limit ${limit})`);
      this.emitEvent({ kind: 'gap-queue-full', seq, queuedBytes: this.state.queuedBytes, limit });
    } else {
      this.state.queue.set(seq, Buffer.from(view.bytes));
      this.state.queuedBytes += view.bytes.length - queuedBefore;
    }
    const range = this.state.resendRange;
    if (range && !this.options.sendRedundantResendRequests && seq >= range[0]) {
      this.note(`Already sent ResendRequest FROM: ${range[0]} TO: ${range[1]}.  Not sending another.`);
      return;
    }
    this.generateResendRequest(seq);
  }

  /** Processes queued messages whose turn has come. */
  private processQueued(): void {
    while (!this.waiting && this.state.connected) {
      const seq = this.state.nextTargetSeq;
      const bytes = this.state.queue.get(seq);
      if (!bytes) return;
      this.state.queue.delete(seq);
      this.state.queuedBytes -= bytes.length;
      this.note(`Processing QUEUED message: ${seq}`);
      const view = new Parser({ validateChecksum: false, validateLength: false }).parse(bytes);
      const t = view.msgType;
      if (t === 'A' || t === '2') this.incrTarget();
      else this.guard(() => this.next(view, true));
    }
  }

  /**
   * Drops messages queued above a gap that a GapFill (or reset) then jumped past: their numbers
   * were filled, so they will never be processed; kept, they would make the session look as if a
   * resend were in progress for ever (`isResending`: no move or failback could log it out).
   */
  private dropPassedQueued(): void {
    for (const [seq, bytes] of this.state.queue) {
      if (seq >= this.state.nextTargetSeq) continue;
      this.state.queue.delete(seq);
      this.state.queuedBytes -= bytes.length;
      this.note(`Dropped QUEUED message ${seq}: below the next expected MsgSeqNum ${this.state.nextTargetSeq}`);
    }
  }

  private nextLogon(view: MessageView): void {
    const s = this.state;
    if (!this.schedule.isSessionTime(this.now)) throw new Disconnect('Received logon outside of valid logon time');
    const resetFlag = view.get(141) === 'Y';
    s.receivedReset = resetFlag;
    s.peerClusterSupport = view.get(CLUSTER_SUPPORT_TAG) === 'Y';
    if (resetFlag) {
      this.note('Logon contains ResetSeqNumFlag=Y, resetting sequence numbers to 1');
      if (!s.sentReset) this.resetState();
    }
    if (this.options.role === 'initiator' && !s.sentLogon && !resetFlag) {
      throw new Disconnect('Received logon response before sending request');
    }
    if (this.options.role === 'acceptor' && this.options.resetOnLogon) this.resetState();
    const seq = this.requireInt(view, 34);
    const heartBtInt = view.has(108) ? view.getIntOrNaN(108) : 0;
    if (!(heartBtInt >= 0 && heartBtInt <= MAX_HEART_BT_INT)) {
      // Refused, not echoed (QuickFIX/J refuses a negative one): the Logout says why.
      const text = heartBtIntText(view.get(108));
      this.note(text);
      this.generateLogout(text);
      throw new Disconnect(text);
    }
    const bytes = seq > s.nextTargetSeq ? Buffer.from(view.bytes) : null;
    // NextExpectedMsgSeqNum(789): the counterparty says which of our messages it wants next.
    const wanted = this.options.enableNextExpectedMsgSeqNum && view.has(789) ? view.getIntOrNaN(789) : undefined;
    const nextSender = s.nextSenderSeq;
    if (wanted !== undefined && !(wanted >= 0 && wanted <= MAX_SEQ_NUM)) {
      const text = seqFieldText('NextExpectedMsgSeqNum', 789, view.get(789), 1, nextSender);
      this.note(text);
      this.generateLogout(text);
      throw new Disconnect(text);
    }
    if (wanted !== undefined && wanted > nextSender) {
      const text = `Tag 789 (NextExpectedMsgSeqNum) is higher than expected. Expected ${nextSender}, Received ${wanted}`;
      this.note(text);
      this.generateLogout(text);
      throw new Disconnect(text);
    }
    this.verify(view, false, true, () => this.afterLogon(heartBtInt, seq, resetFlag, bytes, wanted, nextSender));
  }

  private afterLogon(heartBtInt: number, seq: number, resetFlag: boolean, bytes: Buffer | null, wanted?: number, nextSender = 0): void {
    const s = this.state;
    s.receivedLogon = true;
    if (this.options.role === 'acceptor' || (s.receivedReset && !s.sentReset)) {
      const interval = this.options.heartBtIntOverride && this.options.role === 'acceptor' ? this.options.heartBtInt : heartBtInt;
      s.heartBtInt = interval * 1000;
      this.note('Received logon request');
      this.answer(seq, () => this.generateLogonResponse(interval));
      this.note('Responding to logon request');
    } else {
      this.note('Received logon response');
    }
    s.sentReset = false;
    s.receivedReset = false;
    if (wanted !== undefined && wanted >= 1 && wanted < nextSender && !resetFlag) {
      // Messages it missed are resent (admin ones as gap fills) as if it had asked for them.
      this.note(`Received NextExpectedMsgSeqNum ${wanted}, resending ${wanted} to ${nextSender - 1}`);
      if (!this.options.persistMessages) {
        this.answer(seq, () => this.generateSequenceReset(wanted, nextSender));
      } else {
        this.resendLoading++;
        this.resendAnswering = seq;
        this.push({ type: 'load-resend', begin: wanted, end: nextSender - 1 });
      }
    }
    if (seq > s.nextTargetSeq && !resetFlag && bytes) {
      this.doTargetTooHigh(new Parser({ validateChecksum: false, validateLength: false }).parse(bytes), seq);
    } else {
      this.incrTarget();
    }
    if (this.isLoggedOn) {
      this.emitEvent({ kind: 'logon' });
      this.app.onLogon?.(this.sessionId);
    }
  }

  private nextHeartbeat(view: MessageView): void {
    this.verify(view, true, true, () => this.incrTarget());
  }

  private nextTestRequest(view: MessageView): void {
    this.verify(view, true, true, () => {
      this.answer(view.getIntOrNaN(34), () => this.generateHeartbeat(view.get(112)));
      this.incrTarget();
    });
  }

  private nextReject(view: MessageView): void {
    this.verify(view, false, true, () => this.incrTarget());
  }

  private nextSequenceReset(view: MessageView): void {
    const gapFill = view.get(123) === 'Y';
    const newSeq = view.has(36) ? view.getIntOrNaN(36) : undefined;
    if (Number.isNaN(newSeq)) throw new IncorrectDataFormat(36);
    const copy = view.clone();
    this.verify(view, gapFill, gapFill, () => {
      if (newSeq === undefined) return;
      this.note(`Received SequenceReset FROM: ${this.state.nextTargetSeq} TO: ${newSeq}`);
      if (newSeq > LAST_MSG_SEQ_NUM) {
        // The next message would carry a number no session counts: refused, the sequence stays.
        this.note(seqFieldText('NewSeqNo', 36, copy.get(36), this.state.nextTargetSeq, LAST_MSG_SEQ_NUM));
        this.generateReject(copy, R.ValueIsIncorrect, 36);
      } else if (newSeq > this.state.nextTargetSeq) this.setTarget(newSeq);
      else if (newSeq < this.state.nextTargetSeq) this.generateReject(copy, R.ValueIsIncorrect);
    });
  }

  private nextLogout(view: MessageView): void {
    this.verify(view, false, false, () => {
      if (!this.state.sentLogout) {
        this.note('Received logout request');
        this.answer(view.getIntOrNaN(34), () => this.generateLogout());
        this.note('Sending logout response');
      } else {
        this.note('Received logout response');
      }
      // A Logout answering our own Logon refuses it (a standby that does not own the session, a
      // rejected logon). An initiator does not count its number: if the refusing node was not the
      // owner of the sequence, counting it would put us ahead of the owner's numbers for good,
      // while a number missed this way is an ordinary gap, filled by a resend at the next logon.
      if (this.options.role !== 'initiator' || this.state.receivedLogon) this.incrTarget();
      if (this.options.resetOnLogout) this.resetState();
      this.disconnect('logout', true, view.has(58) ? view.getString(58) : undefined);
    });
  }

  private nextResendRequest(view: MessageView): void {
    const begin = this.seqField(view, 7, 'BeginSeqNo', 1);
    const endField = this.seqField(view, 16, 'EndSeqNo', 0);
    const seq = this.requireInt(view, 34);
    this.verify(view, false, false, () => {
      this.note(`Received ResendRequest FROM: ${begin} TO: ${endField}`);
      if (this.options.ignorePossDupResendRequests && view.get(43) === 'Y') {
        this.note('Ignoring a ResendRequest flagged PossDupFlag=Y (IgnorePossDupResendRequests)');
        if (seq === this.state.nextTargetSeq) this.incrTarget();
        return;
      }
      const old = !this.sessionId.isFIXT && this.sessionId.beginString <= 'FIX.4.1';
      let end = endField;
      if ((!old && end === 0) || (this.sessionId.beginString <= 'FIX.4.2' && !this.sessionId.isFIXT && end === 999999) || end >= this.state.nextSenderSeq) {
        end = this.state.nextSenderSeq - 1;
      }
      if (!this.options.persistMessages) {
        this.answer(seq, () => this.generateSequenceReset(begin, Math.min(end + 1, this.state.nextSenderSeq)));
      } else {
        this.resendLoading++;
        this.resendAnswering = seq;
        this.push({ type: 'load-resend', begin, end });
      }
      if (seq === this.state.nextTargetSeq) this.incrTarget();
      // Answered at once, but its own number still counts: it waits in the queue (processed as a
      // plain increment) until the gap before it is filled, and the gap is asked for as usual.
      else if (seq > this.state.nextTargetSeq) this.doTargetTooHigh(view, seq);
    });
  }

  /**
   * Answers a resend request with stored application messages and gap fills for the rest: one
   * chunk of stored messages, continuing where `cursor` stands.
   */
  private resendMessages(cursor: ResendCursor, messages: readonly StoredMessage[]): void {
    const parser = (this.storedParser ??= new Parser({ validateChecksum: true, validateLength: true }));
    let resent = 0;
    let firstResent = 0;
    for (const stored of messages) {
      const seq = stored.seq;
      if (seq < cursor.begin || seq > cursor.end || seq <= cursor.lastSeq) continue;
      const current = cursor.lastSeq ? cursor.lastSeq + 1 : cursor.begin;
      if (current !== seq && !cursor.gapStart) cursor.gapStart = current;
      const view = this.readStored(parser, stored);
      const msgType = view === null ? '' : view.msgType;
      const bytes = view === null ? null : this.resendBytes(view);
      if (bytes === null) {
        if (!cursor.gapStart) cursor.gapStart = seq;
      } else {
        if (cursor.gapStart) this.resendGapFill(cursor.gapStart, seq);
        this.writeEncoded(bytes, seq, msgType, 'none');
        this.stats.messagesResent++;
        resent++;
        if (!firstResent) firstResent = seq;
        cursor.gapStart = 0;
      }
      cursor.lastSeq = seq;
    }
    // One line per chunk, not per message: a long resend logs a line per few kilobytes.
    if (resent === 1) this.note(`Resending Message: ${firstResent}`);
    else if (resent > 1) this.note(`Resending ${resent} messages: ${firstResent} to ${cursor.lastSeq}`);
  }

  /** The gap fills that end a resend, after its last chunk. */
  private finishResend(cursor: ResendCursor): void {
    const last = cursor.lastSeq;
    if (cursor.gapStart) this.resendGapFill(cursor.gapStart, last + 1);
    if (cursor.end > last) {
      this.resendGapFill(last ? last + 1 : cursor.begin, Math.min(cursor.end + 1, this.state.nextSenderSeq));
    }
  }

  /**
   * A stored application message to resend, or null for an admin message (gap-filled) or one that
   * cannot be read (damaged bytes: framing, BodyLength or CheckSum wrong; or another sequence
   * number than it is stored under): that one is gap-filled too, reported with its number and counted.
   */
  private readStored(parser: Parser, stored: StoredMessage): MessageView | null {
    let reason: string;
    try {
      const view = parser.parse(stored.bytes);
      const number = view.has(34) ? view.getInt(34) : NaN;
      if (number === stored.seq) return ADMIN_TYPES.has(view.msgType) || CLUSTER_TYPES.has(view.msgType) ? null : view;
      reason = view.has(34) ? `it carries MsgSeqNum ${view.get(34)}` : 'it has no MsgSeqNum';
    } catch (e) {
      if (!(e instanceof FixoverError) && !(e instanceof RangeError)) throw e;
      reason = e.message;
    }
    this.unreadable++;
    this.note(`Stored message ${stored.seq} cannot be read (${reason}): sending a gap fill instead`);
    this.emitEvent({ kind: 'unreadable-stored', seq: stored.seq, reason });
    return null;
  }

  /**
   * A stored application message marked as a possible duplicate with its original SendingTime, or
   * null when toApp vetoed it. Without a toApp hook to show it to, the stored bytes are rewritten
   * as they are (`encodePossDupResend`): a long resend then makes no Message per message.
   */
  private resendBytes(view: MessageView): Buffer | null {
    if (!this.app.toApp) return encodePossDupResend(view, this.timestamp(), this.options.schema);
    const msg = Message.fromView(view, this.options.schema);
    const sendingTime = msg.header.get(52);
    if (sendingTime) msg.header.set(122, sendingTime);
    msg.header.set(43, 'Y');
    msg.header.set(52, this.timestamp());
    try {
      this.app.toApp(msg, this.sessionId);
    } catch (e) {
      if (e instanceof DoNotSend) return null;
      throw e;
    }
    return this.encoder.encodeCopy(msg);
  }

  // ---------------------------------------------------------------- timers

  /**
   * Leaves a logged-on counterparty that has sent nothing for `ms` milliseconds (0: off, the
   * default), sooner than the heartbeat timeout: a TestRequest once it has been silent for half of
   * it, then a disconnect with the reason `counterparty silent`. A fixover cluster client sets it
   * from its node's session lease (docs/cluster.md, "A paused node"). Checked on every tick.
   */
  watchSilence(ms: number): void {
    this.silenceLimitMs = ms > 0 ? ms : 0;
  }

  /** The silence watch on a tick: true when it disconnected. */
  private silenceCheck(now: number): boolean {
    const s = this.state;
    const silent = now - s.lastReceivedTime;
    if (silent >= this.silenceLimitMs) {
      this.note(`Nothing received for ${silent} ms (limit ${this.silenceLimitMs} ms): leaving the silent counterparty`);
      this.disconnect(SILENT_COUNTERPARTY, true);
      return true;
    }
    if (silent >= this.silenceLimitMs / 2 && this.silenceProbed !== s.lastReceivedTime) {
      this.silenceProbed = s.lastReceivedTime;
      this.generateTestRequest('SILENCE');
      this.note(`Nothing received for ${silent} ms: sent test request SILENCE`);
    }
    return false;
  }

  private onTimer(): void {
    const s = this.state;
    const now = this.now;
    if (!s.receivedLogon) {
      if (s.sentLogon && now - s.lastReceivedTime >= this.options.logonTimeout * 1000) {
        this.note('Timed out waiting for logon response');
        this.disconnect('logon timeout', true);
      } else if (this.options.role === 'acceptor' && now - s.lastReceivedTime >= this.options.logonTimeout * 1000) {
        this.note('Timed out waiting for logon request');
        this.disconnect('logon timeout', true);
      }
      return;
    }
    if (this.silenceLimitMs > 0 && !s.sentLogout && this.silenceCheck(now)) return;
    if (s.heartBtInt === 0) return;
    if (s.sentLogout && now - s.lastSentTime >= this.options.logoutTimeout * 1000) {
      this.note('Timed out waiting for logout response');
      this.disconnect('logout timeout', true);
      return;
    }
    const sinceSent = now - s.lastSentTime;
    const sinceReceived = now - s.lastReceivedTime;
    if (sinceSent < s.heartBtInt && sinceReceived < s.heartBtInt) return;
    const o = this.options;
    if (!o.disableHeartBeatCheck && sinceReceived >= (1 + o.heartBeatTimeoutMultiplier) * s.heartBtInt) {
      this.note('Timed out waiting for heartbeat');
      if (o.sendLogoutBeforeDisconnectFromTimeout && !s.sentLogout) this.generateLogout('Timed out waiting for heartbeat');
      this.disconnect('heartbeat timeout', true);
    } else if (sinceReceived >= (1 + o.testRequestDelayMultiplier) * (s.testRequests + 1) * s.heartBtInt) {
      this.generateTestRequest('TEST');
      s.testRequests++;
      this.note('Sent test request TEST');
    } else if (sinceSent >= s.heartBtInt && s.testRequests === 0) {
      this.generateHeartbeat();
    }
  }

  // ---------------------------------------------------------------- outbound

  private timestamp(): string {
    return this.sendingTime.format(this.now);
  }

  /** Header fields every outgoing message gets (QuickFIX's fill()). */
  private fill(msg: Message): void {
    const id = this.sessionId;
    const h = msg.header;
    h.set(8, id.beginString).set(49, id.senderCompID).set(56, id.targetCompID);
    if (id.senderSubID) h.set(50, id.senderSubID);
    if (id.senderLocationID) h.set(142, id.senderLocationID);
    if (id.targetSubID) h.set(57, id.targetSubID);
    if (id.targetLocationID) h.set(143, id.targetLocationID);
    h.set(34, this.state.nextSenderSeq);
    h.set(52, this.timestamp());
    if (this.options.enableLastMsgSeqNumProcessed) h.set(369, this.answering || this.state.nextTargetSeq - 1);
  }

  /** QuickFIX's sendRaw: fill, callbacks, persist, write when appropriate. `seq` reuses a number. */
  private sendRaw(msg: Message, seq = 0): boolean {
    const msgType = msg.msgType;
    this.fill(msg);
    if (seq) msg.header.set(34, seq);
    if (ADMIN_TYPES.has(msgType)) {
      this.app.toAdmin?.(msg, this.sessionId);
      if (msgType === 'A' && !this.state.receivedReset) {
        const reset = msg.get(141) === 'Y';
        if (reset) {
          this.resetState();
          msg.header.set(34, this.state.nextSenderSeq);
        }
        this.state.sentReset = reset;
      }
      const number = seq || this.state.nextSenderSeq;
      if (number > LAST_MSG_SEQ_NUM) {
        this.seqNumsExhausted();
        this.sendRefusal = 'sequence-exhausted';
        return false;
      }
      const canSend = msgType === 'A' || msgType === '5' || msgType === '2' || msgType === '4' || this.isLoggedOn;
      this.write(msg, number, seq ? 'none' : this.persistMode(), canSend);
      return true;
    }
    if (!this.isLoggedOn && this.shouldSendReset()) {
      this.sendRefusal = 'not-logged-on';
      return false;
    }
    if (!seq && this.state.nextSenderSeq > LAST_MSG_SEQ_NUM) {
      this.seqNumsExhausted();
      this.sendRefusal = 'sequence-exhausted';
      return false;
    }
    try {
      this.app.toApp?.(msg, this.sessionId);
    } catch (e) {
      if (e instanceof DoNotSend) {
        this.sendRefusal = 'vetoed';
        return false;
      }
      throw e;
    }
    this.write(msg, seq || this.state.nextSenderSeq, seq ? 'none' : this.persistMode(), this.isLoggedOn);
    return true;
  }

  /**
   * The next MsgSeqNum would pass LAST_MSG_SEQ_NUM: nothing more is numbered or stored. A Logout
   * saying so goes out with the current number, neither stored nor counted (as a refusal), and
   * the connection closes; a Logon with ResetSeqNumFlag=Y starts the sequence again.
   */
  private seqNumsExhausted(): void {
    this.note(SEQ_NUMS_EXHAUSTED_TEXT);
    if (!this.state.connected) return;
    const logout = this.newAdmin('5').set(58, SEQ_NUMS_EXHAUSTED_TEXT);
    this.fill(logout);
    this.write(logout, this.state.nextSenderSeq, 'none', true);
    this.disconnect(SEQ_NUMS_EXHAUSTED_TEXT, true);
  }

  private persistMode(): Persist {
    return this.options.persistMessages ? 'message' : 'seq';
  }

  /**
   * Encodes and emits a message; advances the sender sequence number when it is a new one. A
   * message that cannot go out now (not logged on) is still stored for the resend rules.
   */
  private write(msg: Message, seq: number, persist: Persist, toSocket = true): void {
    if (!toSocket && persist === 'none') return;
    this.writeEncoded(this.encoder.encodeCopy(msg), seq, msg.msgType, persist, toSocket);
  }

  private writeEncoded(bytes: Buffer, seq: number, msgType: string, persist: Persist, toSocket = true): void {
    if (persist !== 'none') this.state.nextSenderSeq = seq + 1;
    this.push({ type: 'send', bytes, seq, msgType, persist, write: toSocket });
    if (!toSocket) return;
    this.state.lastSentTime = this.now;
    const stats = this.stats;
    stats.messagesOut.add(msgType);
    stats.bytesOut += bytes.length;
    stats.lastSentAt = this.now;
    if (this.outgoingEvents) this.emitEvent({ kind: 'outgoing', bytes: maskSecrets(bytes) });
  }

  private shouldSendReset(): boolean {
    const o = this.options;
    const b = this.sessionId.beginString;
    return (b >= 'FIX.4.1' || this.sessionId.isFIXT) && (o.resetOnLogon || o.resetOnLogout || o.resetOnDisconnect) && this.state.nextSenderSeq === 1 && this.state.nextTargetSeq === 1;
  }

  private newAdmin(msgType: string): Message {
    return new Message(msgType, this.options.schema);
  }

  private generateLogon(): void {
    const logon = this.newAdmin('A');
    logon.set(98, 0).set(108, this.options.heartBtInt);
    if (this.sessionId.isFIXT && this.options.defaultApplVerID) logon.set(1137, applVerIdValue(this.options.defaultApplVerID));
    if (this.options.resetOnLogon) this.resetState();
    if (this.shouldSendReset()) logon.set(141, 'Y');
    for (const [tag, value] of this.options.logonTags) logon.set(tag, value);
    if (this.options.clusterClient) logon.set(CLUSTER_SUPPORT_TAG, 'Y');
    if (this.options.enableNextExpectedMsgSeqNum) logon.set(789, this.state.nextTargetSeq);
    this.state.lastReceivedTime = this.now;
    this.state.testRequests = 0;
    this.state.sentLogon = true;
    this.sendRaw(logon);
  }

  private generateLogonResponse(heartBtInt: number): void {
    const logon = this.newAdmin('A');
    logon.set(98, 0);
    if (this.sessionId.isFIXT && this.options.defaultApplVerID) logon.set(1137, applVerIdValue(this.options.defaultApplVerID));
    if (this.state.receivedReset) logon.set(141, 'Y');
    logon.set(108, heartBtInt);
    if (this.options.enableNextExpectedMsgSeqNum) logon.set(789, this.state.nextTargetSeq + 1);
    // Not sent when our sequence numbers are exhausted (the connection is then closed).
    if (this.sendRaw(logon)) this.state.sentLogon = true;
  }

  private generateHeartbeat(testReqId?: string): void {
    const hb = this.newAdmin('0');
    if (testReqId !== undefined) hb.set(112, testReqId);
    this.sendRaw(hb);
  }

  private generateTestRequest(id: string): void {
    this.sendRaw(this.newAdmin('1').set(112, id));
  }

  private generateResendRequest(seq: number): void {
    const begin = this.state.nextTargetSeq;
    const chunk = this.options.resendRequestChunkSize;
    let end: number;
    let sentEnd: number;
    if (chunk > 0 && seq - begin > chunk) {
      end = begin + chunk - 1;
      sentEnd = end;
    } else {
      end = seq - 1;
      if (this.options.closedResendInterval) sentEnd = end;
      else sentEnd = this.sessionId.isFIXT || this.sessionId.beginString >= 'FIX.4.2' ? 0 : 999999;
    }
    this.sendRaw(this.newAdmin('2').set(7, begin).set(16, sentEnd));
    this.note(`Sent ResendRequest FROM: ${begin} TO: ${end}`);
    this.state.resendRange = [begin, end, seq - 1];
  }

  private generateSequenceReset(begin: number, newSeq: number): void {
    const sr = this.newAdmin('4');
    sr.header.set(43, 'Y');
    sr.set(36, newSeq).set(123, 'Y');
    this.fill(sr);
    sr.header.set(122, sr.header.get(52)!);
    this.sendRaw(sr, begin);
    this.note(`Sent SequenceReset TO: ${newSeq}`);
  }

  /** A gap fill of a resend under way: it answers the message that asked for the resend. */
  private resendGapFill(begin: number, newSeq: number): void {
    this.answer(this.resendAnswering, () => this.generateSequenceReset(begin, newSeq));
  }

  /** Sends a Logout (the reason goes in Text). */
  private generateLogout(text = ''): void {
    const logout = this.newAdmin('5');
    if (text) logout.set(58, text);
    this.sendRaw(logout);
    this.state.sentLogout = true;
  }

  /** Copies routing fields back, swapped (QuickFIX's reverseRoute). */
  private reverseRoute(msg: Message, view: RejectSubject): void {
    const pairs: Array<[number, number]> = [
      [115, 128],
      [116, 129],
      [128, 115],
      [129, 116],
    ];
    if (this.sessionId.isFIXT || this.sessionId.beginString >= 'FIX.4.1') {
      pairs.push([144, 145], [145, 144]);
    }
    for (const [from, to] of pairs) {
      const v = view.get(from);
      if (v) msg.header.set(to, v);
    }
  }

  /**
   * QuickFIX's generateReject: Reject(3) with RefSeqNum, RefMsgType, reason and text per version.
   * `origin` `validation`: a reject for what dictionary validation found (QuickFIX/J then names the
   * tag in the text as well).
   */
  private generateReject(view: RejectSubject, err: number | string, tag?: number, origin: 'check' | 'validation' = 'check'): void {
    const seqText = view.get(34);
    const seqNum = seqText !== undefined ? Number(seqText) : NaN;
    this.answer(Number.isInteger(seqNum) ? seqNum : undefined, () => this.sendReject(view, err, tag, origin));
  }

  private sendReject(view: RejectSubject, err: number | string, tag: number | undefined, origin: 'check' | 'validation'): void {
    const behaviour = this.options.behaviour;
    const b = this.sessionId.beginString;
    const fix42plus = this.sessionId.isFIXT || b >= 'FIX.4.2';
    const reject = this.newAdmin('3');
    this.reverseRoute(reject, view);
    const seqText = view.get(34);
    const msgType = view.msgType;
    if (seqText) reject.set(45, seqText);
    if (typeof err === 'number' && fix42plus) {
      if (msgType) reject.set(372, msgType);
      if ((b === 'FIX.4.2' && err <= R.InvalidMsgType) || b > 'FIX.4.2' || this.sessionId.isFIXT) reject.set(373, err);
    } else if (typeof err === 'string' && fix42plus && msgType) {
      reject.set(372, msgType);
    }
    const seq = seqText !== undefined ? Number(seqText) : NaN;
    if (msgType !== 'A' && msgType !== '4' && seq === this.state.nextTargetSeq) this.incrTarget();
    const text = typeof err === 'string' ? err : behaviourRejectText(behaviour, err);
    if (typeof err === 'number' && tag !== undefined && (tag !== 0 || err === R.InvalidTagNumber)) {
      if (fix42plus) reject.set(371, tag).set(58, origin === 'validation' ? behaviour.tagInRejectText.validation(text, tag) : text);
      else reject.set(58, behaviour.tagInRejectText.old(text, tag));
      this.note(`Message ${seqText ?? ''} Rejected: ${text}:${tag}`);
    } else {
      reject.set(58, text);
      this.note(`Message ${seqText ?? ''} Rejected: ${text}`);
    }
    if (!this.state.receivedLogon) throw new Disconnect('Tried to send a reject while not logged on');
    this.sendRaw(reject);
  }

  /** BusinessMessageReject(j) with RefSeqNum, RefMsgType, reason and text. */
  private generateBusinessReject(view: MessageView, reason: number, tag?: number): void {
    const reject = this.newAdmin('j');
    this.reverseRoute(reject, view);
    const seqText = view.get(34);
    if (seqText) reject.set(45, seqText);
    reject.set(372, view.msgType).set(380, reason);
    const texts: Record<number, string> = {
      0: 'Other',
      1: 'Unknown ID',
      2: 'Unknown Security',
      3: 'Unsupported Message Type',
      4: 'Application not available',
      5: 'Conditionally Required Field Missing',
      6: 'Not authorized',
      7: 'DeliverTo firm not available at this time',
    };
    const text = texts[reason] ?? 'Other';
    if (tag !== undefined) reject.set(379, tag);
    reject.set(58, text);
    if (this.sessionId.isFIXT && this.options.defaultApplVerID && this.options.behaviour.applVerIdOnBusinessReject) reject.set(1137, applVerIdValue(this.options.defaultApplVerID));
    this.incrTarget();
    this.note(`Message ${seqText ?? ''} Rejected: ${text}`);
    this.sendRaw(reject);
  }

  // ---------------------------------------------------------------- state helpers

  private incrTarget(): void {
    this.setTarget(this.state.nextTargetSeq + 1);
  }

  private setTarget(seq: number): void {
    // Never past the stores' limit (a counted message is at most LAST_MSG_SEQ_NUM, but a Logout
    // is counted without a sequence check): the next number then stays at the limit.
    if (seq > MAX_SEQ_NUM) {
      this.note(`MsgSeqNum limit ${MAX_SEQ_NUM} reached: the next expected number stays there`);
      return;
    }
    const jumped = seq > this.state.nextTargetSeq + 1;
    this.state.nextTargetSeq = seq;
    this.push({ type: 'set-next-target-seq', seq });
    // A jump (GapFill or SequenceReset) may pass messages queued above the gap: dropped here, the
    // one place the expected number jumps, rather than looked for at every queued message.
    if (jumped && this.state.queue.size > 0) this.dropPassedQueued();
    const range = this.state.resendRange;
    // A chunk of a split gap is filled (by its messages or a gap fill): ask for the next one.
    if (range !== null && seq > range[1] && seq <= range[2]) this.generateResendRequest(range[2] + 1);
  }

  /** Resets sequence numbers to 1 and asks the driver to reset the store. */
  private resetState(): void {
    this.state.nextSenderSeq = 1;
    this.state.nextTargetSeq = 1;
    this.state.queue.clear();
    this.state.queuedBytes = 0;
    this.creationTime = this.now;
    this.push({ type: 'reset-store' });
  }

  private disconnect(reason: string, closeSocket: boolean, logoutText?: string): void {
    const s = this.state;
    if (!s.connected) return;
    s.connected = false;
    if (closeSocket) this.push({ type: 'disconnect', reason });
    if (s.receivedLogon || s.sentLogon) {
      s.receivedLogon = false;
      s.sentLogon = false;
      this.emitEvent(logoutText === undefined ? { kind: 'logout', reason } : { kind: 'logout', reason, text: logoutText });
      try {
        this.app.onLogout?.(this.sessionId);
      } catch (e) {
        // The session is disconnected whatever the application does about it.
        this.emitEvent({ kind: 'error', text: `application error in onLogout: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    s.sentLogout = false;
    s.receivedReset = false;
    s.sentReset = false;
    s.queue.clear();
    s.queuedBytes = 0;
    s.resendRange = null;
    s.testRequests = 0;
    this.pending = [];
    this.waiting = false;
    this.afterWait = null;
    if (this.options.resetOnDisconnect) this.resetState();
  }

  private note(text: string): void {
    this.emitEvent({ kind: 'note', text });
  }

  private emitEvent(event: import('./actions.js').SessionEvent): void {
    // Notes and errors may quote message text: passwords are masked there too.
    if ((event.kind === 'note' || event.kind === 'error') && /(554|925)=/.test(event.text)) event = { ...event, text: maskSecretsInText(event.text) };
    this.push({ type: 'event', event });
  }

  private push(a: SessionAction): void {
    this.actions.push(a);
  }

  private take(): SessionAction[] {
    const a = this.actions;
    this.actions = [];
    return a;
  }
}

/** The body fields of a message in order (header and trailer left out). */
function bodyFields(view: MessageView): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  const t = view.table;
  for (let i = 0; i < t.count; i++) {
    const tag = t.tags[i];
    if (STANDARD_HEADER_TAGS.has(tag) || STANDARD_TRAILER_TAGS.has(tag)) continue;
    out.push([tag, view.buf.toString('latin1', t.starts[i], t.ends[i])]);
  }
  return out;
}
