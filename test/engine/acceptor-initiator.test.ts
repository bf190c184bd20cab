/** Real sockets on 127.0.0.1: a fixover initiator and acceptor talking to each other. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { Acceptor, Initiator, Session } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { Message, Framer, formatUtcTimestamp } from '../../src/codec/index.js';
import { acceptanceApplication, executorApplication } from '../../src/apps/index.js';
import { frame } from '../codec/helpers.js';

function acceptorSession(app: 'executor' | 'acceptance', target = 'CLIENT'): { session: Session } {
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: target });
  const holder: { session: Session } = {} as { session: Session };
  const sender = { send: (m: Message) => holder.session.send(m) };
  holder.session = new Session({ sessionId: id, role: 'acceptor' }, new MemoryStore(), app === 'executor' ? executorApplication(sender) : acceptanceApplication(sender), { tickMs: 100 });
  return holder;
}

/** Reads whole frames from a socket. */
function reader(socket: net.Socket) {
  const frames: string[] = [];
  const waiters: Array<() => void> = [];
  const f = new Framer({ onFrame: (b, s, e) => { frames.push(b.toString('latin1', s, e).split('\x01').join('|')); waiters.shift()?.(); }, onError: () => undefined });
  socket.on('data', (c: Buffer) => f.push(c));
  return async (): Promise<string> => {
    if (frames.length === 0) await new Promise<void>((r) => waiters.push(r));
    return frames.shift()!;
  };
}

const ts = (): string => formatUtcTimestamp(Date.now(), 3);

/**
 * Starts an acceptor for one session, connects a client and sends its Logon (the reply is not read
 * yet), then runs `body` with the socket, a reader of whole frames and the port.
 */
async function withLoggingOnClient(app: 'executor' | 'acceptance', body: (c: net.Socket, next: () => Promise<string>, port: number) => Promise<void>): Promise<void> {
  const { session } = acceptorSession(app);
  const acceptor = new Acceptor([session], [{ port: 0, host: '127.0.0.1' }]);
  const [port] = await acceptor.start();
  try {
    const c = net.connect(port, '127.0.0.1');
    await once(c, 'connect');
    const next = reader(c);
    c.write(frame(`35=A|34=1|49=CLIENT|52=${ts()}|56=EXEC|98=0|108=30|`));
    await body(c, next, port);
  } finally {
    await acceptor.stop();
  }
}

test('acceptor: logon, order echo, logout over TCP; unknown sessions and a second connection are dropped', async () => {
  await withLoggingOnClient('acceptance', async (c, next, port) => {
    assert.match(await next(), /35=A\|34=1\|49=EXEC\|.*\|56=CLIENT\|98=0\|108=30\|/);
    c.write(frame(`35=D|34=2|49=CLIENT|52=${ts()}|56=EXEC|11=X1|21=1|40=1|54=1|55=IBM|60=${ts()}|`));
    const echo = await next();
    assert.match(echo, /35=D\|34=2\|49=EXEC\|.*\|56=CLIENT\|11=X1\|21=1\|40=1\|54=1\|55=IBM\|60=/);

    // A second connection for the same session is closed without a byte.
    const dup = net.connect(port, '127.0.0.1');
    await once(dup, 'connect');
    const dupData: Buffer[] = [];
    dup.on('data', (d: Buffer) => dupData.push(d));
    dup.write(frame(`35=A|34=1|49=CLIENT|52=${ts()}|56=EXEC|98=0|108=30|`));
    await once(dup, 'close');
    assert.equal(dupData.length, 0);

    // Unknown CompID: closed without a byte.
    const stranger = net.connect(port, '127.0.0.1');
    await once(stranger, 'connect');
    stranger.write(frame(`35=A|34=1|49=NOBODY|52=${ts()}|56=EXEC|98=0|108=30|`));
    await once(stranger, 'close');

    // The first connection still works.
    c.write(frame(`35=1|34=3|49=CLIENT|52=${ts()}|56=EXEC|112=still-here|`));
    assert.match(await next(), /35=0\|.*112=still-here\|/);
    c.write(frame(`35=5|34=4|49=CLIENT|52=${ts()}|56=EXEC|`));
    assert.match(await next(), /35=5\|/);
    await once(c, 'close');
  });
});

test('initiator and acceptor: orders filled by the executor, reconnect after a drop continues the sequence', async () => {
  const { session: exec } = acceptorSession('executor');
  const acceptor = new Acceptor([exec], [{ port: 0, host: '127.0.0.1' }]);
  const [port] = await acceptor.start();
  const fills: string[] = [];
  const clientId = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'CLIENT', targetCompID: 'EXEC' });
  const client = new Session({ sessionId: clientId, role: 'initiator', heartBtInt: 30 }, new MemoryStore(), {
    fromApp: (m) => void fills.push(m.get(11)!),
  }, { tickMs: 100 });
  const initiator = new Initiator([{ session: client, endpoints: [{ host: '127.0.0.1', port }], reconnectDelays: [0.1] }]);
  try {
    initiator.start();
    await once(client, 'logon');
    const nos = (id: string) => {
      const m = new Message('D').set(11, id).set(21, '1').set(55, 'IBM').set(54, '1').set(38, 100).set(40, '2').set(44, '12.5');
      m.body.setTimestamp(60, Date.now());
      return m;
    };
    for (let i = 0; i < 50; i++) client.send(nos(`O${i}`));
    while (fills.length < 50) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(fills, Array.from({ length: 50 }, (_, i) => `O${i}`));
    const senderSeq = client.core.nextSenderSeq;
    exec.disconnect('test drop');
    await once(client, 'logon');
    assert.equal(client.core.nextSenderSeq, senderSeq + 1, 'the new Logon continues the sequence');
    client.send(nos('after'));
    while (fills.length < 51) await new Promise((r) => setTimeout(r, 10));
    assert.equal(fills[50], 'after');
  } finally {
    await initiator.stop();
    await acceptor.stop();
  }
});

test('orders arriving in one read are answered in order, each reply a whole valid frame', async () => {
  await withLoggingOnClient('executor', async (c, next) => {
    assert.match(await next(), /35=A\|/);
    // Five orders in one write: the replies of one turn go out together (joined into one buffer).
    const orders = [2, 3, 4, 5, 6].map((seq) => frame(`35=D|34=${seq}|49=CLIENT|52=${ts()}|56=EXEC|11=B${seq}|21=1|38=${seq}|40=1|54=1|55=IBM|60=${ts()}|`));
    c.write(Buffer.concat(orders));
    for (const seq of [2, 3, 4, 5, 6]) {
      const er = await next();
      assert.match(er, new RegExp(`35=8\\|34=${seq}\\|.*\\|11=B${seq}\\|.*\\|38=${seq}\\|`));
    }
    // And one more turn after that: the reused batch starts empty.
    c.write(frame(`35=D|34=7|49=CLIENT|52=${ts()}|56=EXEC|11=B7|21=1|38=7|40=1|54=1|55=IBM|60=${ts()}|`));
    assert.match(await next(), /35=8\|34=7\|.*\|11=B7\|/);
    c.destroy();
  });
});
