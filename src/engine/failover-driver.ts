/**
 * The I/O side of the failover transport for one initiator session: carries out the commands of
 * the sans-I/O {@link FailoverPolicy} (connect, use a standby, wait, read the endpoint list, log
 * out for a failback, keep standby sockets, probe priority endpoints, deliver queued sends) and
 * feeds back what happened, with one timer for the policy's deadline.
 *
 * A connection counts as good only after the FIX Logon: TCP up then a close before the Logon is
 * answered is reported to the policy as a failed attempt.
 */
import { FixoverError } from '../codec/errors.js';
import net from 'node:net';
import tls from 'node:tls';
import { readFile } from 'node:fs/promises';
import type { Message } from '../codec/message.js';
import type { Session } from './session.js';
import { FailoverPolicy } from '../transport/failover-policy.js';
import type { FailoverConfig } from '../transport/failover-config.js';
import { parseEndpointList, parseEndpointUri, type FailoverEndpoint } from '../transport/endpoint.js';
import type { FailoverCommand, FailoverEvent, PolicyOutput } from '../transport/policy-types.js';
import type { RandomSource } from '../transport/random.js';
import { endpointSocketOptions, type EndpointSocketOptions } from './endpoint-options.js';
import { applySocketOptions, type SocketOptions } from '../transport/socket-options.js';
import { TlsContext, type TlsFailure } from '../transport/tls.js';

/** Socket settings of an initiator session (the endpoint's `nested.*`/query options override them). */
export interface DriverSocketDefaults extends SocketOptions {
  /** Connect timeout in ms. */
  connectTimeoutMs: number;
  noDelay: boolean;
  keepAlive: boolean;
  localAddress?: string;
  localPort?: number;
}

/** How an initiator session's connections are driven: failover configuration, socket defaults, ownership retry. */
export interface FailoverDriverOptions {
  session: Session;
  config: FailoverConfig;
  socket: DriverSocketDefaults;
  /** Refresh the store before each Logon (RefreshOnLogon). */
  refreshOnLogon: boolean;
  /** With session ownership: how often a standby tries to take the session before connecting (ms, default 500). */
  ownershipRetryMs?: number;
  /** Receives every policy event. */
  onEvent: (event: FailoverEvent) => void;
  random?: RandomSource;
  /** How often priority endpoints are probed while on a backup (default: a quarter of the hysteresis, 200 ms to 5 s). */
  probeIntervalMs?: number;
  /** Clock in ms (default Date.now). */
  now?: () => number;
  /**
   * TLS for every endpoint (`SocketUseSSL` and the certificate settings). Without it only `ssl://`
   * endpoints use TLS, verified against the system's certificate authorities.
   */
  tls?: TlsContext;
  /** Told of each failed TLS handshake (also counted in {@link FailoverDriver.tlsFailureCount}). */
  onTlsFailure?: (failure: TlsFailure) => void;
}

interface Attempt {
  readonly endpoint: FailoverEndpoint;
  socket: net.Socket | null;
  /** The socket was handed to the session. */
  attached: boolean;
}

interface Standby {
  readonly endpoint: FailoverEndpoint;
  readonly socket: net.Socket;
  ready: boolean;
  readonly release: () => void;
}

/** Runs one initiator session's failover policy over real sockets. */
export class FailoverDriver {
  readonly policy: FailoverPolicy;
  private readonly session: Session;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private attempt: Attempt | null = null;
  private readonly standbys = new Map<string, Standby>();
  private probeTimer: NodeJS.Timeout | null = null;
  private probing: readonly FailoverEndpoint[] = [];
  private readonly probeSockets = new Set<net.Socket>();
  private readonly queued = new Map<number, Message>();
  private nextSendId = 1;
  private stopped = false;
  private switching: ReturnType<typeof setInterval> | null = null;
  private fetchAbort: AbortController | null = null;
  private ownerTimer: NodeJS.Timeout | null = null;
  private readonly endpointOptions = new Map<string, EndpointSocketOptions>();
  /** The last TLS session of each endpoint, to resume it on the next connection there. */
  private readonly tlsSessions = new Map<string, Buffer>();
  private defaultTls: TlsContext | undefined;
  private tlsFailures = 0;

  constructor(private readonly o: FailoverDriverOptions) {
    this.session = o.session;
    this.now = o.now ?? Date.now;
    this.policy = new FailoverPolicy(o.config, { random: o.random });
    for (const e of o.config.uris) this.optionsOf(e);
    this.session.on('logon', () => this.onLogon());
    this.session.on('disconnected', (reason) => this.onSessionClosed(reason));
  }

  /** Checks (and caches) an endpoint's socket options; throws on an unknown or bad option. */
  private optionsOf(e: FailoverEndpoint): EndpointSocketOptions {
    let opts = this.endpointOptions.get(e.uri);
    if (!opts) {
      opts = endpointSocketOptions(e, this.o.socket);
      this.endpointOptions.set(e.uri, opts);
    }
    return opts;
  }

  /** Failed TLS handshakes of this session's connections (standby ones included). */
  get tlsFailureCount(): number {
    return this.tlsFailures;
  }

  /** The TLS context of an endpoint: the session's, else (an `ssl://` endpoint) the system's certificate authorities; undefined for plaintext. */
  tlsFor(endpoint: FailoverEndpoint): TlsContext | undefined {
    if (this.o.tls) return this.o.tls;
    if (endpoint.scheme !== 'ssl') return undefined;
    this.defaultTls ??= new TlsContext({
      role: 'initiator',
      keyMaterial: null,
      trust: [],
      crl: [],
      requestCert: false,
      rejectUnauthorized: true,
      checkHostname: true,
      useSni: true,
      compIdBinding: 'none',
      expiryWarningDays: 30,
    });
    return this.defaultTls;
  }

  /**
   * Opens a connection to `endpoint`: plain TCP, or TLS (resuming the endpoint's last TLS session)
   * when {@link tlsFor} says so. `ready` runs once it can carry FIX (TCP connected, or the TLS
   * handshake done); `failed` at most once otherwise, with the reason (a failed handshake counted).
   */
  private open(endpoint: FailoverEndpoint, opts: EndpointSocketOptions, withLocalPort: boolean, ready: () => void, failed: (reason: string) => void): net.Socket {
    const raw = net.connect({ host: endpoint.host, port: endpoint.port, localAddress: opts.localAddress, localPort: withLocalPort ? opts.localPort : undefined });
    const context = this.tlsFor(endpoint);
    let tcpUp = false;
    let done = false;
    const fail = (reason: string): void => {
      if (done) return;
      done = true;
      if (context && tcpUp) {
        const event: TlsFailure = { remote: endpoint.uri, reason: `TLS handshake failed: ${reason}`, count: ++this.tlsFailures };
        this.o.onTlsFailure?.(event);
        failed(event.reason);
      } else failed(reason);
    };
    raw.once('connect', () => {
      tcpUp = true;
      applySocketOptions(raw, opts);
      if (!context) {
        done = true;
        ready();
      }
    });
    if (!context) return raw;
    const socket = tls.connect({ ...context.clientOptions(endpoint.host, endpoint.port, this.tlsSessions.get(endpoint.uri)), socket: raw });
    socket.on('session', (session: Buffer) => this.tlsSessions.set(endpoint.uri, session));
    socket.once('secureConnect', () => {
      if (done) return;
      done = true;
      ready();
    });
    socket.once('error', (err) => fail(err.message));
    socket.once('close', () => fail('connection closed during the TLS handshake'));
    return socket;
  }

  /** Endpoints (URIs) with an open standby connection (`backup=true`). */
  get readyStandbys(): string[] {
    return [...this.standbys.values()].filter((s) => s.ready).map((s) => s.endpoint.uri);
  }

  start(): void {
    this.stopped = false;
    this.apply(this.policy.start(this.now()));
  }

  /** Stops at once, whatever is being waited for; logs out first when logged on. */
  async stop(): Promise<void> {
    this.apply(this.policy.stop(this.now()));
    if (this.session.isLoggedOn) {
      this.session.logout();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        this.session.once('disconnected', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.attempt?.socket?.destroy();
    this.attempt = null;
  }

  /**
   * Sends an application message. Logged on, or with `timeout=-1`: stored by the session and
   * written now or resent after the next logon. With a `timeout` while disconnected: held until
   * the next logon, and dropped with a `sendTimedOut` event after `timeout` ms. False when the
   * application vetoed it or the transport has stopped. A held message is a copy: the caller may
   * reuse its message once send returns.
   */
  send(message: Message): boolean {
    if (this.session.isLoggedOn || this.o.config.timeout <= 0) return this.session.send(message);
    const k = this.policy.stateName;
    if (k === 'stopped' || k === 'failed') return false;
    const id = this.nextSendId++;
    this.queued.set(id, message.clone());
    this.apply(this.policy.sendWhileDisconnected(id, this.now()));
    return true;
  }

  /**
   * A request to move to `uri` (see `Initiator.reconnectTo`). Throws a FailoverUriError on a bad
   * URI; false when the policy ignored it.
   */
  reconnectTo(uri: string): boolean {
    const e = parseEndpointUri(uri, this.o.config.nested);
    this.optionsOf(e);
    return this.applyUnlessIgnored(this.policy.requestReconnect(e, this.now()), 'requestReconnect');
  }

  /** A new endpoint list (see `Initiator.updateUris`); false when the policy ignored it. */
  updateUris(uris: string | readonly string[]): boolean {
    const list = parseEndpointList(typeof uris === 'string' ? uris : uris.join(','), this.o.config.nested);
    for (const e of list) this.optionsOf(e);
    return this.applyUnlessIgnored(this.policy.updateUris(list, this.now()), 'updateUris');
  }

  /** A cluster's pushed member URIs (see `FailoverPolicy.pushUris`); false when the policy ignored them. */
  pushUris(uris: readonly string[]): boolean {
    const list = uris.length === 0 ? [] : parseEndpointList(uris.join(','), this.o.config.nested);
    for (const e of list) this.optionsOf(e);
    return this.applyUnlessIgnored(this.policy.pushUris(list, this.now()), 'pushUris');
  }

  private applyUnlessIgnored(out: PolicyOutput, input: string): boolean {
    this.apply(out);
    return !out.events.some((e) => e.type === 'ignored' && e.input === input);
  }

  // ---- session callbacks --------------------------------------------------------------------

  private onLogon(): void {
    const a = this.attempt;
    if (!a) return;
    this.apply(this.policy.loggedOn(a.endpoint, this.now()));
  }

  private onSessionClosed(reason: string): void {
    const a = this.attempt;
    if (!a || !a.attached) return;
    this.attempt = null;
    // 'connection closed': the socket closed or was reset without a Logout, so the counterparty's
    // host answered (a heartbeat timeout or a Logout has its own reason).
    this.apply(this.policy.disconnected(this.now(), reason, reason === 'connection closed'));
  }

  // ---- commands -----------------------------------------------------------------------------

  private apply(out: PolicyOutput): void {
    for (const e of out.events) {
      if (e.type === 'sendTimedOut' || e.type === 'sendFailed') this.queued.delete(Number(e.id));
      this.o.onEvent(e);
    }
    for (const c of out.commands) this.run(c);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (out.deadline !== null && !this.stopped) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.apply(this.policy.tick(this.now()));
      }, Math.max(0, out.deadline - this.now()));
    }
  }

  private run(c: FailoverCommand): void {
    switch (c.type) {
      case 'connect':
        return this.connect(c.endpoint);
      case 'useBackup':
        return this.useBackup(c.endpoint);
      case 'wait':
        return; // the deadline timer covers it
      case 'fetchUris':
        return this.fetchUris(c.url);
      case 'logoutAndSwitch':
        return this.logoutWhenSafe();
      case 'keepWarm':
        return this.keepWarm(c.endpoints);
      case 'probe':
        return this.probe(c.endpoints);
      case 'deliverQueued':
        for (const id of c.ids) {
          const m = this.queued.get(Number(id));
          this.queued.delete(Number(id));
          if (m) this.session.send(m);
        }
        return;
      case 'giveUp':
      case 'shutdown':
        return this.closeAll();
    }
  }

  private connect(endpoint: FailoverEndpoint): void {
    // With ownership (a hot standby initiator on a shared store) connect only as the owner.
    if (!this.session.ownsSession) return this.whenOwner(() => this.connect(endpoint));
    const opts = this.optionsOf(endpoint);
    let a: Attempt | null = null;
    const fail = (reason: string): void => {
      if (!a || this.attempt !== a || a.attached) return;
      this.attempt = null;
      a.socket?.destroy();
      this.apply(this.policy.connectFailed(endpoint, this.now(), reason));
    };
    const socket = this.open(
      endpoint,
      opts,
      true,
      () => {
        clearTimeout(timeout);
        if (this.attempt !== a) return void socket.destroy();
        this.apply(this.policy.connected(endpoint, this.now()));
        this.logOnOver(a!, socket);
      },
      (reason) => {
        clearTimeout(timeout);
        fail(reason);
      },
    );
    a = { endpoint, socket, attached: false };
    this.attempt = a;
    const timeout = setTimeout(() => fail(`connect timeout after ${opts.connectTimeoutMs} ms`), opts.connectTimeoutMs);
    socket.once('error', (err) => fail(err.message));
    socket.once('close', () => {
      clearTimeout(timeout);
      fail('connection closed');
    });
  }

  /** Runs `then` once this node owns the session, trying again every `ownershipRetryMs` while another node does. */
  private whenOwner(then: () => void): void {
    const retry = (): void => {
      if (this.stopped) return;
      this.ownerTimer = setTimeout(() => {
        this.ownerTimer = null;
        this.whenOwner(then);
      }, this.o.ownershipRetryMs ?? 500);
    };
    this.session.claim().then(
      (refused) => {
        if (this.stopped) return;
        this.ownershipProblem = null;
        if (refused === null) then();
        else retry();
      },
      (err: unknown) => {
        // Not silent: the session says why it cannot take the session (a lease folder that does not
        // exist, a database that does not answer), once per distinct reason, and tries again.
        const reason = `cannot take ownership of ${this.session.id.toString()}, retrying every ${this.o.ownershipRetryMs ?? 500} ms: ${err instanceof Error ? err.message : String(err)}`;
        if (reason !== this.ownershipProblem && !this.stopped) {
          this.ownershipProblem = reason;
          this.session.emit('event', { kind: 'error', text: reason });
          this.session.emit('ownership', { state: 'failed', node: this.session.ownership?.node ?? '', epoch: 0, reason });
        }
        retry();
      },
    );
  }

  /** The last reason taking ownership failed (reported once until it changes or succeeds). */
  private ownershipProblem: string | null = null;

  /** Refreshes the store when asked to, then hands the socket to the session, which sends the Logon. */
  private logOnOver(a: Attempt, socket: net.Socket): void {
    const go = (): void => {
      if (this.attempt !== a || socket.destroyed) {
        if (this.attempt === a) {
          this.attempt = null;
          this.apply(this.policy.connectFailed(a.endpoint, this.now(), 'connection closed before logon'));
        }
        return;
      }
      a.attached = true;
      this.session.attach(socket);
    };
    const fail = (reason: string): void => {
      socket.destroy();
      if (this.attempt === a) {
        this.attempt = null;
        this.apply(this.policy.connectFailed(a.endpoint, this.now(), reason));
      }
    };
    const why = (err: unknown): string => (err instanceof Error ? err.message : String(err));
    if (!this.session.ownsSession) {
      // A standby connection picked up while another node owns the session (the claim reloads the store).
      this.session.claim().then(
        (refused) => (refused === null ? go() : fail(`not the owner: ${refused}`)),
        (err: unknown) => fail(`ownership failed: ${why(err)}`),
      );
    } else if (this.o.refreshOnLogon) {
      this.session.refresh().then(go, (err: unknown) => fail(`store refresh failed: ${why(err)}`));
    } else go();
  }

  private useBackup(endpoint: FailoverEndpoint): void {
    const sb = this.standbys.get(endpoint.uri);
    this.standbys.delete(endpoint.uri);
    const a: Attempt = { endpoint, socket: sb?.socket ?? null, attached: false };
    this.attempt = a;
    if (!sb || sb.socket.destroyed) {
      sb?.release();
      this.attempt = null;
      this.apply(this.policy.connectFailed(endpoint, this.now(), 'the standby connection is gone'));
      return;
    }
    sb.release();
    const socket = sb.socket;
    // A close before the session takes the socket is a failed attempt.
    const early = (): void => {
      if (this.attempt === a && !a.attached) {
        this.attempt = null;
        this.apply(this.policy.connectFailed(endpoint, this.now(), 'standby connection closed'));
      }
    };
    socket.once('close', early);
    this.logOnOver(a, socket);
    if (a.attached) socket.off('close', early);
  }

  private logoutWhenSafe(): void {
    if (this.switching) return;
    // Bound to the connection it was asked on: once that one ends, a later logon (at the target,
    // for instance) is not logged out by this wait.
    const conn = this.attempt;
    const current = (): boolean => !this.stopped && this.session.isLoggedOn && this.attempt === conn;
    const check = (): void => {
      if (!current()) {
        if (this.switching) clearInterval(this.switching);
        this.switching = null;
        return;
      }
      if (this.session.core.isResending) return;
      if (this.switching) clearInterval(this.switching);
      this.switching = null;
      void this.session.drain().then(() => {
        if (current()) this.session.logout('failback to a priority endpoint');
      });
    };
    this.switching = setInterval(check, 50);
    check();
  }

  private fetchUris(url: string): void {
    this.fetchAbort?.abort();
    const abort = new AbortController();
    this.fetchAbort = abort;
    readUriList(url, abort.signal).then(
      (text) => {
        if (abort.signal.aborted) return;
        let list: FailoverEndpoint[];
        try {
          list = parseEndpointList(text, this.o.config.nested);
          for (const e of list) this.optionsOf(e);
        } catch (e) {
          this.apply(this.policy.updateUrisFailed(this.now(), `${url}: ${e instanceof Error ? e.message : String(e)}`));
          return;
        }
        this.apply(this.policy.updateUris(list, this.now()));
      },
      (err: unknown) => {
        if (!abort.signal.aborted) this.apply(this.policy.updateUrisFailed(this.now(), err instanceof Error ? err.message : String(err)));
      },
    );
  }

  private keepWarm(endpoints: readonly FailoverEndpoint[]): void {
    for (const [uri, sb] of this.standbys) {
      if (endpoints.some((e) => e.uri === uri)) continue;
      this.standbys.delete(uri);
      sb.release();
      sb.socket.destroy();
    }
    for (const e of endpoints) if (!this.standbys.has(e.uri)) this.openStandby(e);
  }

  private openStandby(endpoint: FailoverEndpoint): void {
    const opts = this.optionsOf(endpoint);
    // A TLS standby completes its handshake now, so a failover to it costs no round trip.
    const socket = this.open(endpoint, opts, false, () => onReady(), () => socket.destroy());
    const timeout = setTimeout(() => socket.destroy(new Error('connect timeout')), opts.connectTimeoutMs);
    const onReady = (): void => {
      clearTimeout(timeout);
      if (this.standbys.get(endpoint.uri) !== sb) return;
      sb.ready = true;
      this.apply(this.policy.backupReady(endpoint, this.now()));
    };
    const onData = (): void => undefined;
    const onError = (): void => undefined;
    const onClose = (): void => {
      clearTimeout(timeout);
      if (this.standbys.get(endpoint.uri) !== sb) return;
      this.standbys.delete(endpoint.uri);
      if (!this.stopped) this.apply(this.policy.backupLost(endpoint, this.now(), 'standby connection closed'));
    };
    const release = (): void => {
      clearTimeout(timeout);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const sb: Standby = { endpoint, socket, ready: false, release };
    this.standbys.set(endpoint.uri, sb);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.once('close', onClose);
  }

  private probe(endpoints: readonly FailoverEndpoint[]): void {
    this.probing = endpoints;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    if (endpoints.length === 0) return;
    const every = this.o.probeIntervalMs ?? Math.min(5000, Math.max(200, Math.floor(this.o.config.priorityFailbackDelay / 4)));
    const once = (): void => {
      for (const e of this.probing) this.probeOnce(e);
    };
    this.probeTimer = setInterval(once, every);
    once();
  }

  private probeOnce(endpoint: FailoverEndpoint): void {
    const opts = this.optionsOf(endpoint);
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    this.probeSockets.add(socket);
    let done = false;
    const finish = (healthy: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(t);
      this.probeSockets.delete(socket);
      socket.destroy();
      if (this.stopped || !this.probing.some((p) => p.uri === endpoint.uri)) return;
      this.apply(healthy ? this.policy.primaryHealthy(endpoint, this.now()) : this.policy.primaryUnhealthy(endpoint, this.now()));
    };
    const t = setTimeout(() => finish(false), Math.min(opts.connectTimeoutMs, 2000));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  }

  private closeAll(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    if (this.switching) clearInterval(this.switching);
    this.switching = null;
    this.fetchAbort?.abort();
    if (this.ownerTimer) clearTimeout(this.ownerTimer);
    this.ownerTimer = null;
    this.probing = [];
    for (const s of this.probeSockets) s.destroy();
    this.probeSockets.clear();
    for (const sb of this.standbys.values()) {
      sb.release();
      sb.socket.destroy();
    }
    this.standbys.clear();
    this.queued.clear();
    const a = this.attempt;
    if (a && !a.attached) {
      a.socket?.destroy();
      this.attempt = null;
    }
  }
}

/** Reads a comma-separated endpoint list from a file path or an http(s) URL (5 s limit for URLs). */
export async function readUriList(url: string, signal?: AbortSignal): Promise<string> {
  if (/^https?:\/\//i.test(url)) {
    const timeout = AbortSignal.timeout(5000);
    const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    if (!res.ok) throw new FixoverError(`${url}: HTTP ${res.status}`, { code: 'URI_LIST_UNREADABLE' });
    return await res.text();
  }
  const path = url.startsWith('file://') ? new URL(url) : url;
  return await readFile(path, 'utf8');
}
