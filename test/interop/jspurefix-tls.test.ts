/**
 * fixover and jspurefix over mutual TLS, both ways round, with certificates made by openssl at
 * test time: a jspurefix initiator with a client certificate sends orders to a fixover executor
 * (NeedClientAuth=Y, CertificateCompIDBinding=cn); a fixover initiator with a client certificate
 * sends orders to a jspurefix acceptor that requires one.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, loadJspurefix, startJspurefix, waitUntil, type Jsf } from './peers.js';
import { Engine } from '../../src/engine/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { Message, formatUtcTimestamp } from '../../src/codec/index.js';
import { makeTestCerts, opensslMissing, type TestCerts } from '../support/certs.js';

const jsf: Jsf | string = await loadJspurefix();
const skip = typeof jsf === 'string' ? jsf : opensslMissing;
let certs: TestCerts;
const files = (): TestCerts => (certs ??= makeTestCerts());
after(() => certs?.cleanup());

const common = { BeginString: 'FIX.4.4', HeartBtInt: '30', UseDataDictionary: 'N', ResetOnLogon: 'Y' };

test('jspurefix initiator with a client certificate → fixover executor over mutual TLS: orders filled', { skip, timeout: 30_000 }, async () => {
  const port = await freePort();
  const engine = await Engine.create(
    [
      {
        ...common,
        SenderCompID: 'EXEC',
        TargetCompID: 'CLIENT',
        ConnectionType: 'acceptor',
        SocketAcceptPort: String(port),
        SocketAcceptAddress: '127.0.0.1',
        SocketUseSSL: 'Y',
        ServerCertificateFile: 'server.pem',
        ServerCertificateKeyFile: 'server.key',
        NeedClientAuth: 'Y',
        CertificateAuthoritiesFile: 'ca.pem',
        CertificateCompIDBinding: 'cn',
      },
    ],
    (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }),
    { baseDir: files().dir },
  );
  await engine.start();
  const peer = await startJspurefix(jsf as Jsf, {
    role: 'initiator',
    port,
    senderCompID: 'CLIENT',
    targetCompID: 'EXEC',
    tls: { key: files().path('client.key'), cert: files().path('client.pem'), ca: [files().path('ca.pem')], rejectUnauthorized: true },
  });
  try {
    await peer.ready;
    for (let i = 1; i <= 5; i++) peer.sendOrder(`JT-${i}`);
    await waitUntil(() => peer.received.filter((m) => m.msgType === '8' && m.fields.get(39) === '2').length === 5, 10_000, 'five fills');
    assert.equal(engine.tlsFailureCount, 0);
  } finally {
    peer.stop();
    await engine.stop();
  }
});

test('fixover initiator with a client certificate → jspurefix acceptor requiring one, over TLS: orders filled', { skip, timeout: 30_000 }, async () => {
  const port = await freePort();
  const peer = await startJspurefix(jsf as Jsf, {
    role: 'acceptor',
    port,
    senderCompID: 'EXEC',
    targetCompID: 'CLIENT',
    tls: { key: files().path('server.key'), cert: files().path('server.pem'), ca: [files().path('ca.pem')], requestCert: true, rejectUnauthorized: true },
  });
  const fills: string[] = [];
  const engine = await Engine.create(
    [
      {
        ...common,
        SenderCompID: 'CLIENT',
        TargetCompID: 'EXEC',
        ConnectionType: 'initiator',
        SocketConnectHost: '127.0.0.1',
        SocketConnectPort: String(port),
        ReconnectInterval: '1',
        SocketUseSSL: 'Y',
        CertificateAuthoritiesFile: 'ca.pem',
        ClientCertificateFile: 'client.pem',
        ClientCertificateKeyFile: 'client.key',
      },
    ],
    () => ({ fromApp: (m) => void fills.push(m.getString(11)) }),
    { baseDir: files().dir },
  );
  const session = [...engine.sessions.values()][0];
  try {
    await engine.start();
    await waitUntil(() => session.isLoggedOn, 10_000, 'fixover logon to jspurefix over TLS');
    for (let i = 1; i <= 5; i++) {
      engine.send(new Message('D').set(11, `FT-${i}`).set(21, '1').set(55, 'IBM').set(54, '1').set(60, formatUtcTimestamp(Date.now())).set(38, 100).set(40, '2').set(44, '10'), session.id);
    }
    await waitUntil(() => fills.length === 5, 10_000, 'five fills from jspurefix');
    assert.equal(peer.fills(), 5);
  } finally {
    await engine.stop();
    peer.stop();
  }
});
