import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore, FileStoreError, FileStoreFactory, nodeFileSystem, type StoreFile, type StoreFileSystem } from '../../src/store/index.js';
import { SessionID } from '../../src/session/session-id.js';
import { CountingFs, fixMessage, tempDir } from './helpers.js';

const PREFIX = 'FIX.4.4-A-B';
const fixed = () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));

async function files(dir: string, prefix = PREFIX) {
  const read = (ext: string) => readFile(join(dir, `${prefix}.${ext}`), 'latin1');
  return { body: await read('body'), header: await read('header'), seqnums: await read('seqnums'), session: await read('session') };
}

test('round trip: messages and sequence numbers in QuickFIX format', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const store = await FileStore.open({ path: join(dir, 'nested', 'store'), prefix: PREFIX, now: fixed });
  assert.equal(store.getNextSenderSeq(), 1);
  assert.equal(store.getNextTargetSeq(), 1);
  assert.equal(store.creationTime.toISOString(), '2024-01-02T03:04:05.000Z');
  const msgs = [1, 2, 3, 4, 5].map((s) => fixMessage(s));
  msgs.forEach((m, i) => store.saveOutgoing(i + 1, m));
  store.setNextTargetSeq(7);
  await store.flush();
  assert.equal(store.getNextSenderSeq(), 6);
  assert.deepEqual((await store.getRange(2, 3)).map((m) => m.seq), [2, 3]);
  assert.deepEqual((await store.getRange(1, 99)).map((m) => m.bytes), msgs);
  await store.close();

  const f = await files(join(dir, 'nested', 'store'));
  let offset = 0;
  const header = msgs.map((m, i) => {
    const rec = `${i + 1},${offset},${m.length} `;
    offset += m.length;
    return rec;
  });
  assert.equal(f.header, header.join(''));
  assert.equal(f.body, Buffer.concat(msgs).toString('latin1'));
  assert.equal(f.seqnums, '0000000006 : 0000000007');
  assert.equal(f.session, '20240102-03:04:05');
});

test('reopen: state comes back from disk, reads go to .body', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const a = await FileStore.open({ path: dir, prefix: PREFIX, now: fixed });
  for (let s = 1; s <= 20; s++) a.saveOutgoing(s, fixMessage(s, `58=${'x'.repeat(s)}`));
  a.setNextTargetSeq(42);
  await a.close();
  const b = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.equal(b.cachedMessages, 0);
  assert.equal(b.getNextSenderSeq(), 21);
  assert.equal(b.getNextTargetSeq(), 42);
  assert.equal(b.creationTime.toISOString(), '2024-01-02T03:04:05.000Z');
  const got = await b.getRange(5, 15);
  assert.deepEqual(got.map((m) => m.seq), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  for (const m of got) assert.deepEqual(m.bytes, fixMessage(m.seq, `58=${'x'.repeat(m.seq)}`));
  assert.deepEqual(b.recovery, { droppedHeaderBytes: 0, droppedRecords: 0, droppedBodyBytes: 0, seqNumsRecovered: false, creationTimeRecovered: false, repairs: [] });
  await b.close();
});

test('picks up a store written by QuickFIX C++ (files made by hand)', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const m1 = fixMessage(1);
  const m2 = fixMessage(2, '58=second');
  const m2b = fixMessage(2, '58=second, again');
  const body = Buffer.concat([m1, m2, m2b]);
  const base = join(dir, 'FIX.4.2-EXEC-BANZAI-q1.');
  await writeFile(`${base}body`, body);
  // Seq 2 was stored twice: the later record wins, as in QuickFIX.
  await writeFile(`${base}header`, `1,0,${m1.length} 2,${m1.length},${m2.length} 2,${m1.length + m2.length},${m2b.length} `);
  await writeFile(`${base}seqnums`, '0000000003 : 0000000005');
  await writeFile(`${base}session`, '20230405-06:07:08.123');
  const id = new SessionID({ beginString: 'FIX.4.2', senderCompID: 'EXEC', targetCompID: 'BANZAI', qualifier: 'q1' });
  const store = await new FileStoreFactory({ path: dir }).create(id);
  assert.equal(store.getNextSenderSeq(), 3);
  assert.equal(store.getNextTargetSeq(), 5);
  assert.equal(store.creationTime.toISOString(), '2023-04-05T06:07:08.123Z');
  assert.deepEqual((await store.getRange(1, 2)).map((m) => m.bytes), [m1, m2b]);
  const m3 = fixMessage(3);
  store.saveOutgoing(3, m3);
  await store.close();
  const header = await readFile(`${base}header`, 'latin1');
  assert.ok(header.endsWith(` 3,${body.length},${m3.length} `), header);
  assert.equal(await readFile(`${base}seqnums`, 'latin1'), '0000000004 : 0000000005');
  assert.equal(await readFile(`${base}session`, 'latin1'), '20230405-06:07:08.123', 'an existing creation time is left alone');
});

test('reset truncates every file, takes a new creation time; writes in the same turn follow it', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const store = await FileStore.open({ path: dir, prefix: PREFIX, now: fixed });
  for (let s = 1; s <= 3; s++) store.saveOutgoing(s, fixMessage(s));
  store.setNextTargetSeq(9);
  await store.flush();
  store.reset(new Date(Date.UTC(2025, 5, 6, 7, 8, 9, 999)));
  assert.equal(store.getNextSenderSeq(), 1);
  assert.equal(store.getNextTargetSeq(), 1);
  assert.deepEqual(await store.getRange(1, 10), []);
  const first = fixMessage(1, '58=after reset');
  store.saveOutgoing(1, first);
  await store.flush();
  const f = await files(dir);
  assert.equal(f.body, first.toString('latin1'));
  assert.equal(f.header, `1,0,${first.length} `);
  assert.equal(f.seqnums, '0000000002 : 0000000001');
  assert.equal(f.session, '20250606-07:08:09');
  await store.close();
  const again = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.equal(again.creationTime.toISOString(), '2025-06-06T07:08:09.000Z');
  assert.deepEqual((await again.getRange(1, 5)).map((m) => m.bytes), [first]);
  await again.close();
});

test('refresh re-reads what another process wrote, keeping changes made meanwhile', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const primary = await FileStore.open({ path: dir, prefix: PREFIX });
  const fs = new CountingFs();
  const standby = await FileStore.open({ path: dir, prefix: PREFIX, fs });
  for (let s = 1; s <= 4; s++) primary.saveOutgoing(s, fixMessage(s));
  primary.setNextTargetSeq(3);
  await primary.flush();
  assert.equal(standby.getNextSenderSeq(), 1);
  await standby.refresh();
  assert.equal(standby.getNextSenderSeq(), 5);
  assert.equal(standby.getNextTargetSeq(), 3);
  assert.deepEqual((await standby.getRange(1, 4)).map((m) => m.seq), [1, 2, 3, 4]);

  // The primary resets (QuickFIX unlinks and recreates); the standby follows.
  primary.reset();
  primary.saveOutgoing(1, fixMessage(1, '58=new'));
  await primary.close();
  fs.openDelayMs = 20;
  const refreshing = standby.refresh();
  await new Promise((r) => setTimeout(r, 5));
  // Made while the refresh reads: applied on the new state.
  standby.setNextTargetSeq(2);
  standby.saveOutgoing(2, fixMessage(2, '58=during'));
  await refreshing;
  fs.openDelayMs = 0;
  assert.equal(standby.getNextSenderSeq(), 3);
  assert.equal(standby.getNextTargetSeq(), 2);
  assert.deepEqual((await standby.getRange(1, 4)).map((m) => m.bytes), [fixMessage(1, '58=new'), fixMessage(2, '58=during')]);
  standby.saveOutgoing(3, fixMessage(3));
  await standby.close();
  const check = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.deepEqual((await check.getRange(1, 4)).map((m) => m.seq), [1, 2, 3]);
  assert.equal(check.getNextTargetSeq(), 2);
  await check.close();
});

test('unflushed messages are readable without the cache (maxCachedMsgs 0)', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const store = await FileStore.open({ path: dir, prefix: PREFIX, maxCachedMsgs: 0 });
  store.saveOutgoing(1, fixMessage(1));
  store.saveOutgoing(2, fixMessage(2));
  assert.equal(store.cachedMessages, 0);
  assert.deepEqual((await store.getRange(1, 2)).map((m) => m.bytes), [fixMessage(1), fixMessage(2)]);
  store.reset();
  store.saveOutgoing(1, fixMessage(1, '58=z'));
  assert.deepEqual((await store.getRange(1, 2)).map((m) => m.bytes), [fixMessage(1, '58=z')]);
  await store.close();
});

test('an unusable directory is a FileStoreError, not a crash', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await writeFile(join(dir, 'plain-file'), 'x');
  await assert.rejects(FileStore.open({ path: join(dir, 'plain-file', 'store'), prefix: PREFIX }), (e: unknown) => {
    assert.ok(e instanceof FileStoreError);
    assert.equal(e.reason, 'open-failed');
    assert.match(e.message, /cannot create directory .*plain-file/);
    assert.ok(e.causeCode === 'ENOTDIR' || e.causeCode === 'EEXIST', String(e.causeCode));
    return true;
  });
  const denied = new CountingFs();
  denied.open = async () => {
    throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  };
  await assert.rejects(FileStore.open({ path: dir, prefix: PREFIX, fs: denied }), (e: unknown) => {
    assert.ok(e instanceof FileStoreError);
    assert.equal(e.reason, 'open-failed');
    assert.equal(e.causeCode, 'EACCES');
    assert.equal(e.path, join(dir, `${PREFIX}.body`));
    return true;
  });
  if (process.getuid?.() !== 0) {
    const ro = join(dir, 'read-only');
    await mkdir(ro, { mode: 0o500 });
    await assert.rejects(FileStore.open({ path: ro, prefix: PREFIX }), FileStoreError);
  }
});

test('a failed write is reported and retried by the next flush', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const fs = new CountingFs();
  const store = await FileStore.open({ path: dir, prefix: PREFIX, fs });
  store.saveOutgoing(1, fixMessage(1));
  fs.failWrites = 1;
  await assert.rejects(store.flush(), (e: unknown) => e instanceof FileStoreError && e.reason === 'io' && e.causeCode === 'ENOSPC');
  store.saveOutgoing(2, fixMessage(2));
  await store.flush();
  await store.close();
  assert.throws(() => store.saveOutgoing(3, fixMessage(3)), (e: unknown) => e instanceof FileStoreError && e.reason === 'closed');
  const again = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.deepEqual((await again.getRange(1, 2)).map((m) => m.bytes), [fixMessage(1), fixMessage(2)]);
  assert.equal(again.getNextSenderSeq(), 3);
  await again.close();
});

test('flushNow writes at once when nothing has to wait, and otherwise leaves it to flush()', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const store = await FileStore.open({ path: dir, prefix: PREFIX, now: fixed, maxCachedMsgs: 0 });
  assert.equal(store.flushNow(), true, 'nothing pending');
  store.saveOutgoing(1, fixMessage(1));
  store.saveOutgoing(2, fixMessage(2));
  store.setNextTargetSeq(5);
  assert.equal(store.flushNow(), true);
  // In the files before any await.
  assert.equal(readFileSync(join(dir, `${PREFIX}.body`), 'latin1'), Buffer.concat([fixMessage(1), fixMessage(2)]).toString('latin1'));
  assert.equal(readFileSync(join(dir, `${PREFIX}.header`), 'latin1'), `1,0,${fixMessage(1).length} 2,${fixMessage(1).length},${fixMessage(2).length} `);
  assert.equal(readFileSync(join(dir, `${PREFIX}.seqnums`), 'latin1'), '0000000003 : 0000000005');

  // A read in progress (a cache miss goes to .body): the writes wait their turn.
  const reading = store.getRange(1, 2);
  store.saveOutgoing(3, fixMessage(3));
  assert.equal(store.flushNow(), false);
  assert.deepEqual((await reading).map((m) => m.seq), [1, 2]);
  await store.flush();
  assert.equal(store.flushNow(), true);

  // A reset truncates files (waits): flush() does it.
  store.reset(fixed());
  store.saveOutgoing(1, fixMessage(1));
  assert.equal(store.flushNow(), false);
  await store.flush();
  assert.equal(readFileSync(join(dir, `${PREFIX}.header`), 'latin1'), `1,0,${fixMessage(1).length} `);
  await store.close();
  assert.equal(store.flushNow(), false, 'closed');

  // FileStoreSync=Y needs fdatasync: never at once.
  const synced = await FileStore.open({ path: dir, prefix: PREFIX, sync: true });
  synced.saveOutgoing(2, fixMessage(2));
  assert.equal(synced.flushNow(), false);
  await synced.close();
  const again = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.deepEqual((await again.getRange(1, 9)).map((m) => m.seq), [1, 2]);
  await again.close();
});

test('flushNow: a failed write is an error and the batch is retried by the next flush', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  let fail = 0;
  const fs: StoreFileSystem = {
    mkdir: (p, o) => nodeFileSystem.mkdir(p, o),
    unlink: (p) => nodeFileSystem.unlink(p),
    open: async (p, flags, mode) => {
      const f = await nodeFileSystem.open(p, flags, mode);
      return Object.assign(Object.create(f) as StoreFile, {
        writeSync: (b: Buffer, o: number, l: number, pos: number): number => {
          if (fail > 0 && fail-- > 0) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          return f.writeSync!(b, o, l, pos);
        },
      });
    },
  };
  const store = await FileStore.open({ path: dir, prefix: PREFIX, fs });
  store.saveOutgoing(1, fixMessage(1));
  fail = 1;
  assert.throws(() => store.flushNow(), (e: unknown) => e instanceof FileStoreError && e.reason === 'io' && e.causeCode === 'ENOSPC');
  store.saveOutgoing(2, fixMessage(2));
  assert.equal(store.flushNow(), true);
  await store.close();
  const again = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.deepEqual((await again.getRange(1, 2)).map((m) => m.bytes), [fixMessage(1), fixMessage(2)]);
  assert.equal(again.getNextSenderSeq(), 3);
  await again.close();
});
