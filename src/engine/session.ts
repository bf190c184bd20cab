/**
 * A running session: binds the sans-I/O core to a store, a clock and one socket at a time.
 * Store writes are flushed before the bytes of the messages they store are written. The replies to
 * the bytes of one socket read go out in a single write as soon as that read is handled; other
 * messages sent during an event-loop turn go out together at its end.
 */
import type { Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import type { Message } from '../codec/message.js';
import type { MessageSchema } from '../codec/schema.js';
import { SessionCore } from '../session/core.js';
import type { Application, SendRefusal, SessionAction, SessionEvent } from '../session/actions.js';
import type { SessionOptions } from '../session/options.js';
import type { SessionID } from '../session/session-id.js';
import type { MessageStore, StoredMessage } from '../store/store.js';
import { type StoreRepair, formatRepair } from '../store/store-repair.js';
import { applyStoreAction } from '../session/apply.js';
import { StoreFencedError, type OwnerRecord, type SessionOwnership } from '../fencing/ownership.js';
import { leaseTiming } from '../fencing/lease-timing.js';
import { stalledOwnerWait } from '../fencing/stalled-owner.js';
import { reserveRefusalSeq, skipRefusedSeq } from './refusal-seq.js';
import type { FailoverEvent } from '../transport/policy-types.js';
import type { SessionEventListener } from '../log/session-events.js';
import { DEFAULT_RESEND_CPU_SHARE, RESEND_CHUNK, ResendPacer, ResendPump, type ResendJob } from './resend-pump.js';
import { ReadShare } from './read-share.js';
import { LatencyHistogram } from './latency-histogram.js';
import { checkSeqNum } from '../store/seq-num.js';
import { FixoverError } from '../codec/errors.js';

const EMPTY = Buffer.alloc(0);

/** How a running {@link Session} is driven: its timer, its share of each event-loop turn, its ownership lease. */
export interface SessionHandleOptions {
  /** Bytes queued for a slow reader before the session disconnects (default 16 MiB). */
  maxQueuedBytes?: number;
  /** Timer period in milliseconds (default 1000). */
  tickMs?: number;
  /** Fenced ownership of the session on a shared store. */
  ownership?: SessionOwnership;
  /** Lease length in milliseconds (renewed every third of it). */
  leaseMs?: number;
  /**
   * The owner record's resting version (`SessionOwnership.restingVersion`) read just before the
   * store was opened: when the first acquisition takes the session over from that very record,
   * nobody wrote the store since and it is not read again.
   */
  storeLoadedUnder?: string;
  /**
   * Keep ownership across connections, released only by `close()` (default: initiators). An
   * acceptor releases it when a connection ends so another node can serve the next one at once.
   */
  keepOwnership?: boolean;
  /**
   * Received bytes handled per event-loop turn (`InboundBytesPerTurn`, default 8 KiB): the rest
   * waits for the next turn with the socket paused, so one flooding counterparty cannot starve
   * the other sessions of the process.
   */
  inboundBytesPerTurn?: number;
  /**
   * The share of the time (percent, `ResendCpuShare`, default 50) a resend may take while it goes
   * out: after each burst of chunks it pauses long enough to leave the rest to other sessions.
   */
  resendCpuShare?: number;
  /**
   * How long a resend waits for the counterparty to read what was sent before the connection is
   * dropped as a slow reader (milliseconds, default 30 s).
   */
  resendDrainTimeoutMs?: number;
}

/** Bytes waiting in the socket before a resend waits for it to drain before its next chunk. */
const RESEND_HIGH_WATER = 64 * 1024;

/** A change of this node's ownership of a session, for operations. */
export interface OwnershipEvent {
  /**
   * acquired: this node owns the session; refused: a live node does; lost: fenced; released: given
   * up; failed: taking it failed (`reason` says why: a lease folder that does not exist, a database
   * that does not answer) and is retried.
   */
  readonly state: 'acquired' | 'refused' | 'lost' | 'released' | 'failed';
  /** This node's name. */
  readonly node: string;
  /** Our epoch (acquired, lost, released) or the owner's (refused). */
  readonly epoch: number;
  /** The owning node when refused or lost (when known). */
  readonly owner?: string;
  readonly reason?: string;
}

/**
 * The store failed (database gone, disk full, file unwritable): the session stopped without sending
 * anything it could not store, and serves again by itself once the store works.
 */
export interface StoreFaultEvent {
  /** disconnected: the connection was dropped; refused: a new connection was closed before its Logon was read. */
  readonly action: 'disconnected' | 'refused';
  readonly reason: string;
}

/** Where an unexpected error surfaced in a session (see {@link SessionFaultEvent}). */
export type FaultSite =
  /** Handling bytes read from the socket. */
  | 'data'
  /** The socket closed. */
  | 'close'
  /** The session timer (heartbeats, timeouts). */
  | 'timer'
  /** Stored messages loaded for a resend. */
  | 'resend'
  /** An awaited application callback settled. */
  | 'callback'
  /** Writing the turn's messages (store flush, socket write). */
  | 'flush'
  /** Taking over a connection. */
  | 'attach'
  /** Renewing the session's ownership lease. */
  | 'lease'
  /** A call of the session's API: send, logout, disconnect. */
  | 'api';

/**
 * An unexpected error (a bug, or input or store content nothing else caught) stopped the session's
 * current connection: the socket was destroyed and the session goes on from what its store holds,
 * ready for the next connection. The process is not affected.
 */
export interface SessionFaultEvent {
  readonly site: FaultSite;
  readonly error: Error;
  /** A connection was dropped (false: none was attached). */
  readonly dropped: boolean;
  /** This session's faults so far, this one included (also {@link Session.faultCount}). */
  readonly count: number;
}

/**
 * What {@link Session.trySend} did with a message: sent (or, before logon, stored to go out with
 * the resend that follows the next Logon: `queued`), or not, and why.
 */
export type SendResult = { readonly sent: true; readonly queued: boolean } | { readonly sent: false; readonly reason: SendRefusal; readonly text: string };

/** The application's callback threw and the session answered the message with a Reject or a BusinessMessageReject. */
export interface ApplicationRejectEvent {
  /** MsgType of the message the application threw on. */
  readonly msgType: string;
  /** Its MsgSeqNum (0 when it had none). */
  readonly seq: number;
  /** What the counterparty was sent: a session Reject (35=3) or a BusinessMessageReject (35=j). */
  readonly reject: 'reject' | 'business-reject';
  /** What the application threw. */
  readonly error: Error;
}

/** The events of a {@link Session}. */
export interface SessionHandleEvents {
  /** Everything the session reports, for logs (messages in and out, notes, errors). */
  event: [SessionEvent];
  /** The connection ended (the reason). */
  disconnected: [string];
  /** The session is logged on. */
  logon: [];
  /** The session logged out: why, and the Text(58) of the counterparty's Logout when it had one. */
  logout: [reason: string, text?: string];
  /** The application's callback threw for an incoming message, which was answered with a reject. */
  applicationReject: [ApplicationRejectEvent];
  /** The session was closed (`close`, `Engine.stop`): it takes no connection any more. */
  closed: [];
  /** This node became the owner of the session with this epoch. */
  owner: [number];
  /** A failover transport event of an initiator session (see Initiator). */
  transport: [FailoverEvent];
  /** Ownership acquired, refused, lost or released. */
  ownership: [OwnershipEvent];
  /** A store failure stopped the session (see StoreFaultEvent). */
  storeFault: [StoreFaultEvent];
  /** An unexpected error ended the connection (see SessionFaultEvent). */
  fault: [SessionFaultEvent];
  /** The store repaired its data when it loaded it (file, offset, what was dropped or set). */
  storeRepair: [StoreRepair];
}

/** {@link Session.loggedOn} waited longer than its `timeoutMs`. */
export class LogonTimeoutError extends FixoverError {}

/** The session was closed (`Session.close`, `Engine.stop`) while something waited for it. */
export class SessionClosedError extends FixoverError {}

const SEND_REFUSALS: Record<SendRefusal, (id: string) => string> = {
  'not-logged-on': (id) => `${id} is not logged on and its next Logon resets the sequence numbers: the message would be lost`,
  vetoed: () => 'toApp vetoed it (DoNotSend)',
  'sequence-exhausted': (id) => `${id} has used up its sequence numbers: reset the session`,
  fault: (id) => `an unexpected error ended the connection of ${id} (see its fault event)`,
};

/** An operator's change was refused: another live node owns the session (make it there). */
export class SessionOwnedElsewhereError extends FixoverError {
  override readonly code = 'owned_elsewhere';
}

/** A snapshot of a session for operations (see {@link Session.status}). */
export interface SessionStatus {
  /** The session ID, e.g. `FIX.4.2:EXEC->BANZAI`. */
  readonly sessionId: string;
  readonly role: 'initiator' | 'acceptor';
  /** A connection is attached. */
  readonly connected: boolean;
  /** Logged on both ways. */
  readonly loggedOn: boolean;
  readonly nextSenderSeq: number;
  readonly nextTargetSeq: number;
  /** This node's name in the session's ownership (undefined without ownership). */
  readonly node?: string;
  /** Our ownership epoch (0 when this node does not own the session, or without ownership). */
  readonly ownerEpoch: number;
  /** The counterparty's `host:port` while connected. */
  readonly remoteAddress?: string;
  /** When a message was last received / written, ms since the epoch. */
  readonly lastReceivedAt?: number;
  readonly lastSentAt?: number;
  /** Messages received / written since start. */
  readonly messagesIn: number;
  readonly messagesOut: number;
  /** Bytes waiting to be written to the connection (this turn's batch and the socket's buffer). */
  readonly queuedOutBytes: number;
  /** Messages received above a sequence gap, waiting for it to be filled. */
  readonly queuedAboveGap: number;
  /** Inside the session's schedule now. */
  readonly inSchedule: boolean;
  /** Unexpected errors that ended a connection so far. */
  readonly faults: number;
}

/**
 * One FIX session with its store; connections come and go. From code: `send`/`trySend` messages,
 * `await loggedOn()`, `logout(text)`, `reset()` and `setSequenceNumbers()`, `status()`; listen to
 * `logon`, `logout` (reason and the counterparty's text), `applicationReject`, `fault` and the
 * rest of {@link SessionHandleEvents}. Get one with `engine.session(id)` or `engine.sessions`.
 */
export class Session extends EventEmitter<SessionHandleEvents> {
  /**
   * The sans-I/O state machine the session drives. Read `core.stats` for the running counts the
   * metrics read ({@link SessionStats}); the rest of it is internal: use the session's own methods.
   */
  readonly core: SessionCore;
  readonly id: SessionID;
  private socket: Socket | null = null;
  /** The turn's outgoing messages: the first `batchCount` entries (the array is reused). */
  private batch: Buffer[] = [];
  private batchCount = 0;
  private batchBytes = 0;
  private flushScheduled = false;
  /** Handling bytes read from the socket: what it sends is written when the read is handled. */
  private receiving = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxQueuedBytes: number;
  private readonly resendDrainTimeoutMs: number;
  /** The socket this session closed itself and why (the reason its close is reported with). */
  private dropped: { socket: Socket; reason: string } | null = null;
  private readonly tickMs: number;
  /** Serialises store flushes and socket writes. */
  private chain: Promise<void> = Promise.resolve();
  /** Steps on `chain` not finished yet (0: the chain is idle). */
  private chained = 0;
  /** RefreshOnLogon for an acceptor: reload the store before the first message of a connection. */
  refreshBeforeLogon = false;
  /**
   * Asked before this node takes the session at a Logon: a reason to refuse it (sent in the Logout),
   * or null. A cluster member refuses a session it recently moved to a live node (docs/cluster.md).
   */
  claimGuard: (() => Promise<{ reason: string; owner?: string } | null>) | null = null;
  /** A cluster move in progress: hand ownership to this node when the connection ends. */
  private handover: { node: string; reserveMs: number } | null = null;
  /** Fenced ownership of the session (shared stores), when configured. */
  readonly ownership: SessionOwnership | undefined;
  private readonly leaseMs: number;
  private readonly keepOwnership: boolean;
  /** The owner record's resting version read before the store's last load (see `SessionHandleOptions.storeLoadedUnder`). */
  private storeLoadedUnder: string | undefined;
  private renewTimer: NodeJS.Timeout | null = null;
  /** The epoch this node last took the session at (kept after a fence: the loss is reported with it). */
  private heldEpoch = 0;
  /** The epoch whose loss was reported: a loss is reported once, however many writes it refuses. */
  private lossReported = -1;
  /** Answers resend requests chunk by chunk. */
  private readonly resends: ResendPump;
  /** Counts connections: a resend asked on one is not continued on the next. */
  private connection = 0;
  private readonly share: ReadShare;
  /** Received bytes left for a later turn (over the turn's share), and whether a turn is scheduled for them. */
  private heldInput: Buffer | null = null;
  private inputScheduled = false;
  /** Reading stopped until then (the inbound message rate was exceeded). */
  private pausedUntil = 0;
  private pauseTimer: NodeJS.Timeout | null = null;
  private faults = 0;
  /** How long store flushes took (ms), for operations; written on each flush, read by metrics. @internal */
  readonly flushTimes = new LatencyHistogram();

  constructor(
    options: SessionOptions,
    readonly store: MessageStore,
    app: Application<SessionID> = {},
    handle: SessionHandleOptions = {},
  ) {
    super();
    this.core = new SessionCore(options, app);
    this.id = options.sessionId;
    this.core.setSequenceNumbers(store.getNextSenderSeq(), store.getNextTargetSeq(), store.creationTime.getTime());
    this.maxQueuedBytes = handle.maxQueuedBytes ?? 16 * 1024 * 1024;
    this.resendDrainTimeoutMs = handle.resendDrainTimeoutMs ?? 30_000;
    this.ownership = handle.ownership;
    this.leaseMs = handle.leaseMs ?? 5000;
    this.storeLoadedUnder = handle.storeLoadedUnder;
    this.keepOwnership = handle.keepOwnership ?? options.role === 'initiator';
    // A store shared by nodes checks the ownership epoch of every write before making it.
    const fenceable = store as MessageStore & { fenceBy?: (own: SessionOwnership) => void };
    if (this.ownership && typeof fenceable.fenceBy === 'function') fenceable.fenceBy(this.ownership);
    this.tickMs = handle.tickMs ?? 1000;
    this.share = new ReadShare(handle.inboundBytesPerTurn);
    this.resends = new ResendPump({
      store,
      deliverChunk: (job, messages, done) => this.contain('resend', this.chunkLoaded, { job, messages, done }),
      isCurrent: (connection) => connection === this.connection && this.socket !== null && this.core.isConnected,
      yieldTurn: () => this.resendYield(),
      failed: (err) => this.contain('resend', this.emitError, err),
    }, RESEND_CHUNK, new ResendPacer(handle.resendCpuShare ?? DEFAULT_RESEND_CPU_SHARE));
    // Incoming messages are copied for the `event` listeners (logs) that want them only: none, no copy.
    // Outgoing ones are not copied, but not even announced when nobody listens.
    this.core.incomingEvents = false;
    this.core.outgoingEvents = false;
    const untyped = this as EventEmitter;
    const wants = (l: unknown): boolean => (l as SessionEventListener).wantsIncoming !== false;
    untyped.on('newListener', (name: string | symbol, listener: unknown) => {
      if (name !== 'event') return;
      this.core.outgoingEvents = true;
      if (wants(listener)) this.core.incomingEvents = true;
    });
    untyped.on('removeListener', (name: string | symbol) => {
      if (name !== 'event') return;
      const listeners = untyped.listeners('event');
      this.core.incomingEvents = listeners.some(wants);
      this.core.outgoingEvents = listeners.length > 0;
    });
  }

  /** Unexpected errors that ended a connection of this session (see the `fault` event). */
  get faultCount(): number {
    return this.faults;
  }

  /** A socket is attached (acceptor: after the first frame identified this session). */
  get hasSocket(): boolean {
    return this.socket !== null;
  }

  /** The IP address of the counterparty on the attached connection ('' without one). */
  get remoteHost(): string {
    return this.socket?.remoteAddress ?? '';
  }

  get isLoggedOn(): boolean {
    return this.core.isLoggedOn;
  }

  /** This node may run the session: it owns it with a live lease, or no ownership is configured. */
  get ownsSession(): boolean {
    return !this.ownership || this.ownership.holds();
  }

  /** Our ownership epoch of the session (0 when this node does not own it, or without ownership). */
  get ownerEpoch(): number {
    return this.ownership?.epoch ?? 0;
  }

  /** The current owner of the session as recorded in the shared store (undefined without ownership). */
  async owner(): Promise<OwnerRecord | undefined> {
    return this.ownership?.current();
  }

  /** The counterparty's address of the current connection (`host:port`), or undefined without one. */
  get remoteAddress(): string | undefined {
    const s = this.socket;
    return s?.remoteAddress === undefined ? undefined : `${s.remoteAddress}:${s.remotePort ?? ''}`;
  }

  /**
   * A snapshot of the session for operations: connection, sequence numbers, ownership, traffic
   * and queues (see {@link SessionStatus}).
   */
  status(): SessionStatus {
    const core = this.core;
    const stats = core.stats;
    const gap = core.queuedAboveGap;
    return {
      sessionId: this.id.toString(),
      role: core.options.role,
      connected: this.socket !== null,
      loggedOn: core.isLoggedOn,
      nextSenderSeq: core.nextSenderSeq,
      nextTargetSeq: core.nextTargetSeq,
      node: this.ownership?.node,
      ownerEpoch: this.ownerEpoch,
      remoteAddress: this.remoteAddress,
      lastReceivedAt: stats.lastReceivedAt || undefined,
      lastSentAt: stats.lastSentAt || undefined,
      messagesIn: stats.messagesIn.total(),
      messagesOut: stats.messagesOut.total(),
      queuedOutBytes: this.batchBytes + (this.socket?.writableLength ?? 0),
      queuedAboveGap: gap.messages,
      inSchedule: core.isSessionTime(Date.now()),
      faults: this.faults,
    };
  }

  /**
   * Sets the next sender and/or target sequence numbers (each kept when undefined), like
   * QuickFIX/J's setNextSenderMsgSeqNum/setNextTargetMsgSeqNum: applied in order with what the
   * session is doing, and stored (flushed) before the returned promise resolves. The connection,
   * if any, stays up: the counterparty sees the new numbers on the next messages.
   * @throws InvalidSeqNumError when a number is not an integer from 1 to 4294967295 (nothing is changed)
   */
  async setSequenceNumbers(nextSender?: number, nextTarget?: number): Promise<void> {
    if (nextSender !== undefined) checkSeqNum(nextSender);
    if (nextTarget !== undefined) checkSeqNum(nextTarget);
    await this.asOwner(() => this.contain('api', this.setNumbersNow, { nextSender, nextTarget }));
  }

  private setNumbersNow({ nextSender, nextTarget }: { nextSender?: number; nextTarget?: number }): void {
    this.run(this.core.setNextSequenceNumbers(nextSender, nextTarget, Date.now()));
  }

  /**
   * Resets the session (QuickFIX/J's SessionAdmin reset): when logged on it sends a Logout with
   * `reason` as Text, the connection ends, and both sequence numbers go back to 1 with the store
   * reset, stored before the returned promise resolves. The next logon starts a new FIX session.
   */
  async reset(reason = 'session reset by operator'): Promise<void> {
    await this.asOwner(() => this.contain('api', this.resetNow, reason));
  }

  private resetNow(reason: string): void {
    this.run(this.core.reset(reason, Date.now()));
  }

  /**
   * Runs an operator's change and waits until it is stored. With ownership on a shared store, a
   * session this node does not hold now (an acceptor between connections) is taken for the
   * change (the store reloaded first, as another node may have written it) and given up after.
   * @throws SessionOwnedElsewhereError when another live node owns the session (nothing is changed)
   * @throws the store's error when the change could not be stored
   */
  private async asOwner(step: () => void): Promise<void> {
    // What is queued first (the release of ownership after a connection ended, among others).
    await this.chain;
    const own = this.ownership;
    const borrow = own !== undefined && !own.holds() && this.socket === null;
    if (borrow) {
      const refusal = await this.claim();
      if (refusal !== null) throw new SessionOwnedElsewhereError(refusal);
    }
    try {
      step();
      await this.storeWrites();
    } finally {
      if (borrow && this.socket === null) await this.releaseOwnership();
    }
  }

  /** Waits until what the session did so far is stored (flushed) and written; throws what the store threw. */
  private async storeWrites(): Promise<void> {
    if (this.flushScheduled || this.batchCount > 0) this.flush();
    let failure: unknown = null;
    this.after(
      () => this.store.flush(),
      (err) => {
        failure = err ?? new Error('store flush failed');
        this.storeFailed(err, 'disconnected');
      },
    );
    await this.chain;
    if (failure !== null) throw failure;
  }

  /**
   * Takes over a connected socket; `initial` are bytes already read from it. With ownership the
   * session is first acquired (a session a live node owns is refused: the socket is closed without
   * a byte) and the store refreshed, since another node may have written it.
   */
  attach(socket: Socket, initial?: Buffer): void {
    this.contain('attach', this.attachNow, { socket, initial });
  }

  private attachNow({ socket, initial }: { socket: Socket; initial?: Buffer }): void {
    const claim = this.ownership !== undefined && !this.keepOwnership;
    // An acceptor owning a shared session continues past the refusals other nodes sent for it.
    const refusals = this.ownership?.lastRefusal !== undefined && this.core.options.role === 'acceptor';
    if (!this.refreshBeforeLogon && !claim && !refusals) {
      this.bind(socket, initial);
      return;
    }
    socket.pause();
    this.socket = socket;
    const ready = async (): Promise<string | null> => {
      const refusal = claim ? await this.claim() : this.refreshBeforeLogon ? await this.refresh().then(() => null) : null;
      if (refusal === null && refusals && !socket.destroyed) {
        try {
          await this.skipRefused();
        } catch (e) {
          // The store cannot be written: no Logon now, and the session is not kept from the others.
          if (claim) await this.releaseOwnership().catch(() => undefined);
          throw e;
        }
      }
      return refusal;
    };
    ready().then(
      (refusal) => this.contain('attach', this.claimed, { socket, initial, refusal }),
      (err: unknown) => {
        // The store (or the ownership records next to it) cannot be read or written: no Logon now.
        this.socket = null;
        socket.destroy();
        this.contain('attach', this.refusedByStore, err);
      },
    );
  }

  /** The claim (or refresh) before a connection's Logon is done: bind the socket, or refuse it. */
  private claimed({ socket, initial, refusal }: { socket: Socket; initial?: Buffer; refusal: string | null }): void {
    if (refusal === null && socket.destroyed) {
      // The client went away while the claim waited (a stalled owner's lease): give the session up.
      this.socket = null;
      this.after(() => this.releaseOwnership(), (err) => this.emitError(err));
      return;
    }
    if (refusal === null) return this.bind(socket, initial);
    // Refused: a Logout naming the owner, then the connection ends; nothing is stored here. The
    // Logout's number is one of the session's own, recorded for the owner to continue past
    // (src/fencing/refusal-record.ts): a counterparty that counts it expects what the owner sends.
    this.socket = null;
    reserveRefusalSeq(this.store, this.ownership).then(
      (seq) => this.contain('attach', this.sendRefusal, { socket, refusal, seq }),
      (err: unknown) => {
        this.emit('event', { kind: 'note', text: `the refusal could not be recorded, sent with this node's own MsgSeqNum: ${err instanceof Error ? err.message : String(err)}` });
        this.contain('attach', this.sendRefusal, { socket, refusal, seq: undefined });
      },
    );
  }

  private sendRefusal({ socket, refusal, seq }: { socket: Socket; refusal: string; seq: number | undefined }): void {
    socket.end(this.core.refusal(refusal, Date.now(), seq));
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  /**
   * Before answering a Logon as the owner: the next outgoing number moved past the last refusal
   * another node sent for the session (a counterparty that counted it expects the number after),
   * and stored. When the record cannot be read, the Logon is answered as it is (a note says so).
   */
  private async skipRefused(): Promise<void> {
    let skip: { next: number; refused: number } | null;
    try {
      skip = await skipRefusedSeq(this.store, this.ownership, this.core.nextSenderSeq);
    } catch (err) {
      this.emit('event', { kind: 'note', text: `the last refusal could not be read, the Logon is answered without continuing past it: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    if (skip === null) return;
    const from = this.core.nextSenderSeq;
    this.store.setNextSenderSeq(skip.next);
    this.core.setSequenceNumbers(skip.next, this.core.nextTargetSeq);
    this.emit('event', {
      kind: 'note',
      text: `next outgoing MsgSeqNum raised from ${from} to ${skip.next}: another node refused a Logon for ${this.id.toString()} with a Logout numbered ${skip.refused} (a counterparty counts it; nothing is stored under it, a resend gap-fills it)`,
    });
    await this.store.flush();
  }

  /**
   * Takes ownership of the session and reloads the store (another node may have written it).
   * Resolves with null when this node owns the session, else with the reason it may not.
   */
  async claim(): Promise<string | null> {
    const own = this.ownership;
    if (!own) {
      if (this.refreshBeforeLogon) await this.refresh();
      return null;
    }
    const refused = this.claimGuard ? await this.claimGuard() : null;
    if (refused !== null) {
      this.emit('event', { kind: 'note', text: `ownership refused: ${refused.reason}` });
      this.emit('ownership', { state: 'refused', node: own.node, epoch: 0, owner: refused.owner, reason: refused.reason });
      return refused.reason;
    }
    let r = await own.acquire();
    // Another node owns it: a connection's Logon watches the owner record while the connection
    // lasts. Renewed: a live owner, refused. Not renewed until its lease ran out (paused,
    // partitioned): taken over then, instead of refused (src/fencing/stalled-owner.ts). An
    // operator's change is refused at once, as before.
    const first = r.acquired ? null : r.owner;
    const waiting = (): number | null => (r.acquired || first === null || this.socket === null || this.socket.destroyed ? null : stalledOwnerWait(first, r.owner, Date.now()));
    for (let wait = waiting(); wait !== null; wait = waiting()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(wait, 1), 100)));
      r = await own.acquire();
    }
    if (!r.acquired) {
      const reason =
        r.owner.pid === 0 && r.owner.movingTo !== undefined
          ? `session ${this.id.toString()} is moving to node ${r.owner.movingTo}`
          : `session ${this.id.toString()} is active on node ${r.owner.node} (epoch ${r.owner.epoch})`;
      this.emit('event', { kind: 'note', text: `ownership refused: ${reason}` });
      this.emit('ownership', { state: 'refused', node: own.node, epoch: r.owner.epoch, owner: r.owner.node, reason });
      return reason;
    }
    this.heldEpoch = r.epoch;
    this.startRenewing(own);
    // The store is reloaded whatever RefreshOnLogon says: the previous owner may have written it.
    // Unless nobody owned the session since the store was loaded (the owner record taken over is
    // the one at rest then): then the files are as loaded.
    const loadedUnder = this.storeLoadedUnder;
    this.storeLoadedUnder = undefined;
    try {
      if (!(own.acquiredFrom?.(loadedUnder) && this.adoptLoaded())) await this.refresh();
    } catch (e) {
      await this.releaseOwnership();
      throw e;
    }
    this.emit('event', { kind: 'note', text: `owner of ${this.id.toString()}: node ${own.node}, epoch ${r.epoch}` });
    this.emit('owner', r.epoch);
    this.emit('ownership', { state: 'acquired', node: own.node, epoch: r.epoch });
    return null;
  }

  /** Gives ownership up (if held) so another node can take the session at once. */
  private async releaseOwnership(): Promise<void> {
    const own = this.ownership;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    if (!own?.epoch) return;
    const epoch = own.epoch;
    // A lease that ran out (the node was paused) is not ours to release: another node may own it.
    const lost = !own.holds();
    const handover = this.handover;
    this.handover = null;
    if (handover && own.handOver && !lost) await own.handOver(handover.node, Date.now() + handover.reserveMs);
    else await own.release();
    if (lost) {
      if (this.lossReported === epoch) return;
      this.lossReported = epoch;
      const reason = `the lease ran out before the connection ended (epoch ${epoch})`;
      this.emit('event', { kind: 'note', text: `ownership lost: ${reason}` });
      this.emit('ownership', { state: 'lost', node: own.node, epoch, reason });
      return;
    }
    this.emit('event', { kind: 'note', text: handover ? `handed ${this.id.toString()} over to node ${handover.node}: node ${own.node}, epoch ${epoch}` : `released ${this.id.toString()}: node ${own.node}, epoch ${epoch}` });
    this.emit('ownership', { state: 'released', node: own.node, epoch });
  }

  private startRenewing(own: SessionOwnership): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    // Often (a tenth of the lease): the pause a node survives is then close to the lease whatever
    // its phase (src/fencing/lease-timing.ts).
    const every = leaseTiming(this.leaseMs).renewEveryMs;
    this.renewTimer = setInterval(() => {
      own.renew().catch((err: unknown) => this.contain('lease', this.fenced, err));
    }, every);
    this.renewTimer.unref?.();
  }

  /**
   * Lost ownership, or could not renew it (the store is unreachable, so the lease cannot be kept):
   * drop the connection at once, writing nothing more (to the store or the socket).
   */
  private fenced(err: unknown, socket: Socket | null = this.socket): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    this.dropBatch();
    // Input read before the fence and held for a later turn is not handled: each turn would only
    // be refused again.
    if (socket !== null && socket === this.socket) this.heldInput = null;
    socket?.destroy();
    if (!(err instanceof StoreFencedError)) return this.storeFailed(err, 'disconnected');
    const own = this.ownership;
    // Writes made after the fence carry epoch 0; the loss is of the epoch this node held, and is
    // reported once (a woken node refuses every write queued while it was paused).
    const epoch = err.epoch !== 0 ? err.epoch : this.heldEpoch;
    if (this.lossReported === epoch) return;
    this.lossReported = epoch;
    const reason = (epoch === err.epoch ? err : new StoreFencedError(epoch, err.current, err.why)).message;
    this.emit('event', { kind: 'note', text: `ownership lost, connection dropped: ${reason}` });
    if (own) this.emit('ownership', { state: 'lost', node: own.node, epoch, owner: err.current?.node, reason });
  }

  private bind(socket: Socket, initial?: Buffer): void {
    this.socket = socket;
    this.connection++;
    this.heldInput = null;
    this.pausedUntil = 0;
    socket.resume();
    socket.on('data', (chunk: Buffer) => {
      // A socket the session let go of (closed after a Logout, still half-open) feeds nothing to the next connection.
      if (socket === this.socket) this.contain('data', this.received, chunk);
    });
    socket.on('close', () => this.contain('close', this.onClose, socket));
    socket.on('error', () => undefined);
    this.run(this.core.connected(Date.now()));
    if (initial && initial.length > 0) this.received(initial);
    this.timer ??= setInterval(() => this.contain('timer', this.ticked, Date.now()), this.tickMs);
    this.timer.unref?.();
  }

  /** The store's state as loaded is taken as the files' (see `FileStore.adoptLoaded`); false when it must be refreshed. */
  private adoptLoaded(): boolean {
    const store = this.store as MessageStore & { adoptLoaded?: () => boolean };
    return typeof store.adoptLoaded === 'function' && store.adoptLoaded();
  }

  /** Reloads sequence numbers from the store (RefreshOnLogon, or on demand); reports its repairs. */
  async refresh(): Promise<void> {
    this.storeLoadedUnder = undefined;
    await this.store.refresh();
    this.core.setSequenceNumbers(this.store.getNextSenderSeq(), this.store.getNextTargetSeq(), this.store.creationTime.getTime());
    this.reportStoreRepairs();
  }

  /**
   * Reports what the store repaired when it last loaded its data: a log line (`note` event) and a
   * `storeRepair` event each. The engine calls it once the session's log and listeners are
   * attached (for the repairs made when the store was opened); `refresh` calls it after reloading.
   */
  reportStoreRepairs(): void {
    for (const r of this.store.repairs ?? []) {
      this.emit('event', { kind: 'note', text: `store repaired: ${formatRepair(r)}` });
      this.emit('storeRepair', r);
    }
  }

  /**
   * The session's dictionary (from `DataDictionary`, or `TransportDataDictionary` with the default
   * `AppDataDictionary` for FIXT), attached to every message the application receives and to
   * messages made by {@link Session.newMessage}; undefined when the session has none.
   */
  get dictionary(): MessageSchema | undefined {
    return this.core.options.schema;
  }

  /**
   * A new message to send on this session, e.g. `session.newMessage('D').set('ClOrdID', 'A1')`:
   * the session's dictionary is attached (fields by name, repeating groups, `Date` values written
   * in their field's type) and BeginString, SenderCompID and TargetCompID are set, so `toString()`
   * and `toJSON()` work before it is sent. The rest of the header is filled in by `send`.
   */
  newMessage(msgType: string): Message {
    return this.core.newMessage(msgType);
  }

  /**
   * Sends a message: stored, then written when logged on. Returns false when toApp vetoed it, or
   * when an unexpected error ended the connection (a `fault` event). The header fields are filled
   * in on `message` itself; the session keeps no reference to it once send returns (it is
   * encoded, or copied while a resend is being loaded), so it may be reused.
   */
  send(message: Message): boolean {
    const faults = this.faults;
    return this.contain('api', this.sendNow, message) === true && this.faults === faults;
  }

  private sendNow(message: Message): boolean {
    const r = this.core.send(message, Date.now());
    this.lastRefusal = r.refusal;
    this.run(r.actions);
    return r.sent;
  }

  /** The counterparty's Logon announced ClusterTopologySupport(21110)=Y: it takes cluster messages (U1/U2). */
  get peerSupportsCluster(): boolean {
    return this.core.peerSupportsCluster;
  }

  /**
   * Sends a cluster message (U1 ClusterTopology, U2 ReconnectTo; docs/cluster.md) when logged on
   * and the counterparty announced support; stored, gap-filled on resend. False when not sent.
   */
  sendClusterMessage(message: Message): boolean {
    return this.contain('api', this.sendClusterNow, message) === true;
  }

  private sendClusterNow(message: Message): boolean {
    const r = this.core.sendClusterMessage(message, Date.now());
    this.run(r.actions);
    return r.sent;
  }

  private lastRefusal: SendRefusal | undefined;

  /**
   * Sends a message as {@link Session.send} does, and says what became of it: sent, queued (not
   * logged on: stored, to go out with the resend after the next Logon), or refused and why.
   */
  trySend(message: Message): SendResult {
    const loggedOn = this.isLoggedOn;
    this.lastRefusal = undefined;
    if (this.send(message)) return { sent: true, queued: !loggedOn };
    const reason: SendRefusal = this.lastRefusal ?? 'fault';
    return { sent: false, reason, text: SEND_REFUSALS[reason](this.id.toString()) };
  }

  /**
   * Resolves once the session is logged on (at once when it is). Rejects with
   * {@link LogonTimeoutError} after `timeoutMs` (when given) and with {@link SessionClosedError}
   * when the session is closed first.
   */
  loggedOn(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (this.isLoggedOn) return Promise.resolve();
    if (this.closedNow) return Promise.reject(new SessionClosedError(`session ${this.id.toString()} is closed`));
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.off('logon', onLogon);
        this.off('closed', onClosed);
      };
      const onLogon = (): void => {
        done();
        resolve();
      };
      const onClosed = (): void => {
        done();
        reject(new SessionClosedError(`session ${this.id.toString()} was closed before it logged on`));
      };
      const timer = options.timeoutMs === undefined ? null : setTimeout(() => {
        done();
        reject(new LogonTimeoutError(`session ${this.id.toString()} did not log on within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      this.on('logon', onLogon);
      this.on('closed', onClosed);
    });
  }

  private closedNow = false;

  /**
   * Moves the session to another node of a cluster: logs out with `text` (naming the target) and,
   * when the connection ends, hands ownership over to `node` so that only it may take the session
   * for `reserveMs`. Nothing is lost: the Logout exchange ends the connection cleanly and the target
   * reloads the shared store.
   */
  handOver(node: string, text: string, reserveMs: number): void {
    if (!this.ownership?.epoch || this.keepOwnership) return;
    this.handover = { node, reserveMs };
    this.logout(text);
  }

  /**
   * Marks the session as moving to `node` without logging out: when the connection ends (the
   * client logs out after a ReconnectTo, or `handOver` logs it out), ownership goes to `node` as
   * with `handOver`. False when this node does not hold the session.
   */
  markHandOver(node: string, reserveMs: number): boolean {
    if (!this.ownership?.epoch || this.keepOwnership) return false;
    this.handover = { node, reserveMs };
    return true;
  }

  /** Logs out (the socket closes when the Logout is answered or times out). */
  logout(reason = ''): void {
    this.contain('api', this.logoutNow, reason);
  }

  private logoutNow(reason: string): void {
    this.run(this.core.logout(reason, Date.now()));
  }

  /** Closes the socket at once. */
  disconnect(reason = 'closed'): void {
    this.contain('api', this.disconnectNow, reason);
    this.socket?.destroy();
  }

  private disconnectNow(reason: string): void {
    this.run(this.core.disconnected(Date.now(), reason));
  }

  private ticked(now: number): void {
    this.run(this.core.tick(now));
  }

  /** Waits until everything queued was stored and written. */
  async drain(): Promise<void> {
    await this.chain;
  }

  /** Stops timers and closes the store. */
  async close(): Promise<void> {
    if (!this.closedNow) {
      this.closedNow = true;
      this.emit('closed');
    }
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    await this.drain();
    await this.store.close();
    await this.releaseOwnership().catch((err: unknown) => this.emitError(err));
  }

  /** The peer closed (or the socket failed). A socket the session already let go of is ignored. */
  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    const reason = this.dropped?.socket === socket ? this.dropped.reason : 'connection closed';
    this.dropped = null;
    this.detach();
    this.run(this.core.disconnected(Date.now(), reason));
    this.emit('disconnected', reason);
  }

  /** Lets go of the socket: a new connection may attach at once; ownership is released after the queued writes. */
  private detach(): void {
    this.socket = null;
    this.heldInput = null;
    if (this.ownership?.epoch && !this.keepOwnership) {
      // Let another node take the session at once, after what was queued is stored.
      this.after(() => this.releaseOwnership(), (err) => this.emitError(err));
    }
  }

  /** Executes the core's actions in order. @internal */
  run(actions: SessionAction[]): void {
    for (const a of actions) {
      if (applyStoreAction(this.store, a, Date.now())) continue;
      switch (a.type) {
        case 'send':
          if (a.write) this.queue(a.bytes);
          break;
        case 'load-resend':
          this.resends.add({ begin: a.begin, end: a.end, connection: this.connection } satisfies ResendJob);
          break;
        case 'pause-input':
          this.pauseInput(a.ms);
          break;
        case 'disconnect':
          this.closeAfterFlush(a.reason);
          break;
        case 'wait':
          a.promise.then(
            () => this.contain('callback', this.resumed, undefined),
            (err: unknown) => this.contain('callback', this.resumed, err ?? new Error('rejected')),
          );
          break;
        case 'event':
          this.emit('event', a.event);
          if (a.event.kind === 'logon') this.emit('logon');
          else if (a.event.kind === 'logout') this.emit('logout', a.event.reason, a.event.text);
          else if (a.event.kind === 'application-reject') this.emit('applicationReject', { msgType: a.event.msgType, seq: a.event.seq, reject: a.event.reject, error: a.event.error });
          break;
      }
    }
  }

  /** A chunk of a resend was read from the store: the core answers it. */
  private chunkLoaded({ job, messages, done }: { job: ResendJob; messages: readonly StoredMessage[]; done: boolean }): void {
    // A resend asked on a connection that ended gets nothing more, even when another is up by now.
    if (job.connection !== this.connection) {
      if (done) this.run(this.core.resendCancelled(Date.now()));
      return;
    }
    this.run(this.core.resendChunk(job.begin, job.end, messages, done, Date.now()));
  }

  private resumed(err: unknown): void {
    this.run(this.core.resume(err, Date.now()));
  }

  /**
   * The session's last-resort boundary: every socket event, timer, store or callback continuation
   * and API call runs the session's code through here (`step` with `this` and its arguments, no
   * closure per call; its result is returned). An error nothing else handled ends the current connection with a fault
   * (see {@link fault}) and never leaves the session: the process stays up and the session serves
   * the next connection.
   */
  private contain<A, R>(site: FaultSite, step: (this: Session, arg: A) => R, arg: A): R | undefined {
    try {
      return step.call(this, arg);
    } catch (err) {
      this.fault(site, err);
      return undefined;
    }
  }

  /**
   * An unexpected error at `site`: the connection is destroyed (what was queued for it is dropped),
   * the core abandons the interrupted work and goes on from the store's sequence numbers, and the
   * fault is counted, logged (an `error` event) and emitted (`fault`).
   */
  private fault(site: FaultSite, err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    const count = ++this.faults;
    const socket = this.socket;
    this.dropBatch();
    if (socket) {
      this.detach();
      socket.destroy();
    }
    const where = error.stack?.split('\n').find((l) => l.trimStart().startsWith('at '))?.trim();
    const text = `unexpected ${error.name} in ${site}: ${error.message}${where ? ` (${where})` : ''}; ${socket ? 'connection dropped' : 'no connection'}`;
    try {
      this.emit('event', { kind: 'error', text });
      this.run(this.core.abandon(Date.now(), `fault: ${error.message}`, this.store.getNextSenderSeq(), this.store.getNextTargetSeq()));
      this.emit('fault', { site, error, dropped: socket !== null, count });
      if (socket) this.emit('disconnected', `fault: ${error.message}`);
    } catch (again) {
      // A second error while recovering (the store cannot even be read, or a listener threw): the
      // connection is gone already; say so and carry on.
      const e = again instanceof Error ? again : new Error(String(again));
      process.emitWarning(`fixover: ${this.id.toString()}: ${e.name} while handling a fault (${text}): ${e.message}`);
    }
  }

  private refusedByStore(err: unknown): void {
    this.storeFailed(err, 'refused');
  }

  private storeFailed(err: unknown, action: StoreFaultEvent['action']): void {
    this.emitError(err);
    this.emit('storeFault', { action, reason: err instanceof Error ? err.message : String(err) });
  }

  private emitError(err: unknown): void {
    this.emit('event', { kind: 'error', text: err instanceof Error ? err.message : String(err) });
  }

  private queue(bytes: Buffer): void {
    if (this.batchCount < this.batch.length) this.batch[this.batchCount] = bytes;
    else this.batch.push(bytes);
    this.batchCount++;
    this.batchBytes += bytes.length;
    const socket = this.socket;
    if (socket && socket.writableLength + this.batchBytes > this.maxQueuedBytes) {
      this.dropSlowReader(`peer is not reading: more than ${this.maxQueuedBytes} bytes queued`);
      return;
    }
    if (!this.flushScheduled && !this.receiving) {
      this.flushScheduled = true;
      setImmediate(() => this.contain('flush', this.flush, undefined));
    }
  }

  /**
   * Bytes read from the socket: handled up to the turn's share, the rest in later turns with the
   * socket paused meanwhile (and while reading is paused for the inbound rate).
   */
  private received(chunk: Buffer): void {
    if (this.heldInput !== null || this.pausedUntil > 0) {
      // Read before the socket paused: after what already waits.
      this.holdInput(chunk);
      return;
    }
    const n = this.share.allow(chunk.length);
    if (n === chunk.length) return this.handleInput(chunk);
    this.holdInput(chunk.subarray(n));
    if (n > 0) this.handleInput(chunk.subarray(0, n));
  }

  /** Keeps received bytes for a later turn and stops reading until then. */
  private holdInput(rest: Buffer): void {
    this.heldInput = this.heldInput === null ? rest : Buffer.concat([this.heldInput, rest]);
    this.socket?.pause();
    this.scheduleInput();
  }

  private scheduleInput(): void {
    if (this.inputScheduled || this.pausedUntil > 0) return;
    this.inputScheduled = true;
    setImmediate(() => this.contain('data', this.continueInput, undefined));
  }

  /** A later turn: handles what was held (up to the share), then reads again when nothing waits. */
  private continueInput(): void {
    this.inputScheduled = false;
    if (this.pausedUntil > 0) return;
    const socket = this.socket;
    const held = this.heldInput;
    this.heldInput = null;
    if (held !== null && socket !== null) this.received(held);
    if (this.heldInput === null && this.pausedUntil === 0 && socket !== null && socket === this.socket) socket.resume();
  }

  /** Stops reading for `ms` milliseconds (the inbound message rate was exceeded). */
  private pauseInput(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.socket?.pause();
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.contain('timer', this.unpauseInput, undefined), ms);
    this.pauseTimer.unref?.();
  }

  /** The inbound rate is met again: reading resumes (after what was held). */
  private unpauseInput(): void {
    this.pauseTimer = null;
    this.pausedUntil = 0;
    if (this.heldInput !== null) this.scheduleInput();
    else this.socket?.resume();
  }

  /** Between two chunks of a resend: what was sent is stored and written, and the socket has room. */
  private async resendYield(): Promise<void> {
    // The chunk's messages are flushed on the next turn (setImmediate, scheduled before this one).
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.chain;
    const socket = this.socket;
    if (!socket || socket.destroyed || socket.writableLength <= RESEND_HIGH_WATER) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      // A counterparty that does not read (heartbeats alone keep it logged on) must not hold the
      // resend, and the application messages held behind it, for ever.
      const timer = setTimeout(() => {
        done();
        if (socket === this.socket) this.contain('resend', this.dropSlowReader, `peer is not reading: a resend waited ${this.resendDrainTimeoutMs} ms for ${socket.writableLength} queued bytes to be read`);
      }, this.resendDrainTimeoutMs);
      timer.unref?.();
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  /** Drops the connection of a counterparty that does not read what is sent to it. */
  private dropSlowReader(reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.emitError(new Error(reason));
    this.dropBatch();
    this.dropped = { socket, reason };
    socket.destroy();
  }

  /** Handles bytes read from the socket; the replies go out at once, in one write. */
  private handleInput(chunk: Buffer): void {
    this.receiving = true;
    try {
      this.run(this.core.receive(chunk, Date.now()));
    } finally {
      this.receiving = false;
    }
    if (!this.flushScheduled) this.flush();
  }

  /** Store first, then one socket write for what was queued. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.batchCount === 0) return;
    const data = this.takeBatch();
    const socket = this.socket;
    if (this.chained === 0) {
      // Nothing queued before: store and write at once when the store needs no waiting.
      try {
        const t0 = performance.now();
        if (this.store.flushNow?.()) {
          this.flushTimes.observe(performance.now() - t0);
          return this.deliver(data, socket);
        }
      } catch (err) {
        return this.flushFailed(err, socket);
      }
    }
    this.after(
      () => {
        const t0 = performance.now();
        return this.store.flush().then(() => {
          this.flushTimes.observe(performance.now() - t0);
          this.deliver(data, socket);
        });
      },
      (err) => this.flushFailed(err, socket),
    );
  }

  /** The queued messages as one buffer (the only one when there is one); the batch is emptied. */
  private takeBatch(): Buffer {
    const batch = this.batch;
    const count = this.batchCount;
    let data = batch[0];
    if (count > 1) {
      data = Buffer.allocUnsafe(this.batchBytes);
      let p = 0;
      for (let i = 0; i < count; i++) {
        p += batch[i].copy(data, p);
        batch[i] = EMPTY;
      }
    }
    this.batchCount = 0;
    this.batchBytes = 0;
    return data;
  }

  private dropBatch(): void {
    this.batch = [];
    this.batchCount = 0;
    this.batchBytes = 0;
  }

  /** The turn's messages are stored: their bytes go out in one write. */
  private deliver(data: Buffer, socket: Socket | null): void {
    // Not a byte from a node whose lease ran out (paused past it), even with nothing to store.
    const own = this.ownership;
    if (own && !own.holds()) throw new StoreFencedError(own.epoch, undefined);
    if (socket && !socket.destroyed) socket.write(data);
  }

  private flushFailed(err: unknown, socket: Socket | null): void {
    if (err instanceof StoreFencedError) return this.fenced(err, socket);
    // Nothing that was not stored reaches the peer: drop the connection (a Logout would need a
    // sequence number the store cannot keep). The writes stay pending in the store, which
    // completes them before it is read again (the next Logon refreshes it).
    socket?.destroy();
    this.storeFailed(err, 'disconnected');
  }

  /** Queues a step after those queued before (store flushes, socket writes, ownership release). */
  private after(step: () => Promise<void> | void, onError: (err: unknown) => void): void {
    this.chained++;
    this.chain = this.chain
      .then(step)
      .catch((err: unknown) => this.contain('flush', onError, err))
      .finally(() => {
        this.chained--;
      });
  }

  /** The core ended the connection: write what is queued, then close; the session is free at once. */
  private closeAfterFlush(reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    if (this.flushScheduled || this.batchCount > 0) this.flush();
    this.detach();
    this.after(
      () => {
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      },
      (err) => this.emitError(err),
    );
    this.emit('disconnected', reason);
  }
}
