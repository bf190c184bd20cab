/**
 * The HTTP interface over HTTPS (`HttpCertificateFile`, `HttpCertificateKeyFile`), with
 * certificates made by openssl at test time: the API, health and metrics answer over TLS to a
 * client trusting the CA, a plaintext request gets no answer, a client that does not trust the
 * CA is refused, and bad certificate settings name file, line and setting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import http from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type SessionSettingsRecord } from '../../src/engine/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { storeFor } from '../../src/cli/run.js';
import { AdminServer, adminOptionsFrom } from '../../src/admin/index.js';
import { parseSettings, formatProblem } from '../../src/config/index.js';
import { makeTestCerts, opensslMissing } from '../support/certs.js';

const skip = opensslMissing || false;

function get(url: string, ca?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { ca, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

test('HTTPS: health, metrics and the API over TLS; plaintext and untrusted clients get nothing', { skip }, async (t) => {
  const certs = makeTestCerts();
  t.after(() => certs.cleanup());
  const dir = mkdtempSync(join(tmpdir(), 'fixover-admin-tls-'));
  const text = `[DEFAULT]\nHttpAcceptPort=8443\nHttpCertificateFile=${certs.path('server.pem')}\nHttpCertificateKeyFile=${certs.path('server.key')}\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=EXEC\nTargetCompID=CLIENT\nConnectionType=acceptor\nSocketAcceptPort=9000\n`;
  const parsed = parseSettings(text, 'ops.cfg', {});
  assert.deepEqual(parsed.problems.filter((p) => p.severity === 'error').map(formatProblem), []);
  const options = adminOptionsFrom(parsed.sessions.map((s) => s.toRecord()), dir)!;
  assert.ok(options.tls, 'the certificate and key were read');

  const settings: SessionSettingsRecord = { BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1', FileStorePath: dir, UseDataDictionary: 'N' };
  const engine = await Engine.create([settings], (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }), { store: storeFor });
  await engine.start();
  const admin = await AdminServer.start(engine, { ...options, port: 0, host: '127.0.0.1', auditWrite: () => undefined });
  t.after(async () => {
    await admin.stop();
    await engine.stop();
  });
  assert.match(admin.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const ca = readFileSync(certs.path('ca.pem'));
  assert.equal((await get(`${admin.url}/healthz`, ca)).status, 200);
  const sessions = await get(`${admin.url}/api/sessions`, ca);
  assert.equal(sessions.status, 200);
  assert.match(sessions.body, /FIX\.4\.4:EXEC->CLIENT/);
  assert.match((await get(`${admin.url}/metrics`, ca)).body, /fixover_/);
  // Plaintext HTTP to the HTTPS port: no HTTP answer.
  const plain = await get(`http://127.0.0.1:${admin.port}/healthz`).then(
    (r) => `answered ${r.status}`,
    (e: Error) => `refused: ${e.message}`,
  );
  assert.doesNotMatch(plain, /answered 200/);
  // A client that does not trust the CA is refused by its own TLS check.
  await assert.rejects(get(`${admin.url}/healthz`, readFileSync(certs.path('other-ca.pem'))), /self.signed|unable to verify|certificate/i);
});

test('HTTPS settings: half a pair, an unreadable file or a key of another certificate name file, line and setting', { skip }, (t) => {
  const certs = makeTestCerts();
  t.after(() => certs.cleanup());
  const errors = (extra: string): string[] =>
    parseSettings(`[DEFAULT]\nHttpAcceptPort=8443\n${extra}[SESSION]\nBeginString=FIX.4.4\nSenderCompID=EXEC\nTargetCompID=CLIENT\nConnectionType=acceptor\nSocketAcceptPort=9000\n`, 'ops.cfg', {})
      .problems.filter((p) => p.severity === 'error')
      .map(formatProblem);
  assert.match(errors(`HttpCertificateFile=${certs.path('server.pem')}\n`)[0], /^ops\.cfg:3: error: HttpCertificateFile: HttpCertificateKeyFile is not set: expected both/);
  assert.match(errors(`HttpCertificateFile=${certs.path('missing.pem')}\nHttpCertificateKeyFile=${certs.path('server.key')}\n`)[0], /^ops\.cfg:3: error: HttpCertificateFile: cannot read .*missing\.pem/);
  assert.match(errors(`HttpCertificateFile=${certs.path('server.pem')}\nHttpCertificateKeyFile=${certs.path('client.key')}\n`)[0], /^ops\.cfg:4: error: HttpCertificateKeyFile: the key .*client\.key cannot be used with the certificate .*server\.pem/);
  assert.match(errors(`HttpCertificateFile=${certs.path('server.key')}\nHttpCertificateKeyFile=${certs.path('server.key')}\n`)[0], /^ops\.cfg:3: error: HttpCertificateFile: .*holds no PEM certificate/);
});
