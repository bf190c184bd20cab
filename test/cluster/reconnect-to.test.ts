/**
 * ReconnectTo (U2) for moves, between real `fixover executor` processes on a shared file store: a
 * fixover client whose session is moved is told the target (reason and deadline in the message),
 * logs out itself and logs on at the target, and the old node never had to log it out. (Clients
 * without ClusterTopologySupport get the Logout naming the target: rebalance-processes.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type Session, type SessionSettingsRecord } from '../../src/engine/index.js';
import { Cluster, freePort, waitUntil } from '../failover/harness.js';

const CLUSTER = 'RebalanceClusterClients=Y\nUpdateClusterClients=Y\nRebalanceInterval=300\nRebalanceSettle=300\nRebalanceJitter=100\nRebalanceDeadline=1500\nClusterLeaseTimeout=1500\nSocketAcceptAddress=127.0.0.1';

test('a fixover client told to reconnect to the target logs out cleanly and logs on there', { timeout: 60_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  const names = ['C1', 'C2'];
  const settings = names.map(
    (name): SessionSettingsRecord => ({
      BeginString: 'FIX.4.2',
      SenderCompID: name,
      TargetCompID: 'EXEC',
      ConnectionType: 'initiator',
      HeartBtInt: '30',
      ResetOnLogon: 'Y',
      UseDataDictionary: 'N',
      SocketConnectURI: `failover:(tcp://127.0.0.1:${pb},tcp://127.0.0.1:${pa})?randomize=false&initialReconnectDelay=50&reconnectJitter=false`,
    }),
  );
  const engine = await Engine.create(settings, () => ({}), { tickMs: 100 });
  const seen = new Map<string, string[]>();
  const sessions = names.map((n) => engine.session(`FIX.4.2:${n}->EXEC`));
  for (const s of sessions) {
    const lines: string[] = [];
    seen.set(s.id.senderCompID, lines);
    s.on('event', (e) => {
      if (e.kind === 'incoming') lines.push(e.bytes.toString('latin1').split('\x01').join('|'));
      if (e.kind === 'note') lines.push(`note: ${e.text}`);
    });
  }
  try {
    const b = await cluster.startNode('B', pb, { clients: names, settings: CLUSTER });
    await engine.start();
    await waitUntil('both on B', () => sessions.every((s) => s.isLoggedOn) && names.every((n) => cluster.owner(n)?.node === 'B'), 20_000);
    const onA = new Promise<Session>((r) => {
      for (const s of sessions) s.on('transport', (e) => e.type === 'loggedOn' && e.endpoint.uri === `tcp://127.0.0.1:${pa}` && r(s));
    });
    await cluster.startNode('A', pa, { clients: names, settings: CLUSTER });
    const moved = await onA;
    const lines = seen.get(moved.id.senderCompID)!;
    const u2 = lines.find((l) => /\|35=U2\|/.test(l));
    assert.ok(u2, `the client got a ReconnectTo: ${lines.join('\n')}`);
    assert.match(u2, new RegExp(`\\|21120=A\\|21121=tcp://127\\.0\\.0\\.1:${pa}\\|21122=rebalance\\|21123=\\d{8}-\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\|`));
    assert.ok(lines.some((l) => /^note: asked to reconnect to node A \(rebalance/.test(l)));
    // The client logged out itself: the Logout it got from B is the answer to its own, not a "moving to node" one.
    assert.ok(!lines.some((l) => /\|35=5\|.*58=moving to node/.test(l)), 'B did not have to log the client out');
    await waitUntil('A holds the moved session', () => cluster.owner(moved.id.senderCompID)?.node === 'A' && cluster.owner(moved.id.senderCompID)?.pid !== 0, 10_000);
    assert.match(b.proc.output(), new RegExp(`moving FIX\\.4\\.2:EXEC->${moved.id.senderCompID} to node A`));
    assert.ok(moved.isLoggedOn);
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    await engine.stop();
    cluster.killAll();
  }
});
