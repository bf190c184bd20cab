/**
 * `getRange` with a limit: the first messages of the range, at most `maxMessages` and about
 * `maxBytes` (the message reaching it is the last, at least one), the same in every store; a
 * caller goes on after the last sequence number it got until a call returns nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FileStore, MemoryStore, PostgresDatabase, PostgresStore, type MessageStore, type RangeLimit } from '../../src/store/index.js';
import { fixMessage, tempDir } from './helpers.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../support/postgres.js';

/** Messages 1..40 except 7 and 20..24; message 30 is large. */
async function fill(store: MessageStore): Promise<void> {
  for (let seq = 1; seq <= 40; seq++) {
    if (seq === 7 || (seq >= 20 && seq <= 24)) continue;
    store.saveOutgoing(seq, fixMessage(seq, seq === 30 ? `58=${'x'.repeat(5000)}` : '58=hello'));
  }
  await store.flush();
}

async function chunks(store: MessageStore, begin: number, end: number, limit: RangeLimit): Promise<number[][]> {
  const out: number[][] = [];
  for (let from = begin; ; ) {
    const got = await store.getRange(from, end, limit);
    if (got.length === 0) return out;
    out.push(got.map((m) => m.seq));
    from = got[got.length - 1].seq + 1;
  }
}

async function check(store: MessageStore): Promise<void> {
  await fill(store);
  const whole = (await store.getRange(1, 40)).map((m) => m.seq);
  assert.equal(whole.length, 34);
  const byCount = await chunks(store, 1, 40, { maxMessages: 5, maxBytes: Infinity });
  assert.deepEqual(byCount.flat(), whole);
  assert.deepEqual(byCount[1], [6, 8, 9, 10, 11]);
  assert.ok(byCount.every((c) => c.length <= 5));
  // Three small messages' worth of bytes: three reach it; the large one ends the chunk it starts in.
  const one = fixMessage(1).length;
  const byBytes = await chunks(store, 25, 35, { maxMessages: 100, maxBytes: 3 * one });
  assert.deepEqual(byBytes, [[25, 26, 27], [28, 29, 30], [31, 32, 33], [34, 35]]);
  assert.deepEqual((await store.getRange(30, 40, { maxMessages: 10, maxBytes: 10 })).map((m) => m.seq), [30], 'at least one');
  assert.deepEqual(await store.getRange(20, 24, { maxMessages: 5, maxBytes: 1000 }), []);
  assert.deepEqual((await store.getRange(3, 3, { maxMessages: 5, maxBytes: 1000 }))[0].bytes, fixMessage(3));
}

test('memory store', async () => {
  await check(new MemoryStore());
});

test('file store', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = await FileStore.open({ path: dir, prefix: 'limit' });
    await check(store);
    await store.close();
    // From .body after reopening (not from the cache).
    const again = await FileStore.open({ path: dir, prefix: 'limit' });
    assert.deepEqual((await chunks(again, 1, 40, { maxMessages: 4, maxBytes: Infinity })).flat(), (await again.getRange(1, 40)).map((m) => m.seq));
    await again.close();
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

test('PostgreSQL store', skip ? { skip } : {}, async () => {
  const store = await PostgresStore.open({ database: new PostgresDatabase({ url: server!.url, schema: await server!.newSchema() }), session: 'FIX.4.4:A->B' });
  await check(store);
  await store.close();
});
