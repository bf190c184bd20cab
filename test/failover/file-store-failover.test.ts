/**
 * Acceptor failover on a shared file store with real processes: the active executor is killed
 * with SIGKILL mid-stream; the client logs on to the standby, which takes the session over and
 * continues its sequence numbers; every order is filled, no fill is duplicated unflagged, no gap is
 * left (both stores agree at the end) and the store is whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Cluster, assertSequenceContinues, checkStore, freePort, incomingMessages, waitUntil } from './harness.js';

test('kill -9 of the active acceptor: the standby continues the session with nothing lost', { timeout: 90_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  try {
    const a = await cluster.startNode('A', pa);
    const b = await cluster.startNode('B', pb);
    const client = cluster.startClient([pa, pb], ['--orders', '3000', '--rate', '1000', '--settle', '20000']);
    // Let the client log on to A and get well into the stream (A has stored hundreds of fills; a
    // fixed delay is not enough on a loaded machine), then kill A.
    const body = join(cluster.storeDir, 'FIX.4.2-EXEC-BANZAI.body');
    await waitUntil('A filling orders', () => cluster.owner()?.node === 'A' && existsSync(body) && statSync(body).size >= 100_000, 30_000);
    a.proc.child.kill('SIGKILL');
    const [code] = await once(client.proc.child, 'exit');
    const report = cluster.readReport(client.report);
    assert.equal(code, 0, client.proc.output());
    assert.equal(report.sent, 3000);
    assert.equal(report.filled, 3000, 'every order filled');
    assert.equal(report.missing, 0);
    assert.equal(report.duplicates.unflagged, 0, 'no unflagged duplicate');
    assert.ok(report.logons.length >= 2, 'logged on again, to the standby');
    // The report carries the failover transport's events: on A, dropped, reconnecting, on B.
    const [ua, ub] = [`tcp://127.0.0.1:${pa}`, `tcp://127.0.0.1:${pb}`];
    const events: Array<Record<string, unknown>> = report.events.map((e) => ({ event: e.event, ...(e.detail as Record<string, unknown>) }));
    const at = (event: string, match: Record<string, unknown> = {}): number => events.findIndex((e) => e.event === event && Object.entries(match).every(([k, v]) => e[k] === v));
    assert.ok(at('loggedOn', { endpoint: ua }) >= 0, JSON.stringify(events));
    assert.ok(at('disconnected', { endpoint: ua }) > at('loggedOn', { endpoint: ua }), JSON.stringify(events));
    assert.ok(at('reconnecting', { phase: 'reconnect', endpoint: ub }) > at('disconnected', { endpoint: ua }), JSON.stringify(events));
    const failover = events[at('failover', { from: ua, to: ub })];
    assert.ok(failover && typeof failover.downtimeMs === 'number' && failover.downtimeMs >= 0, JSON.stringify(events));
    assert.ok(at('loggedOn', { endpoint: ub }) > at('disconnected', { endpoint: ua }), JSON.stringify(events));
    const owner = cluster.owner()!;
    assert.equal(owner.node, 'B');
    assert.ok(owner.epoch >= 2);
    assert.match(b.proc.output(), /node B: FIX\.4\.2:EXEC->BANZAI ownership acquired, epoch \d+/);

    // The standby's Logon continued the dead node's numbers; nothing went back.
    const { logons } = assertSequenceContinues(incomingMessages(cluster.dir));
    assert.ok(logons >= 2);
    b.proc.child.kill('SIGKILL');
    await once(b.proc.child, 'exit');
    const exec = await checkStore(cluster.storeDir, 'FIX.4.2-EXEC-BANZAI');
    const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
    assert.equal(exec.nextSender, cli.nextTarget, 'no gap left: the client got everything the nodes sent');
    assert.equal(exec.nextTarget, cli.nextSender, 'the nodes got everything the client sent');
    assert.equal(exec.fills.size, 3000, 'every fill is in the shared store');
    assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
  } finally {
    cluster.killAll();
  }
});
