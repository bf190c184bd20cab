/**
 * Acceptor failover over TLS with real processes: two `fixover executor` nodes on a shared file
 * store serve TLS (QuickFIX C++ PEM settings, certificates made by openssl at test time); a
 * `fixover client` reaches them through `SocketConnectURI=failover:(ssl://A,ssl://B)?backup=true`.
 * The active node is killed with SIGKILL mid-stream: the client fails over to B over its
 * handshaken standby connection, every order is filled, no fill is duplicated unflagged and no
 * gap is left.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Cluster, checkStore, freePort, waitUntil } from './harness.js';
import { start } from '../cli/cli.js';
import { makeTestCerts, opensslMissing, type TestCerts } from '../support/certs.js';

const skip = opensslMissing;
let certs: TestCerts;
const files = (): TestCerts => (certs ??= makeTestCerts());
after(() => certs?.cleanup());

test('kill -9 of the active TLS acceptor: the client fails over to the standby over TLS (ssl://, backup=true) with nothing lost', { skip, timeout: 90_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb] = [await freePort(), await freePort()];
  const tls = `SocketUseSSL=Y\nServerCertificateFile=${files().path('server.pem')}\nServerCertificateKeyFile=${files().path('server.key')}\n`;
  try {
    const a = await cluster.startNode('A', pa, { settings: tls });
    const b = await cluster.startNode('B', pb, { settings: tls });
    const cfg = join(cluster.dir, 'tls-client.cfg');
    writeFileSync(
      cfg,
      `[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.2\nHeartBtInt=2\nLogonTimeout=5\nFileStorePath=${join(cluster.dir, 'client-store')}\nFileLogPath=${join(cluster.dir, 'client-log')}\nNodeName=client\nStartTime=00:00:00\nEndTime=00:00:00\n` +
        `SocketUseSSL=Y\nCertificateAuthoritiesFile=${files().path('ca.pem')}\nSocketConnectURI=failover:(ssl://127.0.0.1:${pa},ssl://127.0.0.1:${pb})?initialReconnectDelay=100&randomize=false&backup=true\n` +
        `[SESSION]\nSenderCompID=BANZAI\nTargetCompID=EXEC\n`,
    );
    const report = join(cluster.dir, 'report.json');
    const client = start(['client', cfg, '--report', report, '--orders', '2000', '--rate', '1000', '--settle', '20000'], cluster.dir);
    cluster.clients.push(client);
    const body = join(cluster.storeDir, 'FIX.4.2-EXEC-BANZAI.body');
    await waitUntil('A filling orders over TLS', () => cluster.owner()?.node === 'A' && existsSync(body) && statSync(body).size >= 60_000, 30_000);
    a.proc.child.kill('SIGKILL');
    const [code] = await once(client.child, 'exit');
    const r = cluster.readReport(report);
    assert.equal(code, 0, client.output());
    assert.equal(r.sent, 2000);
    assert.equal(r.filled, 2000, 'every order filled');
    assert.equal(r.duplicates.unflagged, 0, 'no unflagged duplicate');
    const events: Array<Record<string, unknown>> = r.events.map((e) => ({ event: e.event, ...(e.detail as Record<string, unknown>) }));
    const failover = events.find((e) => e.event === 'failover' && e.from === `ssl://127.0.0.1:${pa}` && e.to === `ssl://127.0.0.1:${pb}`);
    assert.ok(failover && typeof failover.downtimeMs === 'number', JSON.stringify(events));
    assert.ok(events.some((e) => e.event === 'reconnecting' && e.standby === true), `failed over on the handshaken standby: ${JSON.stringify(events)}`);
    assert.equal(cluster.owner()!.node, 'B');
    assert.doesNotMatch(b.proc.output(), /TLS: connection from .* refused/, 'no failed handshake at B');
    b.proc.child.kill('SIGKILL');
    await once(b.proc.child, 'exit');
    const exec = await checkStore(cluster.storeDir, 'FIX.4.2-EXEC-BANZAI');
    const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
    assert.equal(exec.nextSender, cli.nextTarget, 'no gap left: the client got everything the nodes sent');
    assert.equal(exec.nextTarget, cli.nextSender, 'the nodes got everything the client sent');
    assert.equal(exec.fills.size, 2000, 'every fill is in the shared store');
    assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    cluster.killAll();
  }
});
