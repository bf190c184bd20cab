/**
 * RefreshOnLogon (and its historical name RefreshMessageStoreAtLogon): sequence numbers and the
 * message index are reloaded from a store another process wrote, when an acceptor receives a Logon
 * and before an initiator sends one; and the manual refresh through the API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type SessionSettingsRecord } from '../../src/engine/index.js';
import { FileStore } from '../../src/store/index.js';
import { Framer, Message, formatUtcTimestamp } from '../../src/codec/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { storeFor } from '../../src/cli/run.js';
import { frame } from '../codec/helpers.js';

const ts = () => formatUtcTimestamp(Date.now(), 3);
const PREFIX = 'FIX.4.4-EXEC-CLIENT';

function frames(socket: net.Socket): () => Promise<string> {
  const got: string[] = [];
  const waiters: Array<() => void> = [];
  const f = new Framer({ onFrame: (b, s, e) => (got.push(b.toString('latin1', s, e).split('\x01').join('|')), waiters.shift()?.()), onError: () => undefined });
  socket.on('data', (c: Buffer) => f.push(c));
  return async () => {
    if (got.length === 0) await new Promise<void>((r) => waiters.push(r));
    return got.shift()!;
  };
}

function engine(settings: Record<string, string>): Promise<Engine> {
  return Engine.create([settings as SessionSettingsRecord], (sender) => executorApplication({ send: (m, id) => void sender.send(m, id) }), { store: storeFor, tickMs: 100 });
}

/** Another process moves the store on: 5 messages sent (seq 1..5 stored) and 3 received. */
async function advanceElsewhere(dir: string): Promise<void> {
  const other = await FileStore.open({ path: dir, prefix: PREFIX });
  for (let seq = 1; seq <= 5; seq++) other.saveOutgoing(seq, frame(`35=D|34=${seq}|49=EXEC|52=${ts()}|56=CLIENT|11=O${seq}|`));
  other.setNextTargetSeq(4);
  await other.close();
}

async function acceptorLogonSeq(extra: Record<string, string>): Promise<{ logon: string; engine: Engine }> {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-refresh-'));
  const e = await engine({ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1', FileStorePath: dir, UseDataDictionary: 'N', SessionOwnership: 'N', ...extra });
  const [port] = await e.start();
  await advanceElsewhere(dir);
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  const next = frames(c);
  c.write(frame(`35=A|34=4|49=CLIENT|52=${ts()}|56=EXEC|98=0|108=30|`));
  const logon = await next();
  c.destroy();
  return { logon, engine: e };
}

for (const name of ['RefreshOnLogon', 'RefreshMessageStoreAtLogon']) {
  test(`acceptor with ${name}=Y reloads the store when a Logon arrives`, async () => {
    const { logon, engine: e } = await acceptorLogonSeq({ [name]: 'Y' });
    try {
      // Continues the other process's numbers: 6 after 1..5, and accepts the client's 4 without a gap.
      assert.match(logon, /\|35=A\|34=6\|/);
      const s = e.session('FIX.4.4:EXEC->CLIENT');
      const stored = await s.store.getRange(1, 5);
      assert.deepEqual(stored.map((m) => m.seq), [1, 2, 3, 4, 5], 'message index reloaded too (resends can serve them)');
    } finally {
      await e.stop();
    }
  });
}

test('acceptor without RefreshOnLogon (and without ownership) keeps the numbers it loaded at start', async () => {
  const { logon, engine: e } = await acceptorLogonSeq({});
  try {
    assert.match(logon, /\|35=A\|34=1\|/);
  } finally {
    await e.stop();
  }
});

async function initiatorLogon(extra: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-refresh-'));
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const e = await engine({ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'initiator', SocketConnectHost: '127.0.0.1', SocketConnectPort: String(port), HeartBtInt: '30', FileStorePath: dir, UseDataDictionary: 'N', SessionOwnership: 'N', ReconnectInterval: '1', ...extra });
  // The engine opened its store; another process writes it before the connection is made.
  await advanceElsewhere(dir);
  try {
    const accepted = once(server, 'connection');
    await e.start();
    const [socket] = (await accepted) as [net.Socket];
    const logon = await frames(socket)();
    socket.destroy();
    return logon;
  } finally {
    await e.stop();
    server.close();
  }
}

test('initiator with RefreshOnLogon=Y reloads the store before it sends its Logon', async () => {
  assert.match(await initiatorLogon({ RefreshOnLogon: 'Y' }), /\|35=A\|34=6\|/);
  assert.match(await initiatorLogon({ RefreshMessageStoreAtLogon: 'Y' }), /\|35=A\|34=6\|/);
  assert.match(await initiatorLogon({}), /\|35=A\|34=1\|/, 'without it, the numbers loaded at start');
});

test('manual refresh through the API: reloads while sends go on, none is lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-refresh-'));
  const e = await engine({ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'CLIENT', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1', FileStorePath: dir, UseDataDictionary: 'N', SessionOwnership: 'N' });
  try {
    await advanceElsewhere(dir);
    const s = e.session('FIX.4.4:EXEC->CLIENT');
    assert.equal(s.core.nextSenderSeq, 1);
    await e.refresh('FIX.4.4:EXEC->CLIENT');
    assert.equal(s.core.nextSenderSeq, 6);
    assert.equal(s.core.nextTargetSeq, 4);
    // Sends made while a refresh is reading land on the reloaded state (build aside, then swap).
    const refreshing = e.refresh('FIX.4.4:EXEC->CLIENT');
    for (let i = 0; i < 3; i++) s.send(new Message('D').set(11, `M${i}`).set(55, 'IBM'));
    await refreshing;
    await s.store.flush();
    assert.equal(s.core.nextSenderSeq, 9);
    const stored = await s.store.getRange(6, 8);
    assert.deepEqual(stored.map((m) => m.bytes.toString('latin1').split('\x01').find((f) => f.startsWith('11='))), ['11=M0', '11=M1', '11=M2']);
    const reopened = await FileStore.open({ path: dir, prefix: PREFIX });
    assert.equal(reopened.getNextSenderSeq(), 9);
    assert.equal(reopened.messageCount, 8);
    await reopened.close();
  } finally {
    await e.stop();
  }
});
