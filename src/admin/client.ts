/**
 * A client of the admin API (what `fixover admin` uses): typed calls over fetch, errors with the
 * server's code and message.
 */
import { FixoverError } from '../codec/errors.js';
import type { NodeStatus } from '../engine/engine.js';
import type { AuditEntry } from './audit.js';
import type { ActivityEntry } from './activity.js';
import type { SessionInfo } from './server.js';
import type { MoveRequest } from '../cluster/cluster-store.js';
import type { TlsStatus } from './tls-status.js';

/** The admin API answered with an error, or could not be reached (`code` 'unreachable'). */
export class AdminClientError extends FixoverError {
  constructor(
    override readonly code: string,
    readonly status: number,
    message: string,
    /** The rest of the server's error answer (e.g. a refused TLS reload's `reasons`). */
    readonly body: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** Where an {@link AdminClient} connects, and its token and operator name. */
export interface AdminClientOptions {
  /** The admin token, for changing operations. */
  token?: string;
  /** Who is operating (sent as X-Fixover-Operator, recorded in the audit trail). */
  operator?: string;
  /** Request timeout in ms (default 15000). */
  timeoutMs?: number;
}

/** A client of a node's HTTP admin API (what `fixover admin` uses). */
export class AdminClient {
  private readonly base: string;

  /** `url`: the interface's base URL, e.g. http://127.0.0.1:8080 */
  constructor(
    url: string,
    private readonly options: AdminClientOptions = {},
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  node(): Promise<NodeStatus> {
    return this.call('GET', '/api/node');
  }

  async sessions(): Promise<SessionInfo[]> {
    return (await this.call<{ sessions: SessionInfo[] }>('GET', '/api/sessions')).sessions;
  }

  session(id: string): Promise<SessionInfo> {
    return this.call('GET', `/api/sessions/${encodeURIComponent(id)}`);
  }

  logout(id: string, text?: string): Promise<SessionInfo> {
    return this.op(id, 'logout', text === undefined ? {} : { text });
  }

  disconnect(id: string, text?: string): Promise<SessionInfo> {
    return this.op(id, 'disconnect', text === undefined ? {} : { text });
  }

  reset(id: string, text?: string): Promise<SessionInfo> {
    return this.op(id, 'reset', text === undefined ? {} : { text });
  }

  setSequenceNumbers(id: string, numbers: { nextSender?: number; nextTarget?: number }): Promise<SessionInfo> {
    return this.op(id, 'sequence-numbers', numbers);
  }

  refresh(id: string): Promise<SessionInfo> {
    return this.op(id, 'refresh', {});
  }

  /**
   * Asks for session `id` to move to node `node` of the cluster (POST /api/sessions/{id}/move);
   * resolves with the request as left for the coordinator, before the move happens.
   */
  async move(id: string, node: string): Promise<MoveRequest> {
    return (await this.call<{ move: MoveRequest }>('POST', `/api/sessions/${encodeURIComponent(id)}/move`, { node })).move;
  }

  /** The cluster this node is a member of (GET /api/cluster; error code not_found on a node that is none). */
  cluster(): Promise<Record<string, unknown>> {
    return this.call('GET', '/api/cluster');
  }

  async drain(text?: string): Promise<NodeStatus> {
    return (await this.call<{ node: NodeStatus }>('POST', '/api/node/drain', text === undefined ? {} : { text })).node;
  }

  /** The node's TLS: certificates in use with their expiry, warnings, failed handshakes (GET /api/node/tls). */
  tls(): Promise<TlsStatus> {
    return this.call('GET', '/api/node/tls');
  }

  /**
   * Reloads the node's certificate, key and trust files (POST /api/node/tls/reload); resolves with
   * what is now in use. A bad file: error code tls_reload_failed with `body.reasons` (file,
   * setting, problem); the certificates in use stay.
   */
  async reloadTls(): Promise<TlsStatus> {
    return (await this.call<{ tls: TlsStatus }>('POST', '/api/node/tls/reload', {})).tls;
  }

  async activity(): Promise<ActivityEntry[]> {
    return (await this.call<{ activity: ActivityEntry[] }>('GET', '/api/activity')).activity;
  }

  async audit(): Promise<AuditEntry[]> {
    return (await this.call<{ audit: AuditEntry[] }>('GET', '/api/audit')).audit;
  }

  private async op(id: string, what: string, body: object): Promise<SessionInfo> {
    return (await this.call<{ session: SessionInfo }>('POST', `/api/sessions/${encodeURIComponent(id)}/${what}`, body)).session;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: object): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (this.options.operator) headers['x-fixover-operator'] = this.options.operator;
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new AdminClientError('unreachable', 0, `cannot reach ${this.base}: ${cause ?? (e instanceof Error ? e.message : String(e))}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AdminClientError('bad_response', res.status, `${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const e = json as { error?: string; message?: string };
      throw new AdminClientError(e.error ?? 'error', res.status, `${method} ${path}: HTTP ${res.status}: ${e.message ?? text.slice(0, 200)}`, json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {});
    }
    return json as T;
  }
}
