/**
 * A cluster's shared state in the PostgreSQL database its sessions share (docs/cluster.md, tables
 * created by the store's schema migrations, `src/store/postgres-schema.ts`):
 *
 * - `fixover_cluster_members`: one row per member (the record as JSON, `renewed_at` and `lease_ms`
 *   by the database's clock). A row whose lease lapsed is deleted by the next node that reads the
 *   members; the time of a renewal is the database's, given to the pure view in the reader's clock.
 * - `fixover_cluster_leases`: the coordinator lease of each cluster (`PostgresCoordinatorLease`).
 * - `fixover_cluster_state`: the topology and the planner's memory; `fixover_cluster_moves`: move
 *   orders. Each is written only while the writer holds the coordinator lease at the epoch it
 *   names and the lease has not run out by the database's clock: the check is part of the write's
 *   statement, so a coordinator paused past its lease never writes (StoreFencedError).
 * - `fixover_cluster_drains`: drain requests; `fixover_cluster_move_requests`: operators' move
 *   requests (`requestMove`), turned into move orders by the coordinator.
 *
 * Changes are announced with NOTIFY on the channel `fixover_cluster` (payload
 * `<schema>/<cluster>/<what>`): a member joining, leaving, lapsing or changing (state, URIs,
 * weight or the sessions it holds), a new topology epoch, a move order and a drain request. `watch`
 * LISTENs on a connection of its own and reconnects when it is lost; the nodes keep polling as
 * well, so a lost notification only costs time.
 */
import { hostname } from 'node:os';
import { StoreFencedError, type AcquireResult, type OwnerRecord } from '../fencing/ownership.js';
import type { PgClient, PgQueryable } from '../store/pg-driver.js';
import { PostgresDatabase, type PostgresDatabaseOptions } from '../store/postgres-database.js';
import { isMoveOrder, isMoveRequest, type ClusterChange, type ClusterStore, type CoordinatorLease, type MoveOrder, type MoveRequest, type TopologyFile } from './cluster-store.js';
import type { MemberRecord } from './membership.js';
import { plannerMemoryOf, type PlannerMemory } from './rebalance.js';

/** The NOTIFY channel of cluster changes (payload `<schema>/<cluster>/<what>`). */
export const CLUSTER_CHANNEL = 'fixover_cluster';

const CHANGES: readonly ClusterChange[] = ['members', 'topology', 'moves', 'drain'];

/** A member record without the time of its renewal: what other nodes must hear of when it changes. */
const content = (r: MemberRecord): string => JSON.stringify({ ...r, renewedAt: 0 });

/** A cluster's state in PostgreSQL (see the module comment). */
export class PostgresClusterStore implements ClusterStore {
  private readonly db: PostgresDatabase;
  private readonly s: string;
  private readonly prefix: string;
  private listener: PgClient | null = null;
  private onChange: ((what: ClusterChange) => void) | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  /** What this process last wrote of each member, and the last topology epoch it announced. */
  private readonly written = new Map<string, string>();
  private announcedEpoch = -1;

  /** `removeLapsed` false: members() leaves lapsed rows in place and returns them (an operator's read, `fixover cluster status`). */
  constructor(
    options: PostgresDatabaseOptions,
    readonly cluster: string,
    private readonly removeLapsed = true,
  ) {
    this.db = PostgresDatabase.shared(options).retain();
    this.s = this.db.schema;
    this.prefix = `${options.schema ?? 'public'}/${cluster}/`;
  }

  get where(): string {
    return `${this.db.target}, schema ${this.s}`;
  }

  create(): Promise<void> {
    return this.db.init();
  }

  private async notify(what: ClusterChange): Promise<void> {
    await this.db.query('announce a cluster change', 'SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, this.prefix + what]);
  }

  async writeMember(r: MemberRecord): Promise<void> {
    await this.create();
    await this.db.query(
      'renew the member record',
      `INSERT INTO ${this.s}.fixover_cluster_members (cluster, node, record, renewed_at, lease_ms) VALUES ($1, $2, $3, clock_timestamp(), $4)
       ON CONFLICT (cluster, node) DO UPDATE SET record = EXCLUDED.record, renewed_at = EXCLUDED.renewed_at, lease_ms = EXCLUDED.lease_ms`,
      [this.cluster, r.node, JSON.stringify(r), r.leaseMs],
    );
    const c = content(r);
    if (this.written.get(r.node) !== c) {
      this.written.set(r.node, c);
      await this.notify('members');
    }
  }

  async removeMember(node: string): Promise<void> {
    this.written.delete(node);
    await this.db.query('remove the member record', `DELETE FROM ${this.s}.fixover_cluster_members WHERE cluster = $1 AND node = $2`, [this.cluster, node]);
    await this.notify('members');
  }

  /** The live members; rows whose lease lapsed (by the database's clock) are deleted, and that is announced. */
  async members(): Promise<{ records: MemberRecord[]; unreadable: string[] }> {
    await this.create();
    if (this.removeLapsed) {
      const lapsed = await this.db.query<{ node: string }>(
        'remove lapsed members',
        `DELETE FROM ${this.s}.fixover_cluster_members WHERE cluster = $1 AND renewed_at + lease_ms * interval '1 millisecond' < clock_timestamp() RETURNING node`,
        [this.cluster],
      );
      if (lapsed.rows.length > 0) await this.notify('members');
    }
    const rows = await this.db.query<{ node: string; record: unknown; age_ms: number }>(
      'read the members',
      `SELECT node, record, (extract(epoch FROM clock_timestamp() - renewed_at) * 1000)::float8 AS age_ms FROM ${this.s}.fixover_cluster_members WHERE cluster = $1 ORDER BY node`,
      [this.cluster],
    );
    const now = Date.now();
    const records: MemberRecord[] = [];
    const unreadable: string[] = [];
    for (const row of rows.rows) {
      // The renewal in this node's clock: the view (`liveMembers`) then judges leases by the database's clock.
      if (isMemberRecord(row.record)) records.push({ ...row.record, renewedAt: Math.round(now - Math.max(0, row.age_ms)) });
      else unreadable.push(row.node);
    }
    return { records, unreadable };
  }

  private async state<T>(key: 'topology' | 'planner'): Promise<T | undefined> {
    await this.create();
    const r = await this.db.query<{ value: T }>(`read the ${key}`, `SELECT value FROM ${this.s}.fixover_cluster_state WHERE cluster = $1 AND key = $2`, [this.cluster, key]);
    return r.rows[0]?.value;
  }

  /** Runs a write that names the coordinator epoch as `$1` and the cluster as `$2`; no row written means fenced. */
  private async fenced(what: string, epoch: number, sql: string, values: unknown[]): Promise<void> {
    const holds = `EXISTS (SELECT 1 FROM ${this.s}.fixover_cluster_leases l WHERE l.cluster = $2 AND l.epoch = $1 AND NOT l.released AND l.renewed_at + l.lease_ms * interval '1 millisecond' >= clock_timestamp() FOR SHARE)`;
    const r = await this.db.query(what, sql.replace('$HOLDS', () => holds), [epoch, this.cluster, ...values]);
    if (r.rowCount === 0) throw new StoreFencedError(epoch, await this.coordinator(), 'the coordinator lease is no longer held at this epoch');
  }

  async topology(): Promise<TopologyFile | undefined> {
    const t = await this.state<TopologyFile>('topology');
    return t !== undefined && typeof t.epoch === 'number' && Array.isArray(t.members) ? t : undefined;
  }

  async writeTopology(t: TopologyFile, coordinatorEpoch: number): Promise<void> {
    await this.writeState('write the topology', 'topology', t, coordinatorEpoch);
    if (t.epoch !== this.announcedEpoch) {
      this.announcedEpoch = t.epoch;
      await this.notify('topology');
    }
  }

  async plannerMemory(): Promise<PlannerMemory | undefined> {
    return plannerMemoryOf(await this.state<unknown>('planner'));
  }

  async writePlannerMemory(m: PlannerMemory, coordinatorEpoch: number): Promise<void> {
    await this.writeState("write the planner's memory", 'planner', m, coordinatorEpoch);
  }

  /** One row of `fixover_cluster_state`, fenced by the coordinator lease at `coordinatorEpoch`. */
  private async writeState(what: string, key: 'topology' | 'planner', value: object, coordinatorEpoch: number): Promise<void> {
    await this.fenced(
      what,
      coordinatorEpoch,
      `INSERT INTO ${this.s}.fixover_cluster_state (cluster, key, value) SELECT $2::text, $3::text, $4::jsonb WHERE $HOLDS ON CONFLICT (cluster, key) DO UPDATE SET value = EXCLUDED.value`,
      [key, JSON.stringify(value)],
    );
  }

  async requestDrain(node: string): Promise<void> {
    await this.create();
    await this.db.query('ask for a drain', `INSERT INTO ${this.s}.fixover_cluster_drains (cluster, node, requested_at) VALUES ($1, $2, clock_timestamp()) ON CONFLICT (cluster, node) DO UPDATE SET requested_at = EXCLUDED.requested_at`, [this.cluster, node]);
    await this.notify('drain');
  }

  async drainRequested(node: string): Promise<boolean> {
    await this.create();
    const r = await this.db.query('read drain requests', `SELECT 1 FROM ${this.s}.fixover_cluster_drains WHERE cluster = $1 AND node = $2`, [this.cluster, node]);
    return r.rows.length > 0;
  }

  async clearDrainRequest(node: string): Promise<void> {
    await this.create();
    await this.db.query('clear a drain request', `DELETE FROM ${this.s}.fixover_cluster_drains WHERE cluster = $1 AND node = $2`, [this.cluster, node]);
  }

  async moves(): Promise<MoveOrder[]> {
    await this.create();
    const r = await this.db.query<{ move: unknown }>('read move orders', `SELECT move FROM ${this.s}.fixover_cluster_moves WHERE cluster = $1 ORDER BY session`, [this.cluster]);
    return r.rows.map((x) => x.move).filter(isMoveOrder);
  }

  async writeMove(m: MoveOrder): Promise<void> {
    await this.fenced(
      'write a move order',
      m.coordinatorEpoch,
      `INSERT INTO ${this.s}.fixover_cluster_moves (cluster, session, move) SELECT $2::text, $3::text, $4::jsonb WHERE $HOLDS ON CONFLICT (cluster, session) DO UPDATE SET move = EXCLUDED.move`,
      [m.session, JSON.stringify(m)],
    );
    await this.notify('moves');
  }

  async removeMove(session: string): Promise<void> {
    await this.db.query('remove a move order', `DELETE FROM ${this.s}.fixover_cluster_moves WHERE cluster = $1 AND session = $2`, [this.cluster, session]);
  }

  async requestMove(r: MoveRequest): Promise<void> {
    await this.create();
    await this.db.query(
      'write a move request',
      `INSERT INTO ${this.s}.fixover_cluster_move_requests (cluster, session, request) VALUES ($1, $2, $3::jsonb) ON CONFLICT (cluster, session) DO UPDATE SET request = EXCLUDED.request`,
      [this.cluster, r.session, JSON.stringify(r)],
    );
    await this.notify('moves');
  }

  async moveRequests(): Promise<MoveRequest[]> {
    await this.create();
    const r = await this.db.query<{ request: unknown }>('read move requests', `SELECT request FROM ${this.s}.fixover_cluster_move_requests WHERE cluster = $1 ORDER BY session`, [this.cluster]);
    return r.rows.map((x) => x.request).filter(isMoveRequest);
  }

  async removeMoveRequest(r: MoveRequest): Promise<void> {
    // Only while it is still the stored one: a newer request for the session stays.
    await this.db.query('remove a move request', `DELETE FROM ${this.s}.fixover_cluster_move_requests WHERE cluster = $1 AND session = $2 AND request = $3::jsonb`, [this.cluster, r.session, JSON.stringify(r)]);
  }

  coordinatorLease(node: string, leaseMs: number, now?: () => number): CoordinatorLease {
    return new PostgresCoordinatorLease(this.db, this.cluster, node, leaseMs, now);
  }

  async coordinator(): Promise<OwnerRecord | undefined> {
    await this.create();
    const r = await this.db.query<LeaseRow>('read the coordinator lease', `${leaseSql(this.s)} WHERE cluster = $1`, [this.cluster]);
    return r.rows[0] && r.rows[0].epoch !== '0' ? leaseRecord(r.rows[0]) : undefined;
  }

  async sessionOwner(session: { readonly id: string; readonly prefix: string }): Promise<OwnerRecord | undefined> {
    await this.create();
    const r = await this.db.query<{ epoch: string; node: string; host: string; pid: number; released: boolean; lease_ms: number; renewed_ms: number | null; moving_to: string | null; moving_until_ms: number | null }>(
      'read a session owner',
      `SELECT o.epoch, o.node, o.host, o.pid, o.released, o.lease_ms, (extract(epoch FROM o.renewed_at) * 1000)::float8 AS renewed_ms,
         o.moving_to, (extract(epoch FROM o.moving_until) * 1000)::float8 AS moving_until_ms
       FROM ${this.s}.fixover_owners o JOIN ${this.s}.fixover_sessions x ON x.id = o.session_id WHERE x.name = $1`,
      [session.id],
    );
    const o = r.rows[0];
    if (!o || o.epoch === '0') return undefined;
    const reservation = o.released && o.moving_to !== null ? { movingTo: o.moving_to, movingUntil: Math.round(o.moving_until_ms ?? 0) } : {};
    return { node: o.node, host: o.host, pid: o.released ? 0 : o.pid, epoch: Number(o.epoch), renewedAt: o.released || o.renewed_ms === null ? 0 : Math.round(o.renewed_ms), leaseMs: o.lease_ms, ...reservation };
  }

  watch(onChange: (what: ClusterChange) => void): void {
    this.onChange = onChange;
    void this.listen();
  }

  private async listen(): Promise<void> {
    if (this.closed || this.listener) return;
    let c: PgClient | undefined;
    try {
      c = await this.db.connectDedicated(() => {
        if (this.listener === c) this.listener = null;
        this.listenLater();
      });
      c.on('notification', (n) => {
        if (n.channel !== CLUSTER_CHANNEL || !n.payload?.startsWith(this.prefix)) return;
        const what = n.payload.slice(this.prefix.length) as ClusterChange;
        if (CHANGES.includes(what)) this.onChange?.(what);
      });
      await c.query(`LISTEN ${CLUSTER_CHANNEL}`);
      if (this.closed) {
        await c.end().catch(() => undefined);
        return;
      }
      this.listener = c;
      // Whatever happened while nobody listened: look now.
      for (const what of CHANGES) this.onChange?.(what);
    } catch {
      if (c) await c.end().catch(() => undefined);
      this.listenLater();
    }
  }

  /** Listens again in a second (the connection was lost or could not be made; polling goes on meanwhile). */
  private listenLater(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.listen();
    }, 1000);
    this.retry.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.listener;
    this.listener = null;
    if (c) await c.end().catch(() => undefined);
    await this.db.release();
  }
}

interface LeaseRow {
  epoch: string;
  node: string;
  host: string;
  pid: number;
  released: boolean;
  lease_ms: number;
  renewed_ms: number | null;
  now_ms: number;
}

const leaseSql = (s: string): string => `SELECT epoch, node, host, pid, released, lease_ms,
    (extract(epoch FROM renewed_at) * 1000)::float8 AS renewed_ms,
    (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms
  FROM ${s}.fixover_cluster_leases`;

function leaseRecord(r: LeaseRow): OwnerRecord {
  return { node: r.node, host: r.host, pid: r.released ? 0 : r.pid, epoch: Number(r.epoch), renewedAt: r.released || r.renewed_ms === null ? 0 : Math.round(r.renewed_ms), leaseMs: r.lease_ms };
}

/**
 * The coordinator lease in `fixover_cluster_leases`: one row per cluster with the holder (node,
 * host, pid), its epoch and its lease by the database's clock. The lease may be taken when it was
 * released or has run out; each change of holder raises the epoch. The writes of a coordinator name
 * its epoch and are refused in their statement once it is not the holder's (see `fenced`).
 */
export class PostgresCoordinatorLease implements CoordinatorLease {
  private owned = 0;
  private validUntil = 0;
  private readonly host = hostname();
  private readonly now: () => number;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: PostgresDatabase,
    private readonly cluster: string,
    readonly node: string,
    private readonly leaseMs: number,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  get epoch(): number {
    return this.owned;
  }

  holds(): boolean {
    return this.owned !== 0 && this.now() <= this.validUntil - this.leaseMs / 10;
  }

  private mine(r: LeaseRow | undefined): boolean {
    return r !== undefined && this.owned !== 0 && !r.released && Number(r.epoch) === this.owned && r.node === this.node && r.host === this.host && r.pid === process.pid;
  }

  /** One transaction on the row of this cluster, locked; a paused holder of the row lock is cut off by the timeouts. */
  private transaction<T>(what: string, fn: (c: PgQueryable, r: LeaseRow) => Promise<T>): Promise<T> {
    const p = this.tail.then(async () => {
      await this.db.init();
      const begin = `BEGIN; SET LOCAL lock_timeout = ${Math.max(2000, 2 * this.leaseMs)}; SET LOCAL idle_in_transaction_session_timeout = ${Math.max(1000, this.leaseMs)}`;
      return this.db.fencedTransaction(what, begin, async (c) => {
        await c.query(`INSERT INTO ${this.db.schema}.fixover_cluster_leases (cluster) VALUES ($1) ON CONFLICT DO NOTHING`, [this.cluster]);
        const r = (await c.query<LeaseRow>(`${leaseSql(this.db.schema)} WHERE cluster = $1 FOR UPDATE`, [this.cluster])).rows[0];
        return fn(c, r);
      });
    });
    this.tail = p.catch(() => undefined);
    return p;
  }

  acquire(): Promise<AcquireResult> {
    return this.transaction('take the coordinator lease', async (c, r) => {
      const mine = this.mine(r);
      const lapsed = r.released || r.renewed_ms === null || r.now_ms > r.renewed_ms + r.lease_ms;
      if (!mine && !lapsed) return { acquired: false, owner: leaseRecord(r), reason: `coordinator is node ${r.node} (epoch ${r.epoch})` };
      const epoch = mine ? this.owned : Number(r.epoch) + 1;
      const t0 = this.now();
      await c.query(`UPDATE ${this.db.schema}.fixover_cluster_leases SET epoch = $2, node = $3, host = $4, pid = $5, renewed_at = clock_timestamp(), lease_ms = $6, released = false WHERE cluster = $1`, [
        this.cluster,
        epoch,
        this.node,
        this.host,
        process.pid,
        this.leaseMs,
      ]);
      this.owned = epoch;
      this.validUntil = t0 + this.leaseMs;
      return { acquired: true, epoch };
    });
  }

  renew(): Promise<void> {
    const epoch = this.owned;
    return this.transaction('renew the coordinator lease', async (c, r) => {
      // Ran out by our own clock (paused): the lease may be another's by now; never extend it.
      if (!this.holds() || !this.mine(r)) {
        this.owned = 0;
        throw new StoreFencedError(epoch, leaseRecord(r), this.mine(r) ? 'the coordinator lease ran out' : undefined);
      }
      const t0 = this.now();
      await c.query(`UPDATE ${this.db.schema}.fixover_cluster_leases SET renewed_at = clock_timestamp() WHERE cluster = $1`, [this.cluster]);
      this.validUntil = t0 + this.leaseMs;
    });
  }

  release(): Promise<void> {
    if (!this.owned) return Promise.resolve();
    return this.transaction('give the coordinator lease up', async (c, r) => {
      if (this.mine(r)) await c.query(`UPDATE ${this.db.schema}.fixover_cluster_leases SET released = true, renewed_at = NULL WHERE cluster = $1`, [this.cluster]);
      this.owned = 0;
    });
  }

  async check(epoch = this.owned): Promise<void> {
    if (!epoch || epoch !== this.owned || !this.holds()) {
      this.owned = 0;
      throw new StoreFencedError(epoch, undefined, 'the coordinator lease is not held');
    }
    const r = (await this.db.query<LeaseRow>('read the coordinator lease', `${leaseSql(this.db.schema)} WHERE cluster = $1`, [this.cluster])).rows[0];
    if (!this.mine(r)) {
      this.owned = 0;
      throw new StoreFencedError(epoch, r ? leaseRecord(r) : undefined);
    }
  }
}

function isMemberRecord(x: unknown): x is MemberRecord {
  const r = x as MemberRecord;
  return typeof r === 'object' && r !== null && typeof r.node === 'string' && typeof r.cluster === 'string' && Array.isArray(r.uris) && Array.isArray(r.sessions) && typeof r.leaseMs === 'number' && typeof r.weight === 'number' && typeof r.since === 'number' && ['joining', 'active', 'draining'].includes(r.state);
}

