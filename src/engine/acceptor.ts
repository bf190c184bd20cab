/**
 * The acceptor: listens on one or more ports, identifies the session of each new connection from
 * its first message (BeginString and the CompIDs, seen from our side), and hands the socket to
 * that session. Unknown sessions, refused addresses and a second connection for a session that
 * already has one are closed without a word, as QuickFIX does. Connections waiting for their first
 * message are capped in total and per remote address; at a cap the oldest idle one of the busiest
 * address is shed, so a new counterparty always gets in (see `PendingLogons`).
 */
import { applySocketOptions, type SocketOptions } from '../transport/socket-options.js';
import net from 'node:net';
import tls from 'node:tls';
import { EventEmitter } from 'node:events';
import { Framer } from '../codec/framer.js';
import { Parser } from '../codec/parser.js';
import { CodecError } from '../codec/errors.js';
import type { Session } from './session.js';
import { AddressRanges } from '../transport/address-ranges.js';
import { addressKey, DEFAULT_PENDING_LOGON_LIMITS, PendingLogons, type PendingLogon } from './pending-logons.js';
import type { TlsContext, TlsFailure } from '../transport/tls.js';
import { compIdBindingProblem } from '../transport/cert-identity.js';

/** A port (and optionally a host) an {@link Acceptor} listens on. */
export interface ListenAddress {
  port: number;
  host?: string;
}

/** How an {@link Acceptor} takes connections: logon timeout, pending-connection limits, allowed addresses, socket options, dynamic sessions. */
export interface AcceptorOptions extends SocketOptions {
  /** `AllowedRemoteAddresses`: when set, only peers with these addresses or in these CIDR ranges may connect. */
  allowedRemoteAddresses?: readonly string[];
  /** Seconds to wait for the first message of a connection (LogonTimeout, default 10). */
  logonTimeout?: number;
  /** Finds or creates a session for an identity no configured session matches (AcceptorTemplate). */
  dynamic?: (key: SessionKey) => Session | undefined | Promise<Session | undefined>;
  /** Largest first message accepted (bytes, default 1 MiB); more bytes before a whole message close the connection. */
  maxMessageSize?: number;
  /** `MaxPendingLogons`: connections waiting for their first message at once (default 1000). */
  maxPendingConnections?: number;
  /** `MaxPendingLogonsPerAddress`: of those, from one remote address (default 100). */
  maxPendingConnectionsPerAddress?: number;
  /**
   * TLS (`SocketUseSSL` and the certificate settings): every connection must complete a TLS
   * handshake before anything is read from it; plaintext connections are refused. Failed
   * handshakes are counted ({@link Acceptor.tlsFailureCount}) and emitted as `tlsFailure`.
   */
  tls?: TlsContext;
}

/** A connection closed to make room for a new one (see {@link AcceptorOptions.maxPendingConnections}). */
export interface ShedEvent {
  /** The remote address of the connection shed. */
  readonly remote: string;
  /** Connections then waiting from that address, and in total (before the new one). */
  readonly fromAddress: number;
  readonly total: number;
  /** Connections shed by this acceptor so far. */
  readonly count: number;
}

/** Identity of an incoming session as seen from our side. */
export interface SessionKey {
  beginString: string;
  senderCompID: string;
  targetCompID: string;
}

/** The text key of a session's identity as an acceptor routes it. */
export function keyOf(k: SessionKey): string {
  return `${k.beginString}:${k.senderCompID}->${k.targetCompID}`;
}

/** An unexpected error ended a connection before its Logon reached a session. */
export interface AcceptorFaultEvent {
  /** The peer's address. */
  readonly remote: string;
  readonly error: Error;
  /** The acceptor's faults so far, this one included (also {@link Acceptor.faultCount}). */
  readonly count: number;
}

export interface AcceptorEvents {
  refused: [string, string];
  connected: [Session, string];
  /** An unexpected error closed a connection before it was handed to a session. */
  fault: [AcceptorFaultEvent];
  /** A connection waiting for its logon was closed to make room for a new one. */
  shed: [ShedEvent];
  /** A TLS handshake failed (plaintext client, unknown certificate authority, expired certificate, …). */
  tlsFailure: [TlsFailure];
}

/** A connection waiting for its first message. */
interface PendingConnection extends PendingLogon {
  idle: boolean;
  /** Closes it, reported as refused for `reason`. */
  close(reason: string): void;
}

const SHED_REASON = 'shed: too many connections waiting for a logon';

/**
 * The acceptor sessions listening on one address: takes connections, routes each by its Logon's
 * CompIDs to its session (or to a session made from an acceptor template), and drops what must
 * not get in (unknown sessions, addresses not allowed, floods of idle connections). Made by
 * {@link Engine}; `engine.acceptors` lists them.
 */
export class Acceptor extends EventEmitter<AcceptorEvents> {
  private readonly servers: net.Server[] = [];
  private readonly byKey = new Map<string, Session>();
  private readonly pending: PendingLogons<PendingConnection>;
  private readonly allowed: AddressRanges | undefined;
  /** Connections shed so far to make room for new ones. */
  shedCount = 0;
  private faults = 0;
  private tlsFailures = 0;
  private tlsResumed = 0;
  /** TLS connections whose handshake is in progress, by `address:port`: they count as waiting for a logon. */
  private readonly handshakes = new Map<string, PendingConnection>();

  /** @throws AddressRangeError when an allowed remote address is not an address nor a CIDR range */
  constructor(
    sessions: Iterable<Session>,
    private readonly addresses: readonly ListenAddress[],
    private readonly options: AcceptorOptions = {},
  ) {
    super();
    for (const s of sessions) this.add(s);
    const list = options.allowedRemoteAddresses;
    this.allowed = list && list.length > 0 ? AddressRanges.parse(list) : undefined;
    this.pending = new PendingLogons({
      total: options.maxPendingConnections ?? DEFAULT_PENDING_LOGON_LIMITS.total,
      perAddress: options.maxPendingConnectionsPerAddress ?? DEFAULT_PENDING_LOGON_LIMITS.perAddress,
    });
  }

  /** Connections waiting for their first message (all, or from one remote address). */
  pendingCount(remote?: string): number {
    return remote === undefined ? this.pending.size : this.pending.countFrom(addressKey(remote));
  }

  /** Adds a session this acceptor serves. */
  add(session: Session): void {
    const id = session.id;
    this.byKey.set(keyOf(id), session);
  }

  /** Unexpected errors that closed a connection before its Logon reached a session. */
  get faultCount(): number {
    return this.faults;
  }

  /** TLS handshakes that failed on this acceptor's ports (issue 16's metrics read it). */
  get tlsFailureCount(): number {
    return this.tlsFailures;
  }

  /** TLS connections that resumed an earlier TLS session (an abbreviated handshake). */
  get tlsResumedCount(): number {
    return this.tlsResumed;
  }

  /** The TLS context of this acceptor's ports, when it serves TLS. */
  get tls(): TlsContext | undefined {
    return this.options.tls;
  }

  /**
   * Reads the certificate, key and trust files again and uses them for new connections (those
   * open keep theirs). On a bad file the ones in use stay and the TlsSettingsError is thrown.
   */
  reloadTls(): void {
    const context = this.options.tls;
    if (!context) return;
    context.reload();
    for (const server of this.servers) if (server instanceof tls.Server) server.setSecureContext(context.serverOptions());
  }

  get sessions(): Session[] {
    return [...this.byKey.values()];
  }

  /** Starts listening on every address; resolves with the bound ports. */
  async start(): Promise<number[]> {
    const ports: number[] = [];
    for (const addr of this.addresses) {
      const server = this.options.tls ? this.tlsServer(this.options.tls) : net.createServer((socket) => this.contain(socket, this.onConnection, socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(addr.port, addr.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.servers.push(server);
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  }

  /** Every address is being listened on (false before `start` and after `stopListening` or `stop`). */
  get listening(): boolean {
    return this.servers.length > 0 && this.servers.every((s) => s.listening);
  }

  /** Stops accepting connections; the sessions and their connections stay as they are. */
  stopListening(): void {
    for (const s of this.servers.splice(0)) s.close();
  }

  /** Stops listening, logs every session out and closes them. */
  async stop(): Promise<void> {
    for (const s of this.servers) s.close();
    for (const c of [...this.pending]) c.close('acceptor stopped before a logon was received');
    const sessions = this.sessions;
    for (const s of sessions) if (s.isLoggedOn) s.logout();
    await new Promise((r) => setTimeout(r, sessions.some((s) => s.hasSocket) ? 200 : 0));
    for (const s of sessions) if (s.hasSocket) s.disconnect('acceptor stopped');
    await Promise.all(sessions.map((s) => s.close()));
  }

  /** A TLS server: the address check before the handshake, the session's first message after it. */
  private tlsServer(context: TlsContext): tls.Server {
    const server = tls.createServer({ ...context.serverOptions(), handshakeTimeout: (this.options.logonTimeout ?? 10) * 1000 }, (socket) => this.contain(socket, this.onSecureConnection, socket));
    server.on('connection', (raw: net.Socket) => {
      const remote = raw.remoteAddress ?? '';
      if (this.allowed && !this.allowed.allows(remote)) {
        this.emit('refused', remote, 'address not allowed');
        raw.destroy();
        return;
      }
      // On the TCP socket itself: it has the descriptor the buffer sizes are set on.
      applySocketOptions(raw, this.options);
      // A handshake in progress waits for a logon too: it counts against MaxPendingLogons(PerAddress).
      const address = addressKey(remote);
      this.makeRoom(address);
      const key = `${remote}:${raw.remotePort}`;
      const done = (): void => {
        if (this.handshakes.get(key) !== entry) return;
        this.handshakes.delete(key);
        this.pending.delete(entry);
      };
      const entry: PendingConnection = {
        address,
        idle: true,
        close: (reason) => {
          done();
          this.emit('refused', remote, `${reason} (TLS handshake in progress)`);
          raw.destroy();
        },
      };
      this.pending.add(entry);
      this.handshakes.set(key, entry);
      raw.once('close', done);
    });
    server.on('tlsClientError', (err, socket) => {
      const remote = socket.remoteAddress ?? (socket as unknown as { _parent?: net.Socket })._parent?.remoteAddress ?? '';
      this.tlsFailed(remote, `TLS handshake failed: ${err.message}`);
      socket.destroy();
    });
    return server;
  }

  private tlsFailed(remote: string, reason: string): void {
    const event: TlsFailure = { remote, reason, count: ++this.tlsFailures };
    this.emit('tlsFailure', event);
  }

  private onSecureConnection(socket: tls.TLSSocket): void {
    const context = this.options.tls!;
    const key = `${socket.remoteAddress ?? ''}:${socket.remotePort}`;
    const handshake = this.handshakes.get(key);
    if (handshake) {
      this.handshakes.delete(key);
      this.pending.delete(handshake);
    }
    // CertificateVerifyLevel=2: a client certificate is optional, but one given must verify.
    if (context.settings.requestCert && !socket.authorized && socket.authorizationError && hasPeerCertificate(socket)) {
      this.tlsFailed(socket.remoteAddress ?? '', `client certificate refused: ${String(socket.authorizationError)}`);
      socket.destroy();
      return;
    }
    if (socket.isSessionReused()) this.tlsResumed++;
    this.onConnection(socket);
  }

  private onConnection(socket: net.Socket): void {
    const remote = socket.remoteAddress ?? '';
    if (this.allowed && !this.allowed.allows(remote)) {
      this.emit('refused', remote, 'address not allowed');
      socket.destroy();
      return;
    }
    const address = addressKey(remote);
    this.makeRoom(address);
    if (!(socket instanceof tls.TLSSocket)) applySocketOptions(socket, this.options);
    const chunks: Buffer[] = [];
    let received = 0;
    const maxBytes = this.options.maxMessageSize ?? 1024 * 1024;
    let done = false;
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
      this.pending.delete(pendingConnection);
      socket.off('data', onSocketData);
    };
    const pendingConnection: PendingConnection = {
      address,
      idle: true,
      close: (reason) => {
        finish();
        this.emit('refused', remote, reason);
        socket.destroy();
      },
    };
    this.pending.add(pendingConnection);
    const timer = setTimeout(() => {
      if (done) return;
      finish();
      this.emit('refused', remote, 'no logon received');
      socket.destroy();
    }, (this.options.logonTimeout ?? 10) * 1000);
    timer.unref();
    const framer = new Framer(
      {
        onFrame: (buf, start, end) => {
          if (done) return;
          finish();
          this.identify(socket, remote, Buffer.from(buf.subarray(start, end)), Buffer.concat(chunks)).catch((err: unknown) => this.fault(socket, err));
        },
        onError: (e: CodecError) => {
          if (e.reason === 'oversized' && !done) {
            finish();
            this.emit('refused', remote, `first message too large (MaxMessageSize): ${e.message}`);
            socket.destroy();
          }
        },
      },
      { maxMessageSize: this.options.maxMessageSize },
    );
    const onData = (chunk: Buffer): void => {
      pendingConnection.idle = false;
      received += chunk.length;
      if (received > maxBytes + 65536) {
        finish();
        this.emit('refused', remote, `more than ${maxBytes} bytes without a whole message`);
        socket.destroy();
        return;
      }
      chunks.push(chunk);
      framer.push(chunk);
    };
    const onSocketData = (chunk: Buffer): void => this.contain(socket, onData, chunk);
    socket.on('data', onSocketData);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (!done) finish();
    });
  }

  /** Sheds connections waiting for a logon until a new one from `address` fits the limits. */
  private makeRoom(address: string): void {
    for (let victim = this.pending.toShed(address); victim; victim = this.pending.toShed(address)) {
      const event = { remote: victim.address, fromAddress: this.pending.countFrom(victim.address), total: this.pending.size, count: ++this.shedCount };
      victim.close(SHED_REASON);
      this.emit('shed', event);
    }
  }

  /**
   * The last-resort boundary of a connection not yet handed to a session (its first message is
   * being read and identified): an unexpected error closes it with a fault and goes no further.
   */
  private contain<A>(socket: net.Socket, step: (this: Acceptor, arg: A) => void, arg: A): void {
    try {
      step.call(this, arg);
    } catch (err) {
      this.fault(socket, err);
    }
  }

  /** Closes a connection an unexpected error stopped before its Logon reached a session; counted and emitted. */
  private fault(socket: net.Socket, err: unknown): void {
    // Destroying the socket closes it, and its 'close' handler takes it off the pending list.
    socket.destroy();
    const error = err instanceof Error ? err : new Error(String(err));
    const count = ++this.faults;
    try {
      this.emit('fault', { remote: socket.remoteAddress ?? '', error, count });
    } catch (again) {
      process.emitWarning(`fixover: a listener failed on an acceptor fault (${error.message}): ${again instanceof Error ? again.message : String(again)}`);
    }
  }

  private async identify(socket: net.Socket, remote: string, first: Buffer, received: Buffer): Promise<void> {
    const view = new Parser({ validateChecksum: false, validateLength: false }).tryParse(first);
    if (view instanceof CodecError) {
      this.emit('refused', remote, `unreadable first message: ${view.message}`);
      socket.destroy();
      return;
    }
    const key: SessionKey = {
      beginString: view.beginString,
      senderCompID: view.get(56) ?? '',
      targetCompID: view.get(49) ?? '',
    };
    socket.pause();
    let session = this.byKey.get(keyOf(key));
    if (!session && this.options.dynamic) {
      try {
        session = await this.options.dynamic(key);
      } catch (e) {
        this.emit('refused', remote, `dynamic session ${keyOf(key)} failed: ${e instanceof Error ? e.message : String(e)}`);
        socket.destroy();
        return;
      }
    }
    if (!session) {
      this.emit('refused', remote, `unknown session ${keyOf(key)}`);
      socket.destroy();
      return;
    }
    const binding = this.options.tls?.settings.compIdBinding ?? 'none';
    if (binding !== 'none') {
      const problem = compIdBindingProblem(binding, socket instanceof tls.TLSSocket ? socket.getPeerCertificate() : null, key.targetCompID);
      if (problem) {
        this.emit('refused', remote, `session ${keyOf(key)}: ${problem}`);
        socket.destroy();
        return;
      }
    }
    if (!this.byKey.has(keyOf(key))) this.byKey.set(keyOf(key), session);
    if (session.hasSocket) {
      this.emit('refused', remote, `session ${keyOf(key)} is already connected`);
      socket.destroy();
      return;
    }
    // The session resumes the socket once it is ready for the bytes (after taking ownership).
    session.attach(socket, received);
    this.emit('connected', session, remote);
  }
}

function hasPeerCertificate(socket: tls.TLSSocket): boolean {
  const c = socket.getPeerCertificate();
  return c !== null && typeof c === 'object' && Object.keys(c).length > 0;
}
