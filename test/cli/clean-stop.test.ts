/**
 * A clean stop is a success: SIGTERM on an engine whose sessions (file store, session ownership as
 * in examples/failover) never had a connection exits 0 and says nothing about fencing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { start } from './cli.js';
import { freePort } from '../support/free-port.js';

function ownedConfig(port: number): string {
  return [
    '[default]',
    'FileStorePath=store',
    'BeginString=FIX.4.2',
    'ConnectionType=acceptor',
    'StartTime=00:00:00',
    'EndTime=00:00:00',
    'HeartBtInt=30',
    `SocketAcceptPort=${port}`,
    'RefreshOnLogon=Y',
    'NodeName=node-a',
    'SessionOwnership=Y',
    'SessionLeaseTimeout=5',
    '',
    '[session]',
    'SenderCompID=EXEC',
    'TargetCompID=BANZAI',
    '',
  ].join('\n');
}

test('SIGTERM on an owned-store engine no session connected to exits 0 without a word about fencing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-stop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'node.cfg'), ownedConfig(await freePort()));
  // Twice: a new store, then the store the first run left.
  for (const run of ['new store', 'existing store']) {
    const server = start(['run', 'node.cfg', '--app', 'executor'], dir);
    try {
      await server.waitFor(/listening on \d+/);
      server.child.kill('SIGTERM');
      const [code] = await once(server.child, 'exit');
      assert.equal(code, 0, `${run}:\n${server.output()}`);
      assert.doesNotMatch(server.output(), /fenc|owner/i, run);
    } finally {
      server.child.kill('SIGKILL');
    }
  }
});
