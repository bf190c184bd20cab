/**
 * A counterparty that stops reading is disconnected once the executor has 16 MiB queued for it;
 * the reason is printed by the command and written to the session's event log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from './cli.js';
import { seedConfig } from './seed-orders.js';
import { freePort } from '../support/free-port.js';
import { formatUtcTimestamp } from '../../src/codec/index.js';
import { frame } from '../codec/helpers.js';

test('fixover executor prints and logs why it dropped a counterparty that stopped reading', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-slow-'));
  const port = await freePort();
  writeFileSync(join(dir, 'executor.cfg'), seedConfig(port).replace('[session]', 'FileLogPath=logs\n[session]'));
  const server = start(['executor', 'executor.cfg'], dir);
  let c: net.Socket | undefined;
  try {
    await server.waitFor(/listening on \d+/);
    c = net.connect({ port, host: '127.0.0.1' });
    c.on('error', () => undefined);
    await once(c, 'connect');
    const ts = (): string => formatUtcTimestamp(Date.now(), 3);
    c.write(frame(`35=A|34=1|49=BANZAI|52=${ts()}|56=EXEC|98=0|108=30|`, 'FIX.4.2'));
    await once(c, 'data');
    c.pause();
    // Each TestRequest is answered by a Heartbeat echoing its 64 KiB TestReqID; none is read.
    const id = 'r'.repeat(64 * 1024);
    for (let seq = 2; seq < 600 && !c.destroyed; seq++) {
      if (!c.write(frame(`35=1|34=${seq}|49=BANZAI|52=${ts()}|56=EXEC|112=${id}|`, 'FIX.4.2'))) await new Promise((r) => c!.once('drain', r).once('close', r));
    }
    const [line] = await server.waitFor(/fixover: FIX\.4\.2:EXEC->BANZAI disconnected: .*\n/, 20_000);
    assert.equal(line, 'fixover: FIX.4.2:EXEC->BANZAI disconnected: peer is not reading: more than 16777216 bytes queued\n');
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
    const events = readFileSync(join(dir, 'logs/FIX.4.2-EXEC-BANZAI.event.current.log'), 'utf8');
    assert.match(events, / : Logout: peer is not reading: more than 16777216 bytes queued\n/, events.slice(-2000));
  } finally {
    c?.destroy();
    server.child.kill('SIGKILL');
  }
});
