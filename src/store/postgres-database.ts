/**
 * One PostgreSQL database used by fixover: a small connection pool for store writes and reads,
 * the schema migrated once, session rows registered on first use, and one dedicated connection
 * holding the session locks of every ownership (see {@link PostgresSessionLocks}). Stores and
 * ownerships of one process share a database per connection target, so a node uses the pool, its
 * lock connection and its cluster listener however many sessions it holds.
 */
import { loadPg, type PgClient, type PgClientConfig, type PgPool, type PgPoolClient, type PgQueryConfig, type PgQueryResult, type PgRow } from './pg-driver.js';
import { type PostgresConnectionOptions, clientConfig, checkSchema, describeTarget } from './postgres-connection.js';
import { PostgresStoreError, isConnectionError } from './postgres-error.js';
import { migrate, quote } from './postgres-schema.js';
import { PostgresSessionLocks } from './postgres-session-locks.js';
import { StoreFencedError } from '../fencing/ownership.js';

/** The connection of a {@link PostgresDatabase} and its pool size. */
export interface PostgresDatabaseOptions extends PostgresConnectionOptions {
  /** Pool size (default 4). */
  maxConnections?: number;
}

const shared = new Map<string, PostgresDatabase>();

/** One PostgreSQL database shared by the stores and ownerships of a process: a connection pool and the schema, migrated once. */
export class PostgresDatabase {
  /** Quoted schema, for statements. */
  readonly schema: string;
  /** The server and database, for messages (no password). */
  readonly target: string;
  private readonly config: PgClientConfig;
  private readonly pool: PgPool;
  private ready: Promise<void> | null = null;
  private readonly ids = new Map<string, Promise<number>>();
  private refs = 0;
  private closed = false;
  private sharedKey: string | null = null;
  private locks: PostgresSessionLocks | null = null;

  constructor(readonly options: PostgresDatabaseOptions) {
    this.config = clientConfig(options);
    this.schema = quote(checkSchema(options.schema ?? 'public'));
    this.target = describeTarget(options);
    this.pool = new (loadPg().Pool)({ ...this.config, max: options.maxConnections ?? 4, idleTimeoutMillis: 30_000 });
    // An idle connection that breaks (server restart) is dropped by the pool; the next use reconnects.
    this.pool.on('error', () => undefined);
  }

  /** The database of these options shared within the process (reference counted by `retain`/`release`). */
  static shared(options: PostgresDatabaseOptions): PostgresDatabase {
    const key = JSON.stringify(options);
    let db = shared.get(key);
    if (!db || db.closed) {
      db = new PostgresDatabase(options);
      db.sharedKey = key;
      shared.set(key, db);
    }
    return db;
  }

  retain(): this {
    this.refs++;
    return this;
  }

  /** Drops a reference; the pool closes with the last one. */
  async release(): Promise<void> {
    if (--this.refs <= 0) await this.close();
  }

  /** Creates or migrates the schema (once per process; retried after a failure). */
  async init(): Promise<void> {
    this.ready ??= this.withClient('create the schema', async (c) => {
      try {
        await migrate(c, this.options.schema ?? 'public');
      } catch (e) {
        throw PostgresStoreError.wrap('schema', 'create or migrate the schema', this.target, e);
      }
    }).catch((e: unknown) => {
      this.ready = null;
      throw e;
    });
    return this.ready;
  }

  /** The id of a session's rows, registering the session (creation time `now`) on first use. */
  sessionId(name: string, now: Date): Promise<number> {
    let p = this.ids.get(name);
    if (!p) {
      p = this.register(name, now);
      this.ids.set(name, p);
      p.catch(() => this.ids.delete(name));
    }
    return p;
  }

  private async register(name: string, now: Date): Promise<number> {
    await this.init();
    const s = this.schema;
    return this.withClient(`register session ${name}`, async (c) => {
      const found = await c.query<{ id: number }>(`SELECT id FROM ${s}.fixover_sessions WHERE name = $1`, [name]);
      if (found.rows.length > 0) return found.rows[0].id;
      await c.query('BEGIN');
      try {
        const ins = await c.query<{ id: number }>(
          `INSERT INTO ${s}.fixover_sessions (name, creation_time) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
          [name, now],
        );
        const id = ins.rows[0].id;
        await c.query(`INSERT INTO ${s}.fixover_seqnums (session_id, direction, next_seq) VALUES ($1, 'sender', 1), ($1, 'target', 1) ON CONFLICT DO NOTHING`, [id]);
        await c.query(`INSERT INTO ${s}.fixover_owners (session_id) VALUES ($1) ON CONFLICT DO NOTHING`, [id]);
        await c.query('COMMIT');
        return id;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  /** Runs one statement on a pooled connection. @internal */
  async query<R extends PgRow>(what: string, q: PgQueryConfig | string, values?: unknown[]): Promise<PgQueryResult<R>> {
    return this.withClient(what, (c) => c.query<R>(q as PgQueryConfig, values));
  }

  /** Runs `fn` on a pooled connection; driver failures become PostgresStoreError naming `what`. @internal */
  async withClient<T>(what: string, fn: (c: PgPoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new PostgresStoreError('closed', `PostgreSQL store: closed (${this.target})`, this.target);
    let client: PgPoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw PostgresStoreError.wrap('connect', 'connect', this.target, e);
    }
    let broken: Error | undefined;
    // The pool listens for errors only on idle connections: one that fails while checked out but
    // between statements (the server shutting down) would otherwise be an uncaught 'error' event.
    const onError = (e: Error): void => {
      broken ??= e;
    };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (e) {
      // A connection that failed is closed rather than reused.
      if (isConnectionError(e)) broken ??= e instanceof Error ? e : new Error(String(e));
      throw PostgresStoreError.wrap(broken ? 'connect' : 'query', what, this.target, e);
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /**
   * Runs `fn` in a transaction opened by `begin` (a `BEGIN` with its `SET LOCAL`s) on a pooled
   * connection. A fenced outcome (`StoreFencedError`) is an answer, not a database failure: it is
   * rolled back and thrown as it is, not wrapped. @internal
   */
  async fencedTransaction<T>(what: string, begin: string, fn: (c: PgPoolClient) => Promise<T>): Promise<T> {
    let fenced: StoreFencedError | undefined;
    const out = await this.withClient(what, async (c) => {
      await c.query(begin);
      try {
        const v = await fn(c);
        await c.query('COMMIT');
        return v;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        if (!(e instanceof StoreFencedError)) throw e;
        fenced = e;
        return undefined;
      }
    });
    if (fenced) throw fenced;
    return out as T;
  }

  /** The session locks of this process: one connection holds them all (created on first use). @internal */
  get sessionLocks(): PostgresSessionLocks {
    this.locks ??= new PostgresSessionLocks(this, `fixover:${this.schema}`);
    return this.locks;
  }

  /** A new connection of its own (the session locks, the cluster's LISTEN). @internal */
  async connectDedicated(onLost: (err: Error | undefined) => void): Promise<PgClient> {
    const c = new (loadPg().Client)(this.config);
    let lost = false;
    const lose = (err?: Error): void => {
      if (lost) return;
      lost = true;
      onLost(err);
    };
    c.on('error', (e) => lose(e));
    c.on('end', () => lose());
    try {
      await c.connect();
    } catch (e) {
      lost = true;
      await c.end().catch(() => undefined);
      throw PostgresStoreError.wrap('connect', 'connect', this.target, e);
    }
    return c;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sharedKey && shared.get(this.sharedKey) === this) shared.delete(this.sharedKey);
    await Promise.all([this.pool.end().catch(() => undefined), this.locks?.close()]);
  }
}
