/**
 * The failover harness on a PostgreSQL store: the seed configuration with `PostgreSQLStoreURL`
 * (read from the environment, so no password would sit in the file) and a schema of the test's own
 * instead of a shared directory; the owner record read from the database.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { Cluster, storedFills, type NodeOptions, type StoreCheck } from './harness.js';
import { after, before } from 'node:test';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../support/postgres.js';

export interface PostgresOwnerRow {
  node: string;
  epoch: number;
  released: boolean;
}

export class PostgresCluster extends Cluster {
  constructor(
    readonly server: TestPostgres,
    readonly schema: string,
  ) {
    super();
    process.env.FIXOVER_PG_URL = server.url; // read by the executors through ${FIXOVER_PG_URL}
  }

  override executorConfig(name: string, port: number, o: NodeOptions = {}): string {
    const file = super.executorConfig(name, port, o);
    const text = readFileSync(file, 'utf8').replace(/^FileStorePath=.*$/m, `PostgreSQLStoreURL=\${FIXOVER_PG_URL}\nPostgreSQLStoreSchema=${this.schema}`);
    writeFileSync(file, text);
    return file;
  }

  /** The owner row of an executor session (undefined before the tables exist or while the server is down). */
  async ownerRow(client = 'BANZAI'): Promise<PostgresOwnerRow | undefined> {
    const r = await this.server
      .query<{ node: string; epoch: string; released: boolean }>(
        `SELECT o.node, o.epoch, o.released FROM "${this.schema}".fixover_owners o JOIN "${this.schema}".fixover_sessions s ON s.id = o.session_id WHERE s.name = $1`,
        [`FIX.4.2:EXEC->${client}`],
      )
      .catch(() => undefined);
    const row = r?.rows[0];
    return row && { node: row.node, epoch: Number(row.epoch), released: row.released };
  }

  override async sessionOwner(client = 'BANZAI'): Promise<{ node: string; epoch: number; held: boolean } | undefined> {
    const o = await this.ownerRow(client);
    return o && o.epoch > 0 ? { node: o.node, epoch: o.epoch, held: !o.released } : undefined;
  }

  /** Messages stored for the sessions of the schema (0 when the tables do not exist yet or the server is down). */
  async storedMessages(): Promise<number> {
    const r = await this.server.query<{ n: string }>(`SELECT count(*) AS n FROM "${this.schema}".fixover_messages`).catch(() => undefined);
    return Number(r?.rows[0].n ?? 0);
  }

  /** Every stored message and both sequence numbers of the schema, as text (to compare before and after). */
  async snapshot(): Promise<{ messages: Map<number, string>; seqnums: string }> {
    const s = `"${this.schema}"`;
    const rows = (await this.server.query<{ session_id: number; seq: string; body: Buffer }>(`SELECT session_id, seq, body FROM ${s}.fixover_messages ORDER BY session_id, seq`)).rows;
    const nums = (await this.server.query<{ session_id: number; direction: string; next_seq: string }>(`SELECT session_id, direction, next_seq FROM ${s}.fixover_seqnums ORDER BY session_id, direction`)).rows;
    return { messages: new Map(rows.map((r) => [Number(r.seq), r.body.toString('latin1')])), seqnums: JSON.stringify(nums) };
  }

  /** One stored message of an executor session, as text ('' when there is none). */
  async storedMessage(seq: number, client = 'BANZAI'): Promise<string> {
    const s = `"${this.schema}"`;
    const r = await this.server.query<{ body: Buffer }>(
      `SELECT m.body FROM ${s}.fixover_messages m JOIN ${s}.fixover_sessions x ON x.id = m.session_id WHERE x.name = $1 AND m.seq = $2`,
      [`FIX.4.2:EXEC->${client}`, seq],
    );
    return r.rows[0]?.body.toString('latin1') ?? '';
  }

  /**
   * The executor session's store, checked whole as `checkStore` does for files: stored messages
   * from 1 without a gap, each well-formed under its own MsgSeqNum; the fills among them and the
   * next sender and target numbers. The one gap allowed is right before a Logon: the numbers of
   * refusals other nodes sent, which the owner continued past before answering that Logon
   * (`src/fencing/refusal-record.ts`; nothing is stored under them).
   */
  override async execStore(client = 'BANZAI'): Promise<StoreCheck> {
    const s = `"${this.schema}"`;
    const id = (await this.server.query<{ id: number }>(`SELECT id FROM ${s}.fixover_sessions WHERE name = $1`, [`FIX.4.2:EXEC->${client}`])).rows[0].id;
    const rows = (await this.server.query<{ seq: string; body: Buffer }>(`SELECT seq, body FROM ${s}.fixover_messages WHERE session_id = $1 ORDER BY seq`, [id])).rows;
    const msgs = rows.map((r) => ({ seq: Number(r.seq), bytes: r.body }));
    msgs.forEach((m, i) => {
      const expected = i === 0 ? 1 : msgs[i - 1].seq + 1;
      const afterRefusals = m.seq > expected && m.bytes.includes('\x0135=A\x01');
      if (m.seq !== expected && !afterRefusals) throw new Error(`gap in the stored messages: ${m.seq} where ${expected} was expected`);
    });
    const next = await this.server.query<{ direction: string; next_seq: string }>(`SELECT direction, next_seq FROM ${s}.fixover_seqnums WHERE session_id = $1`, [id]);
    const seq = (d: string): number => Number(next.rows.find((r) => r.direction === d)!.next_seq);
    return { nextSender: seq('sender'), nextTarget: seq('target'), fills: storedFills(msgs), messages: msgs.length };
  }

  /**
   * No gap left: the client got everything the nodes stored. The one exception is the Logout
   * answering the client's own at the end, which the client, already leaving, may not count.
   */
  override async assertClientGotAll(exec: StoreCheck, cli: StoreCheck): Promise<void> {
    const last = await this.storedMessage(exec.nextSender - 1);
    const uncounted = exec.nextSender - cli.nextTarget;
    assert.ok(uncounted === 0 || (uncounted === 1 && last.includes('\x0135=5\x01')), `the client expects ${cli.nextTarget}, the node stored up to ${exec.nextSender - 1}: ${last.replaceAll('\x01', '|')}`);
    assert.equal(exec.nextTarget, cli.nextSender, 'the nodes got everything the client sent');
  }
}

/**
 * A private PostgreSQL server for the tests of one file, started before them and removed after.
 * `skip` says why the tests cannot run (no PostgreSQL 15; with `restartable`, a server given by
 * FIXOVER_TEST_PG_URL, which the tests cannot restart). `cluster(prefix)` makes a cluster on a
 * fresh schema of that server.
 */
export function usePostgres(o: { restartable?: boolean } = {}): { skip: string | undefined; server: () => TestPostgres; cluster: (prefix: string) => Promise<PostgresCluster> } {
  const skip = postgresUnavailable() ?? (o.restartable && process.env.FIXOVER_TEST_PG_URL ? 'the server of FIXOVER_TEST_PG_URL cannot be restarted' : undefined);
  let server: TestPostgres | undefined;
  before(async () => {
    if (!skip) server = await startPostgres();
  });
  after(() => server?.destroy());
  const get = (): TestPostgres => server ?? assert.fail('the PostgreSQL server is not running');
  return { skip, server: get, cluster: async (prefix) => new PostgresCluster(get(), await get().newSchema(prefix)) };
}
