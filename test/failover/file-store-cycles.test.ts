/**
 * Ten failovers back and forth in one run: kill -9 the active executor, the client moves to the
 * standby, the dead node is restarted and becomes the standby, and so on. The session survives
 * every cycle with nothing lost, nothing duplicated unflagged and its numbers never going back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { once } from 'node:events';
import { Cluster, assertSequenceContinues, checkStore, freePort, incomingMessages, waitUntil, type Node } from './harness.js';

const CYCLES = 10;

test(`${CYCLES} failovers back and forth: the killed node restarts as the standby, the session moves each time`, { timeout: 170_000 }, async () => {
  const cluster = new Cluster();
  const ports = { A: await freePort(), B: await freePort() };
  try {
    const nodes: Record<'A' | 'B', Node> = { A: await cluster.startNode('A', ports.A), B: await cluster.startNode('B', ports.B) };
    // More orders than the cycles need at a steady rate; the client is stopped (SIGTERM: it stops
    // sending, settles and reports) after the last cycle.
    const client = cluster.startClient([ports.A, ports.B], ['--orders', '1000000', '--rate', '500', '--settle', '20000']);
    let active: 'A' | 'B' = 'A';
    let epoch = (await waitUntil('the client on A', () => cluster.owner()?.node === 'A' && cluster.owner())).epoch;
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      assert.equal(client.proc.child.exitCode, null, `the client is still running at cycle ${cycle}`);
      await new Promise((r) => setTimeout(r, 300));
      const killed = active;
      nodes[killed].proc.child.kill('SIGKILL');
      await once(nodes[killed].proc.child, 'exit');
      // The dead node restarts at once; the session moves to whichever node the client reaches
      // first (normally the standby: the restart takes longer than the client's reconnect).
      const restarting = cluster.startNode(killed, ports[killed]);
      const took = await waitUntil(`cycle ${cycle}: the session is taken over`, () => {
        const o = cluster.owner();
        return o && o.epoch > epoch && o.pid !== 0 && o;
      });
      epoch = took.epoch;
      active = took.node as 'A' | 'B';
      nodes[killed] = await restarting;
    }
    await new Promise((r) => setTimeout(r, 500));
    client.proc.child.kill('SIGTERM');
    const [code] = await once(client.proc.child, 'exit');
    const report = cluster.readReport(client.report);
    assert.equal(code, 0, client.proc.output().slice(-2000));
    assert.ok(report.sent > 1000, `orders flowed through the cycles (${report.sent})`);
    assert.equal(report.filled, report.sent, 'every order filled');
    assert.equal(report.missing, 0);
    assert.equal(report.duplicates.unflagged, 0, 'no unflagged duplicate');
    assert.ok(report.logons.length >= CYCLES + 1, `logged on ${report.logons.length} times`);
    assert.ok(epoch >= CYCLES + 1);
    const { logons } = assertSequenceContinues(incomingMessages(cluster.dir));
    assert.ok(logons >= CYCLES + 1);
    cluster.killAll();
    await Promise.all(cluster.nodes.filter((n) => n.proc.child.exitCode === null && n.proc.child.signalCode === null).map((n) => once(n.proc.child, 'exit')));
    const exec = await checkStore(cluster.storeDir, 'FIX.4.2-EXEC-BANZAI');
    const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
    assert.equal(exec.nextSender, cli.nextTarget, 'no gap left');
    assert.equal(exec.nextTarget, cli.nextSender);
    assert.equal(exec.fills.size, report.sent);
  } finally {
    cluster.killAll();
  }
});
