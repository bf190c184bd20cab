/**
 * The last-resort boundary, end to end: a SequenceReset to 4294967296 makes the file store throw
 * (a sequence number it cannot record) inside the socket's data callback. The `fixover run`
 * process must stay up: the connection ends with a fault printed, the other session keeps
 * filling orders, and the same counterparty logs on again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from './cli.js';
import { freePort } from '../support/free-port.js';
import { FixPeer, newOrder } from '../support/fix-peer.js';

const config = (port: number): string =>
  `[default]\nFileStorePath=store\nDataDictionary=etc/FIX42.xml\nBeginString=FIX.4.2\nConnectionType=acceptor\nStartTime=00:00:00\nEndTime=00:00:00\nHeartBtInt=30\nSocketAcceptPort=${port}\n` +
  `[session]\nSenderCompID=EXEC\nTargetCompID=BANZAI\n[session]\nSenderCompID=EXEC\nTargetCompID=OTHER\n`;

test('a SequenceReset the store cannot record ends that connection with a fault, not the process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-fault-'));
  const port = await freePort();
  writeFileSync(join(dir, 'fault.cfg'), config(port));
  const server = start(['run', 'fault.cfg', '--app', 'executor'], dir);
  const peers: FixPeer[] = [];
  const peer = async (sender: string): Promise<FixPeer> => {
    const p = await FixPeer.connect(port, 'FIX.4.2', sender, 'EXEC');
    peers.push(p);
    return p;
  };
  try {
    await server.waitFor(/listening on \d+/);
    const other = await peer('OTHER');
    other.send('35=A|98=0|108=30|');
    await other.waitFor(/\|35=A\|/);

    const bad = await peer('BANZAI');
    bad.send('35=A|98=0|108=30|');
    await bad.waitFor(/\|35=A\|/);
    bad.send('35=4|36=4294967296|');
    assert.ok(await bad.closed(), 'the connection is dropped');
    await server.waitFor(/FIX\.4\.2:EXEC->BANZAI fault in data, connection dropped \(fault 1\): RangeError: invalid sequence number 4294967296/);
    assert.equal(server.child.exitCode, null, `the process is still running:\n${server.output()}`);

    other.send(newOrder('after-fault'));
    assert.match(await other.waitFor(/\|35=8\|/), /\|11=after-fault\|/, 'the other session still fills orders');

    // The same counterparty logs on again, its numbers going on from what the store holds.
    const again = await peer('BANZAI');
    again.seq = 2;
    again.send('35=A|98=0|108=30|');
    assert.match(await again.waitFor(/\|35=A\|/), /\|34=2\|/);
    again.send(newOrder('reconnected'));
    assert.match(await again.waitFor(/\|35=8\|/), /\|11=reconnected\|/);
    assert.equal(server.child.exitCode, null, server.output());
  } finally {
    for (const p of peers) p.close();
    server.child.kill('SIGKILL');
  }
});
