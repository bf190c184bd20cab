/**
 * A paused acceptor (SIGSTOP, as a long GC pause or a frozen VM would) on a shared file store:
 * the client times out and moves to the standby, which takes the session over once the paused
 * node's lease has run out. When the old node wakes up (SIGCONT) it must neither write to the
 * store nor send a single byte on the session's connection: a relay in front of it records every
 * byte it sends, and the store is compared with a copy taken before the wake-up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Cluster, Relay, assertFilledOnce, assertSilentSince, checkStore, freePort, sleep, stopClientAndCheck, waitUntil } from './harness.js';

const PREFIX = 'FIX.4.2-EXEC-BANZAI';

test('SIGSTOP of the active acceptor: the standby takes over after the lease; woken up, the old node writes nothing and sends nothing', { timeout: 120_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  const relay = new Relay(pa);
  const body = join(cluster.storeDir, `${PREFIX}.body`);
  const header = join(cluster.storeDir, `${PREFIX}.header`);
  try {
    const a = await cluster.startNode('A', pa);
    const b = await cluster.startNode('B', pb);
    await relay.start();
    // The client reaches A through the relay; a silent node is given up after a 1 s logon timeout.
    const client = cluster.startClient([relay.port, pb], ['--orders', '1000000', '--rate', '500', '--settle', '20000'], { logonTimeout: 1 });
    const first = await waitUntil('A filling orders', () => {
      const o = cluster.owner();
      return o?.node === 'A' && existsSync(body) && statSync(body).size >= 50_000 && o;
    }, 30_000);

    a.proc.child.kill('SIGSTOP');
    // The client notices the silence (heartbeats, test request), tries A again (no answer to its
    // Logon), moves to B; B takes the session once A's lease has run out.
    const took = await waitUntil('B taking the session over', () => {
      const o = cluster.owner();
      return o?.node === 'B' && o.epoch > first.epoch && o;
    }, 40_000);
    const sizeAtTakeover = statSync(body).size;
    await waitUntil('B filling orders', () => statSync(body).size >= sizeAtTakeover + 20_000, 20_000);

    // The store as it is before A wakes up: B only appends to it from here on.
    const bodyBefore = readFileSync(body);
    const headerBefore = readFileSync(header);
    const woke = Date.now();
    a.proc.child.kill('SIGCONT');
    await a.proc.waitFor(/node A: FIX\.4\.2:EXEC->BANZAI ownership lost/, 10_000);
    await sleep(1000);
    assert.equal(cluster.owner()?.epoch, took.epoch, 'B still owns the session');

    // The wire: nothing on the session's connection; later connections (the client's Logons sent
    // to A while it was stopped) may only be refused with a Logout naming the owner.
    assertSilentSince(relay, woke, 'B');

    await sleep(500);
    const report = await stopClientAndCheck(cluster, client);

    b.proc.child.kill('SIGKILL');
    a.proc.child.kill('SIGKILL');
    await Promise.all([a, b].map((n) => (n.proc.child.exitCode === null && n.proc.child.signalCode === null ? once(n.proc.child, 'exit') : null)));
    // The store: what was there before A woke up is untouched (B appended after it), and it is whole.
    assert.ok(readFileSync(body).subarray(0, bodyBefore.length).equals(bodyBefore), 'the message bytes before the wake-up are unchanged');
    assert.ok(readFileSync(header).subarray(0, headerBefore.length).equals(headerBefore), 'the index before the wake-up is unchanged');
    const exec = await checkStore(cluster.storeDir, PREFIX);
    const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
    assert.equal(exec.nextSender, cli.nextTarget, 'no gap left');
    assert.equal(exec.nextTarget, cli.nextSender);
    assertFilledOnce(exec, report.sent);
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    relay.close();
    cluster.killAll();
  }
});
