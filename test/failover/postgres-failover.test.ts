/**
 * Acceptor failover on a PostgreSQL store with real processes: two `fixover executor` processes
 * share one database; the active one is killed with SIGKILL mid-stream; its lock connection dies
 * with it, so the standby takes the session over at once and continues its sequence numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { once } from 'node:events';
import { assertSequenceContinues, checkStore, freePort, incomingMessages, waitUntil } from './harness.js';
import { usePostgres } from './postgres-cluster.js';

const pg = usePostgres();

test('kill -9 of the active acceptor on a PostgreSQL store: the standby continues the session with nothing lost', { skip: pg.skip, timeout: 90_000 }, async () => {
  const cluster = await pg.cluster('failover');
  const [pa, pb] = [await freePort(), await freePort()];
  try {
    const a = await cluster.startNode('A', pa);
    const b = await cluster.startNode('B', pb);
    assert.equal((await cluster.ownerRow())?.node, '', 'nobody owns the session before a logon');
    const client = cluster.startClient([pa, pb], ['--orders', '3000', '--rate', '1000', '--settle', '20000']);
    // Let the client log on to A and get well into the stream (hundreds of stored fills), then kill A.
    await waitUntil('A filling orders', async () => (await cluster.storedMessages()) >= 500, 30_000);
    assert.equal((await cluster.ownerRow())?.node, 'A', 'the client logged on to A first');
    a.proc.child.kill('SIGKILL');
    const [code] = await once(client.proc.child, 'exit');
    const report = cluster.readReport(client.report);
    assert.equal(code, 0, client.proc.output());
    assert.equal(report.sent, 3000);
    assert.equal(report.filled, 3000, 'every order filled');
    assert.equal(report.missing, 0);
    assert.equal(report.duplicates.unflagged, 0, 'no unflagged duplicate');
    assert.ok(report.logons.length >= 2, 'logged on again, to the standby');
    const owner = (await cluster.ownerRow())!;
    assert.equal(owner.node, 'B');
    assert.ok(owner.epoch >= 2);
    assert.match(b.proc.output(), /node B: FIX\.4\.2:EXEC->BANZAI ownership acquired, epoch \d+/);
    // The standby's Logon continued the dead node's numbers; nothing went back.
    const { logons } = assertSequenceContinues(incomingMessages(cluster.dir));
    assert.ok(logons >= 2);
    // A clean stop closes every connection (the process exits) and leaves the session free.
    b.proc.child.kill('SIGTERM');
    const [exit] = await Promise.race([once(b.proc.child, 'exit'), new Promise<[string]>((r) => setTimeout(() => r(['still running']), 15_000))]);
    assert.equal(exit, 0, b.proc.output());
    assert.equal((await cluster.ownerRow())?.released, true);
    const exec = await cluster.execStore();
    const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
    await cluster.assertClientGotAll(exec, cli);
    assert.equal(exec.fills.size, 3000, 'every fill is in the shared store');
    assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
  } finally {
    cluster.killAll();
  }
});
