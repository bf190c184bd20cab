/**
 * `fixover executor` with TLS, as a user runs it: an expiring certificate is warned about at
 * start-up; SIGHUP reloads the certificate and key (new connections get the new certificate); a
 * bad pair on SIGHUP is reported and the certificate in use stays; a plaintext client is printed
 * as a failed handshake; `fixover admin <url> reload-tls` (HttpAcceptPort) reloads it too, and
 * prints why when a pair is bad (exit code 1, the certificate in use stays).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { start, fixover } from './cli.js';
import { freePort } from '../support/free-port.js';
import { makeTestCerts, opensslMissing, type TestCerts } from '../support/certs.js';

const skip = opensslMissing;
let certs: TestCerts;
const files = (): TestCerts => (certs ??= makeTestCerts());
after(() => certs?.cleanup());

/** The subject CN of the certificate the server presents to a new connection. */
async function servedCN(port: number): Promise<string> {
  const s = tls.connect({ port, host: '127.0.0.1', ca: [], rejectUnauthorized: false });
  await once(s, 'secureConnect');
  const cn = s.getPeerCertificate().subject.CN;
  // Closed the TLS way (not reset), so the server does not count a failed handshake.
  s.end();
  await once(s, 'close');
  return String(cn);
}

test('fixover executor over TLS: expiry warning at start-up, SIGHUP and fixover admin reload-tls reload the certificate, a bad pair keeps the one in use, a plaintext client is reported', { skip, timeout: 40_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-tls-cli-'));
  const [port, http] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'token'), 'tls-cli-token-0123456789\n');
  copyFileSync(files().path('server.pem'), join(dir, 'live.pem'));
  copyFileSync(files().path('server.key'), join(dir, 'live.key'));
  const cfg = join(dir, 'tls.cfg');
  writeFileSync(cfg, `[DEFAULT]\nBeginString=FIX.4.4\nConnectionType=acceptor\nSocketAcceptPort=${port}\nSocketAcceptAddress=127.0.0.1\nUseDataDictionary=N\nSocketUseSSL=Y\nServerCertificateFile=live.pem\nServerCertificateKeyFile=live.key\nHttpAcceptPort=${http}\nHttpAdminTokenFile=token\n[SESSION]\nSenderCompID=EXEC\nTargetCompID=CLIENT\n`);
  const p = start(['executor', cfg], dir);
  try {
    await p.waitFor(/listening on \d+/, 20_000);
    assert.match(p.output(), /fixover: warning: the certificate in .*live\.pem \(ServerCertificateFile, CN=localhost\) expires on .*, in [01] day\(s\)/);
    assert.equal(await servedCN(port), 'localhost');

    copyFileSync(files().path('firmb.pem'), join(dir, 'live.pem'));
    copyFileSync(files().path('firmb.key'), join(dir, 'live.key'));
    p.child.kill('SIGHUP');
    await p.waitFor(/fixover: TLS: certificates reloaded/, 5000);
    assert.equal(await servedCN(port), 'FIRMB', 'new connections get the new certificate');

    copyFileSync(files().path('client.key'), join(dir, 'live.key'));
    p.child.kill('SIGHUP');
    await p.waitFor(/ServerCertificateKeyFile: the key in .*live\.key does not match the certificate in .*live\.pem .*; the certificates in use stay/, 5000);
    assert.equal(await servedCN(port), 'FIRMB', 'the certificate in use stays');

    const plain = net.connect(port, '127.0.0.1');
    plain.on('error', () => undefined);
    await once(plain, 'connect');
    plain.write('8=FIX.4.4\x019=5\x0135=0\x0110=000\x01');
    await p.waitFor(/fixover: TLS: connection from 127\.0\.0\.1 refused \(failure 1\): TLS handshake failed/, 5000);
    plain.destroy();

    // The same through the admin interface: a good pair is reloaded and printed, a bad one refused with its reason.
    const url = `http://127.0.0.1:${http}`;
    copyFileSync(files().path('server.pem'), join(dir, 'live.pem'));
    copyFileSync(files().path('server.key'), join(dir, 'live.key'));
    const ok = await fixover(['admin', url, 'reload-tls', '--token-file', 'token', '--operator', 'erin'], undefined, dir);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^reload-tls: ok; in use now:\n.*live\.pem \(ServerCertificateFile\) CN=localhost: valid until \S+, [01] day\(s\) left\nwarning: the certificate in .*live\.pem .*expires on/);
    assert.match(ok.stdout, /failed handshakes: 1\n/);
    assert.equal(await servedCN(port), 'localhost', 'new connections get the reloaded certificate');
    copyFileSync(files().path('client.key'), join(dir, 'live.key'));
    const bad = await fixover(['admin', url, 'reload-tls', '--token-file', 'token'], undefined, dir);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /HTTP 409: certificate reload failed for 1 file\(s\); the certificates in use stay\n {2}.*live\.key \(ServerCertificateKeyFile\): the key in .*live\.key does not match the certificate in .*live\.pem/);
    assert.equal(bad.stderr.match(/does not match/g)?.length, 1, 'each reason once');
    assert.equal(await servedCN(port), 'localhost', 'the certificate in use stays');
    assert.match(p.output(), /fixover: admin: \S+ erin@127\.0\.0\.1 reload-tls node: ok/);
  } finally {
    p.child.kill('SIGTERM');
    await once(p.child, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
});
