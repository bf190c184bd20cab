/** The file store and file log driven by a real session over TCP, across a restart. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Acceptor, Session } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { FileStoreFactory } from '../../src/store/index.js';
import { FileLogFactory, attachLog } from '../../src/log/index.js';
import { Framer, formatUtcTimestamp, type Message } from '../../src/codec/index.js';
import { acceptanceApplication } from '../../src/apps/index.js';
import { frame } from '../codec/helpers.js';
import { tempDir } from './helpers.js';

const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: 'CLIENT' });
const ts = () => formatUtcTimestamp(Date.now(), 3);

async function start(dir: string) {
  const store = await new FileStoreFactory({ path: join(dir, 'store'), sync: true }).create(id);
  const log = await new FileLogFactory({ path: join(dir, 'log') }).create(id);
  const holder = {} as { session: Session };
  const sender = { send: (m: Message) => holder.session.send(m) };
  holder.session = new Session({ sessionId: id, role: 'acceptor' }, store, acceptanceApplication(sender), { tickMs: 100 });
  attachLog(holder.session, log);
  const acceptor = new Acceptor([holder.session], [{ port: 0, host: '127.0.0.1' }]);
  const [port] = await acceptor.start();
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  const frames: string[] = [];
  const waiters: Array<() => void> = [];
  const framer = new Framer({
    onFrame: (b, s, e) => {
      frames.push(b.toString('latin1', s, e).split('\x01').join('|'));
      waiters.shift()?.();
    },
    onError: () => undefined,
  });
  c.on('data', (chunk: Buffer) => framer.push(chunk));
  const next = async (): Promise<string> => {
    if (frames.length === 0) await new Promise<void>((r) => waiters.push(r));
    return frames.shift()!;
  };
  const stop = async () => {
    c.destroy();
    await acceptor.stop();
    await holder.session.close();
    await log.close();
  };
  return { session: holder.session, store, c, next, stop };
}

test('a session on a file store survives a restart and resends from disk', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const a = await start(dir);
  a.c.write(frame(`35=A|34=1|49=CLIENT|52=${ts()}|56=EXEC|98=0|108=30|`));
  assert.match(await a.next(), /35=A\|34=1\|/);
  a.c.write(frame(`35=D|34=2|49=CLIENT|52=${ts()}|56=EXEC|11=X1|21=1|40=1|54=1|55=IBM|60=${ts()}|`));
  assert.match(await a.next(), /35=D\|34=2\|.*11=X1/);
  await a.session.drain();
  await a.stop();

  // Stopping the acceptor sent a Logout (seq 3), stored like the rest.
  const seqnums = await readFile(join(dir, 'store', 'FIX.4.4-EXEC-CLIENT.seqnums'), 'latin1');
  assert.equal(seqnums, '0000000004 : 0000000003');
  assert.match(await readFile(join(dir, 'store', 'FIX.4.4-EXEC-CLIENT.header'), 'latin1'), /^1,0,\d+ 2,\d+,\d+ 3,\d+,\d+ $/);
  const messages = (await readFile(join(dir, 'log', 'FIX.4.4-EXEC-CLIENT.messages.current.log'), 'latin1')).trimEnd().split('\n');
  assert.ok(messages.length >= 4, 'two in, two out (and the logout)');
  for (const line of messages) assert.match(line.replaceAll('\x01', '|'), /^\d{8}-\d{2}:\d{2}:\d{2}\.\d{3} : 8=FIX\.4\.4\|/);

  const b = await start(dir);
  assert.equal(b.store.getNextSenderSeq(), 4);
  assert.equal(b.store.getNextTargetSeq(), 3);
  b.c.write(frame(`35=A|34=3|49=CLIENT|52=${ts()}|56=EXEC|98=0|108=30|`));
  assert.match(await b.next(), /35=A\|34=4\|/);
  b.c.write(frame(`35=2|34=4|49=CLIENT|52=${ts()}|56=EXEC|7=2|16=2|`));
  const resent = await b.next();
  assert.match(resent, /35=D\|34=2\|43=Y\|/);
  assert.match(resent, /11=X1/);
  await b.stop();
});
