/**
 * The web console in a real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * the page loads from the engine's HTTP interface, a session appears when a counterparty logs on
 * (an acceptor template creates it then), the Logout button logs it out after a confirmation and
 * its state changes live. Screenshots go to a temporary folder (and to FIXOVER_SCREENSHOTS when set,
 * which is how docs/images was made).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, chromiumMissing, shot } from '../support/console.js';
import { Engine, type SessionSettingsRecord } from '../../src/engine/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { storeFor } from '../../src/cli/run.js';
import { AdminServer } from '../../src/admin/index.js';
import { FixPeer, newOrder } from '../support/fix-peer.js';

const TOKEN = 'console-token-0123456789';
const skip = chromiumMissing;

test('console: a session appears on logon, the Logout button (confirmed) logs it out, its state changes live', { skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-console-'));
  const template: SessionSettingsRecord = { AcceptorTemplate: 'Y', BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: '*', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1', FileStorePath: dir, UseDataDictionary: 'N', NodeName: 'node-a' };
  const engine = await Engine.create([template], (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }), { store: storeFor, tickMs: 100 });
  const [port] = await engine.start();
  const admin = await AdminServer.start(engine, { port: 0, token: TOKEN, auditWrite: () => undefined });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('pageerror', (e) => failed.push(e.message));
    await page.goto(admin.url);
    await page.locator('#live.on').waitFor({ timeout: 10_000 });
    await page.locator('#node-phase', { hasText: 'running, ready' }).waitFor();
    assert.equal(await page.locator('#sessions tbody tr').count(), 0);
    // No acceptor port uses TLS: the TLS panel says so in one line, without a table or a Reload button.
    await page.locator('#tls-none', { hasText: 'No TLS' }).waitFor();
    assert.equal(await page.locator('#reload-tls').isVisible(), false);
    assert.equal(await page.locator('#tls-certificates').isVisible(), false);

    // A counterparty logs on: its session appears, logged on, with its traffic.
    const peer = await FixPeer.connect(port, 'FIX.4.4', 'CLIENT1', 'EXEC');
    peer.send('35=A|98=0|108=30|');
    await peer.waitFor(/35=A/);
    for (let i = 0; i < 3; i++) peer.send(newOrder(`O${i}`));
    for (let i = 0; i < 3; i++) await peer.waitFor(/35=8/);
    const row = page.locator('tr[data-session="FIX.4.4:EXEC->CLIENT1"]');
    await row.locator('.state', { hasText: 'logged on' }).waitFor({ timeout: 10_000 });
    await row.locator('.seq', { hasText: '5 / 5' }).waitFor({ timeout: 10_000 });
    assert.match(await row.innerText(), /node-a · 1/);
    await page.locator('#activity li.logon').first().waitFor();
    await shot(page, dir, 'console-logged-on.png');

    // Log it out with the button: confirmation first (cancel changes nothing), then the text.
    await page.fill('#operator', 'carol');
    await page.fill('#token', TOKEN);
    await row.locator('button[data-op="logout"]').click();
    await page.locator('#confirm[open]').waitFor();
    assert.match(await page.locator('#confirm-question').innerText(), /Log out FIX\.4\.4:EXEC->CLIENT1\?/);
    await page.click('#confirm-cancel');
    await page.locator('#confirm[open]').waitFor({ state: 'detached' });
    await row.locator('button[data-op="logout"]').click();
    await page.locator('#confirm[open]').waitFor();
    await page.fill('#confirm input[name="text"]', 'end of day');
    await shot(page, dir, 'console-confirm-logout.png');
    await page.click('#confirm-ok');
    assert.match(await peer.waitFor(/35=5/), /58=end of day/);
    peer.send('35=5|');
    await row.locator('.state', { hasText: 'down' }).waitFor({ timeout: 10_000 });
    await row.locator('td', { hasText: 'none (last: node-a · 1)' }).waitFor({ timeout: 10_000 });
    await page.locator('#message.ok', { hasText: 'Logout FIX.4.4:EXEC->CLIENT1: done' }).waitFor();
    await page.locator('#activity li.operation', { hasText: 'logout text="end of day" by carol' }).waitFor();
    await shot(page, dir, 'console-logged-out.png');
    assert.equal(admin.audit.recent().filter((a) => a.outcome === 'ok').length, 1);
    assert.deepEqual(failed, []);
    peer.socket.destroy();
  } finally {
    await browser?.close();
    await admin.stop();
    await engine.stop();
  }
});
