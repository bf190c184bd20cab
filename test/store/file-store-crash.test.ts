import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileStore, StoreDamagedError } from '../../src/store/index.js';
import { fixMessage, tempDir } from './helpers.js';

const PREFIX = 'FIX.4.4-A-B';
const COUNT = 5;
const msg = (s: number) => fixMessage(s, `58=${'p'.repeat(s)}`);

/** A clean store with COUNT messages, next target 3; returns its file contents. */
async function makeStore(dir: string): Promise<Record<'body' | 'header' | 'seqnums' | 'session', Buffer>> {
  const store = await FileStore.open({ path: dir, prefix: PREFIX });
  for (let s = 1; s <= COUNT; s++) store.saveOutgoing(s, msg(s));
  store.setNextTargetSeq(3);
  await store.close();
  const read = (ext: string) => readFile(join(dir, `${PREFIX}.${ext}`));
  return { body: await read('body'), header: await read('header'), seqnums: await read('seqnums'), session: await read('session') };
}

async function restore(dir: string, files: Record<string, Buffer>): Promise<void> {
  for (const [ext, data] of Object.entries(files)) await writeFile(join(dir, `${PREFIX}.${ext}`), data);
}

/** Reopens, checks the expected messages, stores one more and checks a second reopen sees it all. */
async function reopenAndContinue(dir: string, expected: number[], label: string): Promise<FileStore> {
  const store = await FileStore.open({ path: dir, prefix: PREFIX });
  const got = await store.getRange(1, 100);
  assert.deepEqual(got.map((m) => m.seq), expected, label);
  for (const m of got) assert.deepEqual(m.bytes, msg(m.seq), label);
  const next = store.getNextSenderSeq();
  store.saveOutgoing(next, msg(next));
  await store.close();
  const again = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.deepEqual((await again.getRange(1, 100)).map((m) => m.seq), [...expected, next], `${label}, after writing again`);
  assert.equal(again.recovery.droppedHeaderBytes + again.recovery.droppedRecords, 0, `${label}: repaired`);
  await again.close();
  return store;
}

test('a .header record cut at every byte is dropped, never misread', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const files = await makeStore(dir);
  const text = files.header.toString('latin1');
  const lastStart = text.lastIndexOf(' ', text.length - 2) + 1;
  assert.match(text.slice(lastStart), /^5,\d+,\d+ $/);
  for (let cut = lastStart; cut < files.header.length; cut++) {
    await restore(dir, { ...files, header: files.header.subarray(0, cut) });
    const store = await reopenAndContinue(dir, [1, 2, 3, 4], `header cut at ${cut}`);
    assert.equal(store.recovery.droppedHeaderBytes, cut - lastStart);
    assert.equal(store.getNextSenderSeq(), 7, 'sequence numbers still come from .seqnums');
  }
});

test('a record pointing past the end of .body (body cut at every byte) is dropped', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const files = await makeStore(dir);
  const lastStart = files.body.length - msg(COUNT).length;
  for (let cut = lastStart; cut < files.body.length; cut++) {
    await restore(dir, { ...files, body: files.body.subarray(0, cut) });
    const store = await reopenAndContinue(dir, [1, 2, 3, 4], `body cut at ${cut}`);
    assert.equal(store.recovery.droppedRecords, 1);
  }
});

test('a last message whose bytes are damaged (checksum) is dropped', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const files = await makeStore(dir);
  for (const at of [files.body.length - 1, files.body.length - 20]) {
    const body = Buffer.from(files.body);
    body[at] = 0;
    await restore(dir, { ...files, body });
    const store = await reopenAndContinue(dir, [1, 2, 3, 4], `zero at ${at}`);
    assert.equal(store.recovery.droppedRecords, 1);
  }
});

test('a .seqnums line cut at every byte is detected: empty (never written) is rebuilt, cut short is refused unless repaired', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const files = await makeStore(dir);
  assert.equal(files.seqnums.toString(), '0000000006 : 0000000003');
  for (let cut = 0; cut < files.seqnums.length; cut++) {
    await restore(dir, { ...files, seqnums: files.seqnums.subarray(0, cut) });
    // Dated as a crash leaves it: .seqnums not written after the other files.
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, `${PREFIX}.seqnums`), old, old);
    if (cut > 0) {
      await assert.rejects(FileStore.open({ path: dir, prefix: PREFIX }), (e: unknown) => {
        assert.ok(e instanceof StoreDamagedError, String(e));
        assert.match(e.message, new RegExp(`${PREFIX}\\.seqnums at offset 0: unreadable`));
        assert.match(e.message, /StoreRecovery=repair starts it anyway, repairing:\n {2}\S+\.seqnums: next outgoing number set to 6/);
        return true;
      }, `cut at ${cut}`);
    }
    const store = await FileStore.open({ path: dir, prefix: PREFIX, recoveryPolicy: cut > 0 ? 'repair' : undefined });
    assert.equal(store.recovery.seqNumsRecovered, true, `cut at ${cut}`);
    assert.equal(store.repairs.length, 1);
    assert.equal(store.repairs[0].torn, cut === 0);
    assert.equal(store.getNextSenderSeq(), 6, 'past the last stored message');
    assert.equal(store.getNextTargetSeq(), 1);
    await store.close();
    assert.equal(await readFile(join(dir, `${PREFIX}.seqnums`), 'latin1'), '0000000006 : 0000000001');
  }
});

test('a .session timestamp cut short gets a new creation time', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const files = await makeStore(dir);
  for (let cut = 1; cut < files.session.length; cut++) {
    await restore(dir, { ...files, session: files.session.subarray(0, cut) });
    const store = await FileStore.open({ path: dir, prefix: PREFIX, now: () => new Date(Date.UTC(2030, 0, 1)) });
    assert.equal(store.recovery.creationTimeRecovered, true, `cut at ${cut}`);
    assert.equal(store.creationTime.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(store.getNextSenderSeq(), 6);
    await store.close();
  }
});

for (const mode of ['sync', 'nosync']) {
  test(`kill -9 of a writing process (${mode}) loses nothing that was flushed`, async (t) => {
    const { dir, cleanup } = await tempDir();
    t.after(cleanup);
    const script = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, PREFIX, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = 0;
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const l of lines) acked = Math.max(acked, Number(l));
        if (acked >= 600) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    assert.equal(await exited, 'SIGKILL');
    const store = await FileStore.open({ path: dir, prefix: PREFIX });
    assert.ok(store.getNextSenderSeq() > acked, `next sender ${store.getNextSenderSeq()} after ack ${acked}`);
    assert.ok(store.getNextTargetSeq() > acked);
    const got = await store.getRange(1, acked);
    assert.equal(got.length, acked);
    for (const m of got) assert.deepEqual(m.bytes, fixMessage(m.seq, `58=${'m'.repeat(m.seq % 50)}`));
    await store.close();
  });
}
