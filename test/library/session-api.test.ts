/**
 * The session from code: awaiting logon, the counterparty's Logout text, what `trySend` says
 * before logon, typed errors with codes, and a local report whenever the application's exception
 * turns into a Reject.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  Engine,
  FixoverError,
  LogonTimeoutError,
  Message,
  SessionClosedError,
  SessionNotFound,
  settingsFromObject,
  type Application,
  type ApplicationRejectEvent,
  type MessageView,
  type Session,
  type SessionID,
} from '../../src/index.js';

const base = { BeginString: 'FIX.4.4', StartTime: '00:00:00', EndTime: '00:00:00', HeartBtInt: 30 };

async function pair(t: { after: (fn: () => Promise<void>) => void }, deskApp: Application<SessionID>, clientExtra: Record<string, string | number> = {}): Promise<{ desk: Engine; client: Engine; deskSession: Session; clientSession: Session }> {
  const desk = await Engine.fromSettings(settingsFromObject({ sessions: [{ ...base, ConnectionType: 'acceptor', SenderCompID: 'DESK', TargetCompID: 'CLIENT', SocketAcceptPort: 9880 }] }), deskApp, { listenPort: 0 });
  const [port] = await desk.start();
  const client = await Engine.fromSettings(
    settingsFromObject({ sessions: [{ ...base, ConnectionType: 'initiator', SenderCompID: 'CLIENT', TargetCompID: 'DESK', SocketConnectHost: '127.0.0.1', SocketConnectPort: port, ReconnectInterval: 30, ...clientExtra }] }),
    {},
  );
  t.after(async () => {
    await client.stop();
    await desk.stop();
  });
  return { desk, client, deskSession: [...desk.sessions.values()][0], clientSession: [...client.sessions.values()][0] };
}

test('loggedOn() resolves at logon; the logout event carries the Logout text; trySend says queued before logon', { timeout: 20_000 }, async (t) => {
  const { client, deskSession, clientSession } = await pair(t, {});
  const before = clientSession.trySend(new Message('D').set(11, 'early').set(55, 'IBM').set(54, '1').set(40, '1').set(60, '20260101-00:00:00'));
  assert.deepEqual(before, { sent: true, queued: true }, 'stored, to go out after the logon');
  await client.start();
  await clientSession.loggedOn({ timeoutMs: 10_000 });
  assert.ok(clientSession.isLoggedOn);
  await clientSession.loggedOn(); // at once when already logged on
  const loggedOut = once(clientSession, 'logout') as Promise<[string, string | undefined]>;
  deskSession.logout('desk closes at five');
  const [reason, text] = await loggedOut;
  assert.equal(reason, 'logout');
  assert.equal(text, 'desk closes at five');
});

test('trySend before logon with ResetOnLogon=Y: not sent, and why', async (t) => {
  const { clientSession } = await pair(t, {}, { ResetOnLogon: 'Y' });
  const r = clientSession.trySend(new Message('D').set(11, 'x'));
  assert.equal(r.sent, false);
  assert.ok(!r.sent && r.reason === 'not-logged-on' && /not logged on/.test(r.text), JSON.stringify(r));
});

test('loggedOn() rejects with typed errors: LogonTimeoutError after its timeout, SessionClosedError when the engine stops', { timeout: 20_000 }, async () => {
  // Nobody listens on port 9 of loopback: the session never logs on.
  const client = await Engine.fromSettings(settingsFromObject({ sessions: [{ ...base, ConnectionType: 'initiator', SenderCompID: 'C', TargetCompID: 'D', SocketConnectHost: '127.0.0.1', SocketConnectPort: 9, ReconnectInterval: 30 }] }), {});
  await client.start();
  const s = [...client.sessions.values()][0];
  await assert.rejects(s.loggedOn({ timeoutMs: 50 }), (e: unknown) => e instanceof LogonTimeoutError && e instanceof FixoverError && e.code === 'LOGON_TIMEOUT_ERROR');
  const waiting = s.loggedOn();
  await client.stop();
  await assert.rejects(waiting, (e: unknown) => e instanceof SessionClosedError && e.code === 'SESSION_CLOSED_ERROR');
  assert.throws(() => client.session('FIX.4.4:X->Y'), (e: unknown) => e instanceof SessionNotFound && e instanceof FixoverError && e.code === 'SESSION_NOT_FOUND' && /no session FIX\.4\.4:X->Y/.test(e.message));
});

test("an exception in fromApp that becomes a Reject is reported locally: an error line and an applicationReject event", { timeout: 20_000 }, async (t) => {
  const desk: Application<SessionID> = {
    fromApp(m: MessageView): void {
      m.getDecimal(44); // a missing optional Price: FieldNotFoundError
    },
  };
  const { client, deskSession, clientSession } = await pair(t, desk);
  const lines: string[] = [];
  deskSession.on('event', (e) => e.kind === 'error' && lines.push(e.text));
  const rejected = once(deskSession, 'applicationReject') as Promise<[ApplicationRejectEvent]>;
  const answered = new Promise<string>((resolve) => clientSession.on('event', (e) => e.kind === 'incoming' && e.bytes.toString('latin1').includes('\x0135=j\x01') && resolve(e.bytes.toString('latin1'))));
  await client.start();
  await clientSession.loggedOn({ timeoutMs: 10_000 });
  clientSession.send(new Message('D').set(11, 'o1').set(55, 'IBM').set(54, '1').set(38, 10).set(40, '1').set(60, '20260101-00:00:00'));
  const [e] = await rejected;
  assert.equal(e.msgType, 'D');
  assert.equal(e.reject, 'business-reject');
  assert.equal(e.seq, 2);
  assert.equal(e.error.name, 'FieldNotFoundError');
  assert.ok((await answered).includes('\x01380=5\x01'), 'the counterparty got a BusinessMessageReject, reason 5 (required field missing)');
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0], /fromApp threw FieldNotFoundError: .* on message 2 \(35=D\): answered with a BusinessMessageReject \(35=j\)/);
});
