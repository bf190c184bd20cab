/**
 * A cluster on a PostgreSQL store between real `fixover executor` processes (docs/cluster.md): the
 * members, the coordinator lease, the topology, the planner's memory, move orders and the
 * hand-over live in the database the sessions share, on a private PostgreSQL 15 server. A node
 * killed and started again gets its share back with nothing lost; a drain hands every session over;
 * a member joining is announced by NOTIFY well before the polling period; a member that stops
 * renewing is removed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkStore, freePort, waitUntil, type Node } from '../failover/harness.js';
import { usePostgres, type PostgresCluster } from '../failover/postgres-cluster.js';
import { fixover, start } from '../cli/cli.js';

const pg = usePostgres();
const opts = { skip: pg.skip, timeout: 120_000 };

const CLUSTER = [
  'RebalanceClusterClients=Y',
  'UpdateClusterClients=Y',
  'RebalanceInterval=300',
  'RebalanceSettle=300',
  'RebalanceJitter=100',
  'RebalanceQuietInterval=50',
  'RebalanceDeadline=1000',
  'ClusterLeaseTimeout=1500',
  'DrainGracePeriod=200',
  'DrainDeadline=15000',
  'SocketAcceptAddress=127.0.0.1',
].join('\n');

const CLIENTS = ['C1', 'C2', 'C3', 'C4'];

/** Who holds each client's session now (node name, or undefined while nobody does). */
async function holders(cluster: PostgresCluster): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const c of CLIENTS) {
    const o = await cluster.sessionOwner(c);
    out.set(c, o?.held ? o.node : undefined);
  }
  return out;
}

/** The member rows in the database. */
async function memberRows(cluster: PostgresCluster): Promise<string[]> {
  return (await cluster.server.query<{ node: string }>(`SELECT node FROM "${cluster.schema}".fixover_cluster_members ORDER BY node`)).rows.map((r) => r.node);
}

/** Two sessions on each node and no move order left (the coordinator removes an order once its target holds the session). */
async function evenAndSettled(cluster: PostgresCluster): Promise<boolean> {
  const h = await holders(cluster);
  const pending = await cluster.server.query<{ n: string }>(`SELECT count(*) AS n FROM "${cluster.schema}".fixover_cluster_moves`);
  return count(h, 'A') === 2 && count(h, 'B') === 2 && pending.rows[0].n === '0';
}

const count = (h: Map<string, string | undefined>, node: string): number => [...h.values()].filter((n) => n === node).length;

type Client = { proc: ReturnType<typeof start>; report: string };

/**
 * fixover clients on the failover transport listing every node (they announce cluster support),
 * sending orders until they are stopped (`stopClients`), however long the test takes.
 */
function startClients(cluster: PostgresCluster, ports: number[]): Client[] {
  return CLIENTS.map((name) => {
    const file = join(cluster.dir, `${name}.cfg`);
    const uris = ports.map((p) => `tcp://127.0.0.1:${p}`).join(',');
    writeFileSync(
      file,
      `[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.2\nHeartBtInt=5\nLogonTimeout=5\nFileStorePath=${join(cluster.dir, `${name}-store`)}\nStartTime=00:00:00\nEndTime=00:00:00\nSocketConnectURI=failover:(${uris})?initialReconnectDelay=50&maxReconnectDelay=500\n[SESSION]\nSenderCompID=${name}\nTargetCompID=EXEC\n`,
    );
    const report = join(cluster.dir, `${name}-report.json`);
    const proc = start(['client', file, '--orders', '1000000', '--rate', '20', '--settle', '10000', '--report', report], cluster.dir);
    cluster.clients.push(proc);
    return { proc, report };
  });
}

/** Stops the clients (SIGTERM: no new orders, the sent ones settle): each exits 0 with every order it sent filled, none duplicated unflagged. Returns the orders sent by client. */
async function stopClients(cluster: PostgresCluster, runs: Client[]): Promise<Map<string, number>> {
  const sent = new Map<string, number>();
  await Promise.all(
    runs.map(async (c, i) => {
      c.proc.child.kill('SIGTERM');
      const [code] = await once(c.proc.child, 'exit');
      assert.equal(code, 0, c.proc.output().slice(-2000));
      const r = cluster.readReport(c.report);
      assert.ok(r.sent > 0, `${CLIENTS[i]} sent orders`);
      assert.equal(r.filled, r.sent, `every order of ${CLIENTS[i]} filled`);
      assert.equal(r.missing, 0);
      assert.equal(r.duplicates.unflagged, 0, 'no unflagged duplicate');
      sent.set(CLIENTS[i], r.sent);
    }),
  );
  return sent;
}

/** Every order of every client filled exactly once in the database; both sides agree on the numbers. */
async function assertNothingLost(cluster: PostgresCluster, sent: Map<string, number>): Promise<void> {
  for (const name of CLIENTS) {
    const exec = await cluster.execStore(name);
    const cli = await checkStore(join(cluster.dir, `${name}-store`), `FIX.4.2-${name}-EXEC`);
    assert.equal(exec.fills.size, sent.get(name), `every fill of ${name} stored`);
    assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], `no order of ${name} filled twice`);
    await cluster.assertClientGotAll(exec, cli);
  }
}

async function stopAll(cluster: PostgresCluster, nodes: Node[]): Promise<void> {
  for (const n of nodes) if (n.proc.child.exitCode === null) n.proc.child.kill('SIGKILL');
  await Promise.all(nodes.map((n) => (n.proc.child.exitCode === null && n.proc.child.signalCode === null ? once(n.proc.child, 'exit') : null)));
  cluster.nodes.length = 0;
}

test('PostgreSQL store: a node killed and started again gets half of the sessions back, each moved once, nothing lost', opts, async () => {
  const cluster = await pg.cluster('clret');
  const ports = [await freePort(), await freePort()];
  try {
    let a = await cluster.startNode('A', ports[0], { clients: CLIENTS, settings: CLUSTER });
    const b = await cluster.startNode('B', ports[1], { clients: CLIENTS, settings: CLUSTER });
    const runs = startClients(cluster, ports);
    await waitUntil('an even split, no move pending', () => evenAndSettled(cluster), 30_000);
    a.proc.child.kill('SIGKILL');
    await once(a.proc.child, 'exit');
    cluster.nodes.splice(cluster.nodes.indexOf(a), 1);
    // A's record lapses (ClusterLeaseTimeout 1.5 s): deleted from the table, and B sees A leave.
    await b.proc.waitFor(/node B: member A left, topology epoch \d+/, 10_000);
    await waitUntil('the lapsed record is deleted', async () => (await memberRows(cluster)).join() === 'B', 5_000);
    await waitUntil('B holds every session', async () => count(await holders(cluster), 'B') === 4, 30_000);
    const restartedAt = Date.now();
    // The moves from here on are the ones the return causes (the two nodes split the sessions once already).
    const bBefore = b.proc.output().length;
    a = await cluster.startNode('A', ports[0], { clients: CLIENTS, settings: CLUSTER });
    const split = await waitUntil('an even split again', async () => {
      const h = await holders(cluster);
      return count(h, 'A') === 2 && count(h, 'B') === 2 && h;
    }, 30_000);
    // The operator's view, from the database.
    const status = await waitUntil('the status shows the split', async () => {
      const r = await fixover(['cluster', 'status', join(cluster.dir, 'A.cfg')], undefined, cluster.dir);
      return / {2}A {2}active .* 2 session\(s\)/.test(r.stdout) && / {2}B {2}active .* 2 session\(s\)/.test(r.stdout) ? r.stdout : undefined;
    }, 20_000);
    assert.match(status, /^coordinator: B \(epoch \d+\)$/m);
    for (const [c, node] of split) assert.match(status, new RegExp(`^ {2}FIX\\.4\\.2:EXEC->${c} {2}${node} \\(epoch \\d+\\)$`, 'm'));
    const sent = await stopClients(cluster, runs);
    const moving = (out: string): string[] => [...out.matchAll(/moving FIX\.4\.2:EXEC->(C\d) to node (\w)/g)].map((m) => `${m[1]}->${m[2]}`);
    const movedToA = CLIENTS.filter((c) => split.get(c) === 'A');
    assert.deepEqual(moving(b.proc.output().slice(bBefore)).sort(), movedToA.map((c) => `${c}->A`).sort(), 'after the return, B moved exactly the two sessions A holds, once each');
    assert.deepEqual(moving(a.proc.output()), [], 'nothing moved back');
    assert.ok(Date.now() - restartedAt < 60_000);
    await stopAll(cluster, [a, b]);
    await assertNothingLost(cluster, sent);
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    cluster.killAll();
  }
});

test('PostgreSQL store: a drained node hands every session over to the other and exits 0, every order filled once', opts, async () => {
  const cluster = await pg.cluster('cldrain');
  const ports = [await freePort(), await freePort()];
  try {
    const a = await cluster.startNode('A', ports[0], { clients: CLIENTS, settings: CLUSTER });
    const b = await cluster.startNode('B', ports[1], { clients: CLIENTS, settings: CLUSTER });
    const runs = startClients(cluster, ports);
    await waitUntil('an even split, no move pending', () => evenAndSettled(cluster), 30_000);
    const heldByA = [...(await holders(cluster))].filter(([, n]) => n === 'A').map(([c]) => c);
    const exited = once(a.proc.child, 'exit');
    const r = await fixover(['drain', join(cluster.dir, 'A.cfg')], undefined, cluster.dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /node A drained and left cluster default/);
    const [code] = await exited;
    assert.equal(code, 0, a.proc.output().slice(-2000));
    const drained = [...a.proc.output().matchAll(/moving FIX\.4\.2:EXEC->(C\d) to node B \(drain/g)].map((m) => m[1]);
    assert.deepEqual(drained.sort(), heldByA.sort(), 'A moved the sessions it held to B, once each');
    await waitUntil('B holds every session', async () => count(await holders(cluster), 'B') === 4, 20_000);
    const sent = await stopClients(cluster, runs);
    await stopAll(cluster, [b]);
    await assertNothingLost(cluster, sent);
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    cluster.killAll();
  }
});

test('PostgreSQL store: a member joining is announced by NOTIFY well before the polling period', opts, async () => {
  const cluster = await pg.cluster('clnotify');
  const ports = [await freePort(), await freePort()];
  // A 60 s lease: the nodes renew and read every 20 s, and the coordinator runs every 20 s.
  const slow = 'ClusterName=default\nClusterLeaseTimeout=60000\nRebalanceInterval=60000\nSocketAcceptAddress=127.0.0.1';
  try {
    const b = await cluster.startNode('B', ports[1], { settings: slow });
    await b.proc.waitFor(/node B: member B joined, topology epoch 1/, 10_000);
    const a = await cluster.startNode('A', ports[0], { settings: slow });
    // A's record, announced, makes B (the coordinator) write a new topology at once, which is announced
    // in turn: both see it far sooner than the 20 s poll.
    await b.proc.waitFor(/node B: member A joined, topology epoch 2/, 8_000);
    assert.deepEqual(await memberRows(cluster), ['A', 'B']);
    // A leaving cleanly removes its record and is announced the same way.
    a.proc.child.kill('SIGTERM');
    await once(a.proc.child, 'exit');
    await b.proc.waitFor(/node B: member A left, topology epoch 3/, 8_000);
    assert.deepEqual(await memberRows(cluster), ['B']);
    await stopAll(cluster, [b]);
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    cluster.killAll();
  }
});
