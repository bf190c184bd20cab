/**
 * Numbers a counterparty sends cannot take the node down: the `fixover executor` command, with a
 * file store and two sessions, gets a SequenceReset to 4294967296 (past the store's limit) and
 * MsgSeqNums it cannot count on one session, answers each per FIX, and the other session keeps
 * answering. Run as a separate process, so that an uncaught exception would show as its exit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Framer, formatUtcTimestamp } from '../../src/codec/index.js';
import { frame } from '../codec/helpers.js';
import { start } from '../cli/cli.js';
import { freePort } from '../support/free-port.js';

const ts = () => formatUtcTimestamp(Date.now(), 3);

function config(port: number): string {
  return [
    '[default]',
    'FileStorePath=store',
    'DataDictionary=etc/FIX42.xml',
    'BeginString=FIX.4.2',
    'ConnectionType=acceptor',
    'StartTime=00:00:00',
    'EndTime=00:00:00',
    'HeartBtInt=30',
    `SocketAcceptPort=${port}`,
    'SocketAcceptHost=127.0.0.1',
    '[session]',
    'SenderCompID=EXEC',
    'TargetCompID=ONE',
    '[session]',
    'SenderCompID=EXEC',
    'TargetCompID=TWO',
    '',
  ].join('\n');
}

/** A logged-on counterparty on its own connection: `send` a body, `next` message received. */
async function counterparty(port: number, name: string, exited: () => string | null) {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const frames: string[] = [];
  const framer = new Framer({ onFrame: (b, s, e) => void frames.push(b.toString('latin1', s, e).split('\x01').join('|')), onError: () => undefined });
  socket.on('data', (c: Buffer) => framer.push(c));
  const send = (body: string, seq: number | string): void => {
    const [type, ...rest] = body.split('|');
    socket.write(frame(`${type}|34=${seq}|49=${name}|52=${ts()}|56=EXEC|${rest.join('|')}`, 'FIX.4.2'));
  };
  const next = async (ms = 10_000): Promise<string> => {
    const t0 = Date.now();
    while (frames.length === 0) {
      const exit = exited();
      if (exit !== null) throw new Error(`${name}: no message, the executor exited: ${exit}`);
      if (Date.now() - t0 > ms) throw new Error(`${name}: no message`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return frames.shift()!;
  };
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  send('35=A|98=0|108=30|', 1);
  assert.match(await next(), /\|35=A\|/);
  return { socket, send, next, closed };
}

test('a SequenceReset to 4294967296 or an uncountable MsgSeqNum is answered per FIX; the executor and its other session carry on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-numbers-'));
  const port = await freePort();
  writeFileSync(join(dir, 'executor.cfg'), config(port));
  const server = start(['executor', 'executor.cfg'], dir);
  try {
    await server.waitFor(/listening on \d+/);
    const exited = () => (server.child.exitCode === null ? null : `code ${server.child.exitCode}\n${server.output()}`);
    const one = await counterparty(port, 'ONE', exited);
    const two = await counterparty(port, 'TWO', exited);

    one.send('35=4|36=4294967296|', 2);
    const reject = await one.next();
    assert.match(reject, /\|35=3\|.*\|45=2\|.*\|371=36\|/, server.output());
    one.send('35=1|112=one|', 2);
    assert.match(await one.next(), /\|35=0\|.*\|112=one\|/);

    two.send('35=1|112=two|', 2);
    assert.match(await two.next(), /\|35=0\|.*\|112=two\|/);

    // A MsgSeqNum past what a session counts: a Logout that says so, then the connection closes.
    one.send('35=1|112=late|', '99999999999999999999');
    assert.match(await one.next(), /\|35=5\|.*\|58=MsgSeqNum\(34\) 99999999999999999999 is out of range/);
    await one.closed;

    two.send('35=1|112=still|', 3);
    assert.match(await two.next(), /\|35=0\|.*\|112=still\|/);
    assert.equal(server.child.exitCode, null, server.output());
    // The store holds valid numbers: ONE's next expected is 3 (the SequenceReset was refused).
    assert.match(readFileSync(join(dir, 'store', 'FIX.4.2-EXEC-ONE.seqnums'), 'latin1'), /^\d{10} : 0000000003$/);
    two.socket.destroy();
  } finally {
    server.child.kill('SIGKILL');
  }
});
