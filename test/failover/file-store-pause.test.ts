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
import { Cluster, Relay, assertSequenceContinues, checkStore, freePort, incomingMessages, sleep, waitUntil } from './harness.js';

const PREFIX = 'FIX.4.2-EXEC-BANZAI';

test('SIGSTOP of the active acceptor: the standby takes over after the lease; woken up, the old node writes nothing and sends nothing', { timeout: 120_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  const relay = new Relay(pa);
  const body = join(cluster.storeDir, `${PREFIX}.body`);
  const header = join(cluster.storeDir, `${PREFIX}.header`);
  try {
    const a = await cluster.startNode('A', pa, { leaseSeconds: 2 });
    const b = await cluster.startNode('B', pb, { leaseSeconds: 2 });
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
    assert.equal(relay.bytesSince(woke, 0).length, 0, 'not a byte from the woken node on the session connection');
    for (let conn = 1; conn < relay.connections; conn++) {
      const sent = relay.bytesSince(woke, conn).toString('latin1').replaceAll('\x01', '|');
      if (sent === '') continue;
      for (const m of sent.split(/(?=8=FIX)/)) assert.match(m, /\|35=5\|.*\|58=[^|]*node B/, `only a refusal naming the owner on connection ${conn}: ${m}`);
    }

    await sleep(500);
    client.proc.child.kill('SIGTERM');
    const [code] = await once(client.proc.child, 'exit');
    const report = cluster.readReport(client.report);
    assert.equal(code, 0, client.proc.output().slice(-2000));
    assert.ok(report.sent > 0);
    assert.equal(report.filled, report.sent, 'every order filled');
    assert.equal(report.missing, 0);
    assert.equal(report.duplicates.unflagged, 0, 'no unflagged duplicate');
    assert.ok(report.logons.length >= 2, 'logged on again, to the standby');
    assertSequenceContinues(incomingMessages(cluster.dir));

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
    assert.equal(exec.fills.size, report.sent, 'every fill stored');
    assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
  } catch (e) {
    // The nodes' own account (ownership acquired/lost/refused) explains most failures.
    const outputs = cluster.nodes.map((n) => `--- node ${n.name}\n${n.proc.output().slice(-3000)}`).join('\n');
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${outputs}\n(files in ${cluster.dir})`, { cause: e });
  } finally {
    relay.close();
    for (const n of cluster.nodes) if (n.proc.child.exitCode === null) n.proc.child.kill('SIGCONT');
    cluster.killAll();
  }
});
