/**
 * A paused acceptor (SIGSTOP) on a PostgreSQL store. Its lock connection stays open while it is
 * stopped (the kernel keeps the socket), so the lock does not free the session: the standby takes
 * it over only when the paused node's lease has run out by the database's clock. Woken up
 * (SIGCONT), the old node must neither write to the database (its epoch is refused in the write's
 * transaction) nor send a single byte on the session's connection (a relay records every byte).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { once } from 'node:events';
import { Relay, assertFilledOnce, assertSilentSince, checkStore, freePort, sleep, stopClientAndCheck, waitUntil } from './harness.js';
import { usePostgres } from './postgres-cluster.js';

const pg = usePostgres();

test('SIGSTOP of the active acceptor on a PostgreSQL store: the standby takes over after the lease; woken up, the old node writes nothing and sends nothing', { skip: pg.skip, timeout: 90_000 }, async () => {
  const cluster = await pg.cluster('pause');
  const [pa, pb] = [await freePort(), await freePort()];
  const relay = new Relay(pa);
  try {
    const a = await cluster.startNode('A', pa, { leaseSeconds: 2 });
    await cluster.startNode('B', pb, { leaseSeconds: 2 });
    await relay.start();
    // The client reaches A through the relay; a silent node is given up after a 1 s logon timeout.
    const client = cluster.startClient([relay.port, pb], ['--orders', '1000000', '--rate', '500', '--settle', '20000'], { logonTimeout: 1 });
    await waitUntil('A filling orders', async () => (await cluster.ownerRow())?.node === 'A' && (await cluster.storedMessages()) >= 200, 30_000);
    const first = (await cluster.ownerRow())!;

    a.proc.child.kill('SIGSTOP');
    const took = await waitUntil('B taking the session over', async () => {
      const o = await cluster.ownerRow();
      return o?.node === 'B' && o.epoch > first.epoch && o;
    }, 40_000);
    const atTakeover = await cluster.storedMessages();
    await waitUntil('B filling orders', async () => (await cluster.storedMessages()) >= atTakeover + 100, 20_000);

    // The store before A wakes up: B only adds to it from here on.
    const before = await cluster.snapshot();
    const woke = Date.now();
    a.proc.child.kill('SIGCONT');
    await a.proc.waitFor(/node A: FIX\.4\.2:EXEC->BANZAI ownership lost/, 10_000);
    await sleep(1000);
    assert.equal((await cluster.ownerRow())?.epoch, took.epoch, 'B still owns the session');

    // The wire: nothing on the session's connection; later connections (the client's Logons sent
    // to A while it was stopped) may only be refused with a Logout naming the owner.
    assertSilentSince(relay, woke, 'B');

    await sleep(500);
    const report = await stopClientAndCheck(cluster, client);

    cluster.killAll();
    await Promise.all(cluster.nodes.map((n) => (n.proc.child.exitCode === null && n.proc.child.signalCode === null ? once(n.proc.child, 'exit') : null)));
    // What was stored before A woke up is untouched (B added after it), and the store is whole.
    const afterwards = await cluster.snapshot();
    for (const [seq, body] of before.messages) assert.equal(afterwards.messages.get(seq), body, `stored message ${seq} unchanged after the wake-up`);
    const exec = await cluster.execStore();
    const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
    await cluster.assertClientGotAll(exec, cli);
    assertFilledOnce(exec, report.sent);
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    relay.close();
    cluster.killAll();
  }
});
