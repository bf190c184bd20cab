/**
 * A message store in PostgreSQL, shared by the processes that may run a session (acceptor
 * failover). Writes are buffered in memory and performed by `flush()` in one round trip: one call
 * of `fixover_write` (one transaction) carries every message saved since the previous flush and
 * the sequence numbers that changed, the sender and target numbers as separate rows updated
 * separately. flush() calls made while a flush is running share the next one (group commit), and
 * the session driver flushes before a stored message's bytes reach the socket, so what the peer
 * sees is committed.
 *
 * Fencing: with session ownership (`fenceBy`), every write carries the epoch the node owned the
 * session at when the write was made; the database refuses it in the same transaction unless that
 * epoch still owns the session, and the store reports StoreFencedError and drops the writes.
 */
import { countWithin, type MessageStore, type MessageStoreFactory, type RangeLimit, type StoredMessage, type StoredState } from './store.js';
import { StoreFencedError, type SessionOwnership } from '../fencing/ownership.js';
import { PostgresDatabase, type PostgresDatabaseOptions } from './postgres-database.js';
import { PostgresStoreError } from './postgres-error.js';
import { FENCED_SQLSTATE } from './postgres-schema.js';
import { checkSeqNum, checkStoredSeqNum } from './seq-num.js';
import { type StoreRecoveryPolicy, type StoreRepair, applyPolicy } from './store-repair.js';

/** The database and session of a {@link PostgresStore}, and what to do with damaged data. */
export interface PostgresStoreOptions {
  /** The database (shared by the sessions of a process). */
  database: PostgresDatabase;
  /** Session name (normally `SessionID.toString()`), the key of its rows. */
  session: string;
  /** Clock for the creation time of a new session. */
  now?: () => Date;
  /**
   * What to do when the session's sequence numbers are behind its stored messages [`StoreRecovery`]:
   * `refuse` (default) throws StoreDamagedError; `repair` sets the next sender number past the
   * highest stored message (reported in `repairs`).
   */
  recoveryPolicy?: StoreRecoveryPolicy;
}

/** Writes buffered since the last flush, made while the node owned the session at `epoch`. */
class PendingWrites {
  reset: Date | null = null;
  readonly messages = new Map<number, Buffer>();
  sender: number | null = null;
  target: number | null = null;

  constructor(readonly epoch: number | null) {}

  get empty(): boolean {
    return this.reset === null && this.messages.size === 0 && this.sender === null && this.target === null;
  }

  /** This (failed) batch followed by `next`, the writes made since it was taken. */
  merge(next: PendingWrites): PendingWrites {
    if (next.reset !== null || next.epoch !== this.epoch) return next;
    const m = new PendingWrites(this.epoch);
    m.reset = this.reset;
    for (const b of [this, next]) for (const [seq, bytes] of b.messages) m.messages.set(seq, bytes);
    m.sender = next.sender ?? this.sender;
    m.target = next.target ?? this.target;
    return m;
  }
}

interface Loaded {
  nextSender: number;
  nextTarget: number;
  created: Date;
  /** What the check of the sequence numbers against the messages found (and the repair sets). */
  repairs: StoreRepair[];
}

/** A session store in PostgreSQL (`docs/postgresql.md`): sequence numbers and sent messages, checked against each other when it opens. Needs the optional `pg` package. */
export class PostgresStore implements MessageStore {
  private id = 0;
  private nextSender = 1;
  private nextTarget = 1;
  private created = new Date(0);
  private pending = new PendingWrites(null);
  private ownership: SessionOwnership | null = null;
  /** Serialises flushes, reads, refreshes and close. */
  private tail: Promise<unknown> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private inflight: Promise<void> | null = null;
  /** Mutations made while a refresh is reading, replayed on the new state. */
  private replay: Array<() => void> | null = null;
  private closed = false;
  private lastRepairs: StoreRepair[] = [];
  /** Round trips made by flushes so far (each carries every write pending at its start). */
  writeRoundTrips = 0;
  private readonly db: PostgresDatabase;
  private readonly writeSql: string;
  private readonly rangeSql: string;
  private readonly rangeLimitSql: string;
  private readonly loadSql: string;

  private constructor(private readonly options: PostgresStoreOptions) {
    this.db = options.database;
    const s = this.db.schema;
    this.writeSql = `SELECT ${s}.fixover_write($1, $2, $3, $4, $5, $6, $7, $8)`;
    this.rangeSql = `SELECT seq, body FROM ${s}.fixover_messages WHERE session_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`;
    this.rangeLimitSql = `${this.rangeSql} LIMIT $4`;
    this.loadSql = `SELECT s.creation_time,
        (SELECT next_seq FROM ${s}.fixover_seqnums WHERE session_id = s.id AND direction = 'sender') AS sender,
        (SELECT next_seq FROM ${s}.fixover_seqnums WHERE session_id = s.id AND direction = 'target') AS target,
        (SELECT max(seq) FROM ${s}.fixover_messages WHERE session_id = s.id) AS highest
      FROM ${s}.fixover_sessions s WHERE s.id = $1`;
  }

  /** Connects (creating the schema and the session's rows when missing) and loads the session's state. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options);
    options.database.retain();
    try {
      store.id = await options.database.sessionId(options.session, store.now());
      store.install(store.vet(await store.load()));
    } catch (e) {
      await options.database.release();
      throw e;
    }
    return store;
  }

  /** The session's key in the tables. */
  get sessionKey(): number {
    return this.id;
  }

  get creationTime(): Date {
    return new Date(this.created.getTime());
  }

  /** What the last open or refresh repaired (the next sender number raised past the stored messages). */
  get repairs(): readonly StoreRepair[] {
    return this.lastRepairs;
  }

  /** Checks every write against this ownership's epoch, in the write's own transaction. */
  fenceBy(ownership: SessionOwnership): void {
    this.ownership = ownership;
  }

  getNextSenderSeq(): number {
    return this.nextSender;
  }

  getNextTargetSeq(): number {
    return this.nextTarget;
  }

  setNextSenderSeq(seq: number): void {
    checkSeqNum(seq);
    this.mutate(() => {
      this.nextSender = seq;
      this.pending.sender = seq;
    });
  }

  setNextTargetSeq(seq: number): void {
    checkSeqNum(seq);
    this.mutate(() => {
      this.nextTarget = seq;
      this.pending.target = seq;
    });
  }

  saveOutgoing(seq: number, bytes: Buffer): void {
    checkStoredSeqNum(seq);
    this.mutate(() => {
      this.pending.messages.set(seq, bytes);
      this.nextSender = seq + 1;
      this.pending.sender = seq + 1;
    });
  }

  async getRange(begin: number, end: number, limit?: RangeLimit): Promise<StoredMessage[]> {
    this.assertOpen();
    if (end < begin) return [];
    return this.serial(async () => {
      if (!this.pending.empty) await this.writePending();
      const r = limit
        ? await this.db.query<{ seq: string; body: Buffer }>('read messages', { name: `fixover_range_limit:${this.db.schema}`, text: this.rangeLimitSql }, [this.id, begin, end, limit.maxMessages])
        : await this.db.query<{ seq: string; body: Buffer }>('read messages', { name: `fixover_range:${this.db.schema}`, text: this.rangeSql }, [this.id, begin, end]);
      const rows = r.rows;
      const n = countWithin(limit, rows.length, (i) => rows[i].body.length);
      const out: StoredMessage[] = new Array<StoredMessage>(n);
      for (let i = 0; i < n; i++) out[i] = { seq: Number(rows[i].seq), bytes: rows[i].body };
      return out;
    });
  }

  reset(now: Date = this.now()): void {
    this.mutate(() => {
      this.nextSender = 1;
      this.nextTarget = 1;
      this.created = new Date(now.getTime());
      this.pending = new PendingWrites(this.pending.epoch);
      this.pending.reset = this.created;
      this.pending.sender = 1;
      this.pending.target = 1;
    });
  }

  /**
   * Reloads the session's state (another node may have written it): writes still pending are
   * completed first (a stale node's are refused and dropped), the new state is read aside and
   * swapped in at once, and changes made while it was being read are applied on top of it.
   */
  async refresh(): Promise<void> {
    this.assertOpen();
    await this.serial(async () => {
      this.replay = [];
      let loaded: Loaded;
      try {
        if (!this.pending.empty) {
          await this.writePending().catch((e: unknown) => {
            if (!(e instanceof StoreFencedError)) throw e;
          });
        }
        loaded = this.vet(await this.load());
      } catch (e) {
        this.replay = null;
        throw e;
      }
      const replay = this.replay;
      this.replay = null;
      this.install(loaded);
      for (const op of replay) op();
    });
  }

  /** The stored next sender number (past the highest stored message) and creation time, read without writing. */
  async peekStored(): Promise<StoredState> {
    this.assertOpen();
    const loaded = await this.load();
    return { nextSenderSeq: loaded.nextSender, creationTime: loaded.created };
  }

  flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.pending.empty) return this.inflight ?? Promise.resolve();
    const p = this.serial(() => {
      this.queued = null;
      return this.writePending();
    });
    this.queued = p;
    return p;
  }

  /** Writes what is pending (a fenced node's writes are dropped) and lets go of the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial(async () => {
      if (this.closed) return;
      try {
        if (!this.pending.empty) {
          await this.writePending().catch((e: unknown) => {
            if (!(e instanceof StoreFencedError)) throw e;
          });
        }
      } finally {
        this.closed = true;
        await this.db.release();
      }
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private assertOpen(): void {
    if (this.closed) throw new PostgresStoreError('closed', `PostgreSQL store of ${this.options.session} is closed`, this.db.target);
  }

  /** The epoch writes made now belong to (null: no ownership, nothing to check). */
  private epoch(): number | null {
    return this.ownership ? this.ownership.epoch : null;
  }

  /**
   * Applies a synchronous change; during a refresh it is also replayed on the reloaded state.
   * Writes still pending from an earlier ownership epoch are dropped: they would be refused.
   */
  private mutate(op: () => void): void {
    this.assertOpen();
    const epoch = this.epoch();
    if (this.pending.epoch !== epoch) this.pending = new PendingWrites(epoch);
    op();
    this.replay?.push(op);
  }

  /** Refuses loaded state with damage unless the policy is to repair it. */
  private vet(s: Loaded): Loaded {
    applyPolicy(this.options.session, s.repairs, this.options.recoveryPolicy ?? 'refuse');
    return s;
  }

  private install(s: Loaded): void {
    this.nextSender = s.nextSender;
    this.nextTarget = s.nextTarget;
    this.created = s.created;
    this.lastRepairs = s.repairs;
    if (s.repairs.length > 0) {
      // The corrected number is written with the next flush (under the ownership epoch of now).
      if (this.pending.epoch !== this.epoch()) this.pending = new PendingWrites(this.epoch());
      this.pending.sender = s.nextSender;
    }
  }

  private async load(): Promise<Loaded> {
    const r = await this.db.query<{ creation_time: Date; sender: string; target: string; highest: string | null }>('load the session', { name: `fixover_load:${this.db.schema}`, text: this.loadSql }, [this.id]);
    const row = r.rows[0];
    if (!row) throw new PostgresStoreError('query', `PostgreSQL store: session ${this.options.session} has no row (deleted while in use?)`, this.db.target);
    const loaded: Loaded = { nextSender: Number(row.sender), nextTarget: Number(row.target), created: row.creation_time, repairs: [] };
    // Messages and sequence numbers are written in one transaction: a sender number at or below a
    // stored message is damage (an edit, a restore of one table), never a torn write.
    const highest = row.highest === null ? 0 : Number(row.highest);
    if (loaded.nextSender <= highest) {
      loaded.repairs.push({
        file: `${this.db.schema}.fixover_seqnums`,
        problem: `next outgoing number ${loaded.nextSender} of ${this.options.session} is not past the highest message stored in ${this.db.schema}.fixover_messages, ${highest}: sending would reuse sequence numbers`,
        repair: `next outgoing number set to ${highest + 1}`,
        torn: false,
      });
      loaded.nextSender = highest + 1;
    }
    return loaded;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** Writes what is pending (inside `serial`). On failure it stays pending for a retry, unless fenced. */
  private writePending(): Promise<void> {
    const batch = this.pending;
    this.pending = new PendingWrites(batch.epoch);
    const p = this.writeBatch(batch).catch((e: unknown) => {
      if (e instanceof StoreFencedError) throw e;
      this.pending = batch.merge(this.pending);
      throw e;
    });
    this.inflight = p;
    const clear = (): void => {
      if (this.inflight === p) this.inflight = null;
    };
    p.then(clear, clear);
    return p;
  }

  private async writeBatch(b: PendingWrites): Promise<void> {
    if (b.empty) return;
    if (b.epoch === 0) throw new StoreFencedError(0, await this.ownership?.current().catch(() => undefined));
    const seqs: number[] = [];
    const lengths: number[] = [];
    const bodies: Buffer[] = [];
    let size = 0;
    for (const [seq, bytes] of b.messages) {
      seqs.push(seq);
      lengths.push(bytes.length);
      bodies.push(bytes);
      size += bytes.length;
    }
    this.writeRoundTrips++;
    try {
      await this.db.query('store messages', { name: `fixover_write:${this.db.schema}`, text: this.writeSql }, [
        this.id,
        b.epoch,
        b.reset,
        seqs,
        lengths,
        bodies.length === 1 ? bodies[0] : Buffer.concat(bodies, size),
        b.sender,
        b.target,
      ]);
    } catch (e) {
      if (e instanceof PostgresStoreError && e.causeCode === FENCED_SQLSTATE) {
        throw new StoreFencedError(b.epoch ?? 0, await this.ownership?.current().catch(() => undefined));
      }
      throw e;
    }
  }
}


/** Creates a `PostgresStore` per session on one shared database. */
export class PostgresStoreFactory implements MessageStoreFactory {
  readonly database: PostgresDatabase;

  constructor(options: PostgresDatabaseOptions | PostgresDatabase) {
    this.database = options instanceof PostgresDatabase ? options : PostgresDatabase.shared(options);
  }

  create(sessionId: { toString(): string }): Promise<PostgresStore> {
    return PostgresStore.open({ database: this.database, session: sessionId.toString() });
  }
}
