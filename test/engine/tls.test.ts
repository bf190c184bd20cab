/**
 * TLS between fixover acceptors and initiators, configured by settings, with certificates made by
 * openssl at test time: a round trip; a plaintext client refused; a server from another CA, an
 * expired server certificate refused by the initiator; mutual TLS with and without a client
 * certificate, expired and wrong-CA client certificates; the CompID binding of client
 * certificates; failed handshakes counted.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Engine, type Session } from '../../src/engine/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { Message, formatUtcTimestamp } from '../../src/codec/index.js';
import type { SessionID } from '../../src/session/index.js';
import { freePort } from '../support/free-port.js';
import { keytoolMissing, makeTestCerts, opensslMissing, type TestCerts } from '../support/certs.js';

const skip = opensslMissing;
let certs: TestCerts;
const files = (): TestCerts => (certs ??= makeTestCerts());
after(() => certs?.cleanup());

type Settings = Record<string, string>;

const base = (role: 'acceptor' | 'initiator', port: number, extra: Settings, ids: [string, string]): Settings => ({
  BeginString: 'FIX.4.4',
  SenderCompID: ids[0],
  TargetCompID: ids[1],
  ConnectionType: role,
  HeartBtInt: '30',
  ResetOnLogon: 'Y',
  UseDataDictionary: 'N',
  ...(role === 'acceptor' ? { SocketAcceptPort: String(port), SocketAcceptAddress: '127.0.0.1' } : { SocketConnectHost: '127.0.0.1', SocketConnectPort: String(port), ReconnectInterval: '1', LogonTimeout: '2' }),
  ...extra,
});

async function acceptor(extra: Settings, sessions: Array<[string, string]> = [['EXEC', 'CLIENT']]): Promise<{ engine: Engine; port: number; refused: string[] }> {
  const port = await freePort();
  const engine = await Engine.create(
    sessions.map((ids) => base('acceptor', port, extra, ids)),
    (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }),
    { baseDir: files().dir, tickMs: 100 },
  );
  const refused: string[] = [];
  for (const a of engine.acceptors) a.on('refused', (_remote, reason) => refused.push(reason));
  await engine.start();
  return { engine, port, refused };
}

async function initiator(port: number, extra: Settings, ids: [string, string] = ['CLIENT', 'EXEC']): Promise<{ engine: Engine; session: Session; fills: string[] }> {
  const fills: string[] = [];
  const engine = await Engine.create([base('initiator', port, extra, ids)], () => ({ fromApp: (m) => void fills.push(m.getString(11)) }), { baseDir: files().dir, tickMs: 100 });
  const session = [...engine.sessions.values()][0];
  return { engine, session, fills };
}

/** Resolves true when the session logs on within `ms`, false otherwise. */
function logsOn(session: Session, ms: number): Promise<boolean> {
  if (session.isLoggedOn) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    session.once('logon', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const order = (id: string): Message => new Message('D').set(11, id).set(21, '1').set(55, 'IBM').set(54, '1').set(60, formatUtcTimestamp(Date.now())).set(38, 100).set(40, '2').set(44, '10');

const serverPem = { SocketUseSSL: 'Y', ServerCertificateFile: 'server.pem', ServerCertificateKeyFile: 'server.key' };
const trustCa = { SocketUseSSL: 'Y', CertificateAuthoritiesFile: 'ca.pem' };

test('TLS acceptor and initiator (QuickFIX C++ PEM settings): logon and an order filled; a plaintext client never gets a byte of FIX and is counted', { skip, timeout: 30_000 }, async () => {
  const a = await acceptor(serverPem);
  const c = await initiator(a.port, trustCa);
  try {
    await c.engine.start();
    assert.equal(await logsOn(c.session, 5000), true, 'logged on over TLS');
    c.engine.send(order('T1'), c.session.id as SessionID);
    await waitFor(() => c.fills.includes('T1'), 5000, 'the fill');

    const failures: string[] = [];
    a.engine.acceptors[0].on('tlsFailure', (e) => failures.push(e.reason));
    const plain = net.connect(a.port, '127.0.0.1');
    await once(plain, 'connect');
    const logon = '8=FIX.4.4\x019=63\x0135=A\x0134=1\x0149=CLIENT\x0152=20260101-00:00:00\x0156=EXEC\x0198=0\x01108=30\x0110=000\x01';
    const received: Buffer[] = [];
    plain.on('data', (d: Buffer) => received.push(d));
    plain.on('error', () => undefined);
    plain.write(logon);
    await once(plain, 'close');
    assert.ok(!Buffer.concat(received).toString('latin1').includes('8=FIX'), 'no FIX message to a plaintext client');
    await waitFor(() => failures.length > 0, 2000, 'the handshake failure event');
    assert.match(failures[0], /TLS handshake failed: .*(wrong version|http request|unknown protocol|packet length)/i);
    assert.equal(a.engine.tlsFailureCount, 1, 'counted');
    assert.equal(c.session.isLoggedOn, true, 'the TLS session is not disturbed');
  } finally {
    await c.engine.stop();
    await a.engine.stop();
  }
});

for (const [name, cert, expected] of [
  ['a server certificate from a CA the initiator does not trust', 'server-other', /TLS handshake failed: .*(self.signed|unable to (get|verify))/i],
  ['an expired server certificate', 'server-expired', /TLS handshake failed: .*expired/i],
] as const) {
  test(`the initiator refuses ${name}: no logon, the failure counted with its reason`, { skip, timeout: 20_000 }, async () => {
    const a = await acceptor({ SocketUseSSL: 'Y', ServerCertificateFile: `${cert}.pem`, ServerCertificateKeyFile: `${cert}.key` });
    const c = await initiator(a.port, trustCa);
    const reasons: string[] = [];
    c.engine.initiator!.on('connectFailed', (e) => reasons.push(e.reason));
    try {
      await c.engine.start();
      assert.equal(await logsOn(c.session, 1500), false);
      await waitFor(() => reasons.length > 0, 3000, 'a failed connection');
      assert.match(reasons[0], expected);
      assert.ok(c.engine.tlsFailureCount >= 1);
      assert.equal(a.engine.sessions.values().next().value!.isLoggedOn, false);
    } finally {
      await c.engine.stop();
      await a.engine.stop();
    }
  });
}

test('mutual TLS (NeedClientAuth=Y): a client certificate from the trusted CA logs on; none, an expired one or one from another CA is refused at the handshake and counted', { skip, timeout: 40_000 }, async () => {
  const a = await acceptor({ ...serverPem, NeedClientAuth: 'Y', CertificateAuthoritiesFile: 'ca.pem' });
  try {
    const good = await initiator(a.port, { ...trustCa, ClientCertificateFile: 'client.pem', ClientCertificateKeyFile: 'client.key' });
    await good.engine.start();
    assert.equal(await logsOn(good.session, 5000), true, 'a valid client certificate logs on');
    await good.engine.stop();

    // PKCS#12 key store and trust store (QuickFIX/J settings) work the same.
    const p12 = await initiator(a.port, { SocketUseSSL: 'Y', SocketKeyStore: 'client.p12', SocketKeyStorePassword: 'storepass', SocketTrustStore: 'truststore.p12', SocketTrustStorePassword: 'trustpass' });
    await p12.engine.start();
    assert.equal(await logsOn(p12.session, 5000), true, 'a PKCS#12 client key store logs on');
    await p12.engine.stop();
    if (!keytoolMissing) {
      const javaStores = await initiator(a.port, { SocketUseSSL: 'Y', SocketKeyStore: 'client.jks', SocketKeyStorePassword: 'storepass', SocketTrustStore: 'truststore.jks', SocketTrustStorePassword: 'trustpass' });
      await javaStores.engine.start();
      assert.equal(await logsOn(javaStores.session, 5000), true, 'JKS key and trust stores (keytool) log on');
      await javaStores.engine.stop();
    }

    for (const [what, extra] of [
      ['no client certificate', {}],
      ['an expired client certificate', { ClientCertificateFile: 'client-expired.pem', ClientCertificateKeyFile: 'client-expired.key' }],
      ['a client certificate from another CA', { ClientCertificateFile: 'client-other.pem', ClientCertificateKeyFile: 'client-other.key' }],
    ] as const) {
      const before = a.engine.tlsFailureCount;
      const bad = await initiator(a.port, { ...trustCa, ...extra });
      await bad.engine.start();
      assert.equal(await logsOn(bad.session, 1500), false, `${what}: refused`);
      await waitFor(() => a.engine.tlsFailureCount > before, 3000, `${what}: the acceptor counts the failure`);
      await bad.engine.stop();
    }
  } finally {
    await a.engine.stop();
  }
});

test('CertificateCompIDBinding: the client certificate must name the CompID it logs on as (CN, SAN or either); firm B cannot log on as CLIENT', { skip, timeout: 40_000 }, async () => {
  const mtls = { ...serverPem, NeedClientAuth: 'Y', CertificateAuthoritiesFile: 'ca.pem' };
  const a = await acceptor({ ...mtls, CertificateCompIDBinding: 'any' }, [
    ['EXEC', 'CLIENT'],
    ['EXEC', 'FIRMB'],
  ]);
  const client = (cert: string, ids: [string, string]): Promise<Awaited<ReturnType<typeof initiator>>> => initiator(a.port, { ...trustCa, ClientCertificateFile: `${cert}.pem`, ClientCertificateKeyFile: `${cert}.key` }, ids);
  try {
    const own = await client('client', ['CLIENT', 'EXEC']);
    await own.engine.start();
    assert.equal(await logsOn(own.session, 5000), true, 'CN=CLIENT logs on as CLIENT');
    await own.engine.stop();

    const san = await client('client-san', ['CLIENT', 'EXEC']);
    await san.engine.start();
    assert.equal(await logsOn(san.session, 5000), true, 'SAN DNS:CLIENT logs on as CLIENT under "any"');
    await san.engine.stop();

    const impostor = await client('firmb', ['CLIENT', 'EXEC']);
    await impostor.engine.start();
    assert.equal(await logsOn(impostor.session, 1500), false, 'FIRMB certificate cannot log on as CLIENT');
    await impostor.engine.stop();
    assert.ok(
      a.refused.some((r) => /FIX\.4\.4:EXEC->CLIENT: client certificate \(subject CN or alternative names: FIRMB, FIRMB\) does not name CompID CLIENT/.test(r)),
      a.refused.join('\n'),
    );

    const firmB = await client('firmb', ['FIRMB', 'EXEC']);
    await firmB.engine.start();
    assert.equal(await logsOn(firmB.session, 5000), true, 'FIRMB logs on as itself');
    await firmB.engine.stop();
  } finally {
    await a.engine.stop();
  }
  const cnOnly = await acceptor({ ...mtls, CertificateCompIDBinding: 'cn' });
  try {
    const san = await initiator(cnOnly.port, { ...trustCa, ClientCertificateFile: 'client-san.pem', ClientCertificateKeyFile: 'client-san.key' });
    await san.engine.start();
    assert.equal(await logsOn(san.session, 1500), false, 'under "cn" a SAN is not enough');
    await san.engine.stop();
    assert.ok(cnOnly.refused.some((r) => /subject CN: someone\) does not name CompID CLIENT/.test(r)), cnOnly.refused.join('\n'));
  } finally {
    await cnOnly.engine.stop();
  }
});

test('sessions sharing a port must agree on TLS: one TLS and one plaintext session on the same port refuse to start', { skip }, async () => {
  const port = await freePort();
  const plain = base('acceptor', port, {}, ['EXEC', 'A']);
  const secure = base('acceptor', port, serverPem, ['EXEC', 'B']);
  await assert.rejects(
    Engine.create([plain, secure], () => ({}), { baseDir: files().dir }),
    /SocketUseSSL: sessions EXEC->A and EXEC->B listen on the same port .* with different TLS settings/,
  );
});

test('handshakes in progress count against MaxPendingLogons: silent TCP connections to a TLS port are shed to make room, and a real client still logs on', { skip, timeout: 30_000 }, async () => {
  const a = await acceptor({ ...serverPem, MaxPendingLogons: '2' });
  const silent: net.Socket[] = [];
  const c = await initiator(a.port, trustCa);
  try {
    const acc = a.engine.acceptors[0];
    for (let i = 0; i < 3; i++) {
      const s = net.connect(a.port, '127.0.0.1');
      s.on('error', () => undefined);
      await once(s, 'connect');
      silent.push(s);
    }
    await waitFor(() => acc.shedCount === 1 && acc.pendingCount() === 2, 2000, 'the oldest silent connection shed');
    assert.ok(a.refused.some((r) => /TLS handshake in progress/.test(r)), a.refused.join('\n'));
    await c.engine.start();
    assert.equal(await logsOn(c.session, 5000), true, 'a real client makes room and logs on');
    assert.equal(acc.shedCount, 2);
  } finally {
    for (const s of silent) s.destroy();
    await c.engine.stop();
    await a.engine.stop();
  }
});
