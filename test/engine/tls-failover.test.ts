/**
 * The failover transport over TLS (`ssl://` endpoints) against real fixover TLS acceptors, with
 * certificates made by openssl at test time: a `backup=true` standby completes its TLS handshake
 * in advance and the failover logs on over it without a new connection; a reconnect to the same
 * endpoint resumes the TLS session (an abbreviated handshake, counted by the acceptor).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Acceptor, Initiator, Session, type InitiatorEvent } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { executorApplication } from '../../src/apps/index.js';
import type { Message } from '../../src/codec/index.js';
import { TlsContext, tlsSettingsFrom } from '../../src/transport/index.js';
import { freePort } from '../support/free-port.js';
import { makeTestCerts, opensslMissing, type TestCerts } from '../support/certs.js';

const skip = opensslMissing;
let certs: TestCerts;
const files = (): TestCerts => (certs ??= makeTestCerts());
after(() => certs?.cleanup());

const serverTls = (): TlsContext => new TlsContext(tlsSettingsFrom({ ConnectionType: 'acceptor', ServerCertificateFile: 'server.pem', ServerCertificateKeyFile: 'server.key' }, files().dir)!);
const clientTls = (): TlsContext => new TlsContext(tlsSettingsFrom({ ConnectionType: 'initiator', SocketUseSSL: 'Y', CertificateAuthoritiesFile: 'ca.pem' }, files().dir)!);

async function tlsAcceptorOn(port: number): Promise<{ acceptor: Acceptor; session: Session }> {
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: 'CLIENT' });
  const holder: { session?: Session } = {};
  const session = new Session({ sessionId: id, role: 'acceptor' }, new MemoryStore(), executorApplication({ send: (m: Message) => holder.session!.send(m) }), { tickMs: 100 });
  holder.session = session;
  const acceptor = new Acceptor([session], [{ port, host: '127.0.0.1' }], { tls: serverTls() });
  await acceptor.start();
  return { acceptor, session };
}

function client(failover: string): { initiator: Initiator; session: Session; next: (type: string, ms?: number) => Promise<InitiatorEvent> } {
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'CLIENT', targetCompID: 'EXEC' });
  const session = new Session({ sessionId: id, role: 'initiator', heartBtInt: 30, resetOnLogon: true, logonTimeout: 2 }, new MemoryStore(), {}, { tickMs: 100 });
  const initiator = new Initiator([{ session, failover, tls: clientTls() }]);
  const next = (type: string, ms = 10_000): Promise<InitiatorEvent> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${type} event within ${ms} ms`)), ms);
      const on = (e: InitiatorEvent): void => {
        if (e.type !== type) return;
        clearTimeout(t);
        initiator.off('event', on);
        resolve(e);
      };
      initiator.on('event', on);
    });
  return { initiator, session, next };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('ssl:// endpoints with backup=true: the standby completes its TLS handshake in advance; the failover logs on over it without a new connection', { skip, timeout: 30_000 }, async () => {
  const aPort = await freePort();
  const bPort = await freePort();
  const a = await tlsAcceptorOn(aPort);
  const b = await tlsAcceptorOn(bPort);
  // Count the TCP connections B accepts through a pass-through proxy (TLS passes through it).
  let accepted = 0;
  const proxy = net.createServer((down) => {
    accepted++;
    const up = net.connect(bPort, '127.0.0.1');
    down.pipe(up);
    up.pipe(down);
    for (const [x, y] of [
      [down, up],
      [up, down],
    ]) {
      x.on('error', () => y.destroy());
      x.on('close', () => y.destroy());
    }
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  const proxyPort = (proxy.address() as net.AddressInfo).port;
  const c = client(`failover:(ssl://127.0.0.1:${aPort},ssl://127.0.0.1:${proxyPort})?randomize=false&backup=true&initialReconnectDelay=2000&reconnectJitter=false`);
  try {
    const logon = c.next('loggedOn');
    c.initiator.start();
    const first = await logon;
    assert.ok('endpoint' in first && first.endpoint.uri === `ssl://127.0.0.1:${aPort}`);
    const driver = c.initiator.driverOf(c.session)!;
    // Ready only once the handshake is done; B then holds it as a connection waiting for its logon.
    await until(() => driver.readyStandbys.includes(`ssl://127.0.0.1:${proxyPort}`), 5000, 'the standby handshake');
    await until(() => b.acceptor.pendingCount() === 1, 2000, 'B holding the handshaken standby');
    assert.equal(b.acceptor.tlsFailureCount, 0);
    const failover = c.next('failover');
    const t0 = Date.now();
    await a.acceptor.stop();
    const f = await failover;
    assert.ok(f.type === 'failover' && f.to.uri === `ssl://127.0.0.1:${proxyPort}`);
    assert.ok(Date.now() - t0 < 1500, `no reconnect delay with a ready standby: ${Date.now() - t0} ms`);
    await until(() => c.session.isLoggedOn, 3000, 'logged on at B');
    assert.equal(accepted, 1, 'logged on over the standby: no new connection, no new handshake');
  } finally {
    await c.initiator.stop();
    await b.acceptor.stop();
    proxy.close();
  }
});

test('a reconnect to the same ssl:// endpoint resumes the TLS session', { skip, timeout: 30_000 }, async () => {
  const port = await freePort();
  const a = await tlsAcceptorOn(port);
  const c = client(`failover:(ssl://127.0.0.1:${port})?initialReconnectDelay=100&reconnectJitter=false`);
  try {
    const logon = c.next('loggedOn');
    c.initiator.start();
    await logon;
    assert.equal(a.acceptor.tlsResumedCount, 0, 'the first handshake is a full one');
    await new Promise((r) => setTimeout(r, 100)); // the session ticket arrives after the handshake
    const again = c.next('loggedOn');
    a.session.disconnect('test: dropped by the acceptor');
    await again;
    assert.equal(a.acceptor.tlsResumedCount, 1, 'the reconnect resumed the TLS session');
  } finally {
    await c.initiator.stop();
    await a.acceptor.stop();
  }
});
