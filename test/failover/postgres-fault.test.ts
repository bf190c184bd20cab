/**
 * Store fault with real processes: the PostgreSQL server is restarted while a client streams
 * orders through a `fixover executor`. The session stops safely (the connection is dropped with the
 * reason on the executor's output; nothing is sent that was not stored, nothing half-written), the
 * executor keeps running and turns Logons away while the database is down, and the session recovers
 * by itself once the database is back: every order filled once, no unflagged duplicate, the
 * executor's numbers never going back, the stored messages whole and without a gap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { once } from 'node:events';
import { assertSequenceContinues, checkStore, freePort, incomingMessages, waitUntil } from './harness.js';
import { usePostgres } from './postgres-cluster.js';

const pg = usePostgres({ restartable: true });

test('the database restarts mid-session: the session stops safely and recovers without a process restart', { skip: pg.skip, timeout: 60_000 }, async () => {
  const cluster = await pg.cluster('fault');
  const port = await freePort();
  const ORDERS = 1500;
  try {
    const node = await cluster.startNode('A', port);
    const client = cluster.startClient([port], ['--orders', String(ORDERS), '--rate', '500', '--settle', '20000']);
    await waitUntil('A storing fills', async () => (await cluster.storedMessages()) >= 300, 30_000);
    await pg.server().stop();
    // The executor notices (a store write or the lease renewal fails) and drops the connection, saying why.
    await node.proc.waitFor(/EXEC->BANZAI store failed, connection dropped: PostgreSQL store: cannot/, 15_000);
    // The client comes back (every second) and is turned away while the database is down.
    await node.proc.waitFor(/EXEC->BANZAI store failed, connection refused: PostgreSQL store: cannot/, 15_000);
    assert.equal(node.proc.child.exitCode, null, 'the executor keeps running while the database is down');
    const acquired = (node.proc.output().match(/ownership acquired/g) ?? []).length;
    await pg.server().start();
    // Back by itself: the next Logon is accepted by the same process.
    await waitUntil('the session served again', () => (node.proc.output().match(/ownership acquired/g) ?? []).length > acquired, 20_000);
    const [code] = await once(client.proc.child, 'exit');
    const report = cluster.readReport(client.report);
    assert.equal(code, 0, client.proc.output().slice(-3000));
    assert.equal(report.filled, ORDERS, 'every order filled');
    assert.equal(report.missing, 0);
    assert.equal(report.duplicates.unflagged, 0, 'no unflagged duplicate');
    assert.ok(report.logons.length >= 2, 'logged on again after the outage');
    assert.equal(node.proc.child.exitCode, null, 'the same executor process served the session throughout');
    const { logons } = assertSequenceContinues(incomingMessages(cluster.dir));
    assert.ok(logons >= 2);

    node.proc.child.kill('SIGTERM');
    await once(node.proc.child, 'exit');
    const exec = await cluster.execStore();
    const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
    await cluster.assertClientGotAll(exec, cli);
    assert.equal(exec.fills.size, ORDERS, 'every fill is in the store');
    assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
  } finally {
    cluster.killAll();
  }
});
