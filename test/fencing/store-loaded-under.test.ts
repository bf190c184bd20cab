/**
 * A store is not read again at a Logon when nobody owned the session since it was loaded (the
 * owner record taken over is the resting one read before the load): a logon storm of fresh
 * sessions skips a reload per session. When another node owned the session in between, the store
 * is reloaded and the node continues from that node's numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Acceptor, Session, type OwnershipEvent } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { FileStore, nodeFileSystem, type StoreFileSystem } from '../../src/store/index.js';
import { FileOwnership } from '../../src/fencing/index.js';
import { Framer, formatUtcTimestamp } from '../../src/codec/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { frame } from '../codec/helpers.js';

const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: 'CLIENT' });
const ts = () => formatUtcTimestamp(Date.now(), 3);

/** A node as the engine makes one: the owner record's resting version read before the store is opened. */
async function node(dir: string, name: string) {
  const ownership = new FileOwnership({ dir, prefix: id.filePrefix, node: name, leaseMs: 60_000 });
  const storeLoadedUnder = ownership.restingVersion();
  let opens = 0;
  const fs: StoreFileSystem = { ...nodeFileSystem, open: (path, flags, mode) => (opens++, nodeFileSystem.open(path, flags, mode)) };
  const store = await FileStore.open({ path: dir, prefix: id.filePrefix, shared: true, fs });
  const holder = {} as { session: Session };
  holder.session = new Session({ sessionId: id, role: 'acceptor', heartBtInt: 30 }, store, executorApplication({ send: (m) => void holder.session.send(m) }), { tickMs: 50, ownership, leaseMs: 60_000, storeLoadedUnder });
  const events: OwnershipEvent[] = [];
  holder.session.on('ownership', (e) => events.push(e));
  const acceptor = new Acceptor([holder.session], [{ port: 0, host: '127.0.0.1' }]);
  const [port] = await acceptor.start();
  return { session: holder.session, acceptor, port, store, events, opens: () => opens, storeLoadedUnder };
}

async function connect(port: number) {
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  const got: string[] = [];
  const waiters: Array<() => void> = [];
  const f = new Framer({ onFrame: (b, s, e) => (got.push(b.toString('latin1', s, e).split('\x01').join('|')), waiters.shift()?.()), onError: () => undefined });
  c.on('data', (d: Buffer) => f.push(d));
  const next = async (): Promise<string> => {
    if (got.length === 0) await new Promise<void>((r) => waiters.push(r));
    return got.shift()!;
  };
  return { c, next };
}

const logon = (seq: number) => frame(`35=A|34=${seq}|49=CLIENT|52=${ts()}|56=EXEC|98=0|108=30|`);
const order = (seq: number) => frame(`35=D|34=${seq}|49=CLIENT|52=${ts()}|56=EXEC|11=O${seq}|21=1|40=1|54=1|55=IBM|38=100|60=${ts()}|`);

/** `p`, or a failure after 5 s (an answer that never comes fails the test rather than hanging it). */
function within<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref())]);
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a first Logon over the resting owner record the store was loaded under does not reload the store; after another node owned the session it does, and continues from its numbers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-loaded-under-'));
  const a = await node(dir, 'A');
  const b = await node(dir, 'B');
  try {
    assert.equal(a.storeLoadedUnder, '', 'no owner record yet: at rest');
    const opened = a.opens();
    const ca = await connect(a.port);
    ca.c.write(logon(1));
    assert.match(await ca.next(), /\|35=A\|34=1\|/);
    assert.equal(a.opens(), opened, 'A took the store as loaded: no file opened again');
    ca.c.write(order(2));
    assert.match(await ca.next(), /\|35=8\|/);
    ca.c.destroy();
    await until('A released the session', () => a.events.some((e) => e.state === 'released'));
    const next = a.store.getNextSenderSeq();
    assert.ok(next > 2, `A sent more than its Logon (next ${next})`);

    // B loaded the store under the same resting record, but A owned the session since: B reloads.
    const openedB = b.opens();
    const cb = await connect(b.port);
    cb.c.write(logon(3));
    assert.match(await cb.next(), new RegExp(`\\|35=A\\|34=${next}\\|`));
    assert.ok(b.opens() > openedB, 'B read the store again');
    assert.deepEqual(b.events.map((e) => [e.state, e.epoch]), [['acquired', 2]]);
    cb.c.destroy();
  } finally {
    await a.acceptor.stop();
    await b.acceptor.stop();
  }
});

test('the resting version: empty without a record, the record once released, none while a node holds it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-resting-'));
  const a = new FileOwnership({ dir, prefix: 'P', node: 'a', leaseMs: 60_000 });
  const b = new FileOwnership({ dir, prefix: 'P', node: 'b', leaseMs: 60_000 });
  assert.equal(a.restingVersion(), '');
  await a.acquire();
  assert.equal(a.acquiredFrom(''), true);
  assert.equal(b.restingVersion(), undefined, 'held by a');
  await a.release();
  const released = b.restingVersion();
  assert.match(released ?? '', /"epoch":1/);
  await b.acquire();
  assert.equal(b.acquiredFrom(''), false, 'a owned the session since');
  assert.equal(b.acquiredFrom(released), true);
  assert.equal(b.acquiredFrom(undefined), false);
  await b.release();
  assert.equal(a.restingVersion() === released, false, 'a new epoch was taken and released since');
});

test('a store with complete files (nothing to repair at open), taken as loaded: the Logon and what follows are written (a shared open left its empty batch marked as made without ownership, and every write was refused as fenced)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-loaded-complete-'));
  // Written and closed cleanly before the node starts (as a previous run, or a restore, leaves it).
  const before = await FileStore.open({ path: dir, prefix: id.filePrefix });
  before.saveOutgoing(1, frame(`35=0|34=1|49=EXEC|52=${ts()}|56=CLIENT|`));
  await before.flush();
  await before.close();
  const a = await node(dir, 'A');
  try {
    const opened = a.opens();
    const ca = await connect(a.port);
    ca.c.write(logon(1));
    assert.match(await within(ca.next()), /\|35=A\|34=2\|/);
    assert.equal(a.opens(), opened, 'taken as loaded');
    ca.c.write(order(2));
    assert.match(await within(ca.next()), /\|35=8\|/);
    await a.store.flush();
    assert.deepEqual(a.events.map((e) => e.state), ['acquired'], 'not fenced');
    ca.c.destroy();
  } finally {
    await a.acceptor.stop();
  }
});
