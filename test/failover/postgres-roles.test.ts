/**
 * Roles on a PostgreSQL store: two acceptors started together on one database, two clients, one
 * listing A first and the other listing B first. Each session is active on exactly one node, the
 * one its client lists first; while a session is active, the other node refuses a Logon for it
 * with a Logout naming the owner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { checkStore, clientsFilled, freePort, waitUntil } from './harness.js';
import { usePostgres } from './postgres-cluster.js';
import { formatUtcTimestamp } from '../../src/codec/index.js';
import { frame } from '../codec/helpers.js';

const pg = usePostgres();

/** Sends a Logon for EXEC<-`client` to `port` and returns what comes back before the close. */
async function logonAt(port: number, client: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write(frame(`35=A|34=1|49=${client}|52=${formatUtcTimestamp(Date.now(), 3)}|56=EXEC|98=0|108=30|`, 'FIX.4.2'));
  await Promise.race([once(socket, 'close'), new Promise((r) => setTimeout(r, 10_000))]);
  socket.destroy();
  return Buffer.concat(chunks).toString('latin1').replaceAll('\x01', '|');
}

test('PostgreSQL: both nodes start together; each session is active on the node its client lists first, the other refuses its Logon', { skip: pg.skip, timeout: 120_000 }, async () => {
  const cluster = await pg.cluster('roles');
  const [pa, pb] = [await freePort(), await freePort()];
  const clients = ['BANZAI', 'OTHER'];
  try {
    const [a, b] = await Promise.all([cluster.startNode('A', pa, { clients }), cluster.startNode('B', pb, { clients })]);
    const args = ['--orders', '1500', '--rate', '300', '--settle', '10000'];
    const c1 = cluster.startClient([pa, pb], args, { name: 'BANZAI', store: 'banzai-store' });
    const c2 = cluster.startClient([pb, pa], args, { name: 'OTHER', store: 'other-store' });
    await waitUntil('both sessions owned', async () => (await cluster.sessionOwner('BANZAI'))?.held === true && (await cluster.sessionOwner('OTHER'))?.held === true, 30_000);

    // While they run, each node refuses the session the other owns, naming the owner.
    const [atB, atA] = await Promise.all([logonAt(pb, 'BANZAI'), logonAt(pa, 'OTHER')]);
    assert.match(atB, /\|35=5\|.*\|58=[^|]*node A/, `B refuses BANZAI naming A: ${atB}`);
    assert.match(atA, /\|35=5\|.*\|58=[^|]*node B/, `A refuses OTHER naming B: ${atA}`);
    assert.doesNotMatch(atB + atA, /\|35=A\|/, 'no Logon answered');

    await clientsFilled([c1, c2], cluster, 1500);
    assert.equal((await cluster.sessionOwner('BANZAI'))?.node, 'A');
    assert.equal((await cluster.sessionOwner('OTHER'))?.node, 'B');
    const acquired = (out: string): string[] => [...out.matchAll(/FIX\.4\.2:EXEC->(\w+) ownership acquired/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(acquired(a.proc.output()))], ['BANZAI'], 'A ran BANZAI only');
    assert.deepEqual([...new Set(acquired(b.proc.output()))], ['OTHER'], 'B ran OTHER only');
    for (const n of [a, b]) n.proc.child.kill('SIGKILL');
    await Promise.all([a, b].map((n) => (n.proc.child.exitCode === null && n.proc.child.signalCode === null ? once(n.proc.child, 'exit') : null)));
    for (const name of clients) {
      const exec = await cluster.execStore(name);
      const cli = await checkStore(join(cluster.dir, `${name.toLowerCase()}-store`), `FIX.4.2-${name}-EXEC`);
      assert.equal(exec.fills.size, 1500, `every fill of ${name} stored once`);
      assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
      await cluster.assertClientGotAll(exec, cli);
    }
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    cluster.killAll();
  }
});
