/**
 * The acceptor: listens on one or more ports, identifies the session of each new connection from
 * its first message (BeginString and the CompIDs, seen from our side), and hands the socket to
 * that session. Unknown sessions, refused addresses and a second connection for a session that
 * already has one are closed without a word, as QuickFIX does.
 */
import { applySocketOptions, type SocketOptions } from '../transport/socket-options.js';
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { Framer } from '../codec/framer.js';
import { Parser } from '../codec/parser.js';
import { CodecError } from '../codec/errors.js';
import type { Session } from './session.js';

export interface ListenAddress {
  port: number;
  host?: string;
}

export interface AcceptorOptions extends SocketOptions {
  /** `AllowedRemoteAddresses`: when set, only these peers may connect. */
  allowedRemoteAddresses?: readonly string[];
  /** Seconds to wait for the first message of a connection (LogonTimeout, default 10). */
  logonTimeout?: number;
  /** Finds or creates a session for an identity no configured session matches (AcceptorTemplate). */
  dynamic?: (key: SessionKey) => Session | undefined | Promise<Session | undefined>;
  /** Largest first message accepted (bytes, default 1 MiB); more bytes before a whole message close the connection. */
  maxMessageSize?: number;
  /** Connections waiting for their first message at once (default 1000); more are closed at once. */
  maxPendingConnections?: number;
}

/** Identity of an incoming session as seen from our side. */
export interface SessionKey {
  beginString: string;
  senderCompID: string;
  targetCompID: string;
}

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
}

export class Acceptor extends EventEmitter<AcceptorEvents> {
  private readonly servers: net.Server[] = [];
  private readonly byKey = new Map<string, Session>();
  private readonly pendingSockets = new Set<net.Socket>();
  private faults = 0;

  constructor(
    sessions: Iterable<Session>,
    private readonly addresses: readonly ListenAddress[],
    private readonly options: AcceptorOptions = {},
  ) {
    super();
    for (const s of sessions) this.add(s);
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

  get sessions(): Session[] {
    return [...this.byKey.values()];
  }

  /** Starts listening on every address; resolves with the bound ports. */
  async start(): Promise<number[]> {
    const ports: number[] = [];
    for (const addr of this.addresses) {
      const server = net.createServer((socket) => this.contain(socket, this.onConnection, socket));
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

  /** Stops listening, logs every session out and closes them. */
  async stop(): Promise<void> {
    for (const s of this.servers) s.close();
    for (const socket of this.pendingSockets) socket.destroy();
    const sessions = this.sessions;
    for (const s of sessions) if (s.isLoggedOn) s.logout();
    await new Promise((r) => setTimeout(r, sessions.some((s) => s.hasSocket) ? 200 : 0));
    for (const s of sessions) if (s.hasSocket) s.disconnect('acceptor stopped');
    await Promise.all(sessions.map((s) => s.close()));
  }

  private onConnection(socket: net.Socket): void {
    const remote = socket.remoteAddress ?? '';
    const allowed = this.options.allowedRemoteAddresses;
    if (allowed && allowed.length > 0 && !allowed.some((a) => sameAddress(a, remote))) {
      this.emit('refused', remote, 'address not allowed');
      socket.destroy();
      return;
    }
    if (this.pendingSockets.size >= (this.options.maxPendingConnections ?? 1000)) {
      this.emit('refused', remote, 'too many connections waiting for a logon');
      socket.destroy();
      return;
    }
    applySocketOptions(socket, this.options);
    this.pendingSockets.add(socket);
    const chunks: Buffer[] = [];
    let received = 0;
    const maxBytes = this.options.maxMessageSize ?? 1024 * 1024;
    let done = false;
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
      this.pendingSockets.delete(socket);
      socket.off('data', onData);
    };
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
            socket.destroy();
          }
        },
      },
      { maxMessageSize: this.options.maxMessageSize },
    );
    const onData = (chunk: Buffer): void => {
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
    socket.on('data', (chunk: Buffer) => this.contain(socket, onData, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (!done) finish();
    });
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
    this.pendingSockets.delete(socket);
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

function sameAddress(allowed: string, remote: string): boolean {
  const norm = (a: string): string => (a.startsWith('::ffff:') ? a.slice(7) : a);
  return norm(allowed) === norm(remote);
}
