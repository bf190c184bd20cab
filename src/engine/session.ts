/**
 * A running session: binds the sans-I/O core to a store, a clock and one socket at a time.
 * Store writes of a turn are flushed before that turn's bytes are written, and the bytes of one
 * event-loop turn go out in a single socket write.
 */
import type { Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import type { Message } from '../codec/message.js';
import { SessionCore } from '../session/core.js';
import type { Application, SessionAction, SessionEvent } from '../session/actions.js';
import type { SessionOptions } from '../session/options.js';
import type { SessionID } from '../session/session-id.js';
import type { MessageStore } from '../store/store.js';
import { applyStoreAction } from '../session/apply.js';
import type { SessionOwnership } from '../fencing/ownership.js';
import type { FailoverEvent } from '../transport/policy-types.js';

export interface SessionHandleOptions {
  /** Bytes queued for a slow reader before the session disconnects (default 16 MiB). */
  maxQueuedBytes?: number;
  /** Timer period in milliseconds (default 1000). */
  tickMs?: number;
  /** Fenced ownership of the session on a shared store. */
  ownership?: SessionOwnership;
  /** Lease length in milliseconds (renewed every third of it). */
  leaseMs?: number;
}

export interface SessionHandleEvents {
  event: [SessionEvent];
  disconnected: [string];
  logon: [];
  logout: [string];
  /** This node became the owner of the session with this epoch. */
  owner: [number];
  /** A failover transport event of an initiator session (see Initiator). */
  transport: [FailoverEvent];
}

/** One FIX session with its store; sockets come and go. */
export class Session extends EventEmitter<SessionHandleEvents> {
  readonly core: SessionCore;
  readonly id: SessionID;
  private socket: Socket | null = null;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private flushScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxQueuedBytes: number;
  private readonly tickMs: number;
  /** Serialises store flushes and socket writes. */
  private chain: Promise<void> = Promise.resolve();
  /** RefreshOnLogon for an acceptor: reload the store before the first message of a connection. */
  refreshBeforeLogon = false;
  /** Fenced ownership of the session (shared stores), when configured. */
  readonly ownership: SessionOwnership | undefined;
  private readonly leaseMs: number;
  private renewTimer: NodeJS.Timeout | null = null;

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
    this.ownership = handle.ownership;
    this.leaseMs = handle.leaseMs ?? 5000;
    const fenceable = store as MessageStore & { fence?: (() => Promise<void>) | null; fenceBy?: (own: SessionOwnership) => void };
    if (this.ownership && typeof fenceable.fenceBy === 'function') fenceable.fenceBy(this.ownership);
    else if (this.ownership && 'fence' in fenceable) {
      const own = this.ownership;
      fenceable.fence = () => own.check();
    }
    this.tickMs = handle.tickMs ?? 1000;
  }

  /** A socket is attached (acceptor: after the first frame identified this session). */
  get hasSocket(): boolean {
    return this.socket !== null;
  }

  get isLoggedOn(): boolean {
    return this.core.isLoggedOn;
  }

  /**
   * Takes over a connected socket; `initial` are bytes already read from it. With ownership the
   * session is first acquired (a session a live node owns is refused: the socket is closed without
   * a byte) and the store refreshed, since another node may have written it.
   */
  attach(socket: Socket, initial?: Buffer): void {
    if (!this.refreshBeforeLogon && !this.ownership) {
      this.bind(socket, initial);
      return;
    }
    socket.pause();
    this.socket = socket;
    this.prepare().then(
      (ok) => {
        if (ok) this.bind(socket, initial);
        else {
          this.socket = null;
          socket.destroy();
        }
      },
      (err: unknown) => {
        this.emitError(err);
        this.socket = null;
        socket.destroy();
      },
    );
  }

  /** Acquires ownership (when configured) and refreshes the store; false when another node owns the session. */
  private async prepare(): Promise<boolean> {
    const own = this.ownership;
    if (own) {
      const r = await own.acquire();
      if (!r.acquired) {
        this.emit('event', { kind: 'note', text: `refused: session ${this.id.toString()} is owned by node ${r.owner.node} (epoch ${r.owner.epoch})` });
        return false;
      }
      this.emit('event', { kind: 'note', text: `owner of ${this.id.toString()} with epoch ${r.epoch}` });
      this.emit('owner', r.epoch);
      this.startRenewing(own);
    }
    await this.refresh();
    return true;
  }

  private startRenewing(own: SessionOwnership): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    const every = Math.max(100, Math.floor(this.leaseMs / 3));
    this.renewTimer = setInterval(() => {
      own.renew().catch((err: unknown) => this.fenced(err));
    }, every);
    this.renewTimer.unref?.();
  }

  /** Lost ownership: drop the connection at once, writing nothing more. */
  private fenced(err: unknown): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    this.batch = [];
    this.batchBytes = 0;
    this.emitError(err);
    this.emit('event', { kind: 'note', text: `fenced: ${err instanceof Error ? err.message : String(err)}` });
    this.socket?.destroy();
  }

  private bind(socket: Socket, initial?: Buffer): void {
    this.socket = socket;
    socket.resume();
    socket.on('data', (chunk: Buffer) => this.run(this.core.receive(chunk, Date.now())));
    socket.on('close', () => this.onClose(socket));
    socket.on('error', () => undefined);
    this.run(this.core.connected(Date.now()));
    if (initial && initial.length > 0) this.run(this.core.receive(initial, Date.now()));
    this.timer ??= setInterval(() => this.run(this.core.tick(Date.now())), this.tickMs);
    this.timer.unref?.();
  }

  /** Reloads sequence numbers from the store (RefreshOnLogon, or on demand). */
  async refresh(): Promise<void> {
    await this.store.refresh();
    this.core.setSequenceNumbers(this.store.getNextSenderSeq(), this.store.getNextTargetSeq(), this.store.creationTime.getTime());
  }

  /** Sends a message: stored, then written when logged on. Returns false when toApp vetoed it. */
  send(message: Message): boolean {
    const r = this.core.send(message, Date.now());
    this.run(r.actions);
    return r.sent;
  }

  /** Logs out (the socket closes when the Logout is answered or times out). */
  logout(reason = ''): void {
    this.run(this.core.logout(reason, Date.now()));
  }

  /** Closes the socket at once. */
  disconnect(reason = 'closed'): void {
    this.run(this.core.disconnected(Date.now(), reason));
    this.socket?.destroy();
  }

  /** Waits until everything queued was stored and written. */
  async drain(): Promise<void> {
    await this.chain;
  }

  /** Stops timers and closes the store. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    await this.drain();
    await this.store.close();
  }

  /** The peer closed (or the socket failed). A socket the session already let go of is ignored. */
  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    this.detach();
    this.run(this.core.disconnected(Date.now()));
    this.emit('disconnected', 'connection closed');
  }

  /** Lets go of the socket: a new connection may attach at once; ownership is released after the queued writes. */
  private detach(): void {
    this.socket = null;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    if (this.ownership?.epoch) {
      // Let another node take the session at once, after what was queued is stored.
      const own = this.ownership;
      this.chain = this.chain.then(() => own.release()).catch((err: unknown) => this.emitError(err));
    }
  }

  /** Executes the core's actions in order. */
  run(actions: SessionAction[]): void {
    for (const a of actions) {
      if (applyStoreAction(this.store, a, Date.now())) continue;
      switch (a.type) {
        case 'send':
          if (a.write) this.queue(a.bytes);
          break;
        case 'load-resend':
          this.store.getRange(a.begin, a.end).then(
            (msgs) => this.run(this.core.resendStored(a.begin, a.end, msgs, Date.now())),
            (err: unknown) => {
              this.emitError(err);
              this.run(this.core.resendStored(a.begin, a.end, [], Date.now()));
            },
          );
          break;
        case 'disconnect':
          this.closeAfterFlush(a.reason);
          break;
        case 'wait':
          a.promise.then(
            () => this.run(this.core.resume(undefined, Date.now())),
            (err: unknown) => this.run(this.core.resume(err ?? new Error('rejected'), Date.now())),
          );
          break;
        case 'event':
          this.emit('event', a.event);
          if (a.event.kind === 'logon') this.emit('logon');
          else if (a.event.kind === 'logout') this.emit('logout', a.event.reason);
          break;
      }
    }
  }

  private emitError(err: unknown): void {
    this.emit('event', { kind: 'error', text: err instanceof Error ? err.message : String(err) });
  }

  private queue(bytes: Buffer): void {
    this.batch.push(bytes);
    this.batchBytes += bytes.length;
    const socket = this.socket;
    if (socket && socket.writableLength + this.batchBytes > this.maxQueuedBytes) {
      this.emitError(new Error(`peer is not reading: more than ${this.maxQueuedBytes} bytes queued`));
      this.batch = [];
      this.batchBytes = 0;
      socket.destroy();
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Store first, then one socket write for the whole turn. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    if (batch.length === 0) return;
    const socket = this.socket;
    this.chain = this.chain
      .then(() => this.store.flush())
      .then(
        () => {
          if (socket && !socket.destroyed) socket.write(batch.length === 1 ? batch[0] : Buffer.concat(batch));
        },
        (err: unknown) => {
          this.emitError(err);
          socket?.destroy();
        },
      );
  }

  /** The core ended the connection: write what is queued, then close; the session is free at once. */
  private closeAfterFlush(reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    if (this.flushScheduled) this.flush();
    this.detach();
    this.chain = this.chain.then(() => {
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
    this.emit('disconnected', reason);
  }
}
