/**
 * Drain and a rolling restart between real `fixover executor` processes on a shared file store
 * (docs/cluster.md, "Drain"): three nodes serve four fixover clients sending orders; each node in
 * turn is drained (`fixover drain <settings>`, SIGUSR2, or the admin interface's node drain), moves its sessions to the other
 * members, exits 0 holding none, and is started again. Every order is filled exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, checkStore, clientsFilled, freePort, waitUntil, type Node } from '../failover/harness.js';
import { fixover, start } from '../cli/cli.js';

const CLUSTER = [
  'RebalanceClusterClients=Y',
  'UpdateClusterClients=Y',
  'RebalanceInterval=300',
  'RebalanceSettle=300',
  'RebalanceJitter=100',
  'RebalanceQuietInterval=50',
  'RebalanceDeadline=1000',
  'RebalanceMinStay=3000',
  'ClusterLeaseTimeout=1500',
  'DrainGracePeriod=200',
  'DrainDeadline=15000',
  'SocketAcceptAddress=127.0.0.1',
].join('\n');

test('rolling restart of a 3-node cluster under load: each node drains to the others and exits 0, every order filled exactly once', { timeout: 120_000 }, async () => {
  const cluster = new Cluster();
  const ports = [await freePort(), await freePort(), await freePort()];
  const names = ['A', 'B', 'C'];
  const clients = ['C1', 'C2', 'C3', 'C4'];
  const orders = 240;
  try {
    const http = await freePort();
    // C has the operations interface: its drain comes from POST /api/node/drain.
    const settingsOf = (i: number): string => (i === 2 ? `${CLUSTER}\nHttpAcceptPort=${http}\nHttpAdminToken=drain-secret-0123456789` : CLUSTER);
    const nodes: Node[] = [];
    for (let i = 0; i < 3; i++) nodes.push(await cluster.startNode(names[i], ports[i], { clients, settings: settingsOf(i) }));
    const runs = clients.map((name) => {
      const file = join(cluster.dir, `${name}.cfg`);
      const uris = ports.map((p) => `tcp://127.0.0.1:${p}`).join(',');
      writeFileSync(
        file,
        `[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.2\nHeartBtInt=5\nLogonTimeout=5\nFileStorePath=${join(cluster.dir, `${name}-store`)}\nStartTime=00:00:00\nEndTime=00:00:00\nSocketConnectURI=failover:(${uris})?initialReconnectDelay=50&maxReconnectDelay=500\n[SESSION]\nSenderCompID=${name}\nTargetCompID=EXEC\n`,
      );
      const report = join(cluster.dir, `${name}-report.json`);
      const proc = start(['client', file, '--orders', String(orders), '--rate', '12', '--settle', '10000', '--report', report], cluster.dir);
      cluster.clients.push(proc);
      return { proc, report };
    });
    const held = (node: string): number => clients.filter((c) => cluster.owner(c)?.node === node && cluster.owner(c)?.pid !== 0).length;
    await waitUntil('every session held', () => clients.every((c) => cluster.owner(c)?.pid !== 0 && cluster.owner(c) !== undefined), 20_000);
    for (let i = 0; i < 3; i++) {
      const node = nodes[i];
      const exited = once(node.proc.child, 'exit');
      if (i === 1) node.proc.child.kill('SIGUSR2');
      else if (i === 2) {
        // Answered once drained; the process may be gone by then, so only the exit is checked.
        void fetch(`http://127.0.0.1:${http}/api/node/drain`, { method: 'POST', headers: { authorization: 'Bearer drain-secret-0123456789', 'content-type': 'application/json' }, body: '{}' }).catch(() => undefined);
      } else {
        const r = await fixover(['drain', join(cluster.dir, `${names[i]}.cfg`)], undefined, cluster.dir);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, new RegExp(`node ${names[i]} drained and left cluster default`));
      }
      const [code] = await exited;
      assert.equal(code, 0, node.proc.output().slice(-2000));
      assert.match(node.proc.output(), /draining: no new logons/);
      assert.match(node.proc.output(), /drained: holds no session/);
      assert.equal(held(names[i]), 0, `${names[i]} holds no session after its drain`);
      // Started again: it takes sessions back (rebalance) before the next node drains.
      nodes[i] = await cluster.startNode(names[i], ports[i], { clients, settings: settingsOf(i) });
      cluster.nodes.splice(cluster.nodes.indexOf(node), 1);
    }
    await clientsFilled(runs, cluster, orders);
    for (const n of nodes) n.proc.child.kill('SIGKILL');
    await Promise.all(nodes.map((n) => (n.proc.child.exitCode === null && n.proc.child.signalCode === null ? once(n.proc.child, 'exit') : null)));
    for (const name of clients) {
      const exec = await checkStore(cluster.storeDir, `FIX.4.2-EXEC-${name}`);
      assert.equal(exec.fills.size, orders, `every fill of ${name} stored`);
      assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
    }
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    cluster.killAll();
  }
});
