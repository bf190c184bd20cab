/**
 * `fixover client` on the failover transport: a client that never logs on gives up after
 * `startupMaxReconnectAttempts` failed passes, exits 1 saying so, and still writes its report with
 * the failover events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import net from 'node:net';
import { fixover } from './cli.js';
import type { ClientReport } from '../../src/client/index.js';

test('fixover client gives up after startupMaxReconnectAttempts: exit 1, and the report lists the attempts and reconnectFailed', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-client-'));
  const srv = net.createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const refused = (srv.address() as net.AddressInfo).port;
  srv.close();
  await once(srv, 'close');
  const endpoint = `tcp://127.0.0.1:${refused}`;
  writeFileSync(
    join(dir, 'client.cfg'),
    `[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.2\nHeartBtInt=30\n[SESSION]\nSenderCompID=BANZAI\nTargetCompID=EXEC\nSocketConnectURI=failover:(${endpoint})?startupMaxReconnectAttempts=2&initialReconnectDelay=20\n`,
  );
  const run = await fixover(['client', 'client.cfg', '--orders', '5', '--report', 'report.json'], undefined, dir);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /gave up reconnecting after 2 attempts/);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ClientReport;
  assert.equal(report.sent, 0);
  assert.deepEqual(
    report.events.map((e) => {
      const d = e.detail as { endpoint?: string; attempt?: number; attempts?: number };
      return [e.event, d.endpoint, d.attempt ?? d.attempts];
    }),
    [
      ['reconnecting', endpoint, 1],
      ['connectFailed', endpoint, 1],
      ['reconnecting', endpoint, 2],
      ['connectFailed', endpoint, 2],
      ['reconnectFailed', undefined, 2],
    ],
  );
});
