/** Fenced session ownership in PostgreSQL against a real server: locks, leases and epochs. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PostgresDatabase, PostgresStore } from '../../src/store/index.js';
import { PostgresOwnership, StoreFencedError } from '../../src/fencing/index.js';
import { fixMessage } from '../store/helpers.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../support/postgres.js';
import { ROOT, TSX } from '../cli/cli.js';

const skip = postgresUnavailable();
const opts = skip ? { skip } : {};
let server: TestPostgres;
const closers: Array<() => Promise<void>> = [];
const SESSION = 'FIX.4.2:EXEC->BANZAI';

before(async () => {
  if (!skip) server = await startPostgres();
});
after(async () => {
  for (const c of closers) await c().catch(() => undefined);
  await server?.destroy();
});

/** Two nodes (separate databases objects, as two processes would have) on one fresh schema. */
async function nodes(leaseMs: number, names = ['a', 'b']) {
  const schema = await server.newSchema();
  return names.map((node) => {
    const database = new PostgresDatabase({ url: server.url, schema });
    const own = new PostgresOwnership({ database, session: SESSION, node, leaseMs });
    closers.push(() => own.close(), () => database.close());
    return { own, database, schema };
  });
}

test('one owner at a time: the second node is refused while the first is alive', opts, async () => {
  const [a, b] = await nodes(60_000);
  assert.deepEqual(await a.own.acquire(), { acquired: true, epoch: 1 });
  assert.ok(a.own.holdsLock);
  const r = await b.own.acquire();
  assert.equal(r.acquired, false);
  assert.equal(!r.acquired && r.owner.node, 'a');
  assert.match(!r.acquired ? r.reason : '', /active on node a \(epoch 1\)/);
  await a.own.renew();
  await a.own.check();
  // Acquiring again while owning keeps the epoch.
  assert.deepEqual(await a.own.acquire(), { acquired: true, epoch: 1 });
  assert.equal((await b.own.current())?.node, 'a');
});

test('after a release the other node takes over at once with a higher epoch', opts, async () => {
  const [a, b] = await nodes(60_000);
  await a.own.acquire();
  await a.own.release();
  assert.equal(a.own.epoch, 0);
  assert.deepEqual(await b.own.acquire(), { acquired: true, epoch: 2 });
  await assert.rejects(a.own.check(), StoreFencedError);
});

test("the owner's connection ends (terminated): the other node takes over at once, long before the lease", opts, async () => {
  const [a, b] = await nodes(60_000);
  await a.own.acquire();
  assert.equal((await b.own.acquire()).acquired, false);
  const pid = a.own.backendPid;
  assert.ok(pid);
  await server.query('SELECT pg_terminate_backend($1)', [pid]);
  const t0 = Date.now();
  let r = await b.own.acquire();
  while (!r.acquired && Date.now() - t0 < 5000) {
    await new Promise((res) => setTimeout(res, 50));
    r = await b.own.acquire();
  }
  assert.deepEqual(r, { acquired: true, epoch: 2 });
  assert.ok(Date.now() - t0 < 5000);
  // The old owner finds out at its next renewal.
  await assert.rejects(a.own.renew(), (e: unknown) => e instanceof StoreFencedError && e.current?.node === 'b');
});

test('kill -9 of the owning process frees the session at once', opts, async () => {
  const [b] = await nodes(60_000, ['b']);
  const child = spawn(process.execPath, ['--import', TSX, `${ROOT}test/fencing/pg-owner-child.ts`, server.url, b.schema, SESSION], { stdio: ['ignore', 'pipe', 'pipe'] });
  closers.push(async () => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const t0 = Date.now();
  while (!out.includes('"acquired":true')) {
    assert.ok(Date.now() - t0 < 20_000 && child.exitCode === null, `child did not take the session: ${out}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal((await b.own.acquire()).acquired, false, 'refused while the child lives');
  child.kill('SIGKILL');
  await once(child, 'exit');
  const t1 = Date.now();
  let r = await b.own.acquire();
  while (!r.acquired && Date.now() - t1 < 5000) {
    await new Promise((res) => setTimeout(res, 50));
    r = await b.own.acquire();
  }
  assert.deepEqual(r, { acquired: true, epoch: 2 });
});

test('a paused owner loses the session when its lease expires; its stale writes are refused by the database', opts, async () => {
  const [a, b] = await nodes(400);
  const store = await PostgresStore.open({ database: a.database, session: SESSION });
  closers.push(() => store.close());
  store.fenceBy(a.own);
  await a.own.acquire();
  store.saveOutgoing(1, fixMessage(1));
  await store.flush();
  // "SIGSTOP": no renewals for longer than the lease; the lock is still held, yet the standby takes over.
  assert.equal((await b.own.acquire()).acquired, false);
  await new Promise((r) => setTimeout(r, 600));
  assert.ok(a.own.holdsLock);
  assert.deepEqual(await b.own.acquire(), { acquired: true, epoch: 2 });
  // "SIGCONT": the stale node's write carries epoch 1 and is refused in the write's transaction.
  store.saveOutgoing(2, fixMessage(2));
  store.setNextTargetSeq(9);
  await assert.rejects(store.flush(), (e: unknown) => e instanceof StoreFencedError && e.epoch === 1 && e.current?.node === 'b');
  await assert.rejects(a.own.renew(), StoreFencedError);
  assert.equal(a.own.holdsLock, false, 'the stale node let go of the lock');
  const rows = await server.query<{ seq: string }>(`SELECT seq FROM "${a.schema}".fixover_messages`);
  assert.deepEqual(rows.rows.map((r) => Number(r.seq)), [1]);
  const seq = await server.query<{ direction: string; next_seq: string }>(`SELECT direction, next_seq FROM "${a.schema}".fixover_seqnums ORDER BY direction`);
  assert.deepEqual(seq.rows.map((r) => Number(r.next_seq)), [2, 1]);
  // The dropped writes are not retried later either, even once the node owns the session again.
  await b.own.release();
  assert.deepEqual(await a.own.acquire(), { acquired: true, epoch: 3 });
  await store.refresh();
  store.saveOutgoing(2, fixMessage(2, '58=new owner'));
  await store.flush();
  const after = await server.query<{ seq: string }>(`SELECT seq FROM "${a.schema}".fixover_messages ORDER BY seq`);
  assert.deepEqual(after.rows.map((r) => Number(r.seq)), [1, 2]);
  assert.equal(store.getNextTargetSeq(), 1);
});

test('a node fences itself by its own clock when it could not renew in time', opts, async () => {
  const [a] = await nodes(60_000, ['a']);
  let clock = 1_000_000;
  const own = new PostgresOwnership({ database: a.database, session: SESSION, node: 'a2', leaseMs: 1000, now: () => clock });
  closers.push(() => own.close());
  await own.acquire();
  await own.check();
  clock += 1001;
  await assert.rejects(own.check(), StoreFencedError);
});

test('concurrent acquisitions: exactly one wins', opts, async () => {
  const all = await nodes(60_000, ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
  const results = await Promise.all(all.map((n) => n.own.acquire()));
  assert.equal(results.filter((r) => r.acquired).length, 1);
});

test('refusals are recorded in the owner row: numbered in the session, one number each even at once, the ownership untouched', opts, async () => {
  const [a, b, c] = await nodes(60_000, ['a', 'b', 'c']);
  assert.deepEqual(await a.own.acquire(), { acquired: true, epoch: 1 });
  const T = 1_700_000_000_000;
  assert.equal(await b.own.lastRefusal(), undefined);
  assert.equal(await b.own.recordRefusal(8, T), 8, "the store's next outgoing number");
  assert.equal(await b.own.recordRefusal(8, T), 9, 'refused again: one past the last');
  assert.deepEqual(await a.own.lastRefusal(), { seq: 9, sessionTime: T }, 'the owner reads it');
  assert.equal(await b.own.recordRefusal(20, T), 20, 'the owner sent past it since');
  assert.equal(await b.own.recordRefusal(1, T + 1000), 1, 'after a reset (new creation time) the old record no longer counts');
  const seqs = await Promise.all([b, c, b, c, b, c].map((n) => n.own.recordRefusal(5, T + 1000)));
  assert.deepEqual([...seqs].sort((x, y) => x - y), [5, 6, 7, 8, 9, 10]);
  await a.own.check();
  await a.own.renew();
  assert.equal((await c.own.current())?.epoch, 1);
});

test("a node that does not own the session reads the stored next outgoing number and creation time without writing or reloading", opts, async () => {
  const [a, b] = await nodes(60_000);
  await a.own.acquire();
  const owner = await PostgresStore.open({ database: a.database, session: SESSION });
  const standby = await PostgresStore.open({ database: b.database, session: SESSION });
  closers.push(() => owner.close(), () => standby.close());
  owner.fenceBy(a.own);
  owner.saveOutgoing(1, fixMessage(1));
  owner.setNextSenderSeq(12);
  await owner.flush();
  assert.equal(standby.getNextSenderSeq(), 1);
  assert.deepEqual(await standby.peekStored(), { nextSenderSeq: 12, creationTime: owner.creationTime });
  assert.equal(standby.getNextSenderSeq(), 1, 'this store object is not changed');
});

test('a node owning more sessions than the server allows connections holds them on its pool and one lock connection; ending that connection frees them all at once', opts, async () => {
  // The private server allows 60 connections (test/support/postgres.ts); a stock one 100.
  const [a, b] = await nodes(60_000);
  const max = Number((await server.query<{ max_connections: string }>('SHOW max_connections')).rows[0].max_connections);
  const names = Array.from({ length: max + 20 }, (_, i) => `FIX.4.2:EXEC->C${i}`);
  const mine = names.map((session) => new PostgresOwnership({ database: a.database, session, node: 'a', leaseMs: 60_000 }));
  const theirs = names.map((session) => new PostgresOwnership({ database: b.database, session, node: 'b', leaseMs: 60_000 }));
  closers.push(...[...mine, ...theirs].map((o) => () => o.close()));
  // Earlier tests' connections stay open until the end of the file: count ours as the difference.
  const count = async (): Promise<number> => Number((await server.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'fixover'")).rows[0].n);
  const before = await count();
  const got = await Promise.all(mine.map((o) => o.acquire()));
  assert.equal(got.filter((r) => r.acquired).length, names.length, JSON.stringify(got.find((r) => !r.acquired)));
  assert.ok(mine.every((o) => o.holdsLock && o.backendPid === mine[0].backendPid), 'one lock connection holds every lock');
  const used = (await count()) - before;
  assert.ok(used <= 5, `${used} connections for ${names.length} sessions (a pool of 4 and the lock connection expected)`);
  await Promise.all(mine.map((o) => o.renew()));
  assert.ok((await Promise.all(theirs.map((o) => o.acquire()))).every((r) => !r.acquired), 'refused while the node lives');
  // Two ownerships of one session in one process (one database) are kept apart as two connections would be.
  const twin = new PostgresOwnership({ database: a.database, session: names[0], node: 'a-twin', leaseMs: 60_000 });
  closers.push(() => twin.close());
  assert.equal((await twin.acquire()).acquired, false);
  assert.ok(mine[0].holdsLock);
  // The lock connection ends (as when the process dies): the other node takes every session at once.
  await server.query('SELECT pg_terminate_backend($1)', [mine[0].backendPid]);
  const t0 = Date.now();
  let taken = 0;
  while (taken < names.length && Date.now() - t0 < 10_000) {
    taken = (await Promise.all(theirs.map((o) => (o.epoch ? { acquired: true } : o.acquire())))).filter((r) => r.acquired).length;
    if (taken < names.length) await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(taken, names.length);
  assert.ok(theirs.every((o) => o.epoch === 2));
  await assert.rejects(mine[1].renew(), StoreFencedError);
});
