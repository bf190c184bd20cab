/**
 * `fixover executor` with HttpAcceptPort and `fixover admin` against it, both real processes: the
 * interface starts with the engine, the admin command lists sessions, sets sequence numbers with
 * the token from a file (refused without it), and drains the node (readyz 503 after).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { start, fixover } from './cli.js';
import { freePort } from '../support/free-port.js';
import { FixPeer, newOrder } from '../support/fix-peer.js';
import { openApiDocument } from '../../src/admin/openapi.js';

const TOKEN = 'cli-admin-token-0123456789';

test('fixover admin: sessions, set-seq (token from a file, refused without), drain', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-admin-cli-'));
  const [port, http] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
  writeFileSync(
    join(dir, 'ops.cfg'),
    `[DEFAULT]\nFileStorePath=store\nBeginString=FIX.4.2\nConnectionType=acceptor\nHeartBtInt=30\nSocketAcceptAddress=127.0.0.1\nSocketAcceptPort=${port}\nHttpAcceptPort=${http}\nHttpAdminTokenFile=token\n\n[SESSION]\nSenderCompID=EXEC\nTargetCompID=BANZAI\n`,
  );
  const server = start(['executor', 'ops.cfg'], dir);
  const url = `http://127.0.0.1:${http}`;
  try {
    await server.waitFor(/operations interface on http:\/\/127\.0\.0\.1:\d+/);
    const peer = await FixPeer.connect(port, 'FIX.4.2', 'BANZAI', 'EXEC');
    peer.send('35=A|98=0|108=30|');
    await peer.waitFor(/35=A/);
    peer.send(newOrder('A1'));
    await peer.waitFor(/35=8/);

    const list = await fixover(['admin', url, 'sessions'], undefined, dir);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^SESSION\s+STATE\s+SEQ OUT\/IN/m);
    assert.match(list.stdout, /FIX\.4\.2:EXEC->BANZAI\s+logged on\s+3\/3\s/);

    const refused = await fixover(['admin', url, 'set-seq', 'FIX.4.2:EXEC->BANZAI', '--sender', '50'], undefined, dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HTTP 401: this operation needs the admin token/);

    const set = await fixover(['admin', url, 'set-seq', 'FIX.4.2:EXEC->BANZAI', '--sender', '50', '--target', '9', '--token-file', 'token', '--operator', 'dave'], undefined, dir);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /set-seq: ok\n.*\n.*50\/9/);
    assert.match(server.output(), /fixover: admin: \S+ dave@127\.0\.0\.1 set-seq FIX\.4\.2:EXEC->BANZAI \(nextSender=50 nextTarget=9\): ok/);
    peer.send('35=1|112=T|', 9);
    assert.match(await peer.waitFor(/35=0/), /34=50\|/);

    const usage = await fixover(['admin', url, 'frobnicate'], undefined, dir);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown admin action frobnicate: expected one of sessions, session, node/);

    const drain = await fixover(['admin', url, 'drain', '--text', 'maintenance', '--token-file', 'token'], undefined, dir);
    assert.equal(drain.code, 0, drain.stderr);
    assert.match(await peer.waitFor(/35=5/), /58=maintenance/);
    assert.equal((await fetch(`${url}/readyz`)).status, 503);
    const node = await fixover(['admin', url, 'node', '--json'], undefined, dir);
    assert.equal((JSON.parse(node.stdout) as { phase: string }).phase, 'draining');
    peer.socket.destroy();
    server.child.kill('SIGTERM');
    const [code] = await once(server.child, 'exit');
    assert.equal(code, 0, server.output());
  } finally {
    server.child.kill('SIGKILL');
  }
});

test('docs/openapi.json is the document the server builds from its schemas (npm run gen:openapi)', () => {
  const file = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as unknown;
  assert.deepEqual(file, JSON.parse(JSON.stringify(openApiDocument())));
});
