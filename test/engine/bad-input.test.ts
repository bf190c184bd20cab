/**
 * Nothing a counterparty sends can crash the process or affect another session: garbled frames,
 * wrong CompIDs, huge messages, floods before logon, a logon storm, half-open connections, a
 * reader that never reads, an endless sequence gap. A healthy session runs alongside every case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Acceptor, Session } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { Framer, formatUtcTimestamp } from '../../src/codec/index.js';
import { acceptanceApplication } from '../../src/apps/index.js';
import { frame } from '../codec/helpers.js';

const ts = () => formatUtcTimestamp(Date.now(), 3);

function session(target: string, maxQueuedMessages?: number): Session {
  const box: { s?: Session } = {};
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: target });
  box.s = new Session({ sessionId: id, role: 'acceptor', maxQueuedMessages }, new MemoryStore(), acceptanceApplication({ send: (m) => box.s!.send(m) }), {
    tickMs: 100,
    maxQueuedBytes: 256 * 1024,
  });
  return box.s;
}

async function connect(port: number): Promise<net.Socket> {
  const c = net.connect(port, '127.0.0.1');
  c.on('error', () => undefined);
  await once(c, 'connect');
  return c;
}

function reader(socket: net.Socket) {
  const frames: string[] = [];
  const f = new Framer({ onFrame: (b, s, e) => void frames.push(b.toString('latin1', s, e).split('\x01').join('|')), onError: () => undefined });
  socket.on('data', (c: Buffer) => f.push(c));
  return async (ms = 5000): Promise<string> => {
    const t0 = Date.now();
    while (frames.length === 0) {
      if (Date.now() - t0 > ms) throw new Error('no message');
      await new Promise((r) => setTimeout(r, 10));
    }
    return frames.shift()!;
  };
}

const closed = (s: net.Socket, ms = 5000): Promise<boolean> =>
  new Promise((resolve) => {
    if (s.destroyed) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });

async function healthy(port: number, seq: number, c: net.Socket, next: (ms?: number) => Promise<string>): Promise<void> {
  c.write(frame(`35=1|34=${seq}|49=GOOD|52=${ts()}|56=EXEC|112=ping${seq}|`));
  assert.match(await next(), new RegExp(`35=0\\|.*112=ping${seq}\\|`));
  void port;
}

test('hostile input never crashes the process nor disturbs a healthy session', async () => {
  const good = session('GOOD');
  const victim = session('BAD', 50);
  const acceptor = new Acceptor([good, victim], [{ port: 0, host: '127.0.0.1' }], { logonTimeout: 1, maxMessageSize: 64 * 1024, maxPendingConnections: 20 });
  const [port] = await acceptor.start();
  try {
    const g = await connect(port);
    const next = reader(g);
    g.write(frame(`35=A|34=1|49=GOOD|52=${ts()}|56=EXEC|98=0|108=30|`));
    assert.match(await next(), /35=A/);
    let seq = 2;

    // Garbage and garbled frames before a logon: closed after LogonTimeout, nothing sent.
    const garbage = await connect(port);
    garbage.write(Buffer.from('this is not FIX\x01\x02\x03'));
    garbage.write(Buffer.from('8=FIX.4.4\x019=5\x0135=A\x0110=999\x01'));
    assert.equal(await closed(garbage, 3000), true, 'closed after LogonTimeout');
    await healthy(port, seq++, g, next);

    // Wrong CompIDs: dropped silently.
    const wrong = await connect(port);
    wrong.write(frame(`35=A|34=1|49=NOBODY|52=${ts()}|56=EXEC|98=0|108=30|`));
    assert.equal(await closed(wrong), true);

    // A huge message: dropped without buffering it all.
    const huge = await connect(port);
    huge.write(Buffer.from(`8=FIX.4.4\x019=${10 * 1024 * 1024}\x0135=A\x01`));
    huge.write(Buffer.alloc(200 * 1024, 0x41));
    assert.equal(await closed(huge), true, 'oversized first message closes the connection');

    // A flood of bytes before logon without a whole message.
    const flood = await connect(port);
    for (let i = 0; i < 20; i++) flood.write(Buffer.alloc(16 * 1024, 0x42));
    assert.equal(await closed(flood), true);
    await healthy(port, seq++, g, next);

    // Half-open: connects and never says anything.
    const silent = await connect(port);
    assert.equal(await closed(silent, 3000), true, 'silent connection closed after LogonTimeout');

    // Logon storm: many connections at once; the acceptor caps those waiting for a logon.
    const storm = await Promise.all(Array.from({ length: 60 }, () => connect(port)));
    const results = await Promise.all(storm.map((s) => closed(s, 4000)));
    assert.ok(results.every(Boolean), 'every storm connection is closed');
    await healthy(port, seq++, g, next);

    // A logged-on session whose counterparty opens an endless gap: logged out at the bound.
    const bad = await connect(port);
    const badNext = reader(bad);
    bad.write(frame(`35=A|34=1|49=BAD|52=${ts()}|56=EXEC|98=0|108=30|`));
    assert.match(await badNext(), /35=A/);
    for (let i = 0; i < 60; i++) bad.write(frame(`35=0|34=${100 + i}|49=BAD|52=${ts()}|56=EXEC|`));
    assert.equal(await closed(bad), true, 'the gap queue is bounded');
    await healthy(port, seq++, g, next);

    // A reader that never reads: the session buffers up to its bound, then disconnects.
    const slow = await connect(port);
    const slowNext = reader(slow);
    slow.write(frame(`35=A|34=1|49=BAD|52=${ts()}|56=EXEC|98=0|108=30|141=Y|`));
    assert.match(await slowNext(), /35=A/);
    slow.pause();
    const big = `35=D|49=BAD|56=EXEC|11=X|21=1|40=1|54=1|55=IBM|58=${'y'.repeat(4000)}|60=${ts()}|`;
    let n = 2;
    const writer = setInterval(() => {
      for (let i = 0; i < 50 && !slow.destroyed; i++) slow.write(frame(`35=D|34=${n++}|52=${ts()}|${big.slice(5)}`));
    }, 5);
    const dropped = await closed(slow, 15000);
    clearInterval(writer);
    assert.equal(dropped, true, 'a peer that does not read is disconnected');
    await healthy(port, seq++, g, next);
  } finally {
    await acceptor.stop();
  }
});
