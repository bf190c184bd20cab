/**
 * Acceptor failover on a shared file store with real processes: the active executor is killed
 * with SIGKILL mid-stream; the client logs on to the standby, which takes the session over and
 * continues its sequence numbers; every order is filled and no fill is duplicated unflagged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Cluster, freePort } from './harness.js';
import { start } from '../cli/cli.js';

test('kill -9 of the active acceptor: the standby continues the session with nothing lost', { timeout: 90_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  try {
    const a = await cluster.startNode('A', pa);
    await cluster.startNode('B', pb);
    const client = start(['client', cluster.clientConfig([pa, pb]), '--orders', '3000', '--rate', '1000', '--report', join(cluster.dir, 'report.json'), '--settle', '20000'], cluster.dir);
    // Let the client log on to A and get well into the stream (A has stored hundreds of fills; a
    // fixed delay is not enough on a loaded machine), then kill A.
    const body = join(cluster.dir, 'shared-store', 'FIX.4.2-EXEC-BANZAI.body');
    const deadline = Date.now() + 30_000;
    while ((existsSync(body) ? statSync(body).size : 0) < 100_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    a.proc.child.kill('SIGKILL');
    const [code] = await once(client.child, 'exit');
    const report = JSON.parse(readFileSync(join(cluster.dir, 'report.json'), 'utf8'));
    assert.equal(code, 0, client.output());
    assert.equal(report.sent, 3000);
    assert.equal(report.filled, 3000, 'every order filled');
    assert.equal(report.missing, 0);
    assert.equal(report.duplicates.unflagged, 0, 'no unflagged duplicate');
    assert.ok(report.logons.length >= 2, 'logged on again, to the standby');
    const owner = JSON.parse(readFileSync(join(cluster.dir, 'shared-store', 'FIX.4.2-EXEC-BANZAI.owner'), 'utf8'));
    assert.equal(owner.node, 'B');
    assert.ok(owner.epoch >= 2);
  } finally {
    cluster.killAll();
  }
});
