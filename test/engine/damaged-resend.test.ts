/**
 * A stored message whose bytes are damaged (in the file store's .body, or a PostgreSQL row) is
 * gap-filled when a ResendRequest covers it: reported as an `unreadable-stored` event with its
 * number, counted, and the process and the session live on (it used to end the process with an
 * uncaught CodecError at every resend).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { Acceptor, Session } from '../../src/engine/index.js';
import { SessionID, type SessionEvent } from '../../src/session/index.js';
import { FileStore, PostgresDatabase, PostgresStore, type MessageStore } from '../../src/store/index.js';
import { storePaths } from '../../src/store/file-store-load.js';
import { Framer, formatUtcTimestamp } from '../../src/codec/index.js';
import { frame } from '../codec/helpers.js';
import { tempDir } from '../store/helpers.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../support/postgres.js';

const ID = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: 'CLIENT' });
const ts = () => formatUtcTimestamp(Date.now(), 3);

/** An ExecutionReport as the session would have stored it under `seq`. */
function stored(seq: number): Buffer {
  return frame(`35=8|34=${seq}|49=EXEC|52=${ts()}|56=CLIENT|6=0|11=o${seq}|14=0|17=e${seq}|37=o${seq}|39=0|54=1|55=X|150=0|151=1|`);
}

async function fill(store: MessageStore, count: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let seq = 1; seq <= count; seq++) {
    out.push(stored(seq));
    store.saveOutgoing(seq, out[seq - 1]);
  }
  await store.flush();
  return out;
}

function reader(socket: net.Socket): (ms?: number) => Promise<string> {
  const frames: string[] = [];
  const f = new Framer({ onFrame: (b, s, e) => void frames.push(b.toString('latin1', s, e).split('\x01').join('|')), onError: () => undefined });
  socket.on('data', (c: Buffer) => f.push(c));
  return async (ms = 5000) => {
    const t0 = Date.now();
    while (frames.length === 0) {
      if (Date.now() - t0 > ms) throw new Error('no message');
      await new Promise((r) => setTimeout(r, 5));
    }
    return frames.shift()!;
  };
}

/** Logs on to a session over `store` (5 messages, the third damaged) and asks for all of them again, twice. */
async function resendOverDamage(store: MessageStore): Promise<void> {
  const session = new Session({ sessionId: ID, role: 'acceptor' }, store, {}, { tickMs: 100 });
  const events: SessionEvent[] = [];
  session.on('event', (e) => events.push(e));
  const acceptor = new Acceptor([session], [{ port: 0, host: '127.0.0.1' }], { logonTimeout: 2 });
  const [port] = await acceptor.start();
  try {
    for (const round of [1, 2]) {
      const c = net.connect(port, '127.0.0.1');
      c.on('error', () => undefined);
      await once(c, 'connect');
      const next = reader(c);
      const base = round === 1 ? 1 : 5;
      c.write(frame(`35=A|34=${base}|49=CLIENT|52=${ts()}|56=EXEC|98=0|108=30|`));
      assert.match(await next(), /35=A\|/);
      c.write(frame(`35=2|34=${base + 1}|49=CLIENT|52=${ts()}|56=EXEC|7=1|16=0|`));
      const got = [await next(), await next(), await next(), await next(), await next()];
      assert.match(got[0], /35=8\|34=1\|.*43=Y\|.*11=o1\|/);
      assert.match(got[1], /35=8\|34=2\|.*43=Y\|.*11=o2\|/);
      assert.match(got[2], /35=4\|34=3\|.*43=Y\|.*36=4\|123=Y\|/, 'the damaged message 3 is gap-filled');
      assert.match(got[3], /35=8\|34=4\|.*11=o4\|/);
      assert.match(got[4], /35=8\|34=5\|.*11=o5\|/);
      // Then gap fills over the admin messages after them; the session lives on: a TestRequest is answered.
      c.write(frame(`35=1|34=${base + 2}|49=CLIENT|52=${ts()}|56=EXEC|112=alive${round}|`));
      for (let m = await next(); !/35=0\|.*112=alive/.test(m); m = await next()) assert.match(m, /35=4\|.*123=Y\|/);
      const unreadable = events.filter((e) => e.kind === 'unreadable-stored');
      assert.equal(unreadable.length, round);
      const last = unreadable[round - 1];
      assert.ok(last.kind === 'unreadable-stored' && last.seq === 3 && /SOH|CheckSum|checksum/i.test(last.reason), JSON.stringify(last));
      assert.equal(session.core.unreadableStoredMessages, round);
      assert.ok(events.some((e) => e.kind === 'note' && /Stored message 3 cannot be read/.test(e.text)));
      c.write(frame(`35=5|34=${base + 3}|49=CLIENT|52=${ts()}|56=EXEC|`));
      assert.match(await next(), /35=5\|/);
      c.destroy();
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await acceptor.stop();
    await session.close();
  }
}

test('file store: a damaged message in .body is gap-filled on every resend; the session lives on', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const first = await FileStore.open({ path: dir, prefix: ID.filePrefix });
    const msgs = await fill(first, 5);
    await first.close();
    // Message 3's last byte (its closing SOH) overwritten: "does not end with SOH".
    const offset = msgs[0].length + msgs[1].length + msgs[2].length - 1;
    const body = await open(storePaths(dir, ID.filePrefix).body, 'r+');
    await body.write(Buffer.from('X'), 0, 1, offset);
    await body.close();
    await resendOverDamage(await FileStore.open({ path: dir, prefix: ID.filePrefix }));
  } finally {
    await cleanup();
  }
});

const skip = postgresUnavailable();
let server: TestPostgres | undefined;
before(async () => {
  if (!skip) server = await startPostgres();
});
after(async () => {
  await server?.destroy();
});

test('PostgreSQL store: a damaged row is gap-filled on every resend; the session lives on', skip ? { skip } : {}, async () => {
  const schema = await server!.newSchema();
  const first = await PostgresStore.open({ database: new PostgresDatabase({ url: server!.url, schema }), session: ID.toString() });
  await fill(first, 5);
  await first.close();
  // Message 3's row cut short: its CheckSum field is gone.
  await server!.query(`UPDATE ${schema}.fixover_messages SET body = substring(body from 1 for length(body) - 4) WHERE seq = 3`);
  await resendOverDamage(await PostgresStore.open({ database: new PostgresDatabase({ url: server!.url, schema }), session: ID.toString() }));
});
