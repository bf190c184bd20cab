/**
 * The initiator: connects each session to its counterparty, logs on, and reconnects after a drop.
 * Where and when is decided by the failover policy (src/transport), whichever way the addresses
 * were given:
 * - a failover configuration: a `failover:(tcp://a:1,tcp://b:2)?…` URI (settings:
 *   `SocketConnectURI`), or a {@link FailoverConfigInit} object;
 * - QuickFIX style: `endpoints` (`SocketConnectHost<n>`/`SocketConnectPort<n>`) with
 *   `reconnectDelays` (`ReconnectInterval`), expressed as the same configuration (in order, no
 *   jitter, reconnect forever).
 *
 * Every failover event is emitted on the initiator (by its type, and all of them as `event`), on
 * the session (`transport`), and to the session's log (`onEvent`, through the session's `note`).
 *
 * With session ownership (a store shared with a standby initiator process) a session connects only
 * while this process owns it; a standby retries every `ownershipRetryMs` and, once the owner is
 * gone, reloads the store and continues the session's sequence numbers.
 */
import { EventEmitter } from 'node:events';
import { SessionNotFound } from '../session/errors.js';
import type { Message } from '../codec/message.js';
import type { Session } from './session.js';
import type { SessionID } from '../session/session-id.js';
import { failoverConfig, type FailoverConfig, type FailoverConfigInit } from '../transport/failover-config.js';
import { parseFailoverUri } from '../transport/failover-uri.js';
import { tcpEndpoint } from '../transport/endpoint.js';
import { quickfixFailoverConfig } from '../transport/quickfix-settings.js';
import type { FailoverEvent } from '../transport/policy-types.js';
import type { RandomSource } from '../transport/random.js';
import { FailoverDriver } from './failover-driver.js';
import { followCluster } from './cluster-client.js';
import type { SocketOptions } from '../transport/socket-options.js';
import { reloadEach, type TlsContext } from '../transport/tls.js';

/** A host and port an initiator connects to. */
export interface Endpoint {
  host: string;
  port: number;
}

/** One session of an {@link Initiator} with where and how it connects. */
export interface InitiatorSession extends SocketOptions {
  session: Session;
  /** A failover URI or configuration; replaces `endpoints` and `reconnectDelays`. */
  failover?: string | FailoverConfigInit | FailoverConfig;
  /** QuickFIX-style addresses, tried in order (used when `failover` is not given). */
  endpoints?: readonly Endpoint[];
  /** QuickFIX-style delays in seconds between passes; the last one repeats (default 30). */
  reconnectDelays?: readonly number[];
  /** `SocketConnectTimeout` in seconds (default 60). */
  connectTimeout?: number;
  localAddress?: string;
  localPort?: number;
  /** Refresh the store before each Logon (RefreshOnLogon). */
  refreshOnLogon?: boolean;
  /** Random source of shuffling and jitter (tests). */
  random?: RandomSource;
  /** How often a standby tries to take ownership of the session (ms, default 500). */
  ownershipRetryMs?: number;
  /** TLS for every endpoint of the session (`SocketUseSSL`; see {@link FailoverDriverOptions.tls}). */
  tls?: TlsContext;
}

/** A failover event with the session it belongs to and when it happened (ms since the epoch). */
export type InitiatorEvent = FailoverEvent & { readonly session: SessionID; readonly at: number };

type EventsByType = { [K in FailoverEvent['type']]: [Extract<FailoverEvent, { type: K }> & { readonly session: SessionID; readonly at: number }] };

/** The initiator's events: each failover event by its type, and every one of them as `event`. */
export type InitiatorEvents = EventsByType & { event: [InitiatorEvent] };

/** The failover configuration of an initiator session, whichever way it was given. */
export function failoverConfigOf(s: InitiatorSession): FailoverConfig {
  if (typeof s.failover === 'string') return parseFailoverUri(s.failover);
  if (s.failover) return failoverConfig(s.failover);
  const delays = s.reconnectDelays && s.reconnectDelays.length > 0 ? s.reconnectDelays : [30];
  return quickfixFailoverConfig(
    (s.endpoints ?? []).map((e) => tcpEndpoint(e.host, e.port)),
    delays.map((d) => ({ count: 1, delayMs: Math.round(d * 1000) })),
  );
}

/** One line of text for a failover event in a session log. */
export function describeFailoverEvent(e: FailoverEvent): string {
  const { type, ...rest } = e;
  const detail = JSON.stringify(rest, (k, v: unknown) => (v && typeof v === 'object' && 'uri' in v && 'port' in v ? (v as { uri: string }).uri : v));
  return `Failover ${type} ${detail}`;
}

/**
 * The initiator sessions of an engine: connects each to its counterparty (one address, QuickFIX's
 * alternate addresses, or a `failover:(…)` URI), logs on, and reconnects after a drop; emits the
 * failover transport's events. Made by {@link Engine}; `engine.initiator` when there is one.
 */
export class Initiator extends EventEmitter<InitiatorEvents> {
  private readonly drivers: FailoverDriver[];
  private readonly configs: readonly InitiatorSession[];

  constructor(sessions: readonly InitiatorSession[]) {
    super();
    this.configs = sessions;
    this.drivers = sessions.map((s) => {
      const driver = new FailoverDriver({
        session: s.session,
        config: failoverConfigOf(s),
        socket: {
          connectTimeoutMs: (s.connectTimeout ?? 60) * 1000,
          noDelay: s.noDelay ?? true,
          keepAlive: s.keepAlive ?? false,
          sendBufferSize: s.sendBufferSize,
          receiveBufferSize: s.receiveBufferSize,
          localAddress: s.localAddress,
          localPort: s.localPort,
        },
        refreshOnLogon: s.refreshOnLogon ?? false,
        ownershipRetryMs: s.ownershipRetryMs,
        random: s.random,
        tls: s.tls,
        onEvent: (e) => this.publish(s.session, e),
      });
      // A session announcing cluster support (ClusterTopologySupport on its Logon) follows the pushed topology.
      if (s.session.core.options.clusterClient) followCluster(s.session, driver, (e) => this.publish(s.session, e));
      return driver;
    });
  }

  get sessions(): Session[] {
    return this.configs.map((c) => c.session);
  }

  /** The failover driver of a session (its policy's state, for status displays). @internal */
  driverOf(session: Session | SessionID): FailoverDriver | undefined {
    const i = this.configs.findIndex((c) => c.session === session || c.session.id.toString() === session.toString());
    return i < 0 ? undefined : this.drivers[i];
  }

  start(): void {
    for (const d of this.drivers) d.start();
  }

  /**
   * Drains: every logged-on session logs out with `text` (waiting at most `waitMs` for the
   * answer), then stops reconnecting. Sessions and stores stay open (for status and operations).
   */
  async drain(text: string, waitMs = 3000): Promise<void> {
    await Promise.all(
      this.configs.map(async ({ session }) => {
        if (!session.isLoggedOn) return;
        const gone = new Promise<void>((resolve) => {
          const t = setTimeout(resolve, waitMs);
          session.once('disconnected', () => {
            clearTimeout(t);
            resolve();
          });
        });
        session.logout(text);
        await gone;
      }),
    );
    await Promise.all(this.drivers.map((d) => d.stop()));
  }

  /** Failed TLS handshakes of every session so far. */
  get tlsFailureCount(): number {
    return this.drivers.reduce((n, d) => n + d.tlsFailureCount, 0);
  }

  /** The TLS contexts of the sessions that have one. */
  get tlsContexts(): TlsContext[] {
    return this.configs.map((c) => c.tls).filter((t): t is TlsContext => t !== undefined);
  }

  /**
   * Reads every session's certificate, key and trust files again; the next connections use them.
   * Each session's files on their own: one that fails keeps its files in use and stops no other.
   * @throws TlsReloadError naming each that failed, after the others were reloaded
   */
  reloadTls(): void {
    reloadEach(new Set(this.tlsContexts));
  }

  /** Stops reconnecting at once (whatever is being waited for), logs out, closes sockets and stores. */
  async stop(): Promise<void> {
    await Promise.all(this.drivers.map((d) => d.stop()));
    for (const c of this.configs) await c.session.close();
  }

  /**
   * Sends an application message on a session through its failover transport: written now when
   * logged on; while disconnected stored and resent after the reconnect (`timeout=-1`), or held
   * for at most `timeout` ms (a `sendTimedOut` event when it expires).
   */
  send(message: Message, session?: Session | SessionID): boolean {
    return this.driver(session).send(message);
  }

  /**
   * Moves a session to `uri` (an operator's or a cluster's request, `tcp://host:port`): logged
   * on elsewhere, it logs out cleanly and connects there; reconnecting, the endpoint goes first in
   * the next pass. An endpoint not in the list joins it (a `topology` event). False when ignored:
   * `reconnectSupported=false`, already there, or the transport is not running.
   */
  reconnectTo(uri: string, session?: Session | SessionID): boolean {
    return this.driver(session).reconnectTo(uri);
  }

  /**
   * Replaces a session's endpoint list (a comma-separated list or an array of `tcp://host:port`):
   * used from the next reconnect pass, a logged-on session stays where it is (a `topology` event
   * when the list changed). False when ignored: `updateURIsSupported=false` or an empty list.
   */
  updateUris(uris: string | readonly string[], session?: Session | SessionID): boolean {
    return this.driver(session).updateUris(uris);
  }

  private driver(session?: Session | SessionID): FailoverDriver {
    const d = session ? this.driverOf(session) : this.drivers[0];
    if (!d) throw new SessionNotFound(`no initiator session ${session?.toString() ?? ''}`);
    return d;
  }

  private publish(session: Session, e: FailoverEvent): void {
    if (e.type === 'ignored') return;
    const full = { ...e, session: session.id, at: Date.now() } as InitiatorEvent;
    const emit = this.emit.bind(this) as (name: string, ev: InitiatorEvent) => boolean;
    listenerBoundary(session, 'transport', () => session.emit('transport', e));
    listenerBoundary(session, 'event', () => session.emit('event', { kind: 'note', text: describeFailoverEvent(e) }));
    listenerBoundary(session, e.type, () => emit(e.type, full));
    listenerBoundary(session, 'event', () => emit('event', full));
  }
}

/**
 * Failover events are delivered from socket and timer callbacks: an exception thrown by an
 * application's listener stops there (an `error` event of the session says which listener threw)
 * and the failover goes on, rather than ending the process.
 */
function listenerBoundary(session: Session, name: string, deliver: () => void): void {
  try {
    deliver();
  } catch (err) {
    try {
      session.emit('event', { kind: 'error', text: `a listener of the failover event '${name}' threw: ${err instanceof Error ? err.message : String(err)}` });
    } catch {
      // The `event` listener threw as well: nothing is left to report it to.
    }
  }
}
