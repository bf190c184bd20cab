/**
 * An acceptor's limits from its settings, over real sockets on loopback: `MaxMessageSize` for the
 * first message and for a logged-on session, and `MaxPendingLogons`/`MaxPendingLogonsPerAddress`
 * against a flood of idle connections from one address while a counterparty from another logs on
 * and trades.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Engine, Initiator, Session, type ShedEvent } from '../../src/engine/index.js';
import { APPS } from '../../src/cli/run.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { OrderClient } from '../../src/client/index.js';
import { Framer, formatUtcTimestamp } from '../../src/codec/index.js';
import { frame } from '../codec/helpers.js';

const ts = (): string => formatUtcTimestamp(Date.now(), 3);
const executor = { BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'C', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1' };

/** Frames read from a socket, as text with `|`; `next` waits for one matching `re`. */
function reader(socket: net.Socket): (re: RegExp, ms?: number) => Promise<string> {
  const frames: string[] = [];
  const f = new Framer({ onFrame: (b, s, e) => void frames.push(b.toString('latin1', s, e).split('\x01').join('|')), onError: () => undefined });
  socket.on('data', (c: Buffer) => f.push(c));
  return async (re, ms = 5000) => {
    const t0 = Date.now();
    for (;;) {
      const i = frames.findIndex((x) => re.test(x));
      if (i >= 0) return frames.splice(i, 1)[0];
      if (Date.now() - t0 > ms || socket.destroyed) throw new Error(`no message like ${re} in ${frames.join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
}

const order = (seq: number, id: string, textBytes: number): Buffer =>
  frame(`35=D|34=${seq}|49=C|52=${ts()}|56=EXEC|11=${id}|21=1|38=100|40=1|54=1|55=IBM|58=${'t'.repeat(textBytes)}|60=${ts()}|`);

test('MaxMessageSize from settings: a larger message in a session is a Logout naming the limit; a larger first message closes the connection', async () => {
  const engine = await Engine.create([{ ...executor, MaxMessageSize: '4096' }], APPS.executor);
  const [port] = await engine.start();
  try {
    const refused: string[] = [];
    engine.acceptors[0].on('refused', (_remote, reason) => refused.push(reason));
    const big = net.connect(port, '127.0.0.1');
    big.on('error', () => undefined);
    await once(big, 'connect');
    big.write(frame(`35=A|34=1|49=C|52=${ts()}|56=EXEC|98=0|108=30|95=5000|96=${'x'.repeat(5000)}|`));
    const closed = await Promise.race([once(big, 'close').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
    big.destroy();
    assert.equal(closed, true, 'a first message over 4096 bytes closes the connection');
    assert.match(refused.join('\n'), /^first message too large \(MaxMessageSize\): message of at least 50\d\d bytes exceeds the maximum of 4096$/);

    const c = net.connect(port, '127.0.0.1');
    await once(c, 'connect');
    const next = reader(c);
    c.write(frame(`35=A|34=1|49=C|52=${ts()}|56=EXEC|98=0|108=30|`));
    await next(/35=A\|/);
    c.write(order(2, 'FITS', 3800));
    assert.match(await next(/35=8\|/), /11=FITS\|/, 'a message under the limit is served');
    const ended = once(c, 'close');
    c.write(order(3, 'TOO-BIG', 4200));
    c.write(order(4, 'AFTER', 10));
    // It could never be read, not even resent: the session logs out saying why instead of asking for it again.
    assert.match(await next(/35=5\|/), /\|58=message of at least 4\d{3} bytes exceeds the maximum of 4096 \(MaxMessageSize\)\|/);
    await ended;
    c.destroy();
  } finally {
    await engine.stop();
  }
});

/** Opens `count` connections from `localAddress` that never send a byte, `batch` at a time. */
async function idleConnections(port: number, count: number, sockets: net.Socket[], batch = 200): Promise<void> {
  for (let done = 0; done < count; done += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - done) }, async () => {
        const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
        s.on('error', () => undefined);
        sockets.push(s);
        await Promise.race([once(s, 'connect'), once(s, 'close')]);
      }),
    );
  }
}

test('2,000 idle connections from 127.0.0.1 do not keep out a counterparty logging on from 127.0.0.2: the flood sheds its own oldest', { timeout: 30_000 }, async () => {
  const engine = await Engine.create([{ ...executor, SocketAcceptAddress: '0.0.0.0', BeginString: 'FIX.4.2', TargetCompID: 'BANZAI', LogonTimeout: '30' }], APPS.executor);
  const [port] = await engine.start();
  const acceptor = engine.acceptors[0];
  const shed: ShedEvent[] = [];
  acceptor.on('shed', (e) => shed.push(e));
  const flood: net.Socket[] = [];
  const id = new SessionID({ beginString: 'FIX.4.2', senderCompID: 'BANZAI', targetCompID: 'EXEC' });
  const box: { c?: OrderClient } = {};
  const session = new Session({ sessionId: id, role: 'initiator', heartBtInt: 30 }, new MemoryStore(), { fromApp: (m, s) => box.c!.application().fromApp!(m, s) });
  box.c = new OrderClient(session, { orders: 50, window: 10, settleMs: 5000 });
  const initiator = new Initiator([{ session, endpoints: [{ host: '127.0.0.1', port }], reconnectDelays: [0.2], localAddress: '127.0.0.2' }]);
  try {
    await idleConnections(port, 2000, flood);
    // The flood goes on while the counterparty logs on.
    const more = idleConnections(port, 500, flood, 50);
    const logon = once(session, 'logon');
    initiator.start();
    await Promise.race([logon, new Promise((_, reject) => setTimeout(() => reject(new Error('no logon from 127.0.0.2 within 5 s')), 5000))]);
    const report = await box.c.run();
    await more;
    for (let t0 = Date.now(); acceptor.shedCount + acceptor.pendingCount() < 2500 && Date.now() - t0 < 5000; ) await new Promise((r) => setTimeout(r, 20));
    assert.equal(report.filled, 50, 'every order of the counterparty filled');
    assert.ok(acceptor.pendingCount('127.0.0.1') <= 100, `at most MaxPendingLogonsPerAddress (default 100) wait from one address, not ${acceptor.pendingCount('127.0.0.1')}`);
    assert.ok(acceptor.shedCount >= 2400 && shed.length === acceptor.shedCount, `the flood's oldest idle connections were shed (${acceptor.shedCount})`);
    assert.ok(shed.every((e) => e.remote === '127.0.0.1'), 'only from the flooding address');
  } finally {
    await initiator.stop();
    for (const s of flood) s.destroy();
    await engine.stop();
  }
});

test('MaxPendingLogonsPerAddress and MaxPendingLogons: at a cap the oldest idle connection of the busiest address is shed, a new address gets in', async () => {
  const engine = await Engine.create([{ ...executor, SocketAcceptAddress: '0.0.0.0', MaxPendingLogons: '6', MaxPendingLogonsPerAddress: '3' }], APPS.executor);
  const [port] = await engine.start();
  const acceptor = engine.acceptors[0];
  const sockets: net.Socket[] = [];
  const open = async (from: string, says = ''): Promise<net.Socket> => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: from });
    s.on('error', () => undefined);
    s.resume();
    sockets.push(s);
    await once(s, 'connect');
    if (says) s.write(says);
    await new Promise((r) => setTimeout(r, 50));
    return s;
  };
  const gone = (list: net.Socket[]): boolean[] => list.map((s) => s.destroyed || s.readableEnded);
  try {
    const a = [await open('127.0.0.3', '8=FIX.4.4\x019='), await open('127.0.0.3'), await open('127.0.0.3')];
    a.push(await open('127.0.0.3'));
    assert.deepEqual(gone(a), [false, true, false, false], 'past its own cap an address loses its oldest idle connection (the first has sent bytes)');
    assert.equal(acceptor.pendingCount('127.0.0.3'), 3);
    const b = [await open('127.0.0.4'), await open('127.0.0.4'), await open('127.0.0.5')];
    assert.equal(acceptor.pendingCount(), 6);
    const c = await open('127.0.0.6');
    assert.deepEqual([gone(a), gone(b), gone([c])], [[false, true, true, false], [false, false, false], [false]], 'at the total cap the busiest address loses its oldest idle one');
    assert.equal(acceptor.pendingCount(), 6);
    assert.equal(acceptor.shedCount, 2);
  } finally {
    for (const s of sockets) s.destroy();
    await engine.stop();
  }
});

test('stopping an acceptor closes the connections still waiting for a logon as stopped, not as shed', async () => {
  const engine = await Engine.create([executor], APPS.executor);
  const [port] = await engine.start();
  const refused: string[] = [];
  const shed: ShedEvent[] = [];
  engine.acceptors[0].on('refused', (_remote, reason) => refused.push(reason));
  engine.acceptors[0].on('shed', (e) => shed.push(e));
  const idle = net.connect(port, '127.0.0.1');
  idle.on('error', () => undefined);
  await once(idle, 'connect');
  for (let i = 0; i < 50 && engine.acceptors[0].pendingCount() === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const closed = once(idle, 'close');
  await engine.stop();
  await closed;
  assert.deepEqual(refused, ['acceptor stopped before a logon was received']);
  assert.equal(shed.length, 0);
});
