/**
 * A TCP blip does not move a session (issue 14 §8): two real `fixover executor` nodes rebalancing,
 * two fixover clients with standby sockets (`backup=true`), one session on each node. The
 * connections of node A are killed from the node's side with `ss -K` (a reset, both nodes healthy)
 * three times: each time the client logs on at A again (not at B, where its ready standby points),
 * and the rebalancer never has to move anything back. Needs root for `ss -K` (skips otherwise).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { Engine, type Session, type SessionSettingsRecord } from '../../src/engine/index.js';
import { Cluster, freePort, sleep, waitUntil } from '../failover/harness.js';

const CLUSTER = 'RebalanceClusterClients=Y\nUpdateClusterClients=Y\nRebalanceInterval=300\nRebalanceSettle=300\nRebalanceJitter=50\nRebalanceDeadline=1000\nRebalanceMinStay=1000\nClusterLeaseTimeout=1500\nSocketAcceptAddress=127.0.0.1';

/** Kills the established TCP connections whose local port is `port` (the node's side); false when `ss -K` cannot. */
function ssKill(port: number): boolean {
  try {
    execFileSync('ss', ['-K', 'state', 'established', `( sport = :${port} )`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether `ss -K` really resets a loopback connection here (root, kernel support). */
async function ssKillWorks(): Promise<boolean> {
  const server = net.createServer((s) => s.on('error', () => undefined));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const c = net.connect(port, '127.0.0.1');
  c.on('error', () => undefined);
  await once(c, 'connect');
  const closed = new Promise<boolean>((r) => c.on('close', () => r(true)));
  ssKill(port);
  const ok = await Promise.race([closed, sleep(1000).then(() => false)]);
  c.destroy();
  server.close();
  return ok;
}

test('a connection reset with both nodes healthy: the fixover client logs on at the same node again, 3 times out of 3; nothing is rebalanced back', { timeout: 90_000 }, async (t) => {
  if (!(await ssKillWorks())) return t.skip('ss -K cannot reset loopback connections here (needs root and INET_DIAG_DESTROY)');
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
      SocketConnectURI: `failover:(tcp://127.0.0.1:${pa},tcp://127.0.0.1:${pb})?randomize=false&initialReconnectDelay=50&reconnectJitter=false&backup=true`,
    }),
  );
  const engine = await Engine.create(settings, () => ({}), { tickMs: 100 });
  const sessions = names.map((n) => engine.session(`FIX.4.2:${n}->EXEC`));
  const logons: Array<{ name: string; uri: string; at: number }> = [];
  for (const s of sessions) s.on('transport', (e) => e.type === 'loggedOn' && logons.push({ name: s.id.senderCompID, uri: e.endpoint.uri, at: Date.now() }));
  const held = (node: string): string[] => names.filter((c) => cluster.owner(c)?.node === node && cluster.owner(c)?.pid !== 0);
  try {
    const a = await cluster.startNode('A', pa, { clients: names, settings: CLUSTER });
    const b = await cluster.startNode('B', pb, { clients: names, settings: CLUSTER });
    await engine.start();
    await waitUntil('one session on each node', () => held('A').length === 1 && held('B').length === 1 && sessions.every((s) => s.isLoggedOn), 30_000).catch((e: unknown) => {
      throw cluster.failure(e);
    });
    const onA = held('A')[0];
    const onB = held('B')[0];
    const session = sessions.find((s) => s.id.senderCompID === onA) as Session;
    const driver = engine.initiator!.driverOf(session)!;
    const movesBefore = [a, b].map((n) => (n.proc.output().match(/moving FIX/g) ?? []).length);
    const back: number[] = [];
    for (let blip = 1; blip <= 3; blip++) {
      await waitUntil(`blip ${blip}: the standby to B is ready`, () => driver.readyStandbys.includes(`tcp://127.0.0.1:${pb}`), 10_000);
      const count = logons.filter((l) => l.name === onA).length;
      const t0 = Date.now();
      assert.ok(ssKill(pa), 'ss -K ran');
      const again = await waitUntil(`blip ${blip}: ${onA} logged on again`, () => logons.filter((l) => l.name === onA)[count], 10_000);
      back.push(again.at - t0);
      assert.equal(again.uri, `tcp://127.0.0.1:${pa}`, `blip ${blip}: back on A, not on the standby's node`);
      await waitUntil(`blip ${blip}: A holds ${onA}`, () => cluster.owner(onA)?.node === 'A' && cluster.owner(onA)?.pid !== 0, 5000);
    }
    process.stdout.write(`# back on the same node after a reset: ${back.join(', ')} ms\n`);
    // Longer than the planner's interval and the minimum stay: nothing to even out, nothing moved.
    await sleep(2000);
    assert.deepEqual(held('A'), [onA]);
    assert.deepEqual(held('B'), [onB]);
    assert.deepEqual(
      [a, b].map((n) => (n.proc.output().match(/moving FIX/g) ?? []).length),
      movesBefore,
      'no move after the blips',
    );
    assert.ok(sessions.every((s) => s.isLoggedOn));
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    await engine.stop();
    cluster.killAll();
  }
});
