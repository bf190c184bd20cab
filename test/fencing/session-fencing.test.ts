/**
 * Fenced ownership driven through real sessions and sockets in one process, with an injected clock
 * standing in for a pause: a standby refuses a Logon with a Logout naming the owner; a node whose
 * lease ran out (paused) drops its connection without writing to the store or sending a byte;
 * writes made under an earlier epoch never reach the store after the node owns the session again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Acceptor, Session, type OwnershipEvent } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { FileStore } from '../../src/store/index.js';
import { FileOwnership, StoreFencedError } from '../../src/fencing/index.js';
import { Framer, Message, formatUtcTimestamp } from '../../src/codec/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { frame } from '../codec/helpers.js';

const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: 'CLIENT' });
const ts = () => formatUtcTimestamp(Date.now(), 3);

interface Clock {
  now: () => number;
}

/** `sessionLeaseMs` sets how often the session renews (a third of it): long, for a node that will be "paused". */
async function node(dir: string, name: string, clock: Clock, leaseMs = 1000, sessionLeaseMs = leaseMs) {
  const store = await FileStore.open({ path: dir, prefix: id.filePrefix });
  const ownership = new FileOwnership({ dir, prefix: id.filePrefix, node: name, leaseMs, now: clock.now });
  const holder = {} as { session: Session };
  holder.session = new Session({ sessionId: id, role: 'acceptor', heartBtInt: 30 }, store, executorApplication({ send: (m) => void holder.session.send(m) }), { tickMs: 50, ownership, leaseMs: sessionLeaseMs });
  const events: OwnershipEvent[] = [];
  holder.session.on('ownership', (e) => events.push(e));
  const acceptor = new Acceptor([holder.session], [{ port: 0, host: '127.0.0.1' }]);
  const [port] = await acceptor.start();
  return { session: holder.session, acceptor, port, ownership, events, store };
}

async function connect(port: number) {
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  const got: string[] = [];
  let bytes = 0;
  const waiters: Array<() => void> = [];
  const f = new Framer({ onFrame: (b, s, e) => (got.push(b.toString('latin1', s, e).split('\x01').join('|')), waiters.shift()?.()), onError: () => undefined });
  c.on('data', (d: Buffer) => ((bytes += d.length), f.push(d)));
  const next = async (): Promise<string> => {
    if (got.length === 0) await new Promise<void>((r) => waiters.push(r));
    return got.shift()!;
  };
  return { c, next, bytes: () => bytes, closed: once(c, 'close') };
}

const logon = (seq: number) => frame(`35=A|34=${seq}|49=CLIENT|52=${ts()}|56=EXEC|98=0|108=30|`);
const order = (seq: number, clOrdId: string) => frame(`35=D|34=${seq}|49=CLIENT|52=${ts()}|56=EXEC|11=${clOrdId}|21=1|40=1|54=1|55=IBM|38=100|60=${ts()}|`);

test('a standby refuses a Logon for a session a live node owns: Logout naming the owner, then disconnect, nothing stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-fence-'));
  const clock: Clock = { now: () => Date.now() };
  const a = await node(dir, 'A', clock, 60_000);
  const b = await node(dir, 'B', clock, 60_000);
  try {
    const ca = await connect(a.port);
    ca.c.write(logon(1));
    assert.match(await ca.next(), /\|35=A\|34=1\|/);
    assert.deepEqual(a.events.map((e) => [e.state, e.node, e.epoch]), [['acquired', 'A', 1]]);
    const seqnums = readFileSync(join(dir, `${id.filePrefix}.seqnums`), 'latin1');

    const cb = await connect(b.port);
    cb.c.write(logon(2));
    const refusal = await cb.next();
    assert.match(refusal, /\|35=5\|/);
    assert.match(refusal, /\|58=session FIX\.4\.4:EXEC->CLIENT is active on node A \(epoch 1\)\|/);
    await cb.closed;
    assert.deepEqual(b.events.map((e) => [e.state, e.owner]), [['refused', 'A']]);
    assert.equal(readFileSync(join(dir, `${id.filePrefix}.seqnums`), 'latin1'), seqnums, 'the standby wrote nothing');
    assert.equal(b.ownership.epoch, 0);
    // The owner is unaffected.
    ca.c.write(order(2, 'X1'));
    assert.match(await ca.next(), /\|35=8\|.*\|11=X1\|/);
    ca.c.destroy();
  } finally {
    await Promise.all([a.acceptor.stop(), b.acceptor.stop()]);
  }
});

test('a paused owner (lease run out) drops its connection without storing or sending a byte; its stale writes never land later', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-fence-'));
  let skew = 0;
  const clockA: Clock = { now: () => Date.now() + skew };
  const clockB: Clock = { now: () => Date.now() + skew };
  // A renews too rarely to matter here: it is paused, in effect, once the clocks jump.
  const a = await node(dir, 'A', clockA, 3000, 600_000);
  const b = await node(dir, 'B', clockB, 3000);
  try {
    const ca = await connect(a.port);
    ca.c.write(logon(1));
    await ca.next();
    ca.c.write(order(2, 'X1'));
    assert.match(await ca.next(), /\|11=X1\|/);
    await a.session.drain();
    const body = join(dir, `${id.filePrefix}.body`);
    const size = statSync(body).size;
    const seqnums = readFileSync(join(dir, `${id.filePrefix}.seqnums`), 'latin1');
    const before = ca.bytes();

    // A is "paused" past its lease (its clock jumps ahead, its renewals stop being valid), and the
    // other node takes the session over.
    skew = 10_000;
    const cb = await connect(b.port);
    cb.c.write(logon(3));
    assert.match(await cb.next(), /\|35=A\|34=3\|/, 'B continues the sequence');
    assert.equal(b.ownership.epoch, 2);

    // "SIGCONT": A gets an order on its old connection; it must neither store nor answer it.
    ca.c.write(order(3, 'X2'));
    await ca.closed;
    assert.equal(ca.bytes(), before, 'not a byte from the fenced node');
    const lost = a.events.find((e) => e.state === 'lost');
    assert.ok(lost, `A reported the loss: ${JSON.stringify(a.events)}`);
    await b.session.drain();
    // Only B wrote since: its Logon is there, A's fill is not.
    assert.ok(!readFileSync(body, 'latin1').includes('11=X2'));
    assert.ok(statSync(body).size > size);
    assert.notEqual(readFileSync(join(dir, `${id.filePrefix}.seqnums`), 'latin1'), seqnums);

    // A's leftover writes (made under epoch 1) are refused however they are flushed.
    a.session.send(new Message('D').set(11, 'STALE').set(55, 'IBM'));
    await assert.rejects(a.store.flush(), StoreFencedError);
    assert.ok(!readFileSync(body, 'latin1').includes('STALE'));
    cb.c.destroy();
  } finally {
    await Promise.all([a.acceptor.stop(), b.acceptor.stop()]);
  }
});

test('writes made without ownership are dropped, not replayed, when the node owns the session again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-fence-'));
  const store = await FileStore.open({ path: dir, prefix: 'P' });
  const own = new FileOwnership({ dir, prefix: 'P', node: 'A', leaseMs: 60_000 });
  store.fence = own;
  assert.equal((await own.acquire()).acquired, true);
  store.setNextTargetSeq(7);
  await store.flush();
  await own.release();
  store.setNextTargetSeq(99); // made while not the owner (epoch 0)
  await assert.rejects(store.flush(), StoreFencedError);
  const other = new FileOwnership({ dir, prefix: 'P', node: 'B', leaseMs: 60_000 });
  assert.equal((await other.acquire()).acquired, true);
  await other.release();
  store.setNextTargetSeq(98); // still not the owner
  assert.deepEqual(await own.acquire(), { acquired: true, epoch: 3 });
  await store.refresh();
  assert.equal(store.getNextTargetSeq(), 7, 'reloaded from the files; the stale change is gone');
  await store.flush();
  assert.match(readFileSync(join(dir, 'P.seqnums'), 'latin1'), /: 0000000007$/);
  await store.close();
});

test('a standby opening or refreshing a shared store writes nothing, not even the repair of what looks torn', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-fence-'));
  const owner = await FileStore.open({ path: dir, prefix: 'P', shared: true });
  const a = new FileOwnership({ dir, prefix: 'P', node: 'A', leaseMs: 60_000 });
  owner.fence = a;
  await a.acquire();
  await owner.refresh();
  for (let seq = 1; seq <= 3; seq++) owner.saveOutgoing(seq, frame(`35=D|34=${seq}|49=EXEC|52=${ts()}|56=CLIENT|11=O${seq}|`));
  await owner.flush();
  // The owner is in the middle of a write: a partial header record at the end.
  const header = join(dir, 'P.header');
  const { appendFileSync } = await import('node:fs');
  appendFileSync(header, '4,9');
  const files = ['P.header', 'P.body', 'P.seqnums', 'P.session'].map((f) => readFileSync(join(dir, f), 'latin1'));
  const standby = await FileStore.open({ path: dir, prefix: 'P', shared: true });
  const b = new FileOwnership({ dir, prefix: 'P', node: 'B', leaseMs: 60_000 });
  standby.fence = b;
  await standby.refresh();
  assert.equal(standby.messageCount, 3);
  await assert.rejects(standby.flush(), StoreFencedError);
  assert.deepEqual(['P.header', 'P.body', 'P.seqnums', 'P.session'].map((f) => readFileSync(join(dir, f), 'latin1')), files, 'nothing written by the standby');
  // The owner finishes its write; everything it wrote stays.
  owner.saveOutgoing(4, frame(`35=D|34=4|49=EXEC|52=${ts()}|56=CLIENT|11=O4|`));
  await owner.flush();
  await owner.close();
  await standby.close();
  const reopened = await FileStore.open({ path: dir, prefix: 'P' });
  assert.equal(reopened.messageCount, 4);
  await reopened.close();
});

test('a node woken up with a backlog reports the loss once, with the epoch it held (not 0)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-fence-'));
  let skew = 0;
  const clockA: Clock = { now: () => Date.now() + skew };
  const a = await node(dir, 'A', clockA, 3000, 600_000);
  const notes: string[] = [];
  a.session.on('event', (e) => e.kind === 'note' && notes.push(e.text));
  try {
    const ca = await connect(a.port);
    ca.c.write(logon(1));
    await ca.next();
    ca.c.write(order(2, 'X1'));
    assert.match(await ca.next(), /\|11=X1\|/);
    await a.session.drain();
    // "Paused" past the lease; meanwhile the client's orders pile up in the socket: at the wake-up
    // they arrive together, in many turns, each of which the store refuses.
    skew = 10_000;
    const backlog: Buffer[] = [];
    for (let seq = 3; seq < 603; seq++) backlog.push(order(seq, `B${seq}`));
    ca.c.write(Buffer.concat(backlog));
    await ca.closed;
    await new Promise((r) => setTimeout(r, 300));
    const lost = a.events.filter((e) => e.state === 'lost');
    assert.equal(lost.length, 1, `one loss reported: ${JSON.stringify(lost)}`);
    assert.equal(lost[0].epoch, 1, 'the epoch lost is the one A held');
    assert.match(lost[0].reason ?? '', /^fenced: epoch 1 is no longer the owner/);
    assert.equal(notes.filter((t) => t.startsWith('ownership lost')).length, 1, notes.join('\n'));
  } finally {
    await a.acceptor.stop();
  }
});

test("a refusal uses up a number of the session's sequence: numbered from the shared store, and the owner continues past it at the next Logon; a resend gap-fills it", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-fence-'));
  const clock: Clock = { now: () => Date.now() };
  const a = await node(dir, 'A', clock, 3000);
  const b = await node(dir, 'B', clock, 3000);
  const notes: string[] = [];
  a.session.on('event', (e) => void (e.kind === 'note' && notes.push(e.text)));
  try {
    const ca = await connect(a.port);
    ca.c.write(logon(1));
    assert.match(await ca.next(), /\|35=A\|34=1\|/);
    ca.c.write(order(2, 'X1'));
    assert.match(await ca.next(), /\|35=8\|34=2\|.*\|11=X1\|/);
    const seqnums = readFileSync(join(dir, `${id.filePrefix}.seqnums`), 'latin1');

    // B refuses twice while A serves the session: the Logouts carry A's next numbers, 3 then 4
    // (a counterparty such as QuickFIX C++ counts each), where B's own idea would be 1.
    for (const expected of [3, 4]) {
      const cb = await connect(b.port);
      cb.c.write(logon(3));
      const refusal = await cb.next();
      assert.match(refusal, new RegExp(`\\|35=5\\|34=${expected}\\|.*\\|58=session FIX\\.4\\.4:EXEC->CLIENT is active on node A`));
      await cb.closed;
    }
    assert.equal(readFileSync(join(dir, `${id.filePrefix}.seqnums`), 'latin1'), seqnums, 'B wrote nothing to the store');
    assert.equal(b.store.getNextSenderSeq(), 1);

    // The client comes back to A: A continues past the refusals (5), and says why.
    ca.c.destroy();
    await ca.closed;
    await waitFor(() => a.events.some((e) => e.state === 'released'));
    const ca2 = await connect(a.port);
    ca2.c.write(logon(3));
    assert.match(await ca2.next(), /\|35=A\|34=5\|/);
    assert.ok(notes.some((n) => /next outgoing MsgSeqNum raised from 3 to 5: another node refused a Logon .* numbered 4/.test(n)), notes.join('\n'));
    // A counterparty that did not count the refusals asks for them: gap-filled, nothing stored under them.
    ca2.c.write(frame(`35=2|34=4|49=CLIENT|52=${ts()}|56=EXEC|7=3|16=0|`));
    // 3 and 4 (the refusals) and 5 (the Logon, an admin message) in one GapFill.
    assert.match(await ca2.next(), /\|35=4\|34=3\|43=Y\|.*\|36=6\|123=Y\|/);
    ca2.c.write(order(5, 'X2'));
    assert.match(await ca2.next(), /\|35=8\|34=6\|.*\|11=X2\|/);
    ca2.c.destroy();
    await ca2.closed;
    // Stored: the next Logon, at either node, starts at 7.
    await waitFor(() => a.events.filter((e) => e.state === 'released').length === 2);
    const cb = await connect(b.port);
    cb.c.write(logon(6));
    assert.match(await cb.next(), /\|35=A\|34=7\|/);
    cb.c.destroy();
  } finally {
    await Promise.all([a.acceptor.stop(), b.acceptor.stop()]);
  }
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('an acceptor that keeps its ownership between connections also continues past the refusals before it answers a Logon', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-fence-'));
  const clock: Clock = { now: () => Date.now() };
  const store = await FileStore.open({ path: dir, prefix: id.filePrefix });
  const ownership = new FileOwnership({ dir, prefix: id.filePrefix, node: 'A', leaseMs: 3000 });
  const holder = {} as { session: Session };
  holder.session = new Session({ sessionId: id, role: 'acceptor', heartBtInt: 30 }, store, executorApplication({ send: (m) => void holder.session.send(m) }), { tickMs: 50, ownership, leaseMs: 3000, keepOwnership: true });
  const acceptor = new Acceptor([holder.session], [{ port: 0, host: '127.0.0.1' }]);
  const [port] = await acceptor.start();
  const b = await node(dir, 'B', clock, 3000);
  try {
    assert.equal(await holder.session.claim(), null, 'A owns the session, and keeps it');
    const ca = await connect(port);
    ca.c.write(logon(1));
    assert.match(await ca.next(), /\|35=A\|34=1\|/);
    ca.c.destroy();
    await ca.closed;
    assert.ok(ownership.holds(), 'kept after the connection');
    const cb = await connect(b.port);
    cb.c.write(logon(2));
    assert.match(await cb.next(), /\|35=5\|34=2\|.*\|58=session FIX\.4\.4:EXEC->CLIENT is active on node A/);
    await cb.closed;
    const ca2 = await connect(port);
    ca2.c.write(logon(2));
    assert.match(await ca2.next(), /\|35=A\|34=3\|/);
    ca2.c.destroy();
  } finally {
    await Promise.all([acceptor.stop(), b.acceptor.stop()]);
  }
});
