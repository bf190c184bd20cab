/**
 * Moving a session by hand between real `fixover executor` processes on a shared file store: two
 * nodes with their HTTP interface, two fixover clients sending orders, both served by B. An
 * operator asks A's interface (`fixover admin <url> move`) to move C1 to A: the coordinator orders
 * it, B hands it over at a safe point, the client is told to reconnect to A and ends there; C2
 * stays on B; every order is filled exactly once and no message is lost. Refusals come with a
 * code (no token, unknown session or node, already there, a body without node), and a node that
 * is no cluster member refuses a move with not_in_cluster.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, checkStore, clientsFilled, freePort, waitUntil } from '../failover/harness.js';
import { fixover, start } from '../cli/cli.js';
import { Engine } from '../../src/engine/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { storeFor } from '../../src/cli/run.js';
import { AdminServer } from '../../src/admin/index.js';

const TOKEN = 'move-token-0123456789';
const CLUSTER = ['ClusterName=east', 'UpdateClusterClients=Y', 'RebalanceQuietInterval=50', 'RebalanceDeadline=1000', 'ClusterLeaseTimeout=1500', 'SocketAcceptAddress=127.0.0.1', `HttpAdminToken=${TOKEN}`].join('\n');

test('an operator moves a session to another node through the admin interface: the client ends on the target, nothing lost', { timeout: 90_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb, ha, hb] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const clients = ['C1', 'C2'];
  const orders = 300;
  try {
    const b = await cluster.startNode('B', pb, { clients, settings: `${CLUSTER}\nHttpAcceptPort=${hb}` });
    const runs = clients.map((name) => {
      const file = join(cluster.dir, `${name}.cfg`);
      writeFileSync(
        file,
        `[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.2\nHeartBtInt=5\nLogonTimeout=5\nFileStorePath=${join(cluster.dir, `${name}-store`)}\nStartTime=00:00:00\nEndTime=00:00:00\nSocketConnectURI=failover:(tcp://127.0.0.1:${pb},tcp://127.0.0.1:${pa})?randomize=false&initialReconnectDelay=50&maxReconnectDelay=500\n[SESSION]\nSenderCompID=${name}\nTargetCompID=EXEC\n`,
      );
      const report = join(cluster.dir, `${name}-report.json`);
      const proc = start(['client', file, '--orders', String(orders), '--rate', '25', '--settle', '10000', '--report', report], cluster.dir);
      cluster.clients.push(proc);
      return { proc, report };
    });
    const holds = (c: string, node: string): boolean => cluster.owner(c)?.node === node && cluster.owner(c)?.pid !== 0;
    await waitUntil('B holds both sessions', () => clients.every((c) => holds(c, 'B')), 20_000);
    const a = await cluster.startNode('A', pa, { clients, settings: `${CLUSTER}\nHttpAcceptPort=${ha}` });
    const url = `http://127.0.0.1:${ha}`;
    await waitUntil('A sees both members, B listing both sessions', async () => {
      const members = ((await (await fetch(`${url}/api/cluster`)).json()) as { members: Array<{ node: string; sessions: string[] }> }).members;
      return members.length === 2 && members.some((m) => m.node === 'B' && m.sessions.length === 2);
    }, 10_000);

    // Refusals, each with a code.
    const post = async (session: string, body: object, token: string | null = TOKEN) => {
      const r = await fetch(`${url}/api/sessions/${encodeURIComponent(session)}/move`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as { error?: string; message?: string } };
    };
    assert.deepEqual(await post('FIX.4.2:EXEC->C1', { node: 'A' }, null).then((r) => [r.status, r.body.error]), [401, 'unauthorized']);
    assert.deepEqual(await post('FIX.4.2:EXEC->C9', { node: 'A' }).then((r) => [r.status, r.body.error]), [404, 'not_found']);
    const unknownNode = await post('FIX.4.2:EXEC->C1', { node: 'Z' });
    assert.deepEqual([unknownNode.status, unknownNode.body.error], [404, 'unknown_node']);
    assert.match(unknownNode.body.message!, /no member Z in this cluster \(members: A \(active\), B \(active\)\)/);
    assert.deepEqual(await post('FIX.4.2:EXEC->C2', { node: 'B' }).then((r) => [r.status, r.body.error]), [409, 'already_there']);
    assert.deepEqual(await post('FIX.4.2:EXEC->C1', {}).then((r) => [r.status, r.body.error]), [400, 'bad_request']);

    // The move, asked at A (not the node holding it) from the command line.
    writeFileSync(join(cluster.dir, 'token'), TOKEN);
    const moved = await fixover(['admin', url, 'move', 'FIX.4.2:EXEC->C1', 'A', '--token-file', 'token', '--operator', 'erin'], undefined, cluster.dir);
    assert.equal(moved.code, 0, moved.stderr);
    assert.match(moved.stdout, /^move: requested; FIX\.4\.2:EXEC->C1 goes from node B to node A/);
    await waitUntil('C1 on A', () => holds('C1', 'A'), 20_000).catch((e: unknown) => {
      throw cluster.failure(e);
    });
    assert.ok(holds('C2', 'B'), 'C2 stays on B');
    // A's member record lists it once A's logon completed (the owner record is written before).
    await waitUntil('A lists C1', async () => ((await (await fetch(`${url}/api/cluster`)).json()) as { members: Array<{ node: string; sessions: string[] }> }).members.some((m) => m.node === 'A' && m.sessions.includes('FIX.4.2:EXEC->C1')), 10_000);
    assert.deepEqual(await post('FIX.4.2:EXEC->C1', { node: 'A' }).then((r) => [r.status, r.body.error]), [409, 'already_there']);
    assert.match(a.proc.output(), /fixover: admin: \S+ erin@127\.0\.0\.1 move FIX\.4\.2:EXEC->C1 \(node="A"\): ok/);
    assert.match(a.proc.output() + b.proc.output(), /move ordered: FIX\.4\.2:EXEC->C1 from B to A \(operator\)/);
    assert.match(b.proc.output(), /moving FIX\.4\.2:EXEC->C1 to node A \(operator, /);
    const status = await fixover(['admin', `http://127.0.0.1:${hb}`, 'cluster'], undefined, cluster.dir);
    assert.match(status.stdout, /^ {2}A {2}active {2}tcp:\/\/\S+ {2}1 session\(s\): FIX\.4\.2:EXEC->C1$/m);

    await clientsFilled(runs, cluster, orders);
    const report = cluster.readReport(runs[0].report);
    assert.ok(report.logons.length >= 2, 'C1 logged on again, at A');
    for (const n of [a, b]) n.proc.child.kill('SIGKILL');
    await Promise.all([a, b].map((n) => (n.proc.child.exitCode === null && n.proc.child.signalCode === null ? once(n.proc.child, 'exit') : null)));
    for (const name of clients) {
      const exec = await checkStore(cluster.storeDir, `FIX.4.2-EXEC-${name}`);
      const cli = await checkStore(join(cluster.dir, `${name}-store`), `FIX.4.2-${name}-EXEC`);
      assert.equal(exec.fills.size, orders, `every fill of ${name} stored`);
      assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
      assert.equal(exec.nextSender, cli.nextTarget, 'the client got everything the nodes sent');
      assert.equal(exec.nextTarget, cli.nextSender, 'the nodes got everything the client sent');
    }
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    cluster.killAll();
  }
});

test('a node that is no cluster member refuses a move with not_in_cluster (409)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-move-alone-'));
  const engine = await Engine.create([{ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1', FileStorePath: dir, UseDataDictionary: 'N' }], (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }), { store: storeFor });
  await engine.start();
  const audit: string[] = [];
  const admin = await AdminServer.start(engine, { port: 0, token: TOKEN, auditWrite: (l) => void audit.push(l) });
  try {
    const r = await fetch(`${admin.url}/api/sessions/${encodeURIComponent('FIX.4.4:EXEC->CLIENT')}/move`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'x-fixover-operator': 'erin' }, body: '{"node":"B"}' });
    assert.equal(r.status, 409);
    const body = (await r.json()) as { error: string; message: string };
    assert.equal(body.error, 'not_in_cluster');
    assert.match(body.message, /is not a cluster member/);
    assert.match(audit.join(''), /erin@127\.0\.0\.1 move FIX\.4\.4:EXEC->CLIENT \(node="B"\): failed: node \S+ is not a cluster member/);
  } finally {
    await admin.stop();
    await engine.stop();
  }
});
