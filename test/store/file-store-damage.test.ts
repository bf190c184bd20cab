/**
 * A store damaged between restarts is checked when it opens, its files against each other: by
 * default it refuses to open (StoreDamagedError naming file, offset and problem); with
 * `recoveryPolicy: 'repair'` it opens, drops what cannot be read, reports each repair and never
 * hands out a sequence number at or below a stored message's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore, StoreDamagedError, nodeFileSystem, type StoreFile, type StoreFileSystem, type StoreRepair } from '../../src/store/index.js';
import { fixMessage, tempDir } from './helpers.js';

const PREFIX = 'FIX.4.4-A-B';
const msg = (s: number) => fixMessage(s, `58=${'q'.repeat(s % 17)}`);
const file = (dir: string, ext: string) => join(dir, `${PREFIX}.${ext}`);

/** A clean store with messages 1..count, next target 3, its files dated a minute ago. */
async function makeStore(dir: string, count: number): Promise<void> {
  const store = await FileStore.open({ path: dir, prefix: PREFIX });
  for (let s = 1; s <= count; s++) store.saveOutgoing(s, msg(s));
  store.setNextTargetSeq(3);
  await store.close();
  const past = new Date(Date.now() - 60_000);
  for (const ext of ['body', 'header', 'seqnums', 'session']) await utimes(file(dir, ext), past, past);
}

/**
 * Messages 1..10 in .body with records for 1..7 only and .seqnums older than the files: an
 * unfinished flush of 8..10. Answers where the last record's message ends (the tail's start).
 */
async function unrecordedTail(dir: string): Promise<number> {
  await makeStore(dir, 10);
  const header = await readFile(file(dir, 'header'), 'latin1');
  const cut = header.indexOf(' 8,') + 1;
  await writeFile(file(dir, 'header'), header.slice(0, cut));
  await writeFile(file(dir, 'seqnums'), '0000000008 : 0000000003');
  const past = new Date(Date.now() - 120_000);
  await utimes(file(dir, 'seqnums'), past, past);
  // The last record kept (message 7): "seq,offset,size".
  const last = /(\d+),(\d+)\s*$/.exec(header.slice(0, cut))!;
  return Number(last[1]) + Number(last[2]);
}

/** Opens with the default policy: must be refused, naming `path` and matching `problem`. */
async function refused(dir: string, path: string, problem: RegExp): Promise<StoreDamagedError> {
  let error: StoreDamagedError | undefined;
  await assert.rejects(FileStore.open({ path: dir, prefix: PREFIX }), (e: unknown) => {
    assert.ok(e instanceof StoreDamagedError, String(e));
    error = e;
    return true;
  });
  const damage = error!.repairs.filter((r) => !r.torn);
  assert.ok(damage.some((r) => r.file === path && problem.test(r.problem)), `${path} ${problem} in ${error!.message}`);
  assert.ok(error!.message.includes(path), error!.message);
  assert.match(error!.message, /StoreRecovery=repair starts it anyway/);
  return error!;
}

/** Opens with repair: checks the resendable messages and next sender, stores one more, reopens clean. */
async function repaired(dir: string, resendable: number[], nextSender: number, nextTarget = 3): Promise<StoreRepair[]> {
  const reported: StoreRepair[] = [];
  const store = await FileStore.open({ path: dir, prefix: PREFIX, recoveryPolicy: 'repair', onRecovery: (r) => reported.push(...r.repairs) });
  assert.deepEqual(reported, store.repairs, 'every repair reported');
  assert.deepEqual((await store.getRange(1, 1000)).map((m) => m.seq), resendable);
  assert.equal(store.getNextSenderSeq(), nextSender);
  assert.equal(store.getNextTargetSeq(), nextTarget);
  store.saveOutgoing(nextSender, msg(nextSender));
  await store.close();
  const again = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.deepEqual(again.repairs, [], 'the repair was written: the store opens clean');
  assert.deepEqual((await again.getRange(1, 1000)).map((m) => m.seq), [...resendable, nextSender]);
  assert.equal(again.getNextSenderSeq(), nextSender + 1);
  await again.close();
  return reported;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

test('.body cut in half: refused (records point past its end); repaired, the messages still there are resendable', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await makeStore(dir, 100);
  const body = await readFile(file(dir, 'body'));
  await truncate(file(dir, 'body'), body.length >> 1);
  // The first message past the cut: the one whose end lies beyond it.
  let end = 0;
  let kept = 0;
  while (end + msg(kept + 1).length <= body.length >> 1) end += msg(++kept).length;
  const e = await refused(dir, file(dir, 'header'), new RegExp(`${100 - kept} records for message\\(s\\) ${kept + 1}\\.\\.100 point past the end of`));
  assert.equal(e.repairs.find((r) => r.file === file(dir, 'header'))!.offset, (await readFile(file(dir, 'header'), 'latin1')).indexOf(` ${kept + 1},`) + 1);
  const r = await repaired(dir, range(1, kept), 101);
  assert.match(r[0].repair, new RegExp(`${100 - kept} stored messages dropped \\(${kept + 1}\\.\\.100\\)`));
});

test('.body deleted: refused; repaired, nothing resendable and numbering goes on from .seqnums', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await makeStore(dir, 100);
  await rm(file(dir, 'body'));
  await refused(dir, file(dir, 'header'), /100 records for message\(s\) 1\.\.100 point past the end of .* \(0 bytes\)/);
  await repaired(dir, [], 101);
});

for (const [how, header] of [
  ['overwritten with garbage', (n: number) => Buffer.alloc(n, 'x')],
  ['overwritten with zeros', (n: number) => Buffer.alloc(n, 0)],
  ['emptied', () => Buffer.alloc(0)],
] as const) {
  test(`.header ${how}: refused (the messages in .body have no record); repaired, none resendable, numbering goes on`, async (t) => {
    const { dir, cleanup } = await tempDir();
    t.after(cleanup);
    await makeStore(dir, 100);
    const size = (await readFile(file(dir, 'header'))).length;
    await writeFile(file(dir, 'header'), header(size));
    await refused(dir, file(dir, 'body'), /100 messages \(1\.\.100\) with no record in/);
    await repaired(dir, [], 101);
  });
}

test('.seqnums garbled: refused; repaired, next outgoing past the stored messages and next incoming 1', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await makeStore(dir, 100);
  await writeFile(file(dir, 'seqnums'), '00000x0101 : 0000000003');
  await refused(dir, file(dir, 'seqnums'), /unreadable: "00000x0101 : 0000000003"/);
  await repaired(dir, range(1, 100), 101, 1);
});

test('.seqnums lowered to 5 with 101 messages stored: refused; repaired, numbering goes on at 102 (no number reused)', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await makeStore(dir, 101);
  await writeFile(file(dir, 'seqnums'), '0000000005 : 0000000003');
  await refused(dir, file(dir, 'seqnums'), /next outgoing number 5 is not past the highest stored message 101: sending would reuse/);
  const r = await repaired(dir, range(1, 101), 102);
  assert.equal(r[0].repair, 'next outgoing number set to 102');
});

test('an unfinished flush (records written, .seqnums not yet) is a torn write: reported, and the numbers it never sent are used again', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await makeStore(dir, 10);
  // A crash between the .header write of messages 6..10 and the .seqnums write after it.
  await writeFile(file(dir, 'seqnums'), '0000000006 : 0000000003');
  const past = new Date(Date.now() - 120_000);
  await utimes(file(dir, 'seqnums'), past, past);
  const store = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.equal(store.getNextSenderSeq(), 6);
  assert.deepEqual(store.repairs.map((r) => [r.file, r.torn]), [[file(dir, 'seqnums'), true]]);
  assert.match(store.repairs[0].problem, /message\(s\) 6\.\.10 of an unfinished flush are stored but were never acknowledged, so never sent \(a torn last write\)/);
  await store.close();
});

test('messages written to .body whose records never were (an unfinished flush) are cut off, reported, not refused', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await unrecordedTail(dir);
  const reported: StoreRepair[] = [];
  const store = await FileStore.open({ path: dir, prefix: PREFIX, onRecovery: (r) => reported.push(...r.repairs) });
  assert.deepEqual(reported.map((r) => [r.file, r.torn]), [[file(dir, 'body'), true], [file(dir, 'seqnums'), true]]);
  assert.match(reported[0].problem, /3 messages \(8\.\.10\) with no record in/);
  assert.equal(store.getNextSenderSeq(), 8, 'the unsent messages cut off: their numbers are used again');
  assert.deepEqual((await store.getRange(1, 100)).map((m) => m.seq), range(1, 7));
  await store.close();
});

test('a .body cut back after its size was taken (reads past the cut come back short) is read to where it now ends, not for ever', { timeout: 20_000 }, async (t) => {
  // What a writer sharing the store does when it resets between this open's stat and its reads of
  // the tail (the messages past the last record): made certain here by a file system whose .body
  // answers nothing past the last record, as if cut there.
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const recordsEnd = await unrecordedTail(dir);
  let shortReads = 0;
  const fs: StoreFileSystem = {
    mkdir: (p, o) => nodeFileSystem.mkdir(p, o),
    unlink: (p) => nodeFileSystem.unlink(p),
    open: async (p, flags, mode) => {
      const f = await nodeFileSystem.open(p, flags, mode);
      if (!p.endsWith('.body')) return f;
      return Object.assign(Object.create(f) as StoreFile, {
        read: async (b: Buffer, o: number, l: number, pos: number): Promise<{ bytesRead: number }> => {
          if (pos + l <= recordsEnd) return f.read(b, o, l, pos);
          shortReads++;
          await new Promise((r) => setImmediate(r)); // as a real read would: the test's timeout can fire
          return pos >= recordsEnd ? { bytesRead: 0 } : f.read(b, o, recordsEnd - pos, pos);
        },
      });
    },
  };
  const store = await FileStore.open({ path: dir, prefix: PREFIX, shared: true, fs });
  assert.ok(shortReads > 0, 'the tail was read past the cut');
  assert.ok(store.repairs.every((r) => r.torn), store.repairs.map((r) => r.problem).join('\n'));
  assert.equal(store.getNextSenderSeq(), 8, 'numbering goes on from the last record');
  await store.close();
});

test('a shared store opened while another writer appends to it and resets it is never taken for damaged', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const writer = await FileStore.open({ path: dir, prefix: PREFIX });
  let stop = false;
  let seq = 1;
  let flushes = 0;
  let lastReset = Date.now();
  const writing = (async () => {
    while (!stop) {
      for (let i = 0; i < 1 + (seq % 4); i++, seq++) writer.saveOutgoing(seq, msg(seq));
      if (seq % 7 === 0) writer.setNextTargetSeq(seq);
      await writer.flush();
      flushes++;
      if (Date.now() - lastReset > 300) {
        // A reset (daily, or at a Logon) cuts .header, then .body, then rewrites .seqnums: an open
        // in the middle of it looks again once it is over.
        lastReset = Date.now();
        writer.reset();
        await writer.flush();
        seq = 1;
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  try {
    for (let i = 0; i < 150; i++) {
      const standby = await FileStore.open({ path: dir, prefix: PREFIX, shared: true });
      assert.ok(standby.repairs.every((r) => r.torn), standby.repairs.map((r) => r.problem).join('\n'));
      // The writer's unfinished flush (messages not yet acknowledged by .seqnums) may be seen: its numbers are used again, never sent.
      assert.ok(standby.getNextSenderSeq() >= 1);
      await standby.close();
    }
  } finally {
    stop = true;
    await writing;
    await writer.close();
  }
  assert.ok(flushes > 150, `the writer kept writing (${flushes} flushes)`);
});

test('a shared store opened in the middle of a reset (.header cut, .body not yet) looks again and opens the reset store', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await makeStore(dir, 20);
  await truncate(file(dir, 'header'), 0);
  const opening = FileStore.open({ path: dir, prefix: PREFIX, shared: true });
  // The writer finishes its reset while the open waits to look again.
  await new Promise((r) => setTimeout(r, 20));
  await truncate(file(dir, 'body'), 0);
  await writeFile(file(dir, 'seqnums'), '0000000001 : 0000000001');
  const store = await opening;
  assert.deepEqual(store.repairs, []);
  assert.equal(store.getNextSenderSeq(), 1);
  await store.close();
  // Not shared: the same state is damage at once (a crash in the middle of a reset, or an emptied .header).
  await makeStore(dir, 20);
  await truncate(file(dir, 'header'), 0);
  await assert.rejects(FileStore.open({ path: dir, prefix: PREFIX }), StoreDamagedError);
});
