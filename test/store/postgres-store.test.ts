/** The PostgreSQL store against a real server: the same behaviours as the file store's tests. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import pg from 'pg';
import { PostgresDatabase, PostgresStore, PostgresStoreError, PostgresStoreFactory, SCHEMA_VERSION, StoreDamagedError } from '../../src/store/index.js';
import { SessionID } from '../../src/session/session-id.js';
import { fixMessage } from './helpers.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../support/postgres.js';

const skip = postgresUnavailable();
const opts = skip ? { skip } : {};
let server: TestPostgres;
const databases: PostgresDatabase[] = [];

before(async () => {
  if (!skip) server = await startPostgres();
});
after(async () => {
  await Promise.all(databases.map((d) => d.close()));
  await server?.destroy();
});

/** A database object on a fresh schema (not shared, so two of them act like two processes). */
async function database(schema?: string): Promise<PostgresDatabase> {
  const db = new PostgresDatabase({ url: server.url, schema: schema ?? (await server.newSchema()) });
  databases.push(db);
  return db;
}

const SESSION = 'FIX.4.4:A->B';
const fixed = () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));

test('round trip: messages and sequence numbers; a reopened store sees them', opts, async () => {
  const db = await database();
  const store = await PostgresStore.open({ database: db, session: SESSION, now: fixed });
  assert.equal(store.getNextSenderSeq(), 1);
  assert.equal(store.getNextTargetSeq(), 1);
  assert.equal(store.creationTime.toISOString(), '2024-01-02T03:04:05.678Z');
  const msgs = [1, 2, 3, 4, 5].map((s) => fixMessage(s, `58=${'x'.repeat(s * 10)}`));
  msgs.forEach((m, i) => store.saveOutgoing(i + 1, m));
  store.setNextTargetSeq(7);
  assert.equal(store.getNextSenderSeq(), 6);
  await store.flush();
  assert.equal(store.writeRoundTrips, 1, 'one round trip for the whole flush');
  assert.deepEqual((await store.getRange(2, 3)).map((m) => m.seq), [2, 3]);
  assert.deepEqual((await store.getRange(1, 99)).map((m) => m.bytes), msgs);
  assert.deepEqual(await store.getRange(9, 3), []);

  const other = await PostgresStore.open({ database: await database(db.options.schema), session: SESSION });
  assert.equal(other.getNextSenderSeq(), 6);
  assert.equal(other.getNextTargetSeq(), 7);
  assert.equal(other.creationTime.toISOString(), '2024-01-02T03:04:05.678Z');
  assert.deepEqual((await other.getRange(1, 5)).map((m) => m.bytes), msgs);
  // A message stored again under the same number replaces the old one (as in QuickFIX).
  other.saveOutgoing(3, fixMessage(3, '58=again'));
  await other.close();
  assert.deepEqual((await store.getRange(3, 3))[0].bytes, fixMessage(3, '58=again'));
  await store.close();
  assert.throws(() => store.saveOutgoing(6, fixMessage(6)), PostgresStoreError);
});

test('schema: created on first use by processes starting together, versioned, a newer one refused', opts, async () => {
  const schema = await server.newSchema();
  const dbs = await Promise.all(Array.from({ length: 4 }, () => database(schema)));
  const stores = await Promise.all(dbs.map((db, i) => PostgresStore.open({ database: db, session: `FIX.4.2:S${i}->T` })));
  const v = await server.query<{ version: number }>(`SELECT version FROM "${schema}".fixover_schema`);
  assert.deepEqual(v.rows, [{ version: SCHEMA_VERSION }]);
  await Promise.all(stores.map((s) => s.close()));
  // Opening again leaves the version alone; a database from a newer fixover is refused clearly.
  await (await PostgresStore.open({ database: await database(schema), session: 'x' })).close();
  await server.query(`UPDATE "${schema}".fixover_schema SET version = version + 1`);
  await assert.rejects(PostgresStore.open({ database: await database(schema), session: 'y' }), (e: unknown) => {
    assert.ok(e instanceof PostgresStoreError);
    assert.equal(e.reason, 'schema');
    assert.match(e.message, new RegExp(`version ${SCHEMA_VERSION + 1}, newer than this fixover`));
    return true;
  });
});

test('sender and target sequence numbers are written independently: no writer clobbers the other', opts, async () => {
  const db = await database();
  const a = await PostgresStore.open({ database: db, session: SESSION });
  const b = await PostgresStore.open({ database: await database(db.options.schema), session: SESSION });
  // Both loaded 1/1. A moves the sender number, B the target number; neither writes the other's.
  a.setNextSenderSeq(10);
  b.setNextTargetSeq(20);
  await Promise.all([a.flush(), b.flush()]);
  const rows = await server.query<{ direction: string; next_seq: string }>(`SELECT direction, next_seq FROM "${db.options.schema}".fixover_seqnums ORDER BY direction`);
  assert.deepEqual(rows.rows.map((r) => [r.direction, Number(r.next_seq)]), [['sender', 10], ['target', 20]]);
  await a.refresh();
  assert.deepEqual([a.getNextSenderSeq(), a.getNextTargetSeq()], [10, 20]);
  await Promise.all([a.close(), b.close()]);
});

test('reset drops the messages and takes a new creation time; writes in the same turn follow it', opts, async () => {
  const db = await database();
  const store = await PostgresStore.open({ database: db, session: SESSION });
  for (let s = 1; s <= 5; s++) store.saveOutgoing(s, fixMessage(s));
  store.setNextTargetSeq(9);
  await store.flush();
  const at = new Date(Date.UTC(2025, 5, 6, 7, 8, 9, 10));
  store.reset(at);
  store.saveOutgoing(1, fixMessage(1, '58=after reset'));
  store.setNextTargetSeq(2);
  await store.flush();
  assert.equal(store.writeRoundTrips, 2);
  const check = await PostgresStore.open({ database: await database(db.options.schema), session: SESSION });
  assert.equal(check.creationTime.toISOString(), at.toISOString());
  assert.deepEqual([check.getNextSenderSeq(), check.getNextTargetSeq()], [2, 2]);
  assert.deepEqual((await check.getRange(1, 10)).map((m) => m.bytes), [fixMessage(1, '58=after reset')]);
  await Promise.all([store.close(), check.close()]);
});

test('refresh re-reads what another process wrote, keeping changes made meanwhile', opts, async () => {
  const db = await database();
  const schema = db.options.schema!;
  const primary = await PostgresStore.open({ database: db, session: SESSION });
  const standby = await PostgresStore.open({ database: await database(schema), session: SESSION });
  for (let s = 1; s <= 4; s++) primary.saveOutgoing(s, fixMessage(s));
  primary.setNextTargetSeq(3);
  await primary.flush();
  assert.equal(standby.getNextSenderSeq(), 1);
  await standby.refresh();
  assert.deepEqual([standby.getNextSenderSeq(), standby.getNextTargetSeq()], [5, 3]);
  assert.deepEqual((await standby.getRange(1, 4)).map((m) => m.seq), [1, 2, 3, 4]);

  primary.reset();
  primary.saveOutgoing(1, fixMessage(1, '58=new'));
  await primary.close();
  // Hold the refresh's read with a table lock, change a number meanwhile, then let it finish.
  const locker = new pg.Client({ connectionString: server.url });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query(`LOCK TABLE "${schema}".fixover_sessions IN ACCESS EXCLUSIVE MODE`);
  const refreshing = standby.refresh();
  await new Promise((r) => setTimeout(r, 50));
  standby.setNextTargetSeq(2);
  await locker.query('COMMIT');
  await locker.end();
  await refreshing;
  assert.deepEqual([standby.getNextSenderSeq(), standby.getNextTargetSeq()], [2, 2]);
  assert.deepEqual((await standby.getRange(1, 4)).map((m) => m.bytes), [fixMessage(1, '58=new')]);
  standby.saveOutgoing(2, fixMessage(2));
  await standby.close();
  const check = await PostgresStore.open({ database: await database(schema), session: SESSION });
  assert.deepEqual((await check.getRange(1, 4)).map((m) => m.seq), [1, 2]);
  assert.equal(check.getNextTargetSeq(), 2);
  await check.close();
});

test('group commit: flush() calls made while one is in flight share the next round trip', opts, async () => {
  const db = await database();
  const store = await PostgresStore.open({ database: db, session: SESSION });
  const locker = new pg.Client({ connectionString: server.url });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query(`LOCK TABLE "${db.options.schema}".fixover_messages IN ACCESS EXCLUSIVE MODE`);
  store.saveOutgoing(1, fixMessage(1));
  const first = store.flush();
  assert.equal(store.flush(), first, 'same turn: the same flush');
  await new Promise((r) => setTimeout(r, 50)); // the first is waiting on the lock now
  const later: Promise<void>[] = [];
  for (let s = 2; s <= 50; s++) {
    store.saveOutgoing(s, fixMessage(s));
    later.push(store.flush());
  }
  assert.ok(later.every((p) => p === later[0]), 'calls made during a flush share the next one');
  await locker.query('COMMIT');
  await locker.end();
  await Promise.all([first, ...later]);
  assert.equal(store.writeRoundTrips, 2, 'two round trips for 50 messages');
  assert.equal((await store.getRange(1, 50)).length, 50);
  // Nothing is written before flush().
  store.saveOutgoing(51, fixMessage(51));
  const n = await server.query<{ n: string }>(`SELECT count(*) AS n FROM "${db.options.schema}".fixover_messages`);
  assert.equal(Number(n.rows[0].n), 50);
  await store.close();
  assert.equal(store.writeRoundTrips, 3, 'close writes what is pending');
});

test('unflushed messages are readable: a read writes what is pending first', opts, async () => {
  const db = await database();
  const store = await PostgresStore.open({ database: db, session: SESSION });
  store.saveOutgoing(1, fixMessage(1));
  store.saveOutgoing(2, fixMessage(2));
  assert.deepEqual((await store.getRange(1, 2)).map((m) => m.bytes), [fixMessage(1), fixMessage(2)]);
  await store.close();
});

test('the factory keys sessions by SessionID; sessions do not see each other', opts, async () => {
  const schema = await server.newSchema();
  const factory = new PostgresStoreFactory({ url: server.url, schema });
  const one = await factory.create(new SessionID({ beginString: 'FIX.4.2', senderCompID: 'EXEC', targetCompID: 'A' }));
  const two = await factory.create(new SessionID({ beginString: 'FIX.4.2', senderCompID: 'EXEC', targetCompID: 'B' }));
  one.saveOutgoing(1, fixMessage(1, '58=one'));
  two.saveOutgoing(1, fixMessage(1, '58=two'));
  two.setNextTargetSeq(5);
  await Promise.all([one.flush(), two.flush()]);
  assert.deepEqual((await one.getRange(1, 1))[0].bytes, fixMessage(1, '58=one'));
  assert.equal(one.getNextTargetSeq(), 1);
  assert.notEqual(one.sessionKey, two.sessionKey);
  await Promise.all([one.close(), two.close()]);
});

test('bad settings and an unreachable server are clear PostgresStoreErrors (no password shown)', opts, async () => {
  assert.throws(() => new PostgresDatabase({ url: 'mysql://u:secret@h/db' }), (e: unknown) => e instanceof PostgresStoreError && e.reason === 'config' && /scheme must be postgres/.test(e.message) && !e.message.includes('secret'));
  assert.throws(() => new PostgresDatabase({ url: 'postgres://u:secret@[bad/db' }), (e: unknown) => e instanceof PostgresStoreError && e.reason === 'config' && !e.message.includes('secret'));
  assert.throws(() => new PostgresDatabase({ host: 'h' }), /no database given/);
  assert.throws(() => new PostgresDatabase({ url: server.url, schema: 'a;drop' }), /invalid schema name/);
  const closedPort = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
  const db = new PostgresDatabase({ url: `postgres://fix:secret@127.0.0.1:${closedPort}/fixdb` });
  databases.push(db);
  await assert.rejects(PostgresStore.open({ database: db, session: SESSION }), (e: unknown) => {
    assert.ok(e instanceof PostgresStoreError, String(e));
    assert.equal(e.reason, 'connect');
    assert.match(e.message, new RegExp(`postgres://fix@127.0.0.1:${closedPort}/fixdb`));
    assert.match(e.message, /ECONNREFUSED/);
    assert.ok(!e.message.includes('secret'));
    return true;
  });
});

test('server restart: a flush fails with a clear error, keeps its writes and succeeds once the server is back', { skip: skip ?? (process.env.FIXOVER_TEST_PG_URL ? 'the server of FIXOVER_TEST_PG_URL cannot be restarted' : undefined) }, async () => {
  const db = await database();
  const store = await PostgresStore.open({ database: db, session: SESSION });
  store.saveOutgoing(1, fixMessage(1));
  await store.flush();
  await server.stop();
  store.saveOutgoing(2, fixMessage(2));
  store.setNextTargetSeq(4);
  await assert.rejects(store.flush(), (e: unknown) => e instanceof PostgresStoreError && (e.reason === 'connect' || e.reason === 'query'));
  store.saveOutgoing(3, fixMessage(3));
  await server.start();
  await store.flush();
  const check = await PostgresStore.open({ database: await database(db.options.schema), session: SESSION });
  assert.deepEqual((await check.getRange(1, 9)).map((m) => m.seq), [1, 2, 3]);
  assert.deepEqual([check.getNextSenderSeq(), check.getNextTargetSeq()], [4, 4]);
  await Promise.all([store.close(), check.close()]);
});

test('a sender number at or below a stored message (lowered to 5, 101 stored) is refused; repaired, numbering goes on at 102', opts, async () => {
  const schema = await server.newSchema();
  const store = await PostgresStore.open({ database: await database(schema), session: SESSION });
  for (let seq = 1; seq <= 101; seq++) store.saveOutgoing(seq, fixMessage(seq));
  store.setNextTargetSeq(3);
  await store.close();
  await server.query(`UPDATE "${schema}".fixover_seqnums SET next_seq = 5 WHERE direction = 'sender'`);
  const refusedDb = await database(schema);
  await assert.rejects(PostgresStore.open({ database: refusedDb, session: SESSION }), (e: unknown) => {
    assert.ok(e instanceof StoreDamagedError, String(e));
    assert.match(e.message, new RegExp(`"${schema}"\\.fixover_seqnums: next outgoing number 5 of FIX\\.4\\.4:A->B is not past the highest message stored in "${schema}"\\.fixover_messages, 101`));
    assert.match(e.message, /StoreRecovery=repair starts it anyway, repairing:\n {2}\S+\.fixover_seqnums: next outgoing number set to 102/);
    return true;
  });
  const repaired = await PostgresStore.open({ database: await database(schema), session: SESSION, recoveryPolicy: 'repair' });
  assert.equal(repaired.getNextSenderSeq(), 102);
  assert.equal(repaired.getNextTargetSeq(), 3);
  assert.deepEqual(repaired.repairs.map((r) => r.repair), ['next outgoing number set to 102']);
  await repaired.close();
  const again = await PostgresStore.open({ database: await database(schema), session: SESSION });
  assert.deepEqual(again.repairs, [], 'the corrected number was written');
  assert.equal(again.getNextSenderSeq(), 102);
  // A refresh checks as well.
  await server.query(`UPDATE "${schema}".fixover_seqnums SET next_seq = 7 WHERE direction = 'sender'`);
  await assert.rejects(again.refresh(), StoreDamagedError);
  assert.equal(again.getNextSenderSeq(), 102, 'the refused state is not taken');
  await again.close();
});
