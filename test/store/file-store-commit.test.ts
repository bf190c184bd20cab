import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '../../src/store/index.js';
import { CountingFs, fixMessage, tempDir } from './helpers.js';

const PREFIX = 'FIX.4.4-A-B';

test('group commit: one fdatasync per file and flush, however many messages', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const fs = new CountingFs();
  const store = await FileStore.open({ path: dir, prefix: PREFIX, sync: true, fs });
  fs.datasyncs = 0;
  for (let s = 1; s <= 1000; s++) {
    store.saveOutgoing(s, fixMessage(s));
    store.setNextTargetSeq(s + 1);
  }
  await store.flush();
  assert.equal(fs.datasyncs, 3, 'body, header and seqnums once each');
  store.setNextTargetSeq(2000);
  await store.flush();
  assert.equal(fs.datasyncs, 4, 'only seqnums changed');
  await store.flush();
  assert.equal(fs.datasyncs, 4, 'nothing to do');
  await store.close();
});

test('concurrent flush() calls coalesce into one write round', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const fs = new CountingFs();
  const store = await FileStore.open({ path: dir, prefix: PREFIX, sync: true, fs });
  fs.datasyncs = 0;
  fs.writeDelayMs = 10;

  store.saveOutgoing(1, fixMessage(1));
  const first = store.flush(); // starts writing message 1
  assert.equal(store.flush(), first, 'same turn: the same flush');
  await new Promise((r) => setTimeout(r, 5)); // first is in flight now
  const later: Promise<void>[] = [];
  for (let s = 2; s <= 50; s++) {
    store.saveOutgoing(s, fixMessage(s));
    later.push(store.flush());
  }
  assert.ok(later.every((p) => p === later[0]), 'calls made during a flush share the next one');
  await Promise.all([first, ...later]);
  assert.equal(fs.datasyncs, 6, 'two rounds of three files for 50 messages');
  fs.writeDelayMs = 0;
  const again = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.equal((await again.getRange(1, 50)).length, 50);
  await again.close();
  await store.close();
});

test('flush without sync never calls fdatasync; writes happen only on flush', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const fs = new CountingFs();
  const store = await FileStore.open({ path: dir, prefix: PREFIX, fs });
  const writes = fs.writes;
  for (let s = 1; s <= 100; s++) store.saveOutgoing(s, fixMessage(s));
  assert.equal(fs.writes, writes, 'buffered until flush');
  assert.equal((await stat(join(dir, `${PREFIX}.body`))).size, 0);
  await store.flush();
  assert.equal(fs.writes - writes, 3, 'one write per file');
  assert.equal(fs.datasyncs, 0);
  await store.close();
});

test('memory stays flat over 200k messages: compact index, bounded cache', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const store = await FileStore.open({ path: dir, prefix: PREFIX });
  const N = 200_000;
  const template = fixMessage(1);
  for (let s = 1; s <= N; s++) {
    store.saveOutgoing(s, template);
    if (s % 20_000 === 0) await store.flush();
  }
  await store.flush();
  assert.equal(store.messageCount, N);
  assert.ok(store.cachedMessages <= 10_000, `cache holds ${store.cachedMessages}`);
  assert.ok(store.indexBytes <= 32 * N, `index uses ${store.indexBytes} bytes (${(store.indexBytes / N).toFixed(1)} per message)`);
  const early = await store.getRange(10, 12);
  assert.deepEqual(early.map((m) => m.seq), [10, 11, 12]);
  assert.deepEqual(early[0].bytes, template);
  await store.close();

  const reopened = await FileStore.open({ path: dir, prefix: PREFIX, maxCachedMsgs: 100 });
  assert.equal(reopened.messageCount, N);
  assert.ok(reopened.indexBytes <= 32 * N);
  assert.equal((await reopened.getRange(N - 99, N + 5)).length, 100);
  await reopened.close();
});
