import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { CompositeLog, CompositeLogFactory, FileLogFactory, JsonLog, JsonLogFactory, ScreenLog, ScreenLogFactory, attachLog, type Log } from '../../src/log/index.js';
import type { SessionEvent } from '../../src/session/actions.js';
import { Capture, HEARTBEAT, NOW, ORDER, SESSION, fix, tempDir } from './helpers.js';
import { readFile } from 'node:fs/promises';
import { NullLog } from '../../src/log/log.js';
import { Session } from '../../src/engine/session.js';
import { SessionID } from '../../src/session/session-id.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { join } from 'node:path';

test('screen log: QuickFIX entry format to the given stream', async () => {
  const out = new Capture();
  const log = await new ScreenLogFactory({ stream: out, now: () => NOW }).create(SESSION);
  log.onIncoming(ORDER);
  log.onEvent('Received logon');
  assert.equal(
    out.text,
    `<20240102-03:04:05.678, FIX.4.4:ME->YOU, incoming>\n  (${ORDER.toString('latin1')})\n` +
      '<20240102-03:04:05.678, FIX.4.4:ME->YOU, event>\n  (Received logon)\n',
  );
});

test('screen log switches: incoming, outgoing, events, heartbeats', () => {
  const kinds = (options: ConstructorParameters<typeof ScreenLog>[0]) => {
    const out = new Capture();
    const log = new ScreenLog({ ...options, stream: out, printable: true }, 'S');
    log.onIncoming(ORDER);
    log.onOutgoing(ORDER);
    log.onOutgoing(HEARTBEAT);
    log.onEvent('e');
    return [...out.text.matchAll(/, (\w+)>\n {2}\((.*)\)/g)].map((m) => `${m[1]}:${m[2].includes('35=0|') ? 'hb' : m[2].includes('|') ? 'msg' : m[2]}`);
  };
  assert.deepEqual(kinds({}), ['incoming:msg', 'outgoing:msg', 'event:e']);
  assert.deepEqual(kinds({ showHeartbeats: true }), ['incoming:msg', 'outgoing:msg', 'outgoing:hb', 'event:e']);
  assert.deepEqual(kinds({ showIncoming: false }), ['outgoing:msg', 'event:e']);
  assert.deepEqual(kinds({ showOutgoing: false, showEvents: false }), ['incoming:msg']);
});

function jsonCapture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

test('json log: structured entries bound to the session id', async () => {
  const cap = jsonCapture();
  const log = await new JsonLogFactory({ destination: cap.stream }).create(SESSION);
  log.onIncoming(ORDER);
  log.onOutgoing(HEARTBEAT);
  log.onOutgoing(fix('8=FIX.4.4|9=5|35=8|34=12|10=000|'));
  log.onEvent('Logon');
  await log.flush();
  const lines = cap.lines();
  assert.equal(lines.length, 3, 'heartbeat skipped');
  assert.deepEqual(
    lines.map(({ sessionId, kind, msgType, seq, msg }) => ({ sessionId, kind, msgType, seq, msg })),
    [
      { sessionId: 'FIX.4.4:ME->YOU', kind: 'incoming', msgType: 'D', seq: 5, msg: 'incoming' },
      { sessionId: 'FIX.4.4:ME->YOU', kind: 'outgoing', msgType: '8', seq: 12, msg: 'outgoing' },
      { sessionId: 'FIX.4.4:ME->YOU', kind: 'event', msgType: undefined, seq: undefined, msg: 'Logon' },
    ],
  );
  assert.equal(lines[0].fix, '8=FIX.4.4|9=20|35=D|34=5|49=ME|56=YOU|10=000|');
  assert.equal(lines[0].level, 30);
});

test('json log on a given logger, heartbeats and level configurable', async () => {
  const cap = jsonCapture();
  const log = new JsonLog({ logger: pino({ level: 'debug' }, cap.stream), logHeartbeats: true, messageLevel: 'debug' }, SESSION);
  log.onIncoming(HEARTBEAT);
  await log.close();
  const [line] = cap.lines();
  assert.equal(line.level, 20);
  assert.equal(line.msgType, '0');
});

test('composite log fans out every call; a session event source feeds it', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const screen = new Capture();
  const factory = new CompositeLogFactory([new FileLogFactory({ path: dir, now: () => NOW }), new ScreenLogFactory({ stream: screen, now: () => NOW })]);
  const log = await factory.create(SESSION);
  assert.equal(log.logs.length, 2);
  const session = new EventEmitter<{ event: [SessionEvent] }>();
  attachLog(session, log);
  session.emit('event', { kind: 'incoming', bytes: ORDER });
  session.emit('event', { kind: 'logout', reason: 'bye' });
  await log.close();
  assert.equal(await readFile(join(dir, 'FIX.4.4-ME-YOU.messages.current.log'), 'latin1'), `20240102-03:04:05.678 : ${ORDER.toString('latin1')}\n`);
  assert.equal(await readFile(join(dir, 'FIX.4.4-ME-YOU.event.current.log'), 'latin1'), '20240102-03:04:05.678 : Logout: bye\n');
  assert.match(screen.text, /incoming>[\s\S]*event>\n {2}\(Logout: bye\)\n$/);

  const calls: string[] = [];
  const failing: Log = {
    onIncoming: () => calls.push('in'),
    onOutgoing: () => calls.push('out'),
    onEvent: () => calls.push('event'),
    clear: async () => void calls.push('clear'),
    backup: async () => {
      throw new Error('backup failed');
    },
    flush: async () => void calls.push('flush'),
    close: async () => void calls.push('close'),
  };
  const both = new CompositeLog([failing, new ScreenLog({ stream: new Capture() })]);
  both.onOutgoing(ORDER);
  await both.clear();
  await assert.rejects(both.backup(), /backup failed/);
  await both.close();
  assert.deepEqual(calls, ['out', 'clear', 'close']);
});

test('a session copies incoming messages only for logs that show them, and announces outgoing ones only to listeners', () => {
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'ME', targetCompID: 'YOU' });
  const session = new Session({ sessionId: id, role: 'acceptor', heartBtInt: 30 }, new MemoryStore());
  const core = (session as unknown as { core: { incomingEvents: boolean; outgoingEvents: boolean } }).core;
  const copies = (): boolean => core.incomingEvents;
  assert.equal(copies(), false, 'no listener');
  assert.equal(core.outgoingEvents, false, 'no listener: outgoing messages are not announced either');
  const quiet = new CompositeLog([new ScreenLog({ stream: new Capture(), showIncoming: false }), new NullLog()]);
  assert.equal(quiet.logsIncoming, false);
  attachLog(session, quiet);
  assert.equal(copies(), false, 'a screen log with ScreenLogShowIncoming=N');
  assert.equal(core.outgoingEvents, true, 'a log listens');
  const showing = new ScreenLog({ stream: new Capture() });
  const listener = (e: SessionEvent): void => showing.onIncoming(e.kind === 'incoming' ? e.bytes : '');
  session.on('event', listener);
  assert.equal(copies(), true, 'a listener that wants every event');
  session.off('event', listener);
  assert.equal(copies(), false, 'that listener removed');
});
