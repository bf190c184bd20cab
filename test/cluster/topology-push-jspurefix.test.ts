/**
 * A real third-party FIX client never sees the cluster's messages: a jspurefix initiator (it does
 * not announce ClusterTopologySupport) logged on to a `fixover executor` node with
 * UpdateClusterClients=Y, while a second member joins and a supporting counterparty on the same
 * node gets the U1 push; jspurefix gets no U1, and its orders are still filled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadJspurefix, startJspurefix, withTimeout, type Jsf, type JsPeer } from '../interop/peers.js';
import { Cluster, freePort, waitUntil } from '../failover/harness.js';
import { FixPeer } from '../support/fix-peer.js';
import { start } from '../cli/cli.js';

const jsf: Jsf | string = await loadJspurefix();

function nodeConfig(cluster: Cluster, name: string, port: number): string {
  const file = join(cluster.dir, `${name}.cfg`);
  writeFileSync(
    file,
    `[default]\nFileStorePath=${cluster.storeDir}\nBeginString=FIX.4.4\nConnectionType=acceptor\nStartTime=00:00:00\nEndTime=00:00:00\nHeartBtInt=30\nSocketAcceptAddress=127.0.0.1\nSocketAcceptPort=${port}\nNodeName=${name}\nUpdateClusterClients=Y\nUpdateClusterClientsOnRemove=Y\nRebalanceInterval=300\nClusterLeaseTimeout=1500\nSenderCompID=FIXOVER\n\n[session]\nTargetCompID=JSCLIENT\n\n[session]\nTargetCompID=F1\n`,
  );
  return file;
}

test('a jspurefix client gets no U1 while a supporting client on the same node does', { skip: typeof jsf === 'string' ? jsf : false, timeout: 60_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  let peer: JsPeer | undefined;
  try {
    for (const [name, port] of [['A', pa]] as const) {
      const proc = start(['executor', nodeConfig(cluster, name, port)], cluster.dir);
      cluster.nodes.push({ name, port, proc });
      await proc.waitFor(/listening on \d+/, 30_000);
    }
    await waitUntil('A wrote the topology', () => /member A joined/.test(cluster.nodes[0].proc.output()), 20_000);
    peer = await startJspurefix(jsf as Jsf, { role: 'initiator', port: pa, senderCompID: 'JSCLIENT', targetCompID: 'FIXOVER' });
    await withTimeout(peer.ready, 10_000, 'jspurefix logon');
    const fx = await FixPeer.connect(pa, 'FIX.4.4', 'F1', 'FIXOVER');
    fx.send('35=A|98=0|108=30|141=Y|21110=Y|');
    await fx.waitFor(/\|35=U1\|.*21106=logon/);
    const proc = start(['executor', nodeConfig(cluster, 'B', pb)], cluster.dir);
    cluster.nodes.push({ name: 'B', port: pb, proc });
    await fx.waitFor(/\|35=U1\|.*21106=join/, 20_000);
    const p = peer;
    p.sendOrder('JS-1');
    await waitUntil('the order filled', () => p.received.some((m) => m.msgType === '8' && m.fields.get(11) === 'JS-1' && m.fields.get(39) === '2'), 10_000);
    assert.deepEqual(
      p.trace.filter((t) => t.startsWith('U')),
      [],
      `jspurefix received: ${p.trace.join(' ')}`,
    );
    fx.close();
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    peer?.stop();
    cluster.killAll();
  }
});
