/**
 * Store repairs reach the session's listeners: those made when the store was opened once the
 * engine has attached them, those made by a refresh (a Logon under RefreshOnLogon or ownership)
 * right after it, each as a log line (note event) and a storeRepair event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine, type Session } from '../../src/engine/index.js';
import { FileStore, type StoreRepair } from '../../src/store/index.js';
import type { SessionEvent } from '../../src/session/actions.js';
import { fixMessage, tempDir } from '../store/helpers.js';

const settings = { BeginString: 'FIX.4.4', SenderCompID: 'A', TargetCompID: 'B', ConnectionType: 'acceptor', SocketAcceptPort: '1', HeartBtInt: '30', UseDataDictionary: 'N' };
const PREFIX = 'FIX.4.4-A-B';

test('repairs found at open and at refresh are reported as log lines and storeRepair events', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const first = await FileStore.open({ path: dir, prefix: PREFIX });
  for (let s = 1; s <= 3; s++) first.saveOutgoing(s, fixMessage(s));
  await first.close();
  // A torn last record: repaired whatever the policy.
  const header = join(dir, `${PREFIX}.header`);
  const text = await readFile(header, 'latin1');
  await truncate(header, text.length - 2);

  const repairs: StoreRepair[] = [];
  const notes: string[] = [];
  let session!: Session;
  const engine = await Engine.create([settings], () => ({}), {
    store: (_s, id) => FileStore.open({ path: dir, prefix: id.filePrefix }),
    onSession: (s) => {
      session = s;
      s.on('storeRepair', (r) => repairs.push(r));
      s.on('event', (e: SessionEvent) => void (e.kind === 'note' && notes.push(e.text)));
    },
  });
  const body = join(dir, `${PREFIX}.body`);
  assert.deepEqual(repairs.map((r) => [r.file, r.offset, r.torn]), [
    [header, text.indexOf(' 3,') + 1, true],
    [body, fixMessage(1).length + fixMessage(2).length, true],
  ]);
  assert.match(notes[0], new RegExp(`^store repaired: ${header.replace(/[.]/g, '\\.')} at offset \\d+: .* of a torn last record; cut off at offset \\d+: 1 stored message no longer resendable$`));

  // Damage made while running, found by the next refresh.
  await session.store.flush();
  await writeFile(join(dir, `${PREFIX}.seqnums`), 'garbage');
  repairs.length = 0;
  await assert.rejects(engine.refresh(session.id), /unreadable: "garbage"/);
  assert.equal(repairs.length, 0, 'a refused refresh repairs nothing');
  // Empty and older than the other files: never written (a crash before the first flush finished).
  await writeFile(join(dir, `${PREFIX}.seqnums`), '');
  const past = new Date(Date.now() - 60_000);
  await utimes(join(dir, `${PREFIX}.seqnums`), past, past);
  await engine.refresh(session.id);
  assert.deepEqual(repairs.map((r) => [r.file, r.problem]), [[join(dir, `${PREFIX}.seqnums`), 'empty while 2 messages are stored']]);
  assert.equal(session.store.getNextSenderSeq(), 3);
  await engine.stop();
  await session.close();
});
