/**
 * Acceptor failover on a PostgreSQL store with real processes: two `fixover executor` processes
 * share one database; the active one is killed with SIGKILL mid-stream; its lock connection dies
 * with it, so the standby takes the session over at once and continues its sequence numbers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Cluster, freePort, type NodeOptions } from './harness.js';
import { start } from '../cli/cli.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../support/postgres.js';

const skip = postgresUnavailable();
let server: TestPostgres;

before(async () => {
  if (!skip) server = await startPostgres();
});
after(() => server?.destroy());

/** The seed configuration with the store in PostgreSQL instead of a directory. */
class PostgresCluster extends Cluster {
  constructor(readonly url: string, readonly schema: string) {
    super();
  }

  override executorConfig(name: string, port: number, o: NodeOptions = {}): string {
    const file = super.executorConfig(name, port, o);
    const text = readFileSync(file, 'utf8').replace(/^FileStorePath=.*$/m, `PostgreSQLStoreURL=\${FIXOVER_PG_URL}\nPostgreSQLStoreSchema=${this.schema}`);
    writeFileSync(file, text);
    return file;
  }
}

test('kill -9 of the active acceptor on a PostgreSQL store: the standby continues the session with nothing lost', { skip, timeout: 120_000 }, async () => {
  const schema = await server.newSchema('failover');
  process.env.FIXOVER_PG_URL = server.url; // read by the executors through ${FIXOVER_PG_URL}
  const cluster = new PostgresCluster(server.url, schema);
  const [pa, pb] = [await freePort(), await freePort()];
  const count = async (): Promise<number> => Number((await server.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".fixover_messages`).catch(() => ({ rows: [{ n: '0' }] }))).rows[0].n);
  try {
    const a = await cluster.startNode('A', pa);
    const b = await cluster.startNode('B', pb);
    const owner = await server.query<{ node: string; epoch: string }>(`SELECT node, epoch FROM "${schema}".fixover_owners`);
    assert.deepEqual(owner.rows.map((r) => r.node), [''], 'nobody owns the session before a logon');
    const client = start(['client', cluster.clientConfig([pa, pb]), '--orders', '3000', '--rate', '1000', '--report', join(cluster.dir, 'report.json'), '--settle', '20000'], cluster.dir);
    // Let the client log on to A and get well into the stream (hundreds of stored fills), then kill A.
    const deadline = Date.now() + 30_000;
    while ((await count()) < 500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const before = await server.query<{ node: string }>(`SELECT node FROM "${schema}".fixover_owners`);
    assert.equal(before.rows[0].node, 'A', 'the client logged on to A first');
    a.proc.child.kill('SIGKILL');
    const [code] = await once(client.child, 'exit');
    const report = JSON.parse(readFileSync(join(cluster.dir, 'report.json'), 'utf8'));
    assert.equal(code, 0, client.output());
    assert.equal(report.sent, 3000);
    assert.equal(report.filled, 3000, 'every order filled');
    assert.equal(report.missing, 0);
    assert.equal(report.duplicates.unflagged, 0, 'no unflagged duplicate');
    assert.ok(report.logons.length >= 2, 'logged on again, to the standby');

    const own = await server.query<{ node: string; epoch: string }>(`SELECT node, epoch FROM "${schema}".fixover_owners`);
    assert.equal(own.rows[0].node, 'B');
    assert.ok(Number(own.rows[0].epoch) >= 2);
    // The standby continued A's numbers: the stored messages run from 1 without a gap or a reset,
    // and the client expects exactly the store's next sender number.
    const seqs = await server.query<{ min: string; max: string; n: string }>(`SELECT min(seq), max(seq), count(*) AS n FROM "${schema}".fixover_messages`);
    const { min, max, n } = seqs.rows[0];
    assert.equal(Number(min), 1);
    assert.equal(Number(n), Number(max), 'no gap in the stored messages');
    const next = await server.query<{ direction: string; next_seq: string }>(`SELECT direction, next_seq FROM "${schema}".fixover_seqnums ORDER BY direction`);
    const sender = Number(next.rows[0].next_seq);
    assert.ok(sender >= Number(max) + 1);
    const clientSeq = readFileSync(join(cluster.dir, 'client-store', 'FIX.4.2-BANZAI-EXEC.seqnums'), 'latin1');
    assert.equal(Number(clientSeq.split(':')[1]), sender, 'the client expects what the standby will send next');
    // A clean stop closes every connection (the process exits) and leaves the session free.
    b.proc.child.kill('SIGTERM');
    const [exit] = await Promise.race([once(b.proc.child, 'exit'), new Promise<[string]>((r) => setTimeout(() => r(['still running']), 15_000))]);
    assert.equal(exit, 0, b.proc.output());
    const freed = await server.query<{ released: boolean }>(`SELECT released FROM "${schema}".fixover_owners`);
    assert.equal(freed.rows[0].released, true);
  } finally {
    cluster.killAll();
  }
});
