/**
 * Roles are per session: two acceptors started together on one shared file store, two clients,
 * one listing A first and the other listing B first. Each session is active on exactly one node,
 * the one its client lists first, and both nodes are active at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { Cluster, checkStore, clientsFilled, freePort } from './harness.js';

test('both nodes start together: each session is active on exactly one node, the one its client lists first', { timeout: 90_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  const clients = ['BANZAI', 'OTHER'];
  try {
    const [a, b] = await Promise.all([cluster.startNode('A', pa, { clients }), cluster.startNode('B', pb, { clients })]);
    const args = ['--orders', '300', '--rate', '300', '--settle', '10000'];
    const c1 = cluster.startClient([pa, pb], args, { name: 'BANZAI', store: 'banzai-store' });
    const c2 = cluster.startClient([pb, pa], args, { name: 'OTHER', store: 'other-store' });
    await clientsFilled([c1, c2], cluster, 300);
    // Who owns what, in the store and in each node's output.
    assert.equal(cluster.owner('BANZAI')?.node, 'A');
    assert.equal(cluster.owner('OTHER')?.node, 'B');
    const acquired = (out: string): string[] => [...out.matchAll(/FIX\.4\.2:EXEC->(\w+) ownership acquired/g)].map((m) => m[1]);
    assert.deepEqual(acquired(a.proc.output()), ['BANZAI'], 'A ran BANZAI only');
    assert.deepEqual(acquired(b.proc.output()), ['OTHER'], 'B ran OTHER only');
    for (const n of [a, b]) n.proc.child.kill('SIGKILL');
    await Promise.all([a, b].map((n) => (n.proc.child.exitCode === null && n.proc.child.signalCode === null ? once(n.proc.child, 'exit') : null)));
    for (const name of clients) {
      const exec = await checkStore(cluster.storeDir, `FIX.4.2-EXEC-${name}`);
      const cli = await checkStore(join(cluster.dir, `${name.toLowerCase()}-store`), `FIX.4.2-${name}-EXEC`);
      assert.equal(exec.fills.size, 300, `every fill of ${name} stored once`);
      assert.equal(exec.nextSender, cli.nextTarget);
      assert.equal(exec.nextTarget, cli.nextSender);
    }
  } finally {
    cluster.killAll();
  }
});
