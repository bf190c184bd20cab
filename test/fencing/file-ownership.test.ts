import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOwnership, StoreFencedError } from '../../src/fencing/index.js';
import { FileStore } from '../../src/store/index.js';

function pair(leaseMs = 1000) {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-own-'));
  let clock = 1_000_000;
  const now = () => clock;
  const alive = new Set([process.pid]);
  const a = new FileOwnership({ dir, prefix: 'FIX.4.2-EXEC-BANZAI', node: 'a', leaseMs, now, isAlive: (p) => alive.has(p) });
  const b = new FileOwnership({ dir, prefix: 'FIX.4.2-EXEC-BANZAI', node: 'b', leaseMs, now, isAlive: (p) => alive.has(p) });
  return { dir, a, b, advance: (ms: number) => (clock += ms), alive };
}

test('one owner at a time; the second node is refused while the lease is live', async () => {
  const { a, b } = pair();
  assert.deepEqual(await a.acquire(), { acquired: true, epoch: 1 });
  const r = await b.acquire();
  assert.equal(r.acquired, false);
  assert.equal(!r.acquired && r.owner.node, 'a');
  await a.check();
});

test('after a release the other node takes over at once with a higher epoch', async () => {
  const { a, b } = pair();
  await a.acquire();
  await a.release();
  assert.deepEqual(await b.acquire(), { acquired: true, epoch: 2 });
  assert.equal((await b.current())?.node, 'b');
});

test('a paused owner loses the session when its lease expires and is fenced before it writes', async () => {
  const { dir, a, b, advance } = pair(1000);
  const prefix = 'FIX.4.2-EXEC-BANZAI';
  const store = await FileStore.open({ path: dir, prefix });
  store.fence = a;
  await a.acquire();
  store.saveOutgoing(1, Buffer.from('8=FIX.4.2\x019=5\x0135=0\x0110=161\x01'));
  await store.flush();
  const bodySize = statSync(join(dir, `${prefix}.body`)).size;
  // "SIGSTOP": no renewals for longer than the lease; the standby takes over.
  advance(1500);
  assert.deepEqual(await b.acquire(), { acquired: true, epoch: 2 });
  // "SIGCONT": the stale node tries to write and is refused; nothing reaches the files.
  store.saveOutgoing(2, Buffer.from('8=FIX.4.2\x019=5\x0135=0\x0110=161\x01'));
  await assert.rejects(store.flush(), StoreFencedError);
  await assert.rejects(a.renew(), StoreFencedError);
  assert.equal(statSync(join(dir, `${prefix}.body`)).size, bodySize);
  assert.match(readFileSync(join(dir, `${prefix}.seqnums`), 'latin1'), /^0000000002 : /);
  await store.close();
});

test('a node fences itself by its own clock even before anyone takes over', async () => {
  const { a, advance } = pair(1000);
  await a.acquire();
  advance(1001);
  await assert.rejects(a.check(), StoreFencedError);
});

test('an owner on this host whose process is gone is replaced at once', async () => {
  const { a, b, alive } = pair(60_000);
  await a.acquire();
  alive.delete(process.pid);
  const r = await b.acquire();
  assert.deepEqual(r, { acquired: true, epoch: 2 });
});

test('concurrent acquisitions: exactly one wins', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-race-'));
  const nodes = Array.from({ length: 8 }, (_, i) => new FileOwnership({ dir, prefix: 'P', node: `n${i}`, leaseMs: 60_000 }));
  const results = await Promise.all(nodes.map((n) => n.acquire()));
  assert.equal(results.filter((r) => r.acquired).length, 1);
});

test('a takeover is seen by the next check even while the old lease is live by its own clock', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-own-'));
  const prefix = 'FIX.4.2-EXEC-BANZAI';
  let slow = 1_000_000;
  // Node b's clock runs 1.5 s ahead of a's: it sees a's lease expired while a does not.
  const a = new FileOwnership({ dir, prefix, node: 'a', leaseMs: 1000, now: () => slow, isAlive: () => true });
  const b = new FileOwnership({ dir, prefix, node: 'b', leaseMs: 1000, now: () => slow + 1500, isAlive: () => true });
  await a.acquire();
  await a.check();
  slow += 400;
  await a.renew();
  await a.check();
  assert.equal(a.checkNow(), true);
  // The store's synchronous flush asks checkNow first: after the takeover it must not confirm.
  const store = await FileStore.open({ path: dir, prefix });
  store.fenceBy(a);
  store.saveOutgoing(1, Buffer.from('8=FIX.4.2\x019=5\x0135=0\x0110=161\x01'));
  assert.equal(store.flushNow(), true);
  assert.deepEqual(await b.acquire(), { acquired: true, epoch: 2 });
  // A stat that found the owner file unchanged is trusted for 2 ms: the next one sees b's record.
  await new Promise((r) => setTimeout(r, 3));
  assert.equal(a.checkNow(), false);
  assert.equal(a.checkNow(1), false);
  store.saveOutgoing(2, Buffer.from('8=FIX.4.2\x019=5\x0135=0\x0110=161\x01'));
  assert.equal(store.flushNow(), false);
  await assert.rejects(store.flush(), StoreFencedError);
  await assert.rejects(a.check(), StoreFencedError);
  assert.equal(a.checkNow(1), false);
  await b.check();
  assert.equal(b.checkNow(), true);
  assert.equal(b.checkNow(1), false);
  assert.match(readFileSync(join(dir, `${prefix}.header`), 'latin1'), /^1,0,\d+ $/);
  await store.close();
});

test('a renewal in progress keeps the store writing at once; a release or a foreign record stops it', async () => {
  const { dir, a } = pair(60_000);
  const prefix = 'FIX.4.2-EXEC-BANZAI';
  const store = await FileStore.open({ path: dir, prefix });
  store.fenceBy(a);
  await a.acquire();
  const msg = Buffer.from('8=FIX.4.2\x019=5\x0135=0\x0110=161\x01');
  let seq = 0;
  // Between every step of the renewal (each file operation completes in its own turn), the
  // session's synchronous flush must still confirm ownership at once.
  const refused: number[] = [];
  let renewing = true;
  const poll = (): void => {
    if (!renewing) return;
    if (!a.checkNow()) refused.push(seq);
    store.saveOutgoing(++seq, msg);
    if (!store.flushNow()) refused.push(-seq);
    setImmediate(poll);
  };
  setImmediate(poll);
  for (let i = 0; i < 5; i++) await a.renew();
  renewing = false;
  assert.ok(seq > 5, `the poll ran during the renewals (${seq} writes)`);
  assert.deepEqual(refused, []);
  assert.equal(a.checkNow(), true);

  // A record put in place by someone else (a new inode) is not taken for ours (once the 2 ms for
  // which a stat is trusted have passed).
  await new Promise((r) => setTimeout(r, 3));
  const owner = join(dir, `${prefix}.owner`);
  writeFileSync(`${owner}.foreign`, readFileSync(owner));
  renameSync(`${owner}.foreign`, owner);
  assert.equal(a.checkNow(), false);
  await a.renew().catch(() => undefined);

  // After a release our old record is no longer confirmed.
  const c = new FileOwnership({ dir, prefix: 'P2', node: 'c', leaseMs: 60_000 });
  await c.acquire();
  assert.equal(c.checkNow(), true);
  await c.release();
  assert.equal(c.checkNow(), false);
  await store.close();
});

test('a hand-over reserves the session for its target: only it may take it until the reservation ends, the old owner included', async () => {
  const { dir, a, b, advance } = pair(1000);
  const c = new FileOwnership({ dir, prefix: 'FIX.4.2-EXEC-BANZAI', node: 'c', leaseMs: 1000, now: () => 1_000_000 + 0, isAlive: () => true });
  await a.acquire();
  await a.handOver('b', 1_000_000 + 2000);
  assert.equal(a.epoch, 0, 'given up');
  const byA = await a.acquire();
  assert.equal(byA.acquired, false, 'the old owner is refused');
  assert.equal(!byA.acquired && byA.reason, 'moving to node b');
  const byC = await c.acquire();
  assert.equal(!byC.acquired && byC.owner.movingTo, 'b');
  assert.deepEqual(await b.acquire(), { acquired: true, epoch: 2 }, 'the target takes it at once, no lease to wait for');
  const rec = await b.current();
  assert.equal(rec?.movingTo, undefined, 'the new owner record carries no reservation');
  await b.handOver('c', 1_000_000 + 500);
  advance(600);
  assert.deepEqual(await a.acquire(), { acquired: true, epoch: 3 }, 'after the reservation ran out any node may take it');
});

test('refusals are recorded beside the owner file: numbered in the session, one number each even at once, the owner file untouched', async () => {
  const { dir, a, b } = pair(60_000);
  const prefix = 'FIX.4.2-EXEC-BANZAI';
  await a.acquire();
  const owner = readFileSync(join(dir, `${prefix}.owner`), 'latin1');
  const T = 1_700_000_000_000;
  assert.equal(await b.lastRefusal(), undefined);
  assert.equal(await b.recordRefusal(8, T), 8, "the store's next outgoing number");
  assert.equal(await b.recordRefusal(8, T), 9, 'refused again: one past the last');
  assert.deepEqual(await a.lastRefusal(), { seq: 9, sessionTime: T }, 'the owner reads it');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, `${prefix}.refused`), 'latin1')), { seq: 9, sessionTime: T, node: 'b' });
  assert.equal(await b.recordRefusal(20, T), 20, 'the owner sent past it since');
  assert.equal(await b.recordRefusal(1, T + 1000), 1, 'after a reset (new creation time) the old record no longer counts');
  // Refusals made at once (two nodes, or one node's several connections) each get their own number.
  const c = new FileOwnership({ dir, prefix, node: 'c', leaseMs: 60_000 });
  const seqs = await Promise.all([b, c, b, c, b, c].map((o) => o.recordRefusal(5, T + 1000)));
  assert.deepEqual([...seqs].sort((x, y) => x - y), [5, 6, 7, 8, 9, 10]);
  assert.equal(readFileSync(join(dir, `${prefix}.owner`), 'latin1'), owner, 'the owner record is not touched');
  await a.check();
  // A damaged record counts as none (and the next refusal replaces it).
  writeFileSync(join(dir, `${prefix}.refused`), '{"seq": "x"');
  assert.equal(await a.lastRefusal(), undefined);
  assert.equal(await b.recordRefusal(3, T + 1000), 3);
});

test("a node that does not own a shared file store reads its next outgoing number and creation time without writing or reloading it", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-peek-'));
  const prefix = 'FIX.4.2-EXEC-BANZAI';
  const standby = await FileStore.open({ path: dir, prefix, shared: true });
  assert.deepEqual(await standby.peekStored(), { nextSenderSeq: 1, creationTime: null }, 'nothing stored yet');
  const owner = await FileStore.open({ path: dir, prefix });
  try {
    owner.saveOutgoing(1, Buffer.from('8=FIX.4.2\x019=5\x0135=0\x0110=000\x01'));
    owner.setNextSenderSeq(12);
    await owner.flush();
    const files = ['seqnums', 'session', 'header', 'body'].map((f) => statSync(join(dir, `${prefix}.${f}`)).mtimeMs);
    assert.equal(standby.getNextSenderSeq(), 1, 'the standby loaded before the owner wrote');
    assert.deepEqual(await standby.peekStored(), { nextSenderSeq: 12, creationTime: owner.creationTime });
    assert.equal(standby.getNextSenderSeq(), 1, 'this store object is not changed');
    assert.deepEqual(['seqnums', 'session', 'header', 'body'].map((f) => statSync(join(dir, `${prefix}.${f}`)).mtimeMs), files, 'nothing written');
    // A torn .seqnums: the store object's own numbers stand in.
    writeFileSync(join(dir, `${prefix}.seqnums`), '00000');
    assert.equal((await standby.peekStored()).nextSenderSeq, 1);
  } finally {
    await owner.close();
    await standby.close();
  }
});

test('a renewal in flight when the session is handed over does not put the old record back (the target would wait out the lease)', async () => {
  // The renewal is not under the lock; started a few turns before or after the hand-over, its
  // rename must never land after the hand-over's.
  for (let offset = -12; offset <= 12; offset++) {
    const { a, b } = pair(60_000);
    await a.acquire();
    const turns = (n: number): Promise<void> => (n <= 0 ? Promise.resolve() : new Promise((r) => setImmediate(() => void turns(n - 1).then(r))));
    const renewal = turns(Math.max(0, offset)).then(() => a.renew().catch(() => undefined));
    await turns(Math.max(0, -offset));
    await a.handOver('b', 1_000_000 + 10_000);
    await renewal;
    const r = await a.current();
    assert.equal(r?.pid, 0, `offset ${offset}: the record is the hand-over, not the old owner's (${JSON.stringify(r)})`);
    assert.equal(r?.movingTo, 'b');
    assert.deepEqual(await b.acquire(), { acquired: true, epoch: 2 }, `offset ${offset}: the target takes the session at once`);
  }
});

test('the lock: a stale one is broken; one broken and taken by another node while ours was held is left to it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-lock-'));
  const lock = join(dir, 'P.owner.lock');
  const a = new FileOwnership({ dir, prefix: 'P', node: 'a', leaseMs: 60_000 });
  // Left by a node that died holding it (older than the stale age, 5 s with this lease).
  writeFileSync(lock, 'gone 1\n');
  const old = new Date(Date.now() - 10_000);
  utimesSync(lock, old, old);
  assert.deepEqual(await a.acquire(), { acquired: true, epoch: 1 });
  assert.equal(existsSync(lock), false, 'let go of after the acquisition');
  // While a holds the lock (recording a refusal), another node breaks it and takes its own.
  const recording = a.recordRefusal(1, 0);
  assert.match(readFileSync(lock, 'utf8'), /^a /, 'held by a, named in the file');
  unlinkSync(lock);
  writeFileSync(lock, 'b elsewhere 2\n');
  await recording;
  assert.equal(readFileSync(lock, 'utf8'), 'b elsewhere 2\n', "a did not remove b's lock");
});
