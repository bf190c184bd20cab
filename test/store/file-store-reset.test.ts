/**
 * A reset interrupted half-way (the process dies between cutting `.header` and `.body`, or before
 * writing the new numbers) is finished when the store next opens, under the default recovery
 * policy: no refusal to start, no messages of the old session, sequence numbers 1 and 1, the
 * creation time the reset took. A reset that completes leaves no marker behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore, nodeFileSystem, type StoreFile, type StoreFileSystem } from '../../src/store/index.js';
import { fixMessage, tempDir } from './helpers.js';

const PREFIX = 'FIX.4.4-A-B';

/**
 * A file system whose `truncate` of one file to 0 "crashes": it throws, and no later write or cut
 * reaches the disk. With `now`, it also offers the synchronous calls a reset without FileStoreSync
 * makes (crashing the same way).
 */
class CrashingFs implements StoreFileSystem {
  crashed = false;
  /** The crash came from a synchronous call. */
  crashedNow = false;
  writeSmallFileSync?: (path: string, content: Buffer) => void;
  unlinkSync?: (path: string) => void;
  constructor(
    private readonly crashAt: (path: string, op: 'truncate' | 'write', length: number) => boolean,
    private readonly now = false,
  ) {
    if (!now) return;
    this.writeSmallFileSync = (path, content) => {
      if (this.crashed) throw new Error('crashed');
      nodeFileSystem.writeSmallFileSync!(path, content);
    };
    this.unlinkSync = (path) => {
      if (this.crashed) throw new Error('crashed');
      nodeFileSystem.unlinkSync!(path);
    };
  }
  mkdir(path: string, options: { recursive: true }): Promise<unknown> {
    return nodeFileSystem.mkdir(path, options);
  }
  unlink(path: string): Promise<void> {
    if (this.crashed) return Promise.reject(new Error('crashed'));
    return nodeFileSystem.unlink(path);
  }
  async open(path: string, flags: number, mode?: number): Promise<StoreFile> {
    if (this.crashed) throw new Error('crashed');
    const f = await nodeFileSystem.open(path, flags, mode);
    const fail = (op: 'truncate' | 'write', length: number): void => {
      if (this.crashed || this.crashAt(path, op, length)) {
        this.crashed = true;
        throw new Error(`crash at ${op} of ${path}`);
      }
    };
    return {
      read: (b, o, l, p) => f.read(b, o, l, p),
      write: async (b, o, l, p) => {
        fail('write', l);
        return f.write(b, o, l, p);
      },
      truncate: async (n) => {
        fail('truncate', n);
        return f.truncate(n);
      },
      datasync: () => f.datasync(),
      stat: () => f.stat(),
      close: () => f.close(),
      ...(this.now
        ? {
            writeSync: (b: Buffer, o: number, l: number, p: number) => {
              this.crashedNow = !this.crashed;
              fail('write', l);
              this.crashedNow = false;
              return f.writeSync!(b, o, l, p);
            },
            truncateSync: (n: number) => {
              this.crashedNow = !this.crashed;
              fail('truncate', n);
              this.crashedNow = false;
              f.truncateSync!(n);
            },
          }
        : {}),
    };
  }
}

async function storeWithMessages(dir: string, n: number): Promise<void> {
  const store = await FileStore.open({ path: dir, prefix: PREFIX });
  for (let seq = 1; seq <= n; seq++) store.saveOutgoing(seq, fixMessage(seq));
  store.setNextTargetSeq(42);
  await store.close();
}

async function interruptedReset(dir: string, crashAt: ConstructorParameters<typeof CrashingFs>[0], now: boolean): Promise<Date> {
  const fs = new CrashingFs(crashAt, now);
  const store = await FileStore.open({ path: dir, prefix: PREFIX, fs });
  const when = new Date('2026-12-06T06:00:00Z');
  store.reset(when);
  await assert.rejects(store.flush(), /crash at/);
  assert.equal(fs.crashedNow, now, now ? 'the reset was made with synchronous calls' : 'the reset went through the promise API');
  assert.ok(fs.crashed);
  await store.close().catch(() => undefined);
  return when;
}

for (const [name, crashAt] of [
  ['between cutting .header and .body', (path: string, op: string) => op === 'truncate' && path.endsWith('.body')],
  ['after the cuts, before the new numbers', (path: string, op: string) => op === 'write' && path.endsWith('.seqnums')],
  ['right after writing the marker', (path: string, op: string) => op === 'truncate' && path.endsWith('.header')],
] as const) {
  for (const now of [false, true]) {
    test(`a reset interrupted ${name} is finished at the next open (${now ? 'made at once, without FileStoreSync' : 'through the thread pool'})`, async (t) => {
      const { dir, cleanup } = await tempDir();
      t.after(cleanup);
      await storeWithMessages(dir, 20);
      const when = await interruptedReset(dir, crashAt, now);
      assert.ok(existsSync(join(dir, `${PREFIX}.reset`)), 'the marker survives the crash');

      const repairs: string[] = [];
      const store = await FileStore.open({ path: dir, prefix: PREFIX, onRecovery: (r) => repairs.push(...r.repairs.map((x) => x.problem)) });
      assert.equal(store.getNextSenderSeq(), 1);
      assert.equal(store.getNextTargetSeq(), 1);
      assert.deepEqual(await store.getRange(1, 100), []);
      assert.equal(store.creationTime.getTime(), when.getTime());
      assert.match(repairs.join(';'), /reset was interrupted/);
      assert.ok(!existsSync(join(dir, `${PREFIX}.reset`)), 'the marker is removed once the reset is done');
      // The new session goes on normally and survives a reopen.
      store.saveOutgoing(1, fixMessage(1, '58=after'));
      await store.close();
      const again = await FileStore.open({ path: dir, prefix: PREFIX });
      assert.deepEqual((await again.getRange(1, 100)).map((m) => m.bytes), [fixMessage(1, '58=after')]);
      assert.equal(again.getNextSenderSeq(), 2);
      assert.equal((await readFile(join(dir, `${PREFIX}.header`), 'latin1')).split(/\s+/).filter(Boolean).length, 1);
      await again.close();
    });
  }
}

test('a completed reset leaves no marker, and messages stored after it in the same flush survive', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await storeWithMessages(dir, 5);
  const store = await FileStore.open({ path: dir, prefix: PREFIX, sync: true });
  store.reset();
  store.saveOutgoing(1, fixMessage(1, '58=new'));
  await store.flush();
  assert.ok(!existsSync(join(dir, `${PREFIX}.reset`)));
  await store.close();
  const again = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.deepEqual((await again.getRange(1, 10)).map((m) => m.bytes), [fixMessage(1, '58=new')]);
  assert.equal(again.getNextSenderSeq(), 2);
  await again.close();
});

test('a reset of a store already empty (reset at the Logout, or new) writes only its numbers and creation time: no marker, no cut', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const ops: string[] = [];
  const fs = new CrashingFs((path, op) => (ops.push(`${op} ${path.slice(path.lastIndexOf('.'))}`), false), true);
  const markers: string[] = [];
  const create = fs.writeSmallFileSync!;
  fs.writeSmallFileSync = (path, content) => (markers.push(path), create(path, content));
  const store = await FileStore.open({ path: dir, prefix: PREFIX, fs });
  store.saveOutgoing(1, fixMessage(1));
  store.reset(new Date('2026-12-06T06:00:00Z'));
  await store.flush();
  assert.equal(markers.length, 1, 'a store with a message is cut under the marker');
  ops.length = 0;
  const when = new Date('2026-12-06T07:00:00Z');
  store.reset(when);
  await store.flush();
  assert.deepEqual(markers.length, 1, 'no marker for an empty store');
  assert.deepEqual(ops.filter((o) => o.startsWith('truncate') && !o.endsWith('.session')), [], 'no cut of .header or .body');
  assert.ok(ops.includes('write .seqnums') && ops.includes('write .session'), ops.join(', '));
  store.saveOutgoing(1, fixMessage(1, '58=after'));
  await store.close();
  const again = await FileStore.open({ path: dir, prefix: PREFIX });
  assert.equal(again.creationTime.getTime(), when.getTime());
  assert.deepEqual((await again.getRange(1, 10)).map((m) => m.bytes), [fixMessage(1, '58=after')]);
  assert.equal(again.getNextSenderSeq(), 2);
  assert.equal(again.getNextTargetSeq(), 1);
  await again.close();
});
