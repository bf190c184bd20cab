/**
 * The node's TLS through the admin interface, with certificates made by openssl at test time and
 * a real TLS acceptor: GET /api/node/tls shows the certificate in use and its expiry; POST
 * /api/node/tls/reload with the token reads the replaced files (a new client sees the new
 * certificate); a key of another certificate is refused with 409 and the reason (file, setting,
 * problem) while the certificate in use stays; without the token it is refused; /metrics serves
 * the expiry timestamp (the certificate's notAfter), the failed handshakes (rising after a client
 * trusting another CA fails) and the reloads by result; a node without TLS answers 409 no_tls.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { once } from 'node:events';
import { Engine } from '../../src/engine/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { AdminClient, AdminClientError, AdminServer, type TlsReloadReason } from '../../src/admin/index.js';
import { makeTestCerts, opensslMissing, type TestCerts } from '../support/certs.js';

const skip = opensslMissing;
const TOKEN = 'tls-token-0123456789abcdef';
let certs: TestCerts;
const files = (): TestCerts => (certs ??= makeTestCerts());
after(() => certs?.cleanup());

/** The certificate a new TLS client of `port` is served (its subject CN and serial). */
async function served(port: number): Promise<{ cn: string; serial: string }> {
  const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  await once(s, 'secureConnect');
  const c = s.getPeerCertificate();
  // Closed the TLS way (not reset), so the server does not count a failed handshake.
  s.end();
  await once(s, 'close');
  return { cn: String(c.subject.CN), serial: c.serialNumber };
}

const serialOf = (file: string): string => new X509Certificate(readFileSync(file)).serialNumber;

async function waitUntil(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function node(extra: Record<string, string>, dir: string): Promise<{ engine: Engine; admin: AdminServer; port: number; audit: string[] }> {
  const settings = { BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1', UseDataDictionary: 'N', FileStorePath: dir, ...extra };
  const engine = await Engine.create([settings], (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }), { baseDir: dir });
  const [port] = await engine.start();
  const audit: string[] = [];
  const admin = await AdminServer.start(engine, { port: 0, token: TOKEN, auditWrite: (l) => void audit.push(l), processMetrics: false });
  return { engine, admin, port, audit };
}

test('admin API: TLS certificates shown, reloaded with the token (a new client sees the new one), a bad key refused with its reason, metrics of expiry, handshake failures and reloads', { skip, timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-admin-tls-reload-'));
  const live = { pem: join(dir, 'live.pem'), key: join(dir, 'live.key') };
  copyFileSync(files().path('server.pem'), live.pem);
  copyFileSync(files().path('server.key'), live.key);
  const n = await node({ SocketUseSSL: 'Y', ServerCertificateFile: 'live.pem', ServerCertificateKeyFile: 'live.key' }, dir);
  t.after(async () => {
    await n.admin.stop();
    await n.engine.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const client = new AdminClient(n.admin.url, { token: TOKEN, operator: 'ops' });

  // What is in use, with its expiry (the test certificates are valid 2 days: within the 30-day warning).
  const notAfter = new Date(new X509Certificate(readFileSync(live.pem)).validTo);
  const before = await client.tls();
  assert.equal(before.tls, true);
  assert.deepEqual(
    before.certificates.map((c) => [c.path, c.setting, c.subject, c.notAfter, c.daysLeft]),
    [[live.pem, 'ServerCertificateFile', 'CN=localhost', notAfter.toISOString(), Math.floor((notAfter.getTime() - Date.now()) / 86_400_000)]],
  );
  assert.match(before.certificates[0].warning ?? '', /live\.pem \(ServerCertificateFile, CN=localhost\) expires on/);
  assert.deepEqual(before.warnings, [before.certificates[0].warning]);
  const first = await served(n.port);
  assert.deepEqual(first, { cn: 'localhost', serial: serialOf(files().path('server.pem')) });

  // /metrics: the expiry timestamp is the certificate's notAfter; nothing failed yet.
  const metrics = async (): Promise<string> => (await fetch(`${n.admin.url}/metrics`)).text();
  const value = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' '));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const nodeLabel = `node="${n.engine.nodeName}"`;
  const expirySeries = `fixover_tls_certificate_expiry_timestamp_seconds{${nodeLabel},certificate="${live.pem}"}`;
  let m = await metrics();
  assert.equal(value(m, expirySeries), notAfter.getTime() / 1000);
  assert.equal(value(m, `fixover_tls_handshake_failures_total{${nodeLabel}}`), 0);
  assert.equal(value(m, `fixover_tls_reloads_total{${nodeLabel},result="ok"}`), 0);

  // A client trusting another CA fails its handshake: the counter rises.
  const wrongCa = tls.connect({ port: n.port, host: '127.0.0.1', ca: readFileSync(files().path('other-ca.pem')) });
  await assert.rejects(once(wrongCa, 'secureConnect'), /self.signed|unable to (get|verify)/i);
  await waitUntil(async () => value(await metrics(), `fixover_tls_handshake_failures_total{${nodeLabel}}`) === 1, 3000, 'the failed handshake counted');

  // Without the token, the reload is refused (and audited); the files are not read.
  await assert.rejects(new AdminClient(n.admin.url).reloadTls(), (e: AdminClientError) => e.status === 401);
  assert.ok(n.audit.some((l) => /POST \/api\/node\/tls\/reload.*refused/.test(l)), n.audit.join('\n'));

  // A new pair in the files: reloaded, answered with what is in use, and a new client sees it.
  copyFileSync(files().path('firmb.pem'), live.pem);
  copyFileSync(files().path('firmb.key'), live.key);
  const reloaded = await client.reloadTls();
  assert.deepEqual(
    reloaded.certificates.map((c) => [c.path, c.subject]),
    [[live.pem, 'CN=FIRMB']],
  );
  const second = await served(n.port);
  assert.deepEqual(second, { cn: 'FIRMB', serial: serialOf(files().path('firmb.pem')) });
  assert.notEqual(second.serial, first.serial);
  assert.ok(n.audit.some((l) => /ops.*reload-tls.*ok/.test(l)), n.audit.join('\n'));

  // A key of another certificate: 409 with the reason; the certificate in use stays.
  copyFileSync(files().path('client.key'), live.key);
  const refused = await client.reloadTls().then(
    () => assert.fail('a mismatched key was accepted'),
    (e: unknown) => e as AdminClientError,
  );
  assert.ok(refused instanceof AdminClientError);
  assert.equal(refused.status, 409);
  assert.equal(refused.code, 'tls_reload_failed');
  assert.deepEqual(refused.body.reasons as TlsReloadReason[], [
    { file: live.key, setting: 'ServerCertificateKeyFile', problem: `the key in ${live.key} does not match the certificate in ${live.pem} (ServerCertificateFile)` },
  ]);
  assert.match(refused.message, /certificates in use stay/);
  assert.deepEqual(await served(n.port), second, 'a new client still sees the certificate in use');
  assert.equal((await client.tls()).certificates[0].subject, 'CN=FIRMB');
  assert.ok(n.audit.some((l) => /reload-tls.*failed: .*does not match/.test(l)), n.audit.join('\n'));

  m = await metrics();
  assert.equal(value(m, `fixover_tls_reloads_total{${nodeLabel},result="ok"}`), 1);
  assert.equal(value(m, `fixover_tls_reloads_total{${nodeLabel},result="failed"}`), 1);
  assert.equal(value(m, expirySeries), new Date(new X509Certificate(readFileSync(files().path('firmb.pem'))).validTo).getTime() / 1000);
});

test('admin API: a node without TLS answers the reload with 409 no_tls, and shows no certificates', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-admin-no-tls-'));
  const n = await node({}, dir);
  t.after(async () => {
    await n.admin.stop();
    await n.engine.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const client = new AdminClient(n.admin.url, { token: TOKEN });
  assert.deepEqual(await client.tls(), { tls: false, certificates: [], warnings: [], handshakeFailures: 0 });
  await assert.rejects(client.reloadTls(), (e: AdminClientError) => e.status === 409 && e.code === 'no_tls' && /serves no TLS/.test(e.message));
  // A body with anything in it is refused by the schema.
  const res = await fetch(`${n.admin.url}/api/node/tls/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"force":true}' });
  assert.equal(res.status, 400);
  assert.doesNotMatch(await (await fetch(`${n.admin.url}/metrics`)).text(), /^fixover_tls_/m);
});

test('admin API: a reload where one initiator session has a bad key reloads the others and names the file at fault', { skip, timeout: 20_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-admin-tls-initiators-'));
  for (const [to, from] of [['a', 'client'], ['b', 'client']]) {
    copyFileSync(files().path(`${from}.pem`), join(dir, `${to}.pem`));
    copyFileSync(files().path(`${from}.key`), join(dir, `${to}.key`));
  }
  copyFileSync(files().path('ca.pem'), join(dir, 'ca.pem'));
  const session = (sender: string, file: string): Record<string, string> => ({
    BeginString: 'FIX.4.4', SenderCompID: sender, TargetCompID: 'EXEC', ConnectionType: 'initiator', SocketConnectHost: '127.0.0.1', SocketConnectPort: '9', HeartBtInt: '30', UseDataDictionary: 'N', FileStorePath: dir,
    SocketUseSSL: 'Y', CertificateAuthoritiesFile: 'ca.pem', ClientCertificateFile: `${file}.pem`, ClientCertificateKeyFile: `${file}.key`,
  });
  // Not started: the sessions' TLS contexts exist from creation, no connection is needed to reload them.
  const engine = await Engine.create([session('A', 'a'), session('B', 'b')], () => ({}), { baseDir: dir });
  const admin = await AdminServer.start(engine, { port: 0, token: TOKEN, auditWrite: () => undefined, processMetrics: false });
  t.after(async () => {
    await admin.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const client = new AdminClient(admin.url, { token: TOKEN });
  assert.deepEqual((await client.tls()).certificates.map((c) => [c.path, c.subject]), [[join(dir, 'a.pem'), 'CN=CLIENT'], [join(dir, 'b.pem'), 'CN=CLIENT']]);

  // a gets a new pair, b a key of another certificate: a is reloaded, b keeps its certificate and is named.
  copyFileSync(files().path('firmb.pem'), join(dir, 'a.pem'));
  copyFileSync(files().path('firmb.key'), join(dir, 'a.key'));
  copyFileSync(files().path('firmb.key'), join(dir, 'b.key'));
  const refused = await client.reloadTls().then(
    () => assert.fail('a mismatched key was accepted'),
    (e: unknown) => e as AdminClientError,
  );
  assert.equal(refused.status, 409);
  assert.deepEqual(refused.body.reasons, [{ file: join(dir, 'b.key'), setting: 'ClientCertificateKeyFile', problem: `the key in ${join(dir, 'b.key')} does not match the certificate in ${join(dir, 'b.pem')} (ClientCertificateFile)` }]);
  const inUse = (refused.body.tls as { certificates: Array<{ path: string; subject: string }> }).certificates;
  assert.deepEqual(inUse.map((c) => [c.path, c.subject]), [[join(dir, 'a.pem'), 'CN=FIRMB'], [join(dir, 'b.pem'), 'CN=CLIENT']]);
});
