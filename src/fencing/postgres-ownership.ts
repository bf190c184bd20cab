/**
 * Session ownership in PostgreSQL, next to the PostgreSQL store. The row `fixover_owners` holds the
 * owner (node, host, pid), its epoch and its lease; the owner also holds a session-level advisory
 * lock (keys: a hash of the schema, the session's id) on its process's lock connection
 * ({@link PostgresSessionLocks}: one connection holds the locks of every session the process owns),
 * so the lock is freed the moment the owner's connection ends (process killed, machine lost,
 * connection terminated). The decisions run as short transactions on the database's pool: a node
 * holding hundreds of sessions needs no connection per session.
 *
 * A node may take the session when the row is released, when the owner held the lock and the lock
 * is now free (its death is certain: take over at once), or when the owner's lease has expired by
 * the database's clock (the owner may be paused or cut off: SIGSTOP, GC pause, partition).
 * Every change of owner raises the epoch; the store checks the epoch in the transaction of each
 * write (see `fixover_write`), so a node that lost the session can never write again.
 *
 * Decisions are made in a transaction holding the owner row (SELECT ... FOR UPDATE), and the lock
 * is only tried while it holds the row: outside those transactions, a row marked `locked` means its owner's
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
import type { PgQueryable } from '../store/pg-driver.js';
import type { PostgresSessionLocks } from '../store/postgres-session-locks.js';
import { StoreFencedError, type AcquireResult, type OwnerRecord, type SessionOwnership } from './ownership.js';
import { leaseHolds, leaseTiming, type LeaseTiming } from './lease-timing.js';
import { parseRefusalRecord, type RefusalRecord } from './refusal-record.js';
import type { PostgresDatabase } from '../store/postgres-database.js';
import { PostgresStoreError } from '../store/postgres-error.js';

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

/** Fenced session ownership in PostgreSQL: an owner row and an advisory lock held on the owner process's lock connection. */
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
  /** The process's lock connection (shared by the sessions of the database). */
  private readonly locks: PostgresSessionLocks;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly rowSql: string;
  /** Statement opening a decision's transaction, with its timeouts. */
  private readonly beginSql: string;
  /** A renewal while the lock is held: the row still names us at our epoch. */
  private readonly renewSql: string;

  constructor(private readonly o: PostgresOwnershipOptions) {
    this.db = o.database;
    this.leaseMs = o.leaseMs ?? 5000;
    this.timing = leaseTiming(this.leaseMs);
    this.now = o.now ?? Date.now;
    this.locks = this.db.sessionLocks;
    // A node paused inside one of our transactions must not hold the owner row for ever; a row
    // held by such a node is not waited for for ever either.
    this.beginSql = `BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${Math.max(1000, this.leaseMs)}; SET LOCAL lock_timeout = ${Math.max(2000, 2 * this.leaseMs)}`;
    this.renewSql = `UPDATE ${this.db.schema}.fixover_owners SET renewed_at = now() WHERE session_id = $1 AND epoch = $2 AND node = $3 AND host = $4 AND pid = $5 AND NOT released AND locked`;
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

  /** Whether the process's lock connection holds the session's lock for us (for operations and tests). */
  get holdsLock(): boolean {
    return this.locked;
  }

  /** The backend process id of the process's lock connection (to see it in pg_stat_activity). */
  get backendPid(): number | undefined {
    return this.locks.backendPid;
  }

  private get locked(): boolean {
    return this.id !== 0 && this.locks.holds(this.id, this);
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
      const started = this.now();
      let result: AcquireResult;
      try {
        result = await this.transaction('acquire the session', async (c) => {
          const r = await this.row(c, id);
          const mine = this.mine(r);
          let fresh = false;
          if (!this.locked) fresh = await this.locks.tryLock(id, this);
          const expired = r.renewed_ms === null || r.now_ms > r.renewed_ms + r.lease_ms;
          // Handed over to another node (a cluster move) and the reservation runs: only it may take the session.
          const reserved = r.released && r.moving_to !== null && r.moving_to !== this.o.node && r.now_ms < (r.moving_until_ms ?? 0);
          const take = !reserved && (mine || r.released || (fresh && r.locked) || expired);
          if (!take) {
            await this.locks.unlock(id, this);
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
        // Not knowing whether the transaction committed, let go of the lock: held without an owner row saying so, it would mislead.
        if (!this.owned) await this.locks.unlock(id, this).catch(() => undefined);
        throw e;
      }
      if (result.acquired) {
        this.owned = result.epoch;
        this.renewStarted = started;
      }
      return result;
    });
  }

  renew(): Promise<void> {
    return this.serial(async () => {
      const epoch = this.owned;
      if (!epoch) throw new StoreFencedError(0, await this.current().catch(() => undefined));
      const id = await this.sessionId();
      const started = this.now();
      // Holding the lock, one statement renews: the row is still ours (a node taking it over
      // changes the epoch, which this UPDATE then no longer matches) — one round trip on the pool
      // per session and renewal, as a node renews hundreds of them ten times a lease.
      if (this.locked) {
        const r = await this.db.query('renew the session lease', { name: `fixover_renew:${this.db.schema}`, text: this.renewSql }, [id, epoch, this.o.node, this.host, process.pid]);
        if (r.rowCount === 1) {
          this.renewStarted = started;
          return;
        }
      }
      await this.transaction('renew the session lease', async (c) => {
        const r = await this.row(c, id);
        if (!this.mine(r)) {
          this.owned = 0;
          throw new StoreFencedError(epoch, record(r));
        }
        if (!this.locked) await this.locks.tryLock(id, this);
        await c.query(`UPDATE ${this.db.schema}.fixover_owners SET renewed_at = now(), locked = $2 WHERE session_id = $1`, [id, this.locked]);
      });
      this.renewStarted = started;
    }).catch(async (e: unknown) => {
      if (e instanceof StoreFencedError) await this.unlockAll();
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
      if (!this.owned) return this.unlockAll();
      const id = await this.sessionId();
      await this.transaction(movingTo ? 'hand the session over' : 'release the session', async (c) => {
        const r = await this.row(c, id);
        if (this.mine(r)) {
          await c.query(
            `UPDATE ${this.db.schema}.fixover_owners SET released = true, locked = false, renewed_at = NULL, moving_to = $2, moving_until = CASE WHEN $2::text IS NULL THEN NULL ELSE clock_timestamp() + $3::float8 * interval '1 millisecond' END WHERE session_id = $1`,
            [id, movingTo, forMs],
          );
        }
        await this.locks.unlock(id, this);
      });
      this.owned = 0;
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

  /** Lets go of the session's lock (as if our connection had ended); the row is left as it is. */
  async close(): Promise<void> {
    await this.serial(() => this.unlockAll());
  }

  private mine(r: OwnerRow | undefined): boolean {
    return r !== undefined && this.owned > 0 && !r.released && Number(r.epoch) === this.owned && r.node === this.o.node && r.host === this.host && r.pid === process.pid;
  }

  private async sessionId(): Promise<number> {
    this.id ||= await this.db.sessionId(this.o.session, new Date());
    return this.id;
  }

  /** Frees the session's lock if we hold it. */
  private async unlockAll(): Promise<void> {
    if (this.id) await this.locks.unlock(this.id, this);
  }

  private async row(c: PgQueryable, id: number): Promise<OwnerRow> {
    const r = await c.query<OwnerRow>(`${this.rowSql} FOR UPDATE`, [id]);
    if (!r.rows[0]) throw new PostgresStoreError('query', `PostgreSQL store: session ${this.o.session} has no owner row`, this.db.target);
    return r.rows[0];
  }

  /** Runs `fn` in a transaction on a pooled connection; a fenced outcome is thrown as it is, after the rollback. */
  private transaction<T>(what: string, fn: (c: PgQueryable) => Promise<T>): Promise<T> {
    return this.db.fencedTransaction(what, this.beginSql, fn);
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
