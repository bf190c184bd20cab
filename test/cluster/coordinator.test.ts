import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterDirectory } from '../../src/cluster/cluster-directory.js';
import { StoreDiscovery } from '../../src/cluster/discovery.js';
import { Coordinator } from '../../src/cluster/rebalance-driver.js';
import { clusterConfigFrom } from '../../src/cluster/config.js';
import type { ClusterEvent } from '../../src/cluster/events.js';
import { formatClusterStatus, readClusterStatus } from '../../src/cluster/status.js';

/** Members on one directory with a fake clock; each holds the sessions in `held`. */
function twoNodes(held: Record<string, string[]>, settings: Record<string, string> = {}) {
  const store = mkdtempSync(join(tmpdir(), 'fixover-cluster-'));
  let clock = 1_000_000;
  const now = (): number => clock;
  const events: ClusterEvent[] = [];
  const node = (name: string) => {
    const config = clusterConfigFrom([{ ConnectionType: 'acceptor', FileStorePath: store, NodeName: name, RebalanceClusterClients: 'Y', RebalanceSettle: '0', RebalanceJitter: '0', ClusterLeaseTimeout: '3000', SocketAcceptAddress: '127.0.0.1', ...settings }], [1001 + name.charCodeAt(0) - 65])!;
    const files = new ClusterDirectory(config.dir);
    const discovery = new StoreDiscovery(files, { cluster: config.cluster, node: name, uris: config.uris, weight: 1, leaseMs: config.leaseMs, sessions: () => [...held[name]], now });
    const coordinator = new Coordinator(files, discovery, config, { now, random: () => 0.5 });
    coordinator.on('event', (e) => events.push(e));
    discovery.on('event', (e) => events.push(e));
    return { config, files, discovery, coordinator };
  };
  return { store, a: node('A'), b: node('B'), node, events, advance: (ms: number) => (clock += ms), now };
}

test('one coordinator at a time orders the moves, once: pending orders count for their target', async () => {
  const held = { A: ['s1', 's2', 's3', 's4'], B: [] as string[] };
  const { a, b, events, advance } = twoNodes(held);
  await a.discovery.start('active');
  await b.discovery.start('active');
  await a.coordinator.tick();
  await b.coordinator.tick();
  assert.deepEqual(events.filter((e) => e.type === 'coordinator').map((e) => e.type === 'coordinator' && `${e.node} ${e.state}`), ['A acquired'], 'B is refused the lease');
  const orders = await a.files.moves();
  assert.deepEqual(orders.map((o) => `${o.session} ${o.from}->${o.to}`).sort(), ['s1 A->B', 's2 A->B']);
  assert.deepEqual(orders[0].toUris, ['tcp://127.0.0.1:1002']);
  assert.equal(orders[0].deadline - orders[0].notBefore, 5000, 'RebalanceDeadline');
  advance(1000);
  await a.coordinator.tick();
  assert.equal((await a.files.moves()).length, 2, 'while the moves are pending nothing more is ordered');
  // The moves happen: B holds s1 and s2, and the finished orders are removed.
  held.A = ['s3', 's4'];
  held.B = ['s1', 's2'];
  await a.discovery.renew();
  await b.discovery.renew();
  advance(1000);
  await a.coordinator.tick();
  assert.deepEqual(await a.files.moves(), []);
  const topology = await a.files.topology();
  assert.deepEqual(topology?.members.map((m) => `${m.node} ${m.sessions}`), ['A 2', 'B 2']);
  assert.equal(topology?.epoch, 1, 'both were members when the first topology was written; session counts make no new epoch');
  const status = formatClusterStatus(await readClusterStatus(new ClusterDirectory(a.config.dir), 'default', []), 1_002_000);
  assert.match(status, /^coordinator: A \(epoch 1\)$/m);
  assert.match(status, /^ {2}B {2}active {2}tcp:\/\/127\.0\.0\.1:1002 {2}weight 1 {2}2 session\(s\) {2}lease 2\.0 s left$/m);
  await a.discovery.stop();
  await b.discovery.stop();
});

test('a coordinator paused past its lease loses it to another node and writes no order when it wakes', async () => {
  const held = { A: ['s1', 's2', 's3', 's4'], B: [] as string[] };
  const { a, b, events, advance } = twoNodes(held);
  await a.discovery.start('active');
  await b.discovery.start('active');
  await a.coordinator.tick();
  await a.files.removeMove('s1');
  await a.files.removeMove('s2');
  // A is "paused": its lease (3 s) lapses; B renews its record and takes the coordinator lease.
  advance(4000);
  await b.discovery.renew();
  await b.coordinator.tick();
  assert.ok(events.some((e) => e.type === 'coordinator' && e.node === 'B' && e.state === 'acquired' && e.epoch === 2));
  const byB = (await b.files.moves()).map((o) => o.coordinatorEpoch);
  await a.coordinator.tick();
  assert.ok(events.some((e) => e.type === 'coordinator' && e.node === 'A' && e.state === 'lost'), 'A learns it lost the lease');
  assert.deepEqual((await a.files.moves()).map((o) => o.coordinatorEpoch), byB, 'A wrote nothing');
  assert.ok(byB.every((e) => e === 2));
  await a.discovery.stop();
  await b.discovery.stop();
});

test('a returning node: the coordinator plans the moment it has settled (not at its next interval), from every giver at once, and again as the windows free', async () => {
  const held = { A: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'], B: ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'], C: [] as string[] };
  const { a, b, node, advance } = twoNodes(held, { RebalanceSettle: '1000', RebalanceInterval: '2000', RebalanceMaxMoves: '2', ClusterLeaseTimeout: '6000' });
  await a.discovery.start('active');
  await b.discovery.start('active');
  await a.coordinator.tick();
  assert.deepEqual(await a.files.moves(), [], 'balanced: A plans, nothing to move');
  advance(500);
  const c = node('C');
  await c.discovery.start('active');
  advance(500);
  await a.coordinator.tick();
  assert.deepEqual(await a.files.moves(), [], 'C active for 500 ms: not settled');
  advance(500);
  await a.coordinator.tick();
  const first = await a.files.moves();
  assert.deepEqual(first.map((o) => `${o.from}->${o.to}`).sort(), ['A->C', 'A->C', 'B->C', 'B->C'], 'C settled 1000 ms after it became active, 1500 ms after the last plan: two from each giver now');
  // The moves happen.
  for (const o of first) {
    held[o.from as 'A' | 'B'] = held[o.from as 'A' | 'B'].filter((s) => s !== o.session);
    held.C.push(o.session);
  }
  for (const n of [a, b, c]) await n.discovery.renew();
  advance(1999);
  await a.coordinator.tick();
  assert.deepEqual((await a.files.moves()).map((o) => o.session).sort(), first.map((o) => o.session).sort(), 'no plan before the windows free, 2000 ms after the first moves');
  advance(1);
  await a.coordinator.tick();
  assert.deepEqual(await a.files.moves(), [], 'planned again: the finished orders are removed, and A, B and C hold 4 each: nothing more');
  for (const n of [a, b, c]) await n.discovery.stop();
});
