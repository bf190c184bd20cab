/**
 * The last-resort boundary in the engine: an error nothing else handled, in a store continuation
 * of a session or before an acceptor's connection reaches a session, ends that connection with a
 * fault (counted, emitted) instead of escaping to the process; the session serves the next one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { Acceptor, Initiator, Session, type SessionFaultEvent, type AcceptorFaultEvent } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { Framer, Message, formatUtcTimestamp } from '../../src/codec/index.js';
import { frame } from '../codec/helpers.js';
import { FixPeer } from '../support/fix-peer.js';
import { printFaults } from '../../src/cli/run.js';

/** Collects what escapes to the process while `fn` runs. */
async function noEscapes(fn: () => Promise<void>): Promise<void> {
  const escaped: unknown[] = [];
  const record = (e: unknown): void => void escaped.push(e);
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  try {
    await fn();
  } finally {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  }
  assert.deepEqual(escaped, []);
}

test('an error in a resend (a store continuation) drops the connection with a fault; the session serves the next one', async () => {
  await noEscapes(async () => {
    const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: 'PEER' });
    const session = new Session({ sessionId: id, role: 'acceptor' }, new MemoryStore(), {
      toApp: (m) => {
        if (m.header.get(43) === 'Y') throw new Error('toApp cannot resend');
      },
    });
    const acceptor = new Acceptor([session], [{ port: 0, host: '127.0.0.1' }]);
    const [port] = await acceptor.start();
    try {
      const peer = await FixPeer.connect(port, 'FIX.4.4', 'PEER', 'EXEC');
      peer.send('35=A|98=0|108=30|');
      await peer.waitFor(/\|35=A\|/);
      assert.ok(session.send(new Message('B').set(148, 'news').set(33, 1).set(58, 'one')));
      await peer.waitFor(/\|35=B\|/);
      const fault = once(session, 'fault', { signal: AbortSignal.timeout(5000) }) as Promise<[SessionFaultEvent]>;
      // What the fixover command prints of it (standard output: the line; standard error: the stack).
      printFaults(session);
      const printed: string[] = [];
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string) => printed.push(chunk) > 0) as typeof process.stdout.write;
      let e: SessionFaultEvent;
      try {
        peer.send('35=2|7=2|16=0|');
        [e] = await fault;
      } finally {
        process.stdout.write = write;
      }
      assert.deepEqual(printed, ['fixover: FIX.4.4:EXEC->PEER fault in resend, connection dropped (fault 1): Error: toApp cannot resend\n']);
      assert.equal(e.site, 'resend');
      assert.equal(e.error.message, 'toApp cannot resend');
      assert.equal(e.dropped, true);
      assert.equal(e.count, 1);
      assert.equal(session.faultCount, 1);
      assert.ok(await peer.closed(), 'the connection is dropped');
      assert.equal(session.isLoggedOn, false);

      // The same counterparty logs on again; the numbers go on from the store.
      for (let t = 0; session.hasSocket && t < 100; t++) await new Promise((r) => setTimeout(r, 10));
      const again = await FixPeer.connect(port, 'FIX.4.4', 'PEER', 'EXEC');
      again.seq = 3;
      again.send('35=A|98=0|108=30|');
      assert.match(await again.waitFor(/\|35=A\|/), /\|34=3\|/);
      again.send('35=1|112=still-here|');
      assert.match(await again.waitFor(/\|35=0\|/), /\|112=still-here\|/);
      again.close();
    } finally {
      await acceptor.stop();
    }
  });
});

test('an error before a connection reaches its session closes it with an acceptor fault', async () => {
  await noEscapes(async () => {
    const acceptor = new Acceptor([], [{ port: 0, host: '127.0.0.1' }], {
      // A session factory with a bug: what it returns cannot take the connection.
      dynamic: () =>
        ({
          hasSocket: false,
          isLoggedOn: false,
          attach: () => {
            throw new TypeError('not a session');
          },
          close: async () => undefined,
        }) as unknown as Session,
    });
    const [port] = await acceptor.start();
    try {
      const fault = once(acceptor, 'fault', { signal: AbortSignal.timeout(5000) }) as Promise<[AcceptorFaultEvent]>;
      const peer = await FixPeer.connect(port, 'FIX.4.4', 'ANY', 'EXEC');
      peer.send('35=A|98=0|108=30|');
      const [e] = await fault;
      assert.equal(e.error.message, 'not a session');
      assert.equal(e.count, 1);
      assert.equal(acceptor.faultCount, 1);
      assert.ok(await peer.closed(), 'the connection is closed');
    } finally {
      await acceptor.stop();
    }
  });
});

test('a fault on an initiator session drops the connection and the initiator connects again', async () => {
  await noEscapes(async () => {
    // The counterparty, an acceptor played over a raw server: answers each Logon, then asks for a resend.
    const connections: net.Socket[] = [];
    const server = net.createServer((s) => {
      connections.push(s);
      s.on('error', () => undefined);
      let seq = 1;
      const framer = new Framer({
        onFrame: (b, start, end) => {
          const text = b.toString('latin1', start, end);
          if (!text.includes('\x0135=A\x01')) return;
          const head = (type: string): string => `35=${type}|34=${seq++}|49=ACC|52=${formatUtcTimestamp(Date.now(), 3)}|56=INI|`;
          s.write(frame(`${head('A')}98=0|108=30|`));
          s.write(frame(`${head('2')}7=1|16=0|`));
        },
        onError: () => undefined,
      });
      s.on('data', (c: Buffer) => framer.push(c));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'INI', targetCompID: 'ACC' });
    const session = new Session({ sessionId: id, role: 'initiator', heartBtInt: 30 }, new MemoryStore(), {
      toApp: (m) => {
        if (m.header.get(43) === 'Y') throw new Error('toApp cannot resend');
      },
    });
    session.send(new Message('B').set(148, 'queued').set(33, 1).set(58, 'x'));
    const initiator = new Initiator([{ session, endpoints: [{ host: '127.0.0.1', port }], reconnectDelays: [0.05] }]);
    try {
      const fault = once(session, 'fault', { signal: AbortSignal.timeout(5000) }) as Promise<[SessionFaultEvent]>;
      initiator.start();
      const [e] = await fault;
      assert.equal(e.site, 'resend');
      assert.equal(e.dropped, true);
      for (let t = 0; connections.length < 2 && t < 200; t++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(connections.length >= 2, 'the initiator connected again');
    } finally {
      await initiator.stop();
      for (const c of connections) c.destroy();
      server.close();
    }
  });
});
