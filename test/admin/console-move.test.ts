/**
 * The web console's Move button in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core), against two real `fixover executor` processes on a shared store: B's console
 * shows the cluster; a counterparty logged on to B is moved to A with the button (confirmation,
 * target chosen among the other active members); the counterparty gets a Logout naming A, logs on
 * at A and trades on, and B's console shows A holding the session. Screenshots go to a temporary
 * folder (and to FIXOVER_SCREENSHOTS when set).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, chromiumMissing, shot } from '../support/console.js';
import { Cluster, freePort, waitUntil } from '../failover/harness.js';
import { FixPeer, newOrder } from '../support/fix-peer.js';

const TOKEN = 'console-move-token-0123456789';
const skip = chromiumMissing;
const CLUSTER = ['ClusterName=east', 'ClusterLeaseTimeout=1500', 'SocketAcceptAddress=127.0.0.1', `HttpAdminToken=${TOKEN}`].join('\n');

test('console: the Move button (confirmed, target chosen) moves a session to another node; the console shows it there', { skip, timeout: 60_000 }, async () => {
  const cluster = new Cluster();
  const [pa, pb, ha, hb] = [await freePort(), await freePort(), await freePort(), await freePort()];
  let browser: Browser | undefined;
  try {
    await cluster.startNode('A', pa, { clients: ['C1'], settings: `${CLUSTER}\nHttpAcceptPort=${ha}` });
    await cluster.startNode('B', pb, { clients: ['C1'], settings: `${CLUSTER}\nHttpAcceptPort=${hb}` });
    const peer = await FixPeer.connect(pb, 'FIX.4.2', 'C1', 'EXEC');
    peer.send('35=A|98=0|108=30|');
    await peer.waitFor(/\|35=A\|/);
    peer.send(newOrder('O1'));
    await peer.waitFor(/\|35=8\|/);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const failed: string[] = [];
    page.on('pageerror', (e) => failed.push(e.message));
    await page.goto(`http://127.0.0.1:${hb}`);
    await page.locator('#live.on').waitFor({ timeout: 10_000 });
    const row = page.locator('tr[data-session="FIX.4.2:EXEC->C1"]');
    await row.locator('.state', { hasText: 'logged on' }).waitFor({ timeout: 10_000 });
    // The cluster part: both members, B holding the session.
    await page.locator('#members li[data-node="A"]', { hasText: 'active' }).waitFor({ timeout: 10_000 });
    await page.locator('#members li[data-node="B"]', { hasText: '1 session(s): FIX.4.2:EXEC->C1' }).waitFor({ timeout: 10_000 });

    await page.fill('#operator', 'carol');
    await page.fill('#token', TOKEN);
    await row.locator('button[data-op="move"]').click();
    await page.locator('#confirm[open]').waitFor();
    assert.match(await page.locator('#confirm-question').innerText(), /Move FIX\.4\.2:EXEC->C1 to another node\?/);
    assert.deepEqual(await page.locator('#confirm select[name="node"] option').allInnerTexts(), ['A'], 'only the other active member');
    await shot(page, cluster.dir, 'console-confirm-move.png');
    await page.click('#confirm-ok');
    await page.locator('#message.ok', { hasText: 'Move FIX.4.2:EXEC->C1 to A: requested' }).waitFor();

    // At a quiet moment B logs the counterparty out naming A; it logs on at A and trades on.
    assert.match(await peer.waitFor(/\|35=5\|/, 15_000), new RegExp(`58=moving to node A \\(tcp://127\\.0\\.0\\.1:${pa}\\): operator`));
    // Not answered: B closes the connection after its LogoutTimeout (the numbers stay where both sides stored them).
    assert.ok(await peer.closed(15_000), 'B closed the connection');
    await waitUntil('B let the session go', () => cluster.owner('C1')?.pid === 0 || cluster.owner('C1')?.node === 'A', 20_000);
    const atA = await FixPeer.connect(pa, 'FIX.4.2', 'C1', 'EXEC');
    atA.seq = peer.seq;
    atA.send('35=A|98=0|108=30|');
    await atA.waitFor(/\|35=A\|/);
    atA.send(newOrder('O2'));
    await atA.waitFor(/\|35=8\|.*11=O2/);

    await row.locator('td', { hasText: /^A · 2 \(other node\)$/ }).waitFor({ timeout: 10_000 });
    await page.locator('#members li[data-node="A"]', { hasText: '1 session(s): FIX.4.2:EXEC->C1' }).waitFor({ timeout: 10_000 });
    await page.locator('#activity li.operation', { hasText: 'move node="A" by carol' }).waitFor();
    await shot(page, cluster.dir, 'console-moved.png');
    assert.deepEqual(failed, []);
    atA.close();
  } catch (e) {
    throw cluster.failure(e);
  } finally {
    await browser?.close();
    cluster.killAll();
  }
});
