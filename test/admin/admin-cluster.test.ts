/**
 * The HTTP interface of a cluster member: `/readyz` answers 503 until the node has joined its
 * cluster, `/api/cluster` shows the members (this node active, with its URIs), the topology
 * epoch and who holds each session; a node that is no member answers 404 there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type SessionSettingsRecord } from '../../src/engine/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { storeFor } from '../../src/cli/run.js';
import { AdminServer } from '../../src/admin/index.js';
import { ClusterNode } from '../../src/cluster/node.js';

test('a cluster member is ready once it has joined; /api/cluster shows the cluster', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-admin-cluster-'));
  const settings: SessionSettingsRecord = {
    BeginString: 'FIX.4.4',
    SenderCompID: 'EXEC',
    TargetCompID: 'CLIENT',
    ConnectionType: 'acceptor',
    SocketAcceptPort: '0',
    SocketAcceptAddress: '127.0.0.1',
    FileStorePath: dir,
    UseDataDictionary: 'N',
    NodeName: 'node-a',
    SessionOwnership: 'Y',
    ClusterName: 'east',
  };
  const engine = await Engine.create([settings], (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }), { store: storeFor });
  const ports = await engine.start();
  const cluster = ClusterNode.fromSettings(engine, [settings], ports)!;
  assert.ok(cluster, 'ClusterName makes the node a member');
  const admin = await AdminServer.start(engine, { port: 0, cluster, auditWrite: () => undefined });
  const plain = await AdminServer.start(engine, { port: 0, auditWrite: () => undefined });
  t.after(async () => {
    await admin.stop();
    await plain.stop();
    await cluster.stop();
    await engine.stop();
  });
  const get = async (base: string, path: string) => {
    const r = await fetch(`${base}${path}`);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const before = await get(admin.url, '/readyz');
  assert.equal(before.status, 503, 'not ready before joining');
  assert.equal(before.body.clusterJoined, false);
  await cluster.start();
  const after = await get(admin.url, '/readyz');
  assert.equal(after.status, 200);
  assert.equal(after.body.clusterJoined, true);
  const status = await get(admin.url, '/api/cluster');
  assert.equal(status.status, 200);
  assert.equal(status.body.cluster, 'east');
  assert.equal(status.body.joined, true);
  const members = status.body.members as Array<{ node: string; state: string; uris: string[] }>;
  assert.deepEqual(members.map((m) => [m.node, m.state]), [['node-a', 'active']]);
  assert.deepEqual(members[0].uris, [`tcp://127.0.0.1:${ports[0]}`]);
  assert.deepEqual((status.body.sessions as Array<{ id: string }>).map((s) => s.id), ['FIX.4.4:EXEC->CLIENT']);
  // A node that is no cluster member: 404, and ready without one.
  assert.equal((await get(plain.url, '/api/cluster')).status, 404);
  assert.equal((await get(plain.url, '/readyz')).status, 200);
});
