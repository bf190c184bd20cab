/**
 * Static discovery between real `fixover executor` processes: B serves two clients alone; A
 * starts; the two find each other only through probes (ClusterDiscovery=static:(…), no member
 * files), the coordinator's topology has both, one session moves to A, nothing is lost; A killed
 * with SIGKILL leaves B's view after ClusterLeaseTimeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, clientsFilled, freePort, waitUntil } from '../failover/harness.js';
import { ClusterDirectory } from '../../src/cluster/cluster-directory.js';

test('fixover executor with ClusterDiscovery=static: the nodes find each other by probes, a session moves to the node that joins, the killed node leaves after the lease', { timeout: 90_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb, probeA, probeB] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const settings = (probe: number): string =>
    `RebalanceClusterClients=Y\nRebalanceInterval=500\nRebalanceSettle=500\nRebalanceJitter=100\nRebalanceDeadline=1500\nClusterLeaseTimeout=1500\nClusterDiscovery=static:(tcp://127.0.0.1:${probeA},tcp://127.0.0.1:${probeB})\nClusterProbeListen=tcp://127.0.0.1:${probe}`;
  const clients = ['C1', 'C2'];
  try {
    const b = await cluster.startNode('B', pb, { clients, settings: settings(probeB) });
    const orders = 300;
    const runs = clients.map((name) => cluster.startClient([pa, pb], ['--orders', String(orders), '--rate', '30', '--settle', '10000'], { name, store: `${name}-store` }));
    await waitUntil('B holds every session', () => clients.every((c) => cluster.owner(c)?.node === 'B' && cluster.owner(c)?.pid !== 0), 30_000);
    const a = await cluster.startNode('A', pa, { clients, settings: settings(probeA) });
    const held = (node: string): string[] => clients.filter((c) => cluster.owner(c)?.node === node && cluster.owner(c)?.pid !== 0);
    await waitUntil('one session on each node', () => held('A').length === 1 && held('B').length === 1, 30_000).catch((e: unknown) => {
      throw cluster.failure(e);
    });
    const dir = join(cluster.storeDir, 'cluster', 'default');
    const files = new ClusterDirectory(dir);
    assert.deepEqual((await files.topology())?.members.map((m) => m.node), ['A', 'B']);
    assert.deepEqual(existsSync(join(dir, 'members')) ? readdirSync(join(dir, 'members')) : [], [], 'no member files: the nodes found each other by probes');
    assert.match(b.proc.output(), /cluster default: node B: member A joined/);
    await clientsFilled(runs, cluster, orders);
    a.proc.child.kill('SIGKILL');
    await waitUntil('B sees A leave', () => /cluster default: node B: member A left/.test(b.proc.output()), 10_000);
  } finally {
    cluster.killAll();
  }
});
