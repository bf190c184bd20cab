/**
 * Hot standby client: two `fixover client` processes on one shared file store for the same
 * initiator session. The second waits while the first owns the session; when the first is killed
 * with SIGKILL, the standby takes the session over, reloads the store and logs on continuing the
 * dead client's sequence numbers: the executor takes the Logon without a reset, nothing goes back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Cluster, checkStore, freePort, waitUntil } from './harness.js';

/** Messages the clients sent (49=BANZAI), in the order they were logged, from their shared message log. */
function sentByClients(dir: string): Array<{ seq: number; msgType: string; possDup: boolean }> {
  const text = readFileSync(join(dir, 'client-log', 'FIX.4.2-BANZAI-EXEC.messages.current.log'), 'latin1');
  const out: Array<{ seq: number; msgType: string; possDup: boolean }> = [];
  for (const line of text.split('\n')) {
    const msg = line.slice(line.indexOf(' : ') + 3).replaceAll('\x01', '|');
    if (!msg.includes('|49=BANZAI|')) continue;
    const field = (tag: number): string | undefined => new RegExp(`\\|${tag}=([^|]*)\\|`).exec(msg)?.[1];
    out.push({ seq: Number(field(34)), msgType: field(35) ?? '', possDup: field(43) === 'Y' });
  }
  return out;
}

test('hot standby client: the standby process takes the session over when the active one is killed, continuing its numbers', { timeout: 90_000 }, async () => {
  const cluster = new Cluster();
  const port = await freePort();
  try {
    const node = await cluster.startNode('A', port);
    const first = cluster.startClient([port], ['--orders', '1000000', '--rate', '300', '--settle', '10000'], { report: 'first.json' });
    await first.proc.waitFor(/client-BANZAI: FIX\.4\.2:BANZAI->EXEC ownership acquired, epoch 1/, 20_000);
    await waitUntil('the first client trading', () => /Logon/.test(readFileSync(join(cluster.dir, 'client-log', 'FIX.4.2-BANZAI-EXEC.event.current.log'), 'latin1')), 20_000);
    const second = cluster.startClient([port], ['--orders', '300', '--rate', '300', '--settle', '10000', '--logon-timeout', '60000'], { report: 'second.json' });
    // The standby is refused while the first client is alive.
    await second.proc.waitFor(/ownership refused, epoch \d+; owner: node client-BANZAI/, 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(second.proc.child.exitCode, null, 'the standby waits');
    first.proc.child.kill('SIGKILL');
    await once(first.proc.child, 'exit');
    await second.proc.waitFor(/ownership acquired, epoch \d+/, 20_000);
    const [code] = await once(second.proc.child, 'exit');
    const report = cluster.readReport(second.report);
    assert.equal(code, 0, second.proc.output().slice(-3000));
    assert.equal(report.filled, 300, 'every order of the standby filled');
    assert.equal(report.duplicates.unflagged, 0);
    assert.ok(report.logons.length >= 1);
    assert.doesNotMatch(node.proc.output(), /too low/);

    // What the clients sent, both processes together: numbers never went back (no reset), so the
    // standby's Logon continued the dead client's sequence.
    let max = 0;
    let logons = 0;
    for (const m of sentByClients(cluster.dir)) {
      if (m.possDup) continue;
      assert.ok(m.seq > max, `MsgSeqNum went back: ${m.seq} (type ${m.msgType}) after ${max}`);
      if (m.msgType === 'A') logons++;
      max = m.seq;
    }
    assert.ok(logons >= 2, 'a Logon from each client process');

    node.proc.child.kill('SIGKILL');
    await once(node.proc.child, 'exit');
    const exec = await checkStore(cluster.storeDir, 'FIX.4.2-EXEC-BANZAI');
    const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
    assert.equal(exec.nextTarget, cli.nextSender, 'the executor got everything the clients sent');
    assert.equal(exec.nextSender, cli.nextTarget, 'the clients got everything the executor sent');
  } catch (e) {
    const outputs = [...cluster.nodes.map((n) => `--- node ${n.name}\n${n.proc.output().slice(-2000)}`), ...cluster.clients.map((c, i) => `--- client ${i}\n${c.output().slice(-2000)}`)].join('\n');
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${outputs}\n(files in ${cluster.dir})`, { cause: e });
  } finally {
    cluster.killAll();
  }
});
