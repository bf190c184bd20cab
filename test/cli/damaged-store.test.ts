/**
 * `fixover run` on a damaged file store: `.seqnums` lowered to 5 while 101 messages are stored.
 * By default the session is not started: exit 2, naming the file, the offset, what is wrong and
 * the setting that recovers. With StoreRecovery=repair it starts, prints and logs the repair, and
 * the messages it sends never reuse a stored sequence number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { start } from './cli.js';
import { sendSeedOrders } from './seed-orders.js';
import { freePort } from '../support/free-port.js';
import { frame } from '../codec/helpers.js';
import { FileStore } from '../../src/store/index.js';
import { formatUtcTimestamp } from '../../src/codec/index.js';

const PREFIX = 'FIX.4.2-EXEC-BANZAI';

function config(port: number, extra = ''): string {
  return `[default]\nFileStorePath=store\nBeginString=FIX.4.2\nConnectionType=acceptor\nStartTime=00:00:00\nEndTime=00:00:00\nHeartBtInt=30\nSocketAcceptPort=${port}\n${extra}\n[session]\nSenderCompID=EXEC\nTargetCompID=BANZAI\n`;
}

/** 101 stored heartbeats from EXEC to BANZAI, then `.seqnums` lowered to 5 (written after the rest). */
async function damagedStore(dir: string): Promise<void> {
  const store = await FileStore.open({ path: join(dir, 'store'), prefix: PREFIX });
  const ts = formatUtcTimestamp(Date.now(), 3);
  for (let seq = 1; seq <= 101; seq++) store.saveOutgoing(seq, frame(`35=0|34=${seq}|49=EXEC|52=${ts}|56=BANZAI|`, 'FIX.4.2'));
  await store.close();
  const past = new Date(Date.now() - 60_000);
  for (const ext of ['body', 'header', 'session']) utimesSync(join(dir, 'store', `${PREFIX}.${ext}`), past, past);
  writeFileSync(join(dir, 'store', `${PREFIX}.seqnums`), '0000000005 : 0000000001');
}

test('a damaged store is refused with exit 2 and a clear message; StoreRecovery=repair starts without reusing a sequence number', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-damaged-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await damagedStore(dir);
  const port = await freePort();
  writeFileSync(join(dir, 'node.cfg'), config(port));
  const refused = start(['run', 'node.cfg', '--app', 'executor'], dir);
  let code: number | string | null;
  try {
    code = await Promise.race([once(refused.child, 'exit').then(([c]) => c as number | null), delay(20_000).then(() => 'still running')]);
  } finally {
    refused.child.kill('SIGKILL');
  }
  assert.equal(code, 2, refused.output());
  const seqnums = join(dir, 'store', `${PREFIX}.seqnums`);
  assert.ok(refused.output().includes(`${seqnums} at offset 0: next outgoing number 5 is not past the highest stored message 101`), refused.output());
  assert.match(refused.output(), /StoreRecovery=repair starts it anyway, repairing:\n {2}\S+\.seqnums: next outgoing number set to 102/);
  assert.equal(readFileSync(seqnums, 'latin1'), '0000000005 : 0000000001', 'nothing written');

  writeFileSync(join(dir, 'node.cfg'), config(port, 'StoreRecovery=repair\nFileLogPath=log'));
  const server = start(['run', 'node.cfg', '--app', 'executor'], dir);
  try {
    await server.waitFor(/listening on \d+/);
    assert.ok(server.output().includes(`FIX.4.2:EXEC->BANZAI store repaired: ${seqnums} at offset 0: next outgoing number 5`), server.output());
    const report = await sendSeedOrders(port, 3, 1);
    assert.equal(report.filled, 3, server.output());
    server.child.kill('SIGTERM');
    const [code] = await once(server.child, 'exit');
    assert.equal(code, 0, server.output());
  } finally {
    server.child.kill('SIGKILL');
  }
  const events = readFileSync(join(dir, 'log', `${PREFIX}.event.current.log`), 'utf8');
  assert.ok(events.includes(`store repaired: ${seqnums} at offset 0: next outgoing number 5 is not past the highest stored message 101: sending would reuse sequence numbers; next outgoing number set to 102`), events);
  const records = readFileSync(join(dir, 'store', `${PREFIX}.header`), 'latin1').trim().split(' ').map((x) => Number(x.split(',')[0]));
  assert.deepEqual(records.slice(0, 101), Array.from({ length: 101 }, (_, i) => i + 1));
  const sent = records.slice(101);
  assert.ok(sent.length >= 4, `logon and 3 fills stored: ${sent.join(',')}`);
  assert.equal(sent[0], 102, 'the first message after the repair');
  assert.deepEqual(sent, Array.from({ length: sent.length }, (_, i) => 102 + i), 'no number reused');
});
