/**
 * The cluster's state in PostgreSQL against a real private server (docs/cluster.md): the
 * coordinator lease fences a paused coordinator in the write itself, NOTIFY reaches a watching
 * node, a member whose lease lapsed is removed, and a session handed over is reserved for its target.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresDatabase } from '../../src/store/index.js';
import { PostgresOwnership, StoreFencedError } from '../../src/fencing/index.js';
import { PostgresClusterStore, type ClusterChange, type MemberRecord, type MoveOrder } from '../../src/cluster/index.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../support/postgres.js';

const skip = postgresUnavailable();
const opts = skip ? { skip } : {};
let server: TestPostgres;
const closers: Array<() => Promise<void>> = [];

before(async () => {
  if (!skip) server = await startPostgres();
});
after(async () => {
  for (const c of closers) await c().catch(() => undefined);
  await server?.destroy();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stores of nodes on one fresh schema (as the nodes of one cluster would have). */
async function stores(n: number): Promise<{ stores: PostgresClusterStore[]; schema: string }> {
  const schema = await server.newSchema('cl');
  const out = Array.from({ length: n }, () => new PostgresClusterStore({ url: server.url, schema }, 'east'));
  for (const s of out) closers.push(() => s.close());
  await out[0].create();
  return { stores: out, schema };
}

const member = (node: string, leaseMs: number, state: MemberRecord['state'] = 'active'): MemberRecord => ({ cluster: 'east', node, uris: [`tcp://${node}:1`], state, sessions: [], weight: 1, renewedAt: Date.now(), leaseMs, since: 1_000 });

const topology = (epoch: number, coordinator: string) => ({ cluster: 'east', epoch, members: [], coordinator, writtenAt: Date.now() });

const order = (coordinatorEpoch: number): MoveOrder => ({ session: 'FIX.4.2:EXEC->C1', from: 'A', to: 'B', toUris: ['tcp://b:1'], reason: 'rebalance', at: 0, notBefore: 0, deadline: 1, coordinatorEpoch });

test('the coordinator lease: one holder; a paused holder whose lease ran out writes nothing, before and after another took it', opts, async () => {
  const { stores: [a, b] } = await stores(2);
  const la = a.coordinatorLease('A', 600);
  const lb = b.coordinatorLease('B', 600);
  assert.deepEqual(await la.acquire(), { acquired: true, epoch: 1 });
  const refused = await lb.acquire();
  assert.equal(refused.acquired, false);
  assert.match(!refused.acquired ? refused.reason : '', /coordinator is node A \(epoch 1\)/);
  await a.writeTopology(topology(1, 'A'), la.epoch);
  await a.writeMove(order(la.epoch));
  assert.equal((await b.topology())?.coordinator, 'A');
  assert.equal((await b.moves()).length, 1);
  assert.equal((await b.coordinator())?.node, 'A');
  // A "pauses" past its lease: nobody took it yet, but by the database's clock it ran out.
  await sleep(800);
  await assert.rejects(a.writeTopology(topology(2, 'A'), 1), StoreFencedError);
  // B takes it over; A, waking up, can neither write nor renew.
  assert.deepEqual(await lb.acquire(), { acquired: true, epoch: 2 });
  await assert.rejects(a.writeTopology(topology(3, 'A'), 1), StoreFencedError);
  await assert.rejects(a.writePlannerMemory({ recent: [], moved: {} }, 1), StoreFencedError);
  await assert.rejects(a.writeMove({ ...order(1), session: 'FIX.4.2:EXEC->C2' }), StoreFencedError);
  await assert.rejects(la.renew(), StoreFencedError);
  assert.equal(la.epoch, 0);
  assert.equal((await b.topology())?.epoch, 1, 'the topology A wrote while it held the lease, nothing after');
  assert.deepEqual((await b.moves()).map((m) => m.session), ['FIX.4.2:EXEC->C1']);
  await b.writeTopology(topology(2, 'B'), lb.epoch);
  await lb.check();
  // Released: taken at once with a higher epoch.
  await lb.release();
  assert.deepEqual(await la.acquire(), { acquired: true, epoch: 3 });
});

test('a NOTIFY reaches a watching node when a member joins, the topology changes or a move is ordered; a renewal alone says nothing', opts, async () => {
  const { stores: [a, b] } = await stores(2);
  const heard: ClusterChange[] = [];
  let wake: (() => void) | undefined;
  b.watch((what) => {
    heard.push(what);
    wake?.();
  });
  const hear = async (what: ClusterChange): Promise<void> => {
    const t0 = Date.now();
    while (!heard.includes(what)) {
      if (Date.now() - t0 > 5000) assert.fail(`no ${what} notification within 5 s (heard ${heard.join(', ')})`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
  };
  // The watcher looks once when it starts listening (whatever happened before): let that pass.
  await hear('drain');
  await sleep(100);
  heard.length = 0;
  await a.writeMember(member('A', 60_000));
  await hear('members');
  heard.length = 0;
  await a.writeMember(member('A', 60_000));
  await sleep(300);
  assert.deepEqual(heard, [], 'a renewal that changes nothing is not announced');
  await a.writeMember(member('A', 60_000, 'draining'));
  await hear('members');
  const lease = a.coordinatorLease('A', 60_000);
  await lease.acquire();
  await a.writeTopology(topology(7, 'A'), lease.epoch);
  await hear('topology');
  await a.writeMove(order(lease.epoch));
  await hear('moves');
  await a.requestDrain('B');
  await hear('drain');
  assert.equal(await b.drainRequested('B'), true);
  await b.clearDrainRequest('B');
  assert.equal(await b.drainRequested('B'), false);
});

test('a member whose lease lapsed is removed from the table and the view', opts, async () => {
  const { stores: [a, b], schema } = await stores(2);
  await a.writeMember(member('A', 400));
  await b.writeMember(member('B', 60_000));
  assert.deepEqual((await b.members()).records.map((r) => r.node), ['A', 'B']);
  await sleep(700);
  // An operator's look (fixover cluster status) removes nothing: the lapsed record is still there.
  const look = new PostgresClusterStore({ url: server.url, schema }, 'east', false);
  closers.push(() => look.close());
  assert.deepEqual((await look.members()).records.map((r) => r.node), ['A', 'B']);
  assert.deepEqual((await b.members()).records.map((r) => r.node), ['B']);
  const rows = await server.query<{ node: string }>(`SELECT node FROM "${schema}".fixover_cluster_members ORDER BY node`);
  assert.deepEqual(rows.rows.map((r) => r.node), ['B'], 'the lapsed row was deleted');
  // Renewed again, it is a member again.
  await a.writeMember(member('A', 60_000));
  assert.deepEqual((await b.members()).records.map((r) => r.node), ['A', 'B']);
  await a.removeMember('A');
  assert.deepEqual((await b.members()).records.map((r) => r.node), ['B']);
});

test('a session handed over is reserved for its target: any other node, the old owner included, is refused', opts, async () => {
  const schema = await server.newSchema('own');
  const database = new PostgresDatabase({ url: server.url, schema });
  closers.push(() => database.close());
  const own = (node: string): PostgresOwnership => {
    const o = new PostgresOwnership({ database, session: 'FIX.4.2:EXEC->C1', node, leaseMs: 60_000 });
    closers.push(() => o.close());
    return o;
  };
  const [a, b, c] = [own('A'), own('B'), own('C')];
  assert.deepEqual(await a.acquire(), { acquired: true, epoch: 1 });
  await a.handOver('B', Date.now() + 30_000);
  const owner = await c.current();
  assert.equal(owner?.pid, 0);
  assert.equal(owner?.movingTo, 'B');
  for (const other of [c, a]) {
    const r = await other.acquire();
    assert.equal(r.acquired, false);
    assert.equal(!r.acquired && r.reason, 'moving to node B');
  }
  assert.deepEqual(await b.acquire(), { acquired: true, epoch: 2 });
  assert.equal((await c.current())?.movingTo, undefined, 'the reservation ends when the target takes it');
  // A reservation that ran out lets anyone take the session (after a release by the holder).
  await b.handOver('C', Date.now() + 200);
  await sleep(400);
  assert.deepEqual(await a.acquire(), { acquired: true, epoch: 3 });
  // A plain release reserves nothing.
  await a.release();
  assert.deepEqual(await c.acquire(), { acquired: true, epoch: 4 });
});

test('removing a move request taken by the coordinator keeps a newer one for the same session', opts, async () => {
  const { stores: [a] } = await stores(1);
  const older = { session: 'FIX.4.2:EXEC->C1', from: 'A', to: 'B', by: 'carol', at: 1 };
  const newer = { session: 'FIX.4.2:EXEC->C1', from: 'A', to: 'C', by: 'dave', at: 2 };
  await a.requestMove(older);
  const taken = await a.moveRequests();
  await a.requestMove(newer);
  await a.removeMoveRequest(taken[0]);
  assert.deepEqual(await a.moveRequests(), [newer]);
  await a.removeMoveRequest(newer);
  assert.deepEqual(await a.moveRequests(), []);
});
