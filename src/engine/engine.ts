/**
 * An engine: every session of a settings file running at once — acceptor sessions grouped by
 * listening address, initiator sessions connecting out — with stores and the application.
 */
import { dirname, resolve } from 'node:path';
import { hostname } from 'node:os';
import { EventEmitter } from 'node:events';
import { FileOwnership } from '../fencing/file-ownership.js';
import { PostgresOwnership } from '../fencing/postgres-ownership.js';
import type { OwnerRecord, SessionOwnership } from '../fencing/ownership.js';
import { PostgresDatabase } from '../store/postgres-database.js';
import { postgresOptionsFrom } from '../store/postgres-settings.js';
import { Acceptor, type ListenAddress, type SessionKey } from './acceptor.js';
import { Initiator, type InitiatorSession } from './initiator.js';
import { Session } from './session.js';
import { acceptorLimitsFrom, initiatorSessionFrom, refreshOnLogon, sessionOptionsFrom, sessionSharingFrom, socketOptionsFrom, SettingsApplyError, tlsFrom, tlsSettingsKey, type SessionSettingsRecord } from './from-settings.js';
import { FAILOVER_URI_ON_ACCEPTOR, SOCKET_CONNECT_URI } from '../transport/quickfix-settings.js';
import type { Application } from '../session/actions.js';
import { SessionNotFound } from '../session/errors.js';
import type { SessionID } from '../session/session-id.js';
import type { Message } from '../codec/message.js';
import type { MessageStore } from '../store/store.js';
import { storeFor, logFor } from './settings-resources.js';
import { loadSettings, type Settings } from '../config/settings.js';
import { formatProblem, type SettingsProblem } from '../config/problems.js';
import { attachLog } from '../log/session-events.js';
import type { Log } from '../log/log.js';
import { reloadEach, type TlsContext, type TlsReloadError } from '../transport/tls.js';
import { CredentialFile, CredentialFileError } from '../auth/credentials.js';
import { LogonGuard, type LogonCheck } from '../auth/logon-guard.js';

/**
 * Options of {@link Engine.create}. Without `store` and `log`, each session's store and logs are
 * made from its settings as the command line makes them (`FileStorePath`, `PostgreSQLStore*`,
 * `FileLogPath`, `ScreenLogShow*`).
 */
export interface EngineOptions {
  /**
   * Creates the store of a session (default: from its settings: PostgreSQL, a file store under
   * FileStorePath, else memory).
   */
  store?: (settings: SessionSettingsRecord, id: SessionID) => Promise<MessageStore> | MessageStore;
  /** Directory that relative paths in the settings are resolved from (the settings file's folder). */
  baseDir?: string;
  /** Timer period of sessions in milliseconds. */
  tickMs?: number;
  /** Creates the log of a session (default: from its settings; none when it resolves to undefined). */
  log?: (settings: SessionSettingsRecord, id: SessionID) => Promise<Log | undefined> | Log | undefined;
  /** Told of each session as it is created, after its log is attached and before it reports anything. */
  onSession?: (session: Session) => void;
  /**
   * Checks the Logons of acceptor sessions that have no `LogonCredentialsFile`: true accepts;
   * false or a reason refuses (a Logout with the reason). See docs/security.md.
   */
  authenticate?: LogonCheck;
}

/**
 * Options of {@link Engine.fromSettings} and {@link Engine.fromSettingsFile}: those of
 * {@link EngineOptions} (but `baseDir`, which is the settings file's folder) and how the settings
 * are applied.
 */
export interface SettingsEngineOptions extends Omit<EngineOptions, 'baseDir'> {
  /** Folder that relative FileStorePath / FileLogPath resolve from (default: the working directory, as on the command line). */
  dataDir?: string;
  /** Listen on this port instead of the settings' SocketAcceptPort (0: any free port; see {@link Engine.start}). */
  listenPort?: number;
  /** Also write each session's events as JSON lines on standard error (the command line's `--json-log`). */
  jsonLog?: boolean;
  /**
   * Told of each warning and notice of the settings (an unknown setting name with the closest
   * known one, a setting given twice…). Default: a process warning (`process.emitWarning`, type
   * `FixoverSettingsWarning`), printed on standard error, so none passes silently.
   */
  onSettingsProblem?: (problem: SettingsProblem) => void;
}

/**
 * The application of an engine's sessions: the callbacks themselves, or a function that makes them
 * given the engine (to send replies from them).
 */
export type ApplicationFactory = Application<SessionID> | ((sender: EngineSender) => Application<SessionID>);

/** Something that can send on behalf of an application (the engine itself). */
export interface EngineSender {
  send(message: Message, sessionId: SessionID): boolean;
}

/** Where an engine is in its life: created, running (after `start`), draining (after `drain`), stopped. */
export type EnginePhase = 'created' | 'running' | 'draining' | 'stopped';

/** The engine's events. */
export interface EngineEvents {
  /** A session was created after the engine was (an acceptor template matched a new counterparty). */
  session: [Session];
  /** The engine moved to another phase. */
  phase: [EnginePhase];
  /** Certificates were read again ({@link Engine.reloadTls}): null when every file was, else the error (those that failed keep the files in use). */
  tlsReload: [TlsReloadError | null];
}

/** A snapshot of this node for operations (see {@link Engine.status}). */
export interface NodeStatus {
  /** This node's name (`NodeName`, default host:pid). */
  readonly node: string;
  readonly pid: number;
  readonly phase: EnginePhase;
  /** Running with every acceptor listening (not draining nor stopped). */
  readonly ready: boolean;
  /** When `start` was called, ms since the epoch (undefined before). */
  readonly startedAt?: number;
  /** Ports the acceptors listen on. */
  readonly listeningPorts: readonly number[];
  readonly sessions: number;
  readonly loggedOn: number;
}

/**
 * Every session of a settings file running at once: acceptor sessions grouped by listening
 * address, initiator sessions connecting out, each with its store, logs and the application.
 * Make one with {@link Engine.fromSettingsFile} (or {@link Engine.fromSettings}, or
 * {@link Engine.create} with your own stores), then `start()`; `stop()` logs out and closes.
 */
export class Engine extends EventEmitter<EngineEvents> implements EngineSender {
  readonly sessions = new Map<string, Session>();
  readonly acceptors: Acceptor[] = [];
  initiator: Initiator | null = null;
  /**
   * Replaces what {@link Engine.drain} does after entering the `draining` phase: a cluster member
   * sets it so that a drain moves its sessions to the other members (docs/cluster.md, "Drain")
   * instead of logging them out.
   */
  drainer: ((text: string) => Promise<void>) | null = null;
  /** This node's name (`NodeName`, default host:pid), as recorded in session ownership. */
  nodeName = `${hostname()}:${process.pid}`;
  private readonly logs: Log[] = [];
  private current: EnginePhase = 'created';
  private startedAt: number | undefined;
  private ports: number[] = [];
  /** Set once `create` has made the sessions of the settings: later ones are announced (`session` event). */
  private created = false;
  /** Logon authentication of acceptor sessions (undefined when no session asks for it). */
  logonGuard: LogonGuard | undefined;

  private constructor() {
    super();
  }

  /** Logons refused by authentication so far. */
  get logonFailureCount(): number {
    return this.logonGuard?.failureCount ?? 0;
  }

  /**
   * Reads a QuickFIX settings file and creates every session in it, with stores and logs as the
   * settings say (exactly as `fixover run` does). Throws SettingsError (file, line, setting and
   * what is valid) when the settings have errors; a store folder that does not exist is created,
   * or the call rejects with a FileStoreError naming it.
   */
  static async fromSettingsFile(file: string, app: ApplicationFactory, options: SettingsEngineOptions = {}): Promise<Engine> {
    return Engine.fromSettings(loadSettings(file), app, options);
  }

  /**
   * Creates every session of parsed settings (`parseSettings`, `loadSettings` or
   * `settingsFromObject`) with stores and logs as the settings say; see {@link Engine.fromSettingsFile}.
   */
  static async fromSettings(settings: Settings, app: ApplicationFactory, options: SettingsEngineOptions = {}): Promise<Engine> {
    const { dataDir, listenPort, jsonLog, onSettingsProblem, ...rest } = options;
    const report = onSettingsProblem ?? ((p: SettingsProblem) => process.emitWarning(formatProblem(p), { type: 'FixoverSettingsWarning' }));
    for (const p of settings.problems) report(p);
    return Engine.create(settingsRecords(settings, { dataDir, listenPort }), app, { log: logFor(jsonLog ?? false), ...rest, baseDir: settings.baseDir });
  }

  /**
   * Creates every session of settings records (one map of setting name to value per session,
   * defaults merged in). `app` is the application, or a function that makes it given the engine
   * (to send replies). Stores and logs come from the settings unless `options` gives them.
   */
  static async create(settings: readonly SessionSettingsRecord[], app: ApplicationFactory, options: EngineOptions = {}): Promise<Engine> {
    const engine = new Engine();
    const application = typeof app === 'function' ? app(engine) : app;
    const baseDir = options.baseDir ?? process.cwd();
    const byAddress = new Map<string, { address: ListenAddress; sessions: Session[]; settings: SessionSettingsRecord; tlsKey: string }>();
    const initiated: InitiatorSession[] = [];
    const templates: SessionSettingsRecord[] = [];
    const credentialFiles = new Map<string, CredentialFile>();
    const credentialsOf = new Map<string, CredentialFile>();
    const credentialsFor = (s: SessionSettingsRecord): CredentialFile | undefined => {
      if (!s.LogonCredentialsFile) return undefined;
      const path = resolve(baseDir, s.LogonCredentialsFile);
      let file = credentialFiles.get(path);
      if (!file) {
        try {
          file = CredentialFile.load(path);
        } catch (e) {
          if (e instanceof CredentialFileError) throw new SettingsApplyError('LogonCredentialsFile', e.message);
          throw e;
        }
        credentialFiles.set(path, file);
      }
      return file;
    };
    const guard = (s: SessionSettingsRecord): LogonGuard => {
      engine.logonGuard ??= new LogonGuard({
        credentials: (id) => credentialsOf.get(id.toString()),
        check: options.authenticate,
        limits: {
          limit: Number(s.LogonFailureLimit ?? 5),
          windowMs: Number(s.LogonFailureWindow ?? 60) * 1000,
          blockMs: Number(s.LogonFailureBlockTime ?? 60) * 1000,
        },
      });
      return engine.logonGuard;
    };
    const create = async (s: SessionSettingsRecord): Promise<Session> => {
      const opts = sessionOptionsFrom(s, baseDir);
      const credentials = credentialsFor(s);
      if (credentials) credentialsOf.set(opts.sessionId.toString(), credentials);
      let sessionApp = application;
      if (opts.role === 'acceptor' && (credentials || options.authenticate)) {
        const holder: { session?: Session } = {};
        sessionApp = guard(s).wrap(application, () => holder.session?.remoteHost ?? '');
        const made = await createWith(s, opts, sessionApp);
        holder.session = made;
        return made;
      }
      return createWith(s, opts, sessionApp);
    };
    const createWith = async (s: SessionSettingsRecord, opts: ReturnType<typeof sessionOptionsFrom>, application: Application<SessionID>): Promise<Session> => {
      const lease = ownershipFor(s, opts.sessionId);
      // Read before the store is loaded: a first Logon taking the session over from this very
      // record needs no reload of the store (nobody owned the session since).
      const storeLoadedUnder = lease.ownership?.restingVersion?.();
      const store = options.store ? await options.store(s, opts.sessionId) : await storeFor(s, opts.sessionId);
      if (lease.ownership) engine.nodeName = lease.ownership.node;
      const session = new Session(opts, store, application, { tickMs: options.tickMs, ...sessionSharingFrom(s), ...lease, storeLoadedUnder });
      engine.sessions.set(opts.sessionId.toString(), session);
      const log = await (options.log ?? defaultLog)(s, opts.sessionId);
      if (log) {
        attachLog(session, log);
        engine.logs.push(log);
      }
      if (refreshOnLogon(s)) session.refreshBeforeLogon = true;
      options.onSession?.(session);
      if (engine.created) engine.emit('session', session);
      session.reportStoreRepairs();
      return session;
    };
    for (const s of settings) {
      if ((s.ConnectionType ?? 'acceptor').toLowerCase() !== 'initiator' && s[SOCKET_CONNECT_URI] !== undefined) {
        throw new SettingsApplyError(SOCKET_CONNECT_URI, FAILOVER_URI_ON_ACCEPTOR);
      }
      if ((s.AcceptorTemplate ?? 'N').toUpperCase() === 'Y') {
        templates.push(s);
        const key = `${s.SocketAcceptAddress ?? '*'}:${Number(s.SocketAcceptPort)}`;
        const known = byAddress.get(key);
        if (known) sameTls(known, s, key);
        else byAddress.set(key, { address: { port: Number(s.SocketAcceptPort), host: s.SocketAcceptAddress }, sessions: [], settings: s, tlsKey: tlsSettingsKey(s) });
        continue;
      }
      const session = await create(s);
      if (session.core.options.role === 'acceptor') {
        const address: ListenAddress = { port: Number(s.SocketAcceptPort), host: s.SocketAcceptAddress };
        const key = `${address.host ?? '*'}:${address.port}`;
        const group = byAddress.get(key) ?? { address, sessions: [], settings: s, tlsKey: tlsSettingsKey(s) };
        sameTls(group, s, key);
        group.sessions.push(session);
        byAddress.set(key, group);
      } else {
        session.refreshBeforeLogon = false;
        initiated.push(initiatorSessionFrom(s, session, baseDir));
      }
    }
    for (const { address, sessions, settings: s } of byAddress.values()) {
      engine.acceptors.push(
        new Acceptor(sessions, [address], {
          logonTimeout: s.LogonTimeout ? Number(s.LogonTimeout) : undefined,
          ...acceptorLimitsFrom(s),
          ...socketOptionsFrom(s),
          tls: tlsFrom(s, baseDir),
          dynamic: templates.length === 0 ? undefined : (key) => {
            const t = templates.find((x) => matchesTemplate(x, key, address));
            return t ? create({ ...t, AcceptorTemplate: 'N', BeginString: key.beginString, SenderCompID: key.senderCompID, TargetCompID: key.targetCompID }) : undefined;
          },
        }),
      );
    }
    if (initiated.length > 0) engine.initiator = new Initiator(initiated);
    engine.created = true;
    return engine;
  }

  /** Starts listening and connecting; resolves with the acceptor ports. */
  async start(): Promise<number[]> {
    const ports: number[] = [];
    for (const a of this.acceptors) ports.push(...(await a.start()));
    this.initiator?.start();
    this.ports = ports;
    this.startedAt = Date.now();
    this.setPhase('running');
    return ports;
  }

  /**
   * Reads every certificate, key and trust file again (acceptor ports and initiator sessions) and
   * uses them for new connections, without a restart. Each context that fails keeps its files in
   * use; the errors are thrown together after the others were reloaded.
   */
  reloadTls(): void {
    let error: TlsReloadError | null = null;
    try {
      reloadEach([...this.acceptors.map((a) => ({ reload: () => a.reloadTls() })), ...(this.initiator ? [{ reload: () => this.initiator!.reloadTls() }] : [])]);
    } catch (e) {
      error = e as TlsReloadError; // reloadEach throws nothing else
    }
    this.emit('tlsReload', error);
    if (error) throw error;
  }

  /** Failed TLS handshakes so far, on every acceptor port and initiator session. */
  get tlsFailureCount(): number {
    return this.acceptors.reduce((n, a) => n + a.tlsFailureCount, 0) + (this.initiator?.tlsFailureCount ?? 0);
  }

  /** The TLS contexts of the acceptor ports and initiator sessions, each once (empty without TLS). */
  get tlsContexts(): TlsContext[] {
    const out = new Set<TlsContext>();
    for (const a of this.acceptors) if (a.tls) out.add(a.tls);
    for (const c of this.initiator?.tlsContexts ?? []) out.add(c);
    return [...out];
  }

  /** Warnings for own certificates that expire soon (within CertificateExpiryWarningDays) or have expired. */
  certificateWarnings(now: number = Date.now()): string[] {
    const out = new Set<string>();
    for (const c of this.tlsContexts) {
      const w = c.expiryWarning(now);
      if (w) out.add(w);
    }
    return [...out];
  }

  /** Logs every session out, then closes sockets and stores. */
  async stop(): Promise<void> {
    this.setPhase('stopped');
    await Promise.all([...this.acceptors.map((a) => a.stop()), this.initiator?.stop()]);
    await Promise.all(this.logs.map((l) => l.close()));
  }

  /** Where the engine is in its life. */
  get phase(): EnginePhase {
    return this.current;
  }

  /** Running, and every acceptor listening: the node takes connections (what a readiness check asks). */
  get ready(): boolean {
    return this.current === 'running' && this.acceptors.every((a) => a.listening);
  }

  /**
   * Drains this node: acceptors stop listening (no new connection, so no new logon), every
   * logged-on acceptor session logs out with `text` (its connection ends when the Logout is
   * answered or LogoutTimeout passes), and initiator sessions log out and stop reconnecting.
   * Sessions and stores stay open: status and the other operations still work; `stop` ends it.
   * Resolves once every session has logged out (or waited for it at most `waitMs`).
   */
  async drain(text = 'node draining', waitMs = 3000): Promise<void> {
    if (this.current === 'stopped') return;
    this.setPhase('draining');
    if (this.drainer) return this.drainer(text);
    for (const a of this.acceptors) a.stopListening();
    const acceptorSessions = this.acceptors.flatMap((a) => a.sessions).filter((s) => s.hasSocket);
    const gone = acceptorSessions.map(
      (s) =>
        new Promise<void>((resolve) => {
          const t = setTimeout(resolve, waitMs);
          s.once('disconnected', () => {
            clearTimeout(t);
            resolve();
          });
        }),
    );
    for (const s of acceptorSessions) {
      if (s.isLoggedOn) s.logout(text);
      else s.disconnect(text);
    }
    await Promise.all([...gone, this.initiator?.drain(text, waitMs)]);
  }

  /** This node's status (see {@link NodeStatus}). */
  status(): NodeStatus {
    const sessions = [...this.sessions.values()];
    return {
      node: this.nodeName,
      pid: process.pid,
      phase: this.current,
      ready: this.ready,
      startedAt: this.startedAt,
      listeningPorts: this.current === 'running' ? this.ports : [],
      sessions: sessions.length,
      loggedOn: sessions.filter((s) => s.isLoggedOn).length,
    };
  }

  private setPhase(phase: EnginePhase): void {
    if (phase === this.current) return;
    this.current = phase;
    this.emit('phase', phase);
  }

  send(message: Message, sessionId: SessionID): boolean {
    return this.session(sessionId).send(message);
  }

  /** A session by its ID (string form accepted). */
  session(sessionId: SessionID | string): Session {
    const s = this.sessions.get(sessionId.toString());
    if (!s) throw new SessionNotFound(`no session ${sessionId.toString()}`);
    return s;
  }

  /** Reloads a session's sequence numbers and message index from its store now (manual refresh). */
  async refresh(sessionId: SessionID | string): Promise<void> {
    await this.session(sessionId).refresh();
  }

  /** The owner and epoch of every session (ownership on shared stores). */
  async owners(): Promise<SessionOwnerInfo[]> {
    return Promise.all(
      [...this.sessions.entries()].map(async ([id, s]) => ({ sessionId: id, owner: await s.owner(), self: s.ownerEpoch !== 0, epoch: s.ownerEpoch })),
    );
  }
}

/** Sessions sharing a listening port share its TLS: their TLS settings must be the same. */
function sameTls(group: { settings: SessionSettingsRecord; tlsKey: string }, s: SessionSettingsRecord, key: string): void {
  if (group.tlsKey === tlsSettingsKey(s)) return;
  throw new SettingsApplyError(
    'SocketUseSSL',
    `sessions ${group.settings.SenderCompID}->${group.settings.TargetCompID} and ${s.SenderCompID}->${s.TargetCompID} listen on the same port (${key}) with different TLS settings; one port is either TLS or plaintext, with one certificate`,
  );
}

/** This process's node name: `NodeName`, else host:pid. */
export function nodeNameFrom(s: SessionSettingsRecord): string {
  return s.NodeName ?? `${hostname()}:${process.pid}`;
}

/**
 * Fenced ownership for a session on a shared store (SessionOwnership=Y, the default),
 * `SessionLeaseTimeout` seconds long: on a file store the lease lives next to the store files; on a
 * PostgreSQL store (PostgreSQLStore* settings) in the database, with a lock held on a connection of
 * the owner's. An acceptor takes it when it accepts a Logon and gives it up when the connection
 * ends; an initiator holds it while it runs (a second initiator process on the same store is a hot
 * standby).
 */
export function ownershipFor(s: SessionSettingsRecord, id: SessionID): { ownership?: SessionOwnership; leaseMs?: number } {
  const pg = postgresOptionsFrom(s);
  if ((!s.FileStorePath && !pg) || (s.SessionOwnership ?? 'Y').toUpperCase() !== 'Y') return {};
  const leaseMs = Math.round(Number(s.SessionLeaseTimeout ?? '5') * 1000);
  const node = nodeNameFrom(s);
  if (pg) return { ownership: new PostgresOwnership({ database: PostgresDatabase.shared(pg), session: id.toString(), node, leaseMs }), leaseMs };
  return { ownership: new FileOwnership({ dir: resolve(s.FileStorePath!), prefix: id.filePrefix, node, leaseMs }), leaseMs };
}

const defaultLog = logFor(false);

/**
 * The records of parsed settings, one per session, with relative FileStorePath / FileLogPath
 * resolved from `dataDir` and SocketAcceptPort replaced by `listenPort` when given.
 *
 * @internal
 */
export function settingsRecords(settings: Settings, o: { dataDir?: string; listenPort?: number } = {}): Record<string, string>[] {
  return settings.sessions.map((s) => {
    const r = s.toRecord();
    if (o.dataDir) {
      if (r.FileStorePath) r.FileStorePath = resolve(o.dataDir, r.FileStorePath);
      if (r.FileLogPath) r.FileLogPath = resolve(o.dataDir, r.FileLogPath);
    }
    if (o.listenPort !== undefined && r.SocketAcceptPort) r.SocketAcceptPort = String(o.listenPort);
    return r;
  });
}

/** Who owns a session, as the API reports it. */
export interface SessionOwnerInfo {
  readonly sessionId: string;
  /** The owner recorded in the shared store (undefined: never owned, or no ownership configured). */
  readonly owner: OwnerRecord | undefined;
  /** This node owns it now. */
  readonly self: boolean;
  /** Our epoch (0 when not ours). */
  readonly epoch: number;
}

/** A template matches an incoming identity when each of its IDs is equal or `*`, on its own port. */
function matchesTemplate(t: SessionSettingsRecord, key: SessionKey, address: ListenAddress): boolean {
  const ok = (pattern: string | undefined, value: string): boolean => pattern === undefined || pattern === '*' || pattern === value;
  return Number(t.SocketAcceptPort) === address.port && ok(t.BeginString, key.beginString) && ok(t.SenderCompID, key.senderCompID) && ok(t.TargetCompID, key.targetCompID);
}

/** The folder a settings file lives in, to resolve relative paths from. */
export function settingsBaseDir(file: string): string {
  return dirname(file);
}
