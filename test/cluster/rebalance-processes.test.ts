/**
 * Rebalancing between real `fixover executor` processes on a shared file store: node B alone
 * serves four clients; node A starts; with RebalanceClusterClients=Y two sessions move to A (one
 * move each, at a quiet point or the deadline, Logout naming the target, ownership handed over
 * directly), nothing is lost or duplicated, and B refuses a Logon for a moved session with a Logout
 * naming its owner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { Cluster, checkStore, clientsFilled, freePort, waitUntil } from '../failover/harness.js';
import { FixPeer } from '../support/fix-peer.js';
import { fixover } from '../cli/cli.js';

const CLUSTER = 'RebalanceClusterClients=Y\nUpdateClusterClients=Y\nRebalanceInterval=500\nRebalanceSettle=500\nRebalanceJitter=200\nRebalanceDeadline=1500\nClusterLeaseTimeout=3000';

test('a node that returns gets half of the sessions, each moved once, nothing lost; the old node refuses a moved session naming its owner', { timeout: 120_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  const clients = ['C1', 'C2', 'C3', 'C4'];
  try {
    const b = await cluster.startNode('B', pb, { clients, settings: CLUSTER });
    const orders = 300;
    const runs = clients.map((name) => cluster.startClient([pa, pb], ['--orders', String(orders), '--rate', '30', '--settle', '10000'], { name, store: `${name}-store` }));
    await waitUntil('B holds every session', () => clients.every((c) => cluster.owner(c)?.node === 'B' && cluster.owner(c)?.pid !== 0), 30_000);
    const a = await cluster.startNode('A', pa, { clients, settings: CLUSTER });
    const held = (node: string): string[] => clients.filter((c) => cluster.owner(c)?.node === node && cluster.owner(c)?.pid !== 0);
    await waitUntil('an even split', () => held('A').length === 2 && held('B').length === 2, 30_000).catch((e: unknown) => {
      throw cluster.failure(e);
    });
    const movedToA = held('A');
    // The operator's view, from the shared directory.
    const status = await waitUntil('the status shows the split', async () => {
      const r = await fixover(['cluster', 'status', join(cluster.dir, 'A.cfg')], undefined, cluster.dir);
      return / {2}A {2}active {2}tcp:\/\/\S+:\d+ {2}weight 1 {2}2 session\(s\)/.test(r.stdout) && / {2}B {2}active .* 2 session\(s\)/.test(r.stdout) ? r.stdout : undefined;
    }, 10_000);
    assert.match(status, /^cluster default: topology epoch 2, written by B/m);
    assert.match(status, /^coordinator: B \(epoch 1\)$/m);
    for (const c of clients) assert.match(status, new RegExp(`^ {2}FIX\\.4\\.2:EXEC->${c} {2}${movedToA.includes(c) ? 'A' : 'B'} \\(epoch \\d+\\)$`, 'm'));
    // A Logon for a moved session at the old node: refused with a Logout naming the owner.
    const peer = await FixPeer.connect(pb, 'FIX.4.2', movedToA[0], 'EXEC');
    peer.send('35=A|98=0|108=30|');
    const logout = await peer.waitFor(/\|35=5\|/);
    assert.match(logout, /58=session FIX\.4\.2:EXEC->C\d (is active on node A \(epoch \d+\)|is moving to node A|moved to node A)/);
    peer.close();
    await clientsFilled(runs, cluster, orders);
    // The clients logged out and A let their sessions go: a moved session coming back to B (its
    // own address rotation) is still sent on to A while A is active, so sessions do not drift back.
    await waitUntil('A released the moved session', () => cluster.owner(movedToA[1])?.pid === 0);
    const back = await FixPeer.connect(pb, 'FIX.4.2', movedToA[1], 'EXEC');
    back.send('35=A|98=0|108=30|');
    assert.match(await back.waitFor(/\|35=5\|/), new RegExp(`58=session FIX\\.4\\.2:EXEC->${movedToA[1]} moved to node A \\(tcp://\\S+:${pa}\\)`));
    back.close();
    const moving = (out: string): string[] => [...out.matchAll(/moving FIX\.4\.2:EXEC->(C\d) to node (\w)/g)].map((m) => `${m[1]}->${m[2]}`);
    assert.deepEqual(moving(b.proc.output()).sort(), movedToA.map((c) => `${c}->A`).sort(), 'B moved exactly the two sessions A holds, once each');
    assert.deepEqual(moving(a.proc.output()), [], 'nothing moved back');
    assert.match(b.proc.output(), /cluster default: node B: member A joined, topology epoch 2/);
    for (const n of [a, b]) n.proc.child.kill('SIGKILL');
    await Promise.all([a, b].map((n) => (n.proc.child.exitCode === null && n.proc.child.signalCode === null ? once(n.proc.child, 'exit') : null)));
    for (const name of clients) {
      const exec = await checkStore(cluster.storeDir, `FIX.4.2-EXEC-${name}`);
      const cli = await checkStore(join(cluster.dir, `${name}-store`), `FIX.4.2-${name}-EXEC`);
      assert.equal(exec.fills.size, orders, `every fill of ${name} stored`);
      assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
      assert.equal(exec.nextSender, cli.nextTarget);
      assert.equal(exec.nextTarget, cli.nextSender);
    }
  } finally {
    cluster.killAll();
  }
});
