/**
 * The session locks of one process on one PostgreSQL database: session-level advisory locks
 * (keys: a hash of the schema, the session's id), all held on ONE connection of the process, so
 * that every lock is freed the moment the process's connection ends (process killed, machine
 * lost, connection terminated), and a node owning hundreds of sessions uses one connection for
 * their locks rather than one each (a stock server allows 100 connections in all).
 *
 * PostgreSQL lets the backend that holds an advisory lock take it again, so two holders in one
 * process (two ownerships of one session, as tests make) are kept apart here: a lock held by one
 * holder is refused to another without asking the server, as a second connection would be.
 * Operations are serial (one connection runs one statement at a time anyway).
 */
import type { PgClient } from './pg-driver.js';
import { PostgresStoreError } from './postgres-error.js';

/** How the locks reach the server: a dedicated connection of the database. @internal */
export interface SessionLockConnector {
  /** A new connection of its own; `onLost` is called once when it ends or fails. */
  connectDedicated(onLost: (err: Error | undefined) => void): Promise<PgClient>;
  /** The server and database, for messages. */
  readonly target: string;
}

/** Session-level advisory locks of a process, on one connection shared by all its sessions. @internal */
export class PostgresSessionLocks {
  private client: PgClient | null = null;
  /** Session id -> the holder (an ownership) whose lock the connection holds. */
  private readonly held = new Map<number, object>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** @param space first key of the locks (one space per schema, so schemas sharing a database do not collide) */
  constructor(
    private readonly connector: SessionLockConnector,
    private readonly space: string,
  ) {}

  /** Whether the connection holds the lock of session `id` for `holder` (no I/O). */
  holds(id: number, holder: object): boolean {
    return this.held.get(id) === holder;
  }

  /** How many session locks the connection holds. */
  get size(): number {
    return this.held.size;
  }

  /** The backend process id of the lock connection (to see it in pg_stat_activity), when connected. */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | null)?.processID;
  }

  /**
   * Takes the lock of session `id` for `holder` if it is free: true when taken now or already
   * held by `holder`; false when another holder of this process or another connection holds it.
   */
  tryLock(id: number, holder: object): Promise<boolean> {
    return this.serial(async () => {
      const by = this.held.get(id);
      if (by !== undefined) return by === holder;
      const c = await this.connection();
      let ok: boolean;
      try {
        ok = (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), $2) AS ok', [this.space, id])).rows[0].ok;
      } catch (e) {
        await this.drop(c);
        throw PostgresStoreError.wrap('connect', 'take the session lock', this.connector.target, e);
      }
      // The connection may have ended while we waited for the answer: then nothing is held.
      if (ok && this.client === c) this.held.set(id, holder);
      return ok && this.client === c;
    });
  }

  /** Frees the lock of session `id` if `holder` holds it. */
  unlock(id: number, holder: object): Promise<void> {
    return this.serial(async () => {
      if (this.held.get(id) !== holder) return;
      this.held.delete(id);
      const c = this.client;
      if (!c) return;
      try {
        await c.query('SELECT pg_advisory_unlock(hashtext($1), $2)', [this.space, id]);
      } catch {
        // Not knowing whether the server still holds it, end the connection: that frees every
        // lock it holds (their holders take them again at their next renewal).
        await this.drop(c);
      }
    });
  }

  /** Ends the connection (every lock goes with it). */
  async close(): Promise<void> {
    this.closed = true;
    await this.serial(async () => {
      if (this.client) await this.drop(this.client);
    });
  }

  private async connection(): Promise<PgClient> {
    if (this.client) return this.client;
    if (this.closed) throw new PostgresStoreError('closed', `PostgreSQL store: closed (${this.connector.target})`, this.connector.target);
    const c = await this.connector.connectDedicated(() => {
      if (this.client !== c) return;
      this.client = null;
      this.held.clear();
    });
    this.client = c;
    return c;
  }

  private async drop(c: PgClient): Promise<void> {
    if (this.client === c) {
      this.client = null;
      this.held.clear();
    }
    await c.end().catch(() => undefined);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn);
    this.tail = p.catch(() => undefined);
    return p;
  }
}
