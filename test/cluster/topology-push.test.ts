/**
 * The topology pushed to fixover clients, between real `fixover executor` processes on a shared
 * file store (docs/cluster.md, "Topology pushed to clients"): a fixover initiator announces
 * ClusterTopologySupport(21110)=Y on its Logon and gets ClusterTopology (U1) at logon and when a
 * member joins or leaves; its failover list gains the pushed members in front of the configured
 * addresses; a counterparty that did not announce support (as QuickFIX or jspurefix) never gets a
 * U1; on resend a U1 is gap-filled, never replayed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Acceptor, Engine, Session, type SessionSettingsRecord } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { Cluster, freePort, sleep, waitUntil } from '../failover/harness.js';
import { FixPeer } from '../support/fix-peer.js';

const PUSH = 'UpdateClusterClients=Y\nRebalanceInterval=300\nClusterLeaseTimeout=1500\nSocketAcceptAddress=127.0.0.1';
const uri = (port: number): string => `tcp://127.0.0.1:${port}`;

/** An in-process fixover initiator on the failover transport, as client `name` of the executors. */
async function fixoverClient(name: string, ports: number[]): Promise<{ engine: Engine; session: Session; list: () => string[]; events: string[] }> {
  const settings: SessionSettingsRecord = {
    BeginString: 'FIX.4.2',
    SenderCompID: name,
    TargetCompID: 'EXEC',
    ConnectionType: 'initiator',
    HeartBtInt: '30',
    ResetOnLogon: 'Y',
    UseDataDictionary: 'N',
    SocketConnectURI: `failover:(${ports.map(uri).join(',')})?randomize=false&initialReconnectDelay=50&reconnectJitter=false`,
  };
  const engine = await Engine.create([settings], () => ({}), { tickMs: 100 });
  const session = engine.session(`FIX.4.2:${name}->EXEC`);
  const events: string[] = [];
  session.on('transport', (e) => {
    if (e.type === 'topologyRefused') events.push(`refused: ${e.reason}`);
  });
  const list = (): string[] => engine.initiator!.driverOf(session)!.policy.endpoints.map((e) => e.uri);
  return { engine, session, list, events };
}

test('members joining and leaving reach a fixover client (filtered, OnRemove), which falls back to its configured address when all pushed members are down', { timeout: 90_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb, pc, px, pz] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const settings = `${PUSH}\nUpdateClusterClientsOnRemove=Y\nUpdateClusterFilter=[A-C]`;
  const clients = ['C1'];
  // A plain acceptor (no cluster) the client lists as its second configured address.
  const plain = new Acceptor([new Session({ sessionId: new SessionID({ beginString: 'FIX.4.2', senderCompID: 'EXEC', targetCompID: 'C1' }), role: 'acceptor' }, new MemoryStore(), {}, { tickMs: 100 })], [{ port: pz, host: '127.0.0.1' }]);
  await plain.start();
  const c = await fixoverClient('C1', [pa, pz]);
  try {
    const a = await cluster.startNode('A', pa, { clients, settings });
    const b = await cluster.startNode('B', pb, { clients, settings });
    const logon = new Promise<void>((r) => c.session.once('logon', () => r()));
    await c.engine.start();
    await logon;
    assert.ok(c.session.core.options.clusterClient, 'a fixover initiator on the failover transport announces support');
    await waitUntil('A and B pushed, in front of the configured addresses', () => c.list().join() === [uri(pa), uri(pb), uri(pz)].join() || c.list().join() === [uri(pb), uri(pa), uri(pz)].join(), 20_000).catch((e: unknown) => {
      throw cluster.failure(new Error(`${String(e)}; list ${c.list().join()}`));
    });
    // X does not match UpdateClusterFilter: never published. C does.
    const x = await cluster.startNode('X', px, { clients, settings });
    await cluster.startNode('C', pc, { clients, settings });
    await waitUntil('C joined the client list', () => c.list().includes(uri(pc)), 20_000).catch((e: unknown) => {
      throw cluster.failure(new Error(`${String(e)}; list ${c.list().join()}`));
    });
    assert.ok(!c.list().includes(uri(px)), `X is filtered out: ${c.list().join()}`);
    assert.equal(c.list().at(-1), uri(pz), 'the configured address stays, after the pushed ones');
    // C leaves (UpdateClusterClientsOnRemove=Y): pushed, and C is gone from the list.
    const cNode = cluster.nodes.find((n) => n.name === 'C')!;
    cNode.proc.child.kill('SIGTERM');
    await waitUntil('C left the client list', () => !c.list().includes(uri(pc)), 20_000);
    assert.deepEqual(c.events, [], 'nothing refused');
    // Every pushed member down: the client falls back to its configured address Z.
    const moved = new Promise<void>((r) => c.session.on('transport', (e) => e.type === 'loggedOn' && e.endpoint.uri === uri(pz) && r()));
    for (const n of [a, b, x]) n.proc.child.kill('SIGKILL');
    await moved;
    assert.ok(c.session.isLoggedOn, 'logged on at the configured address Z');
  } finally {
    await c.engine.stop();
    await plain.stop();
    cluster.killAll();
  }
});

test('without UpdateClusterClientsOnRemove a member leaving is not pushed (the next join is)', { timeout: 60_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pc, pd] = [await freePort(), await freePort(), await freePort()];
  const clients = ['C1'];
  const c = await fixoverClient('C1', [pa]);
  try {
    await cluster.startNode('A', pa, { clients, settings: PUSH });
    const logon = new Promise<void>((r) => c.session.once('logon', () => r()));
    await c.engine.start();
    await logon;
    const cNode = await cluster.startNode('C', pc, { clients, settings: PUSH });
    await waitUntil('C joined the client list', () => c.list().includes(uri(pc)), 20_000);
    cNode.proc.child.kill('SIGTERM');
    await waitUntil('A saw C leave', () => /member C left/.test(cluster.nodes[0].proc.output()), 20_000);
    await sleep(500);
    assert.ok(c.list().includes(uri(pc)), 'a leave is not pushed without UpdateClusterClientsOnRemove');
    await cluster.startNode('D', pd, { clients, settings: PUSH });
    await waitUntil('the join of D is pushed, without C', () => c.list().includes(uri(pd)) && !c.list().includes(uri(pc)), 20_000);
  } finally {
    await c.engine.stop();
    cluster.killAll();
  }
});

test('only a counterparty announcing ClusterTopologySupport gets U1 (at logon and on a join); a resend gap-fills it', { timeout: 60_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  const clients = ['F1', 'Q1'];
  try {
    await cluster.startNode('A', pa, { clients, settings: PUSH });
    await waitUntil('A wrote the topology', () => /member A joined/.test(cluster.nodes[0].proc.output()), 20_000);
    // The executor validates with the FIX 4.2 dictionary: the support tag on a Logon passes.
    const fx = await FixPeer.connect(pa, 'FIX.4.2', 'F1', 'EXEC');
    fx.send('35=A|98=0|108=30|141=Y|21110=Y|');
    await fx.waitFor(/\|35=A\|/);
    const first = await fx.waitFor(/\|35=U1\|/);
    assert.match(first, new RegExp(`\\|21100=default\\|21101=\\d+\\|21102=1\\|21103=A\\|21104=tcp://127\\.0\\.0\\.1:${pa}\\|21105=A\\|21106=logon\\|`));
    const qf = await FixPeer.connect(pa, 'FIX.4.2', 'Q1', 'EXEC');
    qf.send('35=A|98=0|108=30|141=Y|');
    await qf.waitFor(/\|35=A\|/);
    await cluster.startNode('B', pb, { clients, settings: PUSH });
    const join = await fx.waitFor(/\|35=U1\|/, 20_000);
    assert.match(join, /21102=2\|.*21106=join\|/);
    assert.match(join, new RegExp(`21103=B\\|21104=tcp://[^|]+:${pb}\\|`));
    // Q1 (no support tag) got nothing but its Logon answer and heartbeats.
    qf.send('35=1|112=probe|');
    const hb = await qf.waitFor(/\|35=0\|.*112=probe/);
    assert.doesNotMatch(hb, /35=U1/);
    await assert.rejects(qf.waitFor(/\|35=U1\|/, 300), /no message matching/);
    // A ResendRequest covering the U1s: gap fills, never the U1 again.
    const lastSeq = Number(/\|34=(\d+)\|/.exec(join)![1]);
    fx.clear();
    fx.send('35=2|7=1|16=0|');
    const fill = await fx.waitFor(/\|35=4\|/);
    assert.match(fill, /\|123=Y\|/);
    assert.match(fill, new RegExp(`\\|36=${lastSeq + 1}\\|`));
    await sleep(300);
    await assert.rejects(fx.waitFor(/\|35=U1\|/, 200), /no message matching/);
    fx.close();
    qf.close();
  } finally {
    cluster.killAll();
  }
});
