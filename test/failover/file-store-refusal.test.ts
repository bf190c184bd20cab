/**
 * fixover's own client meets refusals: a node answers its Logon with a Logout naming the owner
 * while another node holds the session (here the test process holds it, through the same fenced
 * ownership file a node uses), several times. Each refusal uses up a number of the session's
 * sequence (src/fencing/refusal-record.ts). Once the owner lets the session go, the node takes it
 * at the client's next Logon and continues past its refusals; the client, which does not count a
 * Logout answering its Logon, sees a gap and its ResendRequest is gap-filled. Every order is
 * filled once and both sides' numbers agree at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Cluster, assertFilledOnce, checkStore, clientsFilled, freePort, incomingMessages, waitUntil } from './harness.js';
import { FileOwnership } from '../../src/fencing/index.js';

test("fixover's client refused several times logs on once the owner is gone: the node continues past its refusals, the gap is filled, nothing lost", { timeout: 60_000 }, async () => {
  const cluster = new Cluster();
  const pb = await freePort();
  let renew: NodeJS.Timeout | undefined;
  try {
    const b = await cluster.startNode('B', pb);
    const other = new FileOwnership({ dir: cluster.storeDir, prefix: 'FIX.4.2-EXEC-BANZAI', node: 'Z', leaseMs: 5000 });
    assert.equal((await other.acquire()).acquired, true);
    renew = setInterval(() => void other.renew().catch(() => undefined), 250);
    const run = cluster.startClient([pb], ['--orders', '50', '--rate', '100', '--settle', '3000']);
    const refused = (): number => (b.proc.output().match(/ownership refused/g) ?? []).length;
    await waitUntil('B refused the client three times', () => refused() >= 3, 30_000).catch((e: unknown) => {
      throw cluster.failure(e);
    });
    clearInterval(renew);
    await other.release();
    await clientsFilled([run], cluster, 50);
    b.proc.child.kill('SIGKILL');
    if (b.proc.child.exitCode === null && b.proc.child.signalCode === null) await once(b.proc.child, 'exit');

    // The refusals the client got were numbered 1, 2, 3, … (the store's next number, then one past
    // the last refusal); B's first Logon came right after the last of them.
    const got = incomingMessages(cluster.dir);
    const logouts = got.filter((m) => m.msgType === '5' && !m.possDup);
    const firstLogon = got.find((m) => m.msgType === 'A')!;
    const refusals = logouts.filter((m) => m.line < firstLogon.line).map((m) => m.seq);
    assert.ok(refusals.length >= 3, `refusals: ${refusals.join(',')}`);
    assert.deepEqual(refusals, refusals.map((_, i) => i + 1));
    assert.equal(firstLogon.seq, refusals.length + 1, "B's Logon continues past the refusals");
    // The client asked for the gap and got a GapFill for it (nothing is stored under a refusal).
    const log = readFileSync(join(cluster.dir, 'client-log', 'FIX.4.2-BANZAI-EXEC.messages.current.log'), 'latin1');
    const lines = log.split('\n');
    const has = (line: string, ...fields: string[]): boolean => fields.every((f) => line.includes(`\x01${f}\x01`));
    assert.ok(lines.some((l) => has(l, '35=2', '49=BANZAI', '7=1')), 'the client asked for the gap from 1');
    const gapFill = lines.find((l) => has(l, '35=4', '34=1', '49=EXEC', '123=Y'));
    assert.ok(gapFill, 'B gap-filled it');
    assert.ok(Number(gapFill.split('\x01').find((f) => f.startsWith('36='))!.slice(3)) > firstLogon.seq, 'over the refusals and the Logon');

    const exec = await checkStore(cluster.storeDir, 'FIX.4.2-EXEC-BANZAI');
    const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
    assertFilledOnce(exec, 50);
    assert.equal(exec.nextSender, cli.nextTarget, 'the client got everything B sent');
    assert.equal(exec.nextTarget, cli.nextSender, 'B got everything the client sent');
  } finally {
    if (renew) clearInterval(renew);
    cluster.killAll();
  }
});
