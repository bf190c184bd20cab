/**
 * The operations HTTP interface of one engine process (fastify): health checks, Prometheus
 * metrics, the JSON admin API (requests validated against the schemas of api-schemas.ts), live
 * updates as server-sent events, and the web console. Changing operations need the admin token
 * (`Authorization: Bearer <token>`) and are audited; without a configured token they are refused.
 * The server only reads the engine's state and calls its public methods.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FixoverError } from '../codec/errors.js';
import type { Engine } from '../engine/engine.js';
import { SessionOwnedElsewhereError, type Session } from '../engine/session.js';
import { InvalidSeqNumError } from '../store/seq-num.js';
import { ClusterMoveError } from '../cluster/move-request.js';
import { TlsReloadError } from '../transport/tls.js';
import { reloadReasons, tlsStatus } from './tls-status.js';
import { ActivityFeed } from './activity.js';
import { ROUTES, type ApiRoute } from './api-schemas.js';
import { AuditLog } from './audit.js';
import { EngineMetrics } from './metrics.js';
import type { ProcessMetricsLevel } from './process-metrics.js';
import { registerConsole } from './console.js';
import { openApiDocument } from './openapi.js';

/** An admin request failed; `code` is the error named in the JSON answer. */
export class AdminError extends FixoverError {
  constructor(
    override readonly code: 'bad_request' | 'unauthorized' | 'forbidden' | 'not_found' | 'no_tls',
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** How the {@link AdminServer} listens and who may change things (token, allowed addresses). */
export interface AdminServerOptions {
  /** TCP port (0: any free port). */
  port: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** The token changing operations need; none: they are refused. */
  token?: string;
  /** Where audit lines go (default: standard output). */
  auditWrite?: (line: string) => void;
  /** Which process metrics `/metrics` serves (setting `HttpProcessMetrics`; default `basic`, see {@link EngineMetrics}). */
  processMetrics?: boolean | ProcessMetricsLevel;
  /** The cluster membership of the node (set by `fixover run` for a cluster member): `/readyz` waits for it to have joined, `/api/cluster` shows it. */
  cluster?: AdminCluster;
  /** Serve HTTPS with this certificate (chain) and key, PEM (settings: HttpCertificateFile, HttpCertificateKeyFile). */
  tls?: { readonly cert: Buffer | string; readonly key: Buffer | string; readonly passphrase?: string };
}

/** What the interface needs of a node's cluster membership (a `ClusterNode` is one). */
export interface AdminCluster {
  /** Registered as a member (from its start to its stop). */
  readonly joined: boolean;
  /** The cluster as the shared store shows it now. */
  status(): Promise<object>;
  /**
   * Asks for a session to move to node `to` (see `ClusterNode.requestMove`).
   * @throws ClusterMoveError when it cannot
   */
  requestMove(session: string, to: string, by: string): Promise<object>;
}

/** The information about a session the API answers with. */
export type SessionInfo = ReturnType<Session['status']> & { owner?: { node: string; epoch: number; renewedAt: number; leaseMs: number }; inRate: number; outRate: number };

/** The HTTP operations interface of a process (`HttpAcceptPort`): health, readiness, Prometheus metrics, the JSON admin API and the web console. */
export class AdminServer {
  /** The Prometheus registry `/metrics` answers from. @internal */
  readonly metrics: EngineMetrics;
  /** The recent events the console shows. @internal */
  readonly activity: ActivityFeed;
  /** The admin API's audit trail. @internal */
  readonly audit: AuditLog;
  private readonly app: FastifyInstance;
  private readonly tokenHash: Buffer | undefined;
  private readonly streams = new Set<FastifyReply>();

  private constructor(
    readonly engine: Engine,
    private readonly options: AdminServerOptions,
  ) {
    this.metrics = new EngineMetrics(engine, { processMetrics: options.processMetrics });
    this.activity = new ActivityFeed(engine);
    this.audit = new AuditLog(options.auditWrite);
    this.tokenHash = options.token ? sha256(options.token) : undefined;
    this.app = Fastify({
      // HTTPS when given a certificate: the token and the operations never cross the network in plaintext.
      ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key, passphrase: options.tls.passphrase } } : {}),
      logger: false,
      // Unknown properties and wrong types are refused, not dropped or coerced.
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
      bodyLimit: 64 * 1024,
    });
    this.routes();
  }

  /**
   * Starts the interface for an engine: listening once the promise resolves.
   * @throws when the address cannot be listened on (in use, not local…)
   */
  static async start(engine: Engine, options: AdminServerOptions): Promise<AdminServer> {
    const server = new AdminServer(engine, options);
    await server.app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
    server.activity.start();
    return server;
  }

  /** The port listened on. */
  get port(): number {
    return (this.app.server.address() as AddressInfo).port;
  }

  /** The base URL, e.g. `http://127.0.0.1:8080` (`https://` with a certificate). */
  get url(): string {
    const host = this.options.host ?? '127.0.0.1';
    return `${this.options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  /** Changing operations are possible (an admin token is configured). */
  get changesEnabled(): boolean {
    return this.tokenHash !== undefined;
  }

  /** Stops listening and ends the event streams. */
  async stop(): Promise<void> {
    this.activity.stop();
    for (const r of this.streams) r.raw.end();
    this.streams.clear();
    await this.app.close();
  }

  /** The session the API names, with its live information. */
  async sessionInfo(s: Session): Promise<SessionInfo> {
    const owner = await s.owner().catch(() => undefined);
    return {
      ...s.status(),
      ...this.activity.rates(s),
      ...(owner ? { owner: { node: owner.node, epoch: owner.epoch, renewedAt: owner.renewedAt, leaseMs: owner.leaseMs } } : {}),
    };
  }

  private routes(): void {
    const app = this.app;
    app.setErrorHandler((err: FixoverError | (Error & { validation?: unknown; statusCode?: number }), _req, reply) => {
      if (err instanceof AdminError) return reply.code(err.status).send({ error: err.code, message: err.message });
      if (err instanceof InvalidSeqNumError) return reply.code(400).send({ error: 'bad_request', message: err.message });
      if (err instanceof SessionOwnedElsewhereError) return reply.code(409).send({ error: 'owned_elsewhere', message: err.message });
      if (err instanceof TlsReloadError) return reply.code(409).send({ error: 'tls_reload_failed', message: `certificate reload failed for ${reloadReasons(err.errors).length} file(s); the certificates in use stay`, reasons: reloadReasons(err.errors), tls: tlsStatus(this.engine) });
      if (err instanceof ClusterMoveError) return reply.code(err.code === 'unknown_node' || err.code === 'unknown_session' ? 404 : 409).send({ error: err.code, message: err.message });
      const e = err as Error & { validation?: unknown; statusCode?: number };
      if (e.validation || (e.statusCode && e.statusCode < 500)) return reply.code(e.statusCode ?? 400).send({ error: 'bad_request', message: e.message });
      return reply.code(500).send({ error: 'internal', message: e.message });
    });
    app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

    app.get('/healthz', async () => ({ status: 'alive', node: this.engine.nodeName }));
    app.get('/readyz', async (_req, reply) => {
      const e = this.engine;
      // Ready: stores open and listening (the engine running), and a cluster member once it has joined.
      const cluster = this.options.cluster;
      const ready = e.ready && (cluster === undefined || cluster.joined);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', phase: e.phase, listening: e.acceptors.every((a) => a.listening), ...(cluster ? { clusterJoined: cluster.joined } : {}) });
    });
    app.get('/metrics', async (_req, reply) => reply.type(this.metrics.contentType).send(await this.metrics.text()));
    app.get('/api/openapi.json', async () => openApiDocument());

    this.route(ROUTES.node, async () => this.engine.status());
    this.route(ROUTES.tls, async () => tlsStatus(this.engine));
    this.route(ROUTES.reloadTls, async (req) => {
      await this.audited(req, 'reload-tls', 'node', (req.body ?? {}) as object, async () => {
        if (this.engine.tlsContexts.length === 0) throw new AdminError('no_tls', 409, `node ${this.engine.nodeName} serves no TLS (no acceptor port nor initiator session has SocketUseSSL): there are no certificates to reload`);
        this.engine.reloadTls();
      });
      return { ok: true, tls: tlsStatus(this.engine) };
    });
    this.route(ROUTES.cluster, async () => {
      const cluster = this.options.cluster;
      if (!cluster) throw new AdminError('not_found', 404, 'this node is not a cluster member (see docs/cluster.md)');
      return { ...(await cluster.status()), joined: cluster.joined };
    });
    this.route(ROUTES.sessions, async () => ({ sessions: await Promise.all([...this.engine.sessions.values()].map((s) => this.sessionInfo(s))) }));
    this.route(ROUTES.session, async (req) => this.sessionInfo(this.sessionOf(req)));
    this.route(ROUTES.activity, async () => ({ activity: this.activity.recent() }));
    this.route(ROUTES.audit, async () => ({ audit: this.audit.recent() }));

    this.operation(ROUTES.logout, 'logout', async (s, body) => s.logout(body.text ?? ''));
    this.operation(ROUTES.disconnect, 'disconnect', async (s, body) => s.disconnect(body.text || 'disconnected by operator'));
    this.operation(ROUTES.reset, 'reset', async (s, body) => s.reset(body.text || 'session reset by operator'));
    this.operation(ROUTES.setSeq, 'set-seq', async (s, body) => s.setSequenceNumbers(body.nextSender, body.nextTarget));
    this.operation(ROUTES.refresh, 'refresh', async (s) => s.refresh());
    this.route(ROUTES.move, async (req, reply) => {
      const s = this.sessionOf(req);
      const body = req.body as { node: string };
      const cluster = this.options.cluster;
      let move: object = {};
      await this.audited(req, 'move', s.id.toString(), body, async () => {
        if (!cluster) throw new ClusterMoveError('not_in_cluster', `node ${this.engine.nodeName} is not a cluster member: a session moves between members of a cluster (ClusterName, docs/cluster.md)`);
        move = await cluster.requestMove(s.id.toString(), body.node, operatorOf(req));
      });
      void reply.code(202);
      return { ok: true, move };
    });
    this.route(ROUTES.drain, async (req) => {
      const body = (req.body ?? {}) as { text?: string };
      await this.audited(req, 'drain', 'node', body, () => this.engine.drain(body.text || 'node draining'));
      return { ok: true, node: this.engine.status() };
    });

    app.get('/api/events', (req, reply) => this.events(req, reply));
    registerConsole(app);
  }

  /** Registers a route of the API with its schemas; changing routes check the token first. */
  private route(r: ApiRoute, handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>): void {
    const schema: Record<string, unknown> = { response: r.response };
    if (r.params) schema.params = r.params;
    if (r.body) schema.body = r.body;
    this.app.route({
      method: r.method,
      url: r.url,
      schema,
      preValidation: r.changes ? (req, _reply, done) => done(this.authorize(req)) : undefined,
      handler: (req, reply) => handler(req, reply),
    });
  }

  /** A per-session changing operation: authorized, audited, answered with the session's state after it. */
  private operation(r: ApiRoute, action: string, op: (s: Session, body: { text?: string; nextSender?: number; nextTarget?: number }) => Promise<void>): void {
    this.route(r, async (req) => {
      const s = this.sessionOf(req);
      const body = (req.body ?? {}) as { text?: string; nextSender?: number; nextTarget?: number };
      await this.audited(req, action, s.id.toString(), body, () => op(s, body));
      return { ok: true, session: await this.sessionInfo(s) };
    });
  }

  /** Runs an operation and records who did what, when, and how it went. */
  private async audited(req: FastifyRequest, action: string, target: string, body: object, op: () => Promise<void>): Promise<void> {
    const detail = Object.entries(body)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
    const base = { who: operatorOf(req), remote: req.ip, action, target, detail: detail || undefined };
    try {
      await op();
    } catch (e) {
      this.audit.record({ ...base, outcome: `failed: ${e instanceof Error ? e.message : String(e)}` });
      throw e;
    }
    this.audit.record({ ...base, outcome: 'ok' });
    this.activity.add({ session: target === 'node' ? undefined : target, kind: 'operation', text: `${action}${detail ? ` ${detail}` : ''} by ${base.who}` });
  }

  /** Null when the request carries the admin token; else the error to answer with (the refusal is audited). */
  private authorize(req: FastifyRequest): AdminError | undefined {
    const refuse = (e: AdminError): AdminError => {
      this.audit.record({ who: operatorOf(req), remote: req.ip, action: `${req.method} ${req.url.split('?')[0]}`, target: '-', outcome: `refused: ${e.message}` });
      return e;
    };
    if (!this.tokenHash) return refuse(new AdminError('forbidden', 403, 'changing operations are disabled: no admin token is configured (HttpAdminToken or HttpAdminTokenFile)'));
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!m) return refuse(new AdminError('unauthorized', 401, 'this operation needs the admin token: Authorization: Bearer <token>'));
    if (!timingSafeEqual(sha256(m[1]), this.tokenHash)) return refuse(new AdminError('unauthorized', 401, 'wrong admin token'));
    return undefined;
  }

  private sessionOf(req: FastifyRequest): Session {
    const id = (req.params as { id: string }).id;
    const s = this.engine.sessions.get(id);
    if (!s) throw new AdminError('not_found', 404, `no session ${id} (sessions: ${[...this.engine.sessions.keys()].join(', ')})`);
    return s;
  }

  /**
   * Server-sent events: `snapshot` (node and sessions) at once and every second, `activity` for
   * each new activity entry, `audit` for each audited operation.
   */
  private events(req: FastifyRequest, reply: FastifyReply): void {
    if (this.streams.size >= MAX_EVENT_STREAMS) {
      void reply.code(503).send({ error: 'unavailable', message: `too many event streams open (${MAX_EVENT_STREAMS}); close a console first` });
      return;
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (event: string, data: unknown): void => void raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const snapshot = async (): Promise<void> => {
      const sessions = await Promise.all([...this.engine.sessions.values()].map((s) => this.sessionInfo(s)));
      if (!raw.writableEnded) send('snapshot', { node: this.engine.status(), sessions });
    };
    let soon: NodeJS.Timeout | null = null;
    const onActivity = (e: unknown): void => {
      send('activity', e);
      // Something happened: the sessions' state too, without waiting for the next second.
      soon ??= setTimeout(() => {
        soon = null;
        void snapshot();
      }, 20);
    };
    const onAudit = (e: unknown): void => send('audit', e);
    const onTick = (): void => void snapshot();
    this.streams.add(reply);
    this.activity.on('entry', onActivity);
    this.activity.on('tick', onTick);
    this.audit.on('entry', onAudit);
    send('hello', { activity: this.activity.recent(), audit: this.audit.recent() });
    void snapshot();
    req.raw.on('close', () => {
      if (soon) clearTimeout(soon);
      this.streams.delete(reply);
      this.activity.off('entry', onActivity);
      this.activity.off('tick', onTick);
      this.audit.off('entry', onAudit);
    });
  }
}

/** Event streams (open consoles) served at once; more are refused with 503 rather than hold memory without bound. */
export const MAX_EVENT_STREAMS = 64;

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** The operator a request names (`X-Fixover-Operator`, printable, at most 64 characters), else `unnamed`. */
function operatorOf(req: FastifyRequest): string {
  const v = req.headers['x-fixover-operator'];
  const name = typeof v === 'string' ? v.replace(/[^\x21-\x7e]/g, '').slice(0, 64) : '';
  return name || 'unnamed';
}
