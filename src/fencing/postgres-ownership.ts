/**
 * Session ownership in PostgreSQL, next to the PostgreSQL store. The row `fixover_owners` holds the
 * owner (node, host, pid), its epoch and its lease; the owner also holds a session-level advisory
 * lock (keys: a hash of the schema, the session's id) on a connection of its own, so the lock is freed the moment the owner's connection ends
 * (process killed, machine lost, connection terminated).
 *
 * A node may take the session when the row is released, when the owner held the lock and the lock
 * is now free (its death is certain: take over at once), or when the owner's lease has expired by
 * the database's clock (the owner may be paused or cut off: SIGSTOP, GC pause, partition).
 * Every change of owner raises the epoch; the store checks the epoch in the transaction of each
 * write (see `fixover_write`), so a node that lost the session can never write again.
 *
 * Decisions are made in a transaction holding the owner row (SELECT ... FOR UPDATE), and the lock
 * is only tried inside it: outside those transactions, a row marked `locked` means its owner's
 * connection holds the lock, or is gone.
 *
 * A cluster move hands the session over (`handOver`): the row is released with `moving_to` naming
 * the target and `moving_until` (the database's clock); until then only the target may take it.
 *
 * A refusal (a Logout answering a Logon for a session another node owns) is recorded in the owner
 * row's `refused_seq`/`refused_session_time` by one UPDATE (`recordRefusal`), so two nodes refusing
 * at once give two numbers; it does not touch the ownership columns.
 */
import { hostname } from 'node:os';
import type { PgClient } from '../store/pg-driver.js';
import { StoreFencedError, type AcquireResult, type OwnerRecord, type SessionOwnership } from './ownership.js';
import { leaseHolds, leaseTiming, type LeaseTiming } from './lease-timing.js';
import { parseRefusalRecord, type RefusalRecord } from './refusal-record.js';
import type { PostgresDatabase } from '../store/postgres-database.js';
import { PostgresStoreError, isConnectionError } from '../store/postgres-error.js';

/** The database, session, node and lease of a {@link PostgresOwnership}. */
export interface PostgresOwnershipOptions {
  database: PostgresDatabase;
  /** Session name, as given to the store (`SessionID.toString()`). */
  session: string;
  /** This node's name (`NodeName`). */
  node: string;
  /** Lease length in milliseconds (`SessionLeaseTimeout`, default 5000). */
  leaseMs?: number;
  /** Local clock, used only to fence ourselves when we could not renew in time. */
  now?: () => number;
}

interface OwnerRow {
  epoch: string;
  node: string;
  host: string;
  pid: number;
  released: boolean;
  locked: boolean;
  lease_ms: number;
  renewed_ms: number | null;
  now_ms: number;
  moving_to: string | null;
  moving_until_ms: number | null;
}

/** Fenced session ownership in PostgreSQL: an owner row and an advisory lock held on a connection of the owner. */
export class PostgresOwnership implements SessionOwnership {
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly host = hostname();
  private readonly db: PostgresDatabase;
  private id = 0;
  private owned = 0;
  /** When our last successful renewal (or the acquisition) started, by our own clock. */
  private renewStarted = 0;
  private readonly timing: LeaseTiming;
  private client: PgClient | null = null;
  /** Our dedicated connection holds the session's advisory lock. */
  private locked = false;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly rowSql: string;
  /** First key of the session locks: one space per schema, so schemas sharing a database do not collide. */
  private readonly lockSpace: string;

  constructor(private readonly o: PostgresOwnershipOptions) {
    this.db = o.database;
    this.leaseMs = o.leaseMs ?? 5000;
    this.timing = leaseTiming(this.leaseMs);
    this.now = o.now ?? Date.now;
    this.lockSpace = `fixover:${this.db.schema}`;
    this.rowSql = `SELECT epoch, node, host, pid, released, locked, lease_ms,
        (extract(epoch FROM renewed_at) * 1000)::float8 AS renewed_ms,
        (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms,
        moving_to, (extract(epoch FROM moving_until) * 1000)::float8 AS moving_until_ms
      FROM ${this.db.schema}.fixover_owners WHERE session_id = $1`;
  }

  get epoch(): number {
    return this.owned;
  }

  get node(): string {
    return this.o.node;
  }

  /**
   * Our lease is valid by our own clock (no I/O): less than the lease minus its margin has passed
   * since our last successful renewal started (`leaseHolds`); the database records a later time.
   */
  holds(): boolean {
    return this.owned !== 0 && leaseHolds(this.timing, this.renewStarted, this.now());
  }

  /** Whether our dedicated connection holds the session's lock (for operations and tests). */
  get holdsLock(): boolean {
    return this.locked;
  }

  /** The backend process id of our dedicated connection (to see it in pg_stat_activity). */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | null)?.processID;
  }

  /**
   * Records a refusal and returns its number (`SessionOwnership.recordRefusal`): the rule of
   * `nextRefusal` in one UPDATE of the owner row.
   */
  async recordRefusal(nextSender: number, sessionTime: number): Promise<number> {
    const id = await this.sessionId();
    const r = await this.db.query<{ seq: string }>(
      'record a refusal',
      `UPDATE ${this.db.schema}.fixover_owners SET refused_seq = CASE WHEN refused_session_time = $3 THEN GREATEST(refused_seq + 1, $2) ELSE $2 END, refused_session_time = $3 WHERE session_id = $1 RETURNING refused_seq AS seq`,
      [id, nextSender, Math.round(sessionTime)],
    );
    if (!r.rows[0]) throw new PostgresStoreError('query', `PostgreSQL store: session ${this.o.session} has no owner row`, this.db.target);
    return Number(r.rows[0].seq);
  }

  /** The last refusal recorded (undefined when none). */
  async lastRefusal(): Promise<RefusalRecord | undefined> {
    const id = await this.sessionId();
    const r = await this.db.query<{ seq: string; session_time: string }>(
      'read the last refusal',
      `SELECT refused_seq AS seq, refused_session_time AS session_time FROM ${this.db.schema}.fixover_owners WHERE session_id = $1`,
      [id],
    );
    const row = r.rows[0];
    return row ? parseRefusalRecord({ seq: Number(row.seq), sessionTime: Number(row.session_time) }) : undefined;
  }

  async current(): Promise<OwnerRecord | undefined> {
    const id = await this.sessionId();
    const r = await this.db.query<OwnerRow>('read the session owner', this.rowSql, [id]);
    return r.rows[0] ? record(r.rows[0]) : undefined;
  }

  acquire(): Promise<AcquireResult> {
    return this.serial(async () => {
      const id = await this.sessionId();
      const c = await this.connection();
      const started = this.now();
      let result: AcquireResult;
      try {
        result = await this.transaction(c, 'acquire the session', async () => {
          const r = await this.row(c, id);
          const mine = this.mine(r);
          let fresh = false;
          if (!this.locked) fresh = this.locked = await this.tryLock(c, id);
          const expired = r.renewed_ms === null || r.now_ms > r.renewed_ms + r.lease_ms;
          // Handed over to another node (a cluster move) and the reservation runs: only it may take the session.
          const reserved = r.released && r.moving_to !== null && r.moving_to !== this.o.node && r.now_ms < (r.moving_until_ms ?? 0);
          const take = !reserved && (mine || r.released || (fresh && r.locked) || expired);
          if (!take) {
            if (this.locked) await this.unlock(c, id);
            return { acquired: false, owner: record(r), reason: reserved ? `moving to node ${r.moving_to!}` : `active on node ${r.node} (epoch ${r.epoch})` };
          }
          const epoch = mine ? this.owned : Number(r.epoch) + 1;
          await c.query(
            `UPDATE ${this.db.schema}.fixover_owners SET epoch = $2, node = $3, host = $4, pid = $5, renewed_at = now(), lease_ms = $6, released = false, locked = $7, moving_to = NULL, moving_until = NULL WHERE session_id = $1`,
            [id, epoch, this.o.node, this.host, process.pid, this.leaseMs, this.locked],
          );
          return { acquired: true, epoch };
        });
      } catch (e) {
        await this.disconnect();
        throw e;
      }
      if (result.acquired) {
        this.owned = result.epoch;
        this.renewStarted = started;
      } else await this.disconnect();
      return result;
    });
  }

  renew(): Promise<void> {
    return this.serial(async () => {
      const epoch = this.owned;
      if (!epoch) throw new StoreFencedError(0, await this.current().catch(() => undefined));
      const id = await this.sessionId();
      const c = await this.connection();
      const started = this.now();
      await this.transaction(c, 'renew the session lease', async () => {
        const r = await this.row(c, id);
        if (!this.mine(r)) {
          if (this.locked) await this.unlock(c, id);
          this.owned = 0;
          throw new StoreFencedError(epoch, record(r));
        }
        if (!this.locked) this.locked = await this.tryLock(c, id);
        await c.query(`UPDATE ${this.db.schema}.fixover_owners SET renewed_at = now(), locked = $2 WHERE session_id = $1`, [id, this.locked]);
      });
      this.renewStarted = started;
    }).catch(async (e: unknown) => {
      if (e instanceof StoreFencedError) await this.disconnect();
      throw e;
    });
  }

  release(): Promise<void> {
    return this.giveUp(null, 0);
  }

  /** Releases the session reserved for `node` until `untilMs` (local clock, kept as the database's: now() plus what is left). */
  handOver(node: string, untilMs: number): Promise<void> {
    return this.giveUp(node, Math.max(0, untilMs - this.now()));
  }

  private giveUp(movingTo: string | null, forMs: number): Promise<void> {
    return this.serial(async () => {
      if (!this.owned) return this.disconnect();
      const id = await this.sessionId();
      const c = await this.connection();
      await this.transaction(c, movingTo ? 'hand the session over' : 'release the session', async () => {
        const r = await this.row(c, id);
        if (this.mine(r)) {
          await c.query(
            `UPDATE ${this.db.schema}.fixover_owners SET released = true, locked = false, renewed_at = NULL, moving_to = $2, moving_until = CASE WHEN $2::text IS NULL THEN NULL ELSE clock_timestamp() + $3::float8 * interval '1 millisecond' END WHERE session_id = $1`,
            [id, movingTo, forMs],
          );
        }
        if (this.locked) await this.unlock(c, id);
      });
      this.owned = 0;
      await this.disconnect();
    });
  }

  async check(epoch = this.owned): Promise<void> {
    if (!epoch || epoch !== this.owned || !this.holds()) {
      this.owned = 0;
      throw new StoreFencedError(epoch, await this.current().catch(() => undefined));
    }
    const id = await this.sessionId();
    const r = (await this.db.query<OwnerRow>('read the session owner', this.rowSql, [id])).rows[0];
    if (!this.mine(r)) {
      this.owned = 0;
      throw new StoreFencedError(epoch, r ? record(r) : undefined);
    }
  }

  /** Closes the dedicated connection (the lock goes with it); the row is left as it is. */
  async close(): Promise<void> {
    await this.serial(() => this.disconnect());
  }

  private mine(r: OwnerRow | undefined): boolean {
    return r !== undefined && this.owned > 0 && !r.released && Number(r.epoch) === this.owned && r.node === this.o.node && r.host === this.host && r.pid === process.pid;
  }

  private async sessionId(): Promise<number> {
    this.id ||= await this.db.sessionId(this.o.session, new Date());
    return this.id;
  }

  private async connection(): Promise<PgClient> {
    if (this.client) return this.client;
    const c = await this.db.connectDedicated(() => {
      if (this.client === c) {
        this.client = null;
        this.locked = false;
      }
    });
    try {
      // A node paused inside one of our transactions must not hold the owner row for ever.
      await c.query(`SET idle_in_transaction_session_timeout = ${Math.max(1000, this.leaseMs)}; SET lock_timeout = ${Math.max(2000, 2 * this.leaseMs)}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      throw PostgresStoreError.wrap('connect', 'set up the lock connection', this.db.target, e);
    }
    this.client = c;
    return c;
  }

  private async disconnect(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.locked = false;
    if (c) await c.end().catch(() => undefined);
  }

  private async row(c: PgClient, id: number): Promise<OwnerRow> {
    const r = await c.query<OwnerRow>(`${this.rowSql} FOR UPDATE`, [id]);
    if (!r.rows[0]) throw new PostgresStoreError('query', `PostgreSQL store: session ${this.o.session} has no owner row`, this.db.target);
    return r.rows[0];
  }

  private async tryLock(c: PgClient, id: number): Promise<boolean> {
    const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), $2) AS ok', [this.lockSpace, id]);
    return r.rows[0].ok;
  }

  private async unlock(c: PgClient, id: number): Promise<void> {
    await c.query('SELECT pg_advisory_unlock(hashtext($1), $2)', [this.lockSpace, id]);
    this.locked = false;
  }

  private async transaction<T>(c: PgClient, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      await c.query('BEGIN');
      const out = await fn();
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      if (e instanceof StoreFencedError || e instanceof PostgresStoreError) throw e;
      if (isConnectionError(e)) await this.disconnect();
      throw PostgresStoreError.wrap(isConnectionError(e) ? 'connect' : 'query', what, this.db.target, e);
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn);
    this.tail = p.catch(() => undefined);
    return p;
  }
}

function record(r: OwnerRow): OwnerRecord {
  const reservation = r.released && r.moving_to !== null ? { movingTo: r.moving_to, movingUntil: Math.round(r.moving_until_ms ?? 0) } : {};
  return {
    node: r.node,
    host: r.host,
    pid: r.released ? 0 : r.pid,
    epoch: Number(r.epoch),
    renewedAt: r.released || r.renewed_ms === null ? 0 : Math.round(r.renewed_ms),
    leaseMs: r.lease_ms,
    ...reservation,
  };
}
