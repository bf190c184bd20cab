/**
 * The console's TLS panel in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core), against a real engine with a TLS acceptor and certificates made by openssl at
 * test time: the panel lists the certificate in use with its subject and days left (a certificate
 * valid 400 days is not marked; one expiring within the 30-day warning window is); Reload
 * certificates (confirmed, with the token) after a new pair is put in the files shows the new
 * subject; a key of another certificate is refused and the panel names the key file, its setting
 * and the problem while the subject in use stays.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, chromiumMissing, shot } from '../support/console.js';
import { Engine } from '../../src/engine/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { AdminServer } from '../../src/admin/index.js';
import { makeLeafCert, makeTestCerts, opensslMissing, type TestCerts } from '../support/certs.js';

const TOKEN = 'console-tls-token-0123456789';
const skip = opensslMissing || chromiumMissing;
let certs: TestCerts | undefined;
after(() => certs?.cleanup());

test('console: the TLS panel lists the certificate and its days left, Reload certificates (confirmed) shows the new one, a mismatched key shows the reason and the old subject stays, a soon-expiring one is marked', { skip, timeout: 30_000 }, async (t) => {
  certs = makeTestCerts();
  makeLeafCert(certs, 'server-long', 'localhost', { san: 'DNS:localhost,IP:127.0.0.1', days: 400 });
  const dir = mkdtempSync(join(tmpdir(), 'fixover-console-tls-'));
  const live = { pem: join(dir, 'live.pem'), key: join(dir, 'live.key') };
  copyFileSync(certs.path('server-long.pem'), live.pem);
  copyFileSync(certs.path('server-long.key'), live.key);
  const settings = { BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1', UseDataDictionary: 'N', FileStorePath: dir, SocketUseSSL: 'Y', ServerCertificateFile: 'live.pem', ServerCertificateKeyFile: 'live.key' };
  const engine = await Engine.create([settings], (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }), { baseDir: dir });
  await engine.start();
  const admin = await AdminServer.start(engine, { port: 0, token: TOKEN, auditWrite: () => undefined, processMetrics: false });
  t.after(async () => {
    await admin.stop();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
  const failed: string[] = [];
  page.on('pageerror', (e) => failed.push(e.message));
  await page.goto(admin.url);

  // The certificate in use: file, setting, subject and days left (399 of 400); not marked.
  const row = page.locator(`#tls-certificates tr[data-path="${live.pem}"]`);
  await row.locator('.subject', { hasText: 'CN=localhost' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('#tls-none').isVisible(), false);
  assert.match(await row.innerText(), /live\.pem\s+ServerCertificateFile\s+CN=localhost\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+399/);
  assert.equal(await row.getAttribute('class'), null, 'a certificate valid 400 days is not marked');
  assert.equal(await page.locator('#tls-warnings li').count(), 0);
  assert.equal(await page.locator('#tls-failures').innerText(), '0');

  // A new pair in the files (valid 2 days: within the 30-day warning): Reload, confirmed, shows it, marked.
  copyFileSync(certs.path('firmb.pem'), live.pem);
  copyFileSync(certs.path('firmb.key'), live.key);
  await page.fill('#operator', 'dave');
  await page.fill('#token', TOKEN);
  await page.click('#reload-tls');
  await page.locator('#confirm[open]').waitFor();
  assert.match(await page.locator('#confirm-question').innerText(), /Reload the certificates/);
  await page.click('#confirm-cancel');
  await page.locator('#confirm[open]').waitFor({ state: 'detached' });
  assert.equal(await row.locator('.subject').innerText(), 'CN=localhost', 'cancelled: nothing reloaded');
  await page.click('#reload-tls');
  await page.locator('#confirm[open]').waitFor();
  await page.click('#confirm-ok');
  await page.locator('#message.ok', { hasText: 'Reload certificates: done' }).waitFor();
  await row.locator('.subject', { hasText: 'CN=FIRMB' }).waitFor();
  assert.equal(await row.getAttribute('class'), 'warning');
  assert.match(await row.locator('.days').innerText(), /^[01]$/);
  assert.match(await page.locator('#tls-warnings').innerText(), /live\.pem \(ServerCertificateFile, CN=FIRMB\) expires on/);
  assert.deepEqual(admin.audit.recent().map((a) => [a.who, a.action, a.outcome]), [['dave', 'reload-tls', 'ok']]);

  // A key of another certificate: the reason names the key file; the subject in use stays.
  copyFileSync(certs.path('client.key'), live.key);
  await page.click('#reload-tls');
  await page.locator('#confirm[open]').waitFor();
  await page.click('#confirm-ok');
  const reason = page.locator('#tls-reasons li');
  await reason.first().waitFor();
  assert.equal(await reason.count(), 1);
  assert.equal(await reason.innerText(), `${live.key} (ServerCertificateKeyFile): the key in ${live.key} does not match the certificate in ${live.pem} (ServerCertificateFile)`);
  assert.match(await page.locator('#message').innerText(), /Reload certificates: certificate reload failed for 1 file\(s\); the certificates in use stay/);
  assert.equal(await page.locator('#message').getAttribute('class'), '');
  assert.equal(await row.locator('.subject').innerText(), 'CN=FIRMB');
  await shot(page, dir, 'console-tls-refused.png');
  assert.deepEqual(failed, []);
});
