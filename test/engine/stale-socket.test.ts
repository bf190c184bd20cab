/**
 * A connection the session has let go of (it answered a Logout and closes the socket a moment
 * later) may still send bytes while the next connection is already logged on: those bytes reach
 * nothing, above all not the new connection's session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Acceptor, Session } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import net from 'node:net';
import { once } from 'node:events';
import { FixPeer } from '../support/fix-peer.js';
import { frame } from '../codec/helpers.js';
import { formatUtcTimestamp } from '../../src/codec/index.js';

const msg = (seq: number, body: string): Buffer => frame(`${body.slice(0, body.indexOf('|') + 1)}34=${seq}|49=PEER|52=${formatUtcTimestamp(Date.now(), 3)}|56=EXEC|${body.slice(body.indexOf('|') + 1)}`);

test('bytes from a connection the session already let go of do not reach the next connection', async () => {
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: 'PEER' });
  const session = new Session({ sessionId: id, role: 'acceptor' }, new MemoryStore());
  const acceptor = new Acceptor([session], [{ port: 0, host: '127.0.0.1' }]);
  const [port] = await acceptor.start();
  const peers: FixPeer[] = [];
  let first: net.Socket | undefined;
  try {
    // A counterparty that keeps its side open after ours closes (allowHalfOpen), and still writes.
    first = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    first.on('error', () => undefined);
    await once(first, 'connect');
    let seen = '';
    first.on('data', (d: Buffer) => (seen += d.toString('latin1')));
    first.write(msg(1, '35=A|98=0|108=30|'));
    first.write(msg(2, '35=5|'));
    for (let t = 0; !seen.includes('\x0135=5\x01') && t < 400; t++) await new Promise((r) => setTimeout(r, 5));
    // The session is free at once; the first socket is closed only a second later.
    for (let t = 0; session.hasSocket && t < 100; t++) await new Promise((r) => setTimeout(r, 5));
    const second = await FixPeer.connect(port, 'FIX.4.4', 'PEER', 'EXEC');
    peers.push(second);
    second.seq = 3;
    second.send('35=A|98=0|108=30|');
    await second.waitFor(/\|35=A\|/);
    // The old connection speaks again, with a number the new one has passed.
    first.write(msg(1, '35=1|112=stale|'));
    second.send('35=1|112=fresh|');
    assert.match(await second.waitFor(/\|35=0\|/), /\|112=fresh\|/);
    await new Promise((r) => setTimeout(r, 50));
    second.send('35=1|112=again|');
    const next = await second.waitFor(/\|35=(0|5)\|/);
    assert.match(next, /\|35=0\|.*\|112=again\|/, `the new connection is still logged on: ${next}`);
    assert.ok(session.isLoggedOn);
  } finally {
    for (const p of peers) p.close();
    first?.destroy();
    await acceptor.stop();
  }
});
