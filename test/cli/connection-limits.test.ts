/**
 * What the command says about connection limits: a port out of range stops the start with file
 * and line; connections shed to make room for new ones are reported (not once per connection).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixover, start } from './cli.js';
import { seedConfig } from './seed-orders.js';
import { freePort } from '../support/free-port.js';

test('SocketAcceptPort=99999 is refused with file, line and the valid range (it ended in a Node error)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-port-'));
  writeFileSync(join(dir, 'executor.cfg'), seedConfig(99999));
  const r = await fixover(['executor', 'executor.cfg'], undefined, dir);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^executor\.cfg:11: error: SocketAcceptPort: invalid value "99999": expected an integer from 1 to 65535$/m);
  assert.doesNotMatch(r.stderr, /ERR_SOCKET_BAD_PORT|RangeError/);
});

test('fixover executor reports shedding idle connections waiting for a logon, once for a burst', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-shed-'));
  const port = await freePort();
  writeFileSync(join(dir, 'executor.cfg'), seedConfig(port).replace('[session]', 'MaxPendingLogonsPerAddress=2\n[session]'));
  const server = start(['executor', 'executor.cfg'], dir);
  const sockets: net.Socket[] = [];
  try {
    await server.waitFor(/listening on \d+/);
    for (let i = 0; i < 6; i++) {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.on('error', () => undefined);
      sockets.push(s);
      await once(s, 'connect');
    }
    const [line] = await server.waitFor(/fixover: too many connections waiting for a logon: .*\n/);
    assert.equal(line, 'fixover: too many connections waiting for a logon: 1 shed so far to make room for new ones, the oldest idle first from the busiest address (latest from 127.0.0.1, 2 waiting from it, 2 in all)\n');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.output().split('too many connections').length, 2, 'one line for the burst of 4');
  } finally {
    for (const s of sockets) s.destroy();
    server.child.kill('SIGKILL');
  }
});
