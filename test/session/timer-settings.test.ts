/**
 * Heartbeat-timer and resend switches other QuickFIX engines offer (QuickFIX/J, QuickFIX/n,
 * QuickFIX/Go), driven with the fake clock; and the settings that turn them on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field } from './harness.js';
import { parseSettings } from '../../src/config/index.js';
import { sessionOptionsFrom } from '../../src/engine/index.js';
import { endpointsFromSettings } from '../../src/transport/quickfix-settings.js';

const types = (msgs: string[]) => msgs.map((m) => field(m, 35));

test('TestRequestDelayMultiplier and HeartBeatTimeoutMultiplier move the TestRequest and the timeout', () => {
  const h = new Harness({ testRequestDelayMultiplier: 0.5, heartBeatTimeoutMultiplier: 2 }).connect().logon(1);
  h.take();
  h.advance(30_000);
  assert.deepEqual(types(h.take()), ['0']);
  h.advance(10_000); // 40 s: past QuickFIX C++'s 1.2x, before 1.5x
  assert.deepEqual(types(h.take()), []);
  h.advance(6_000); // 46 s
  assert.deepEqual(types(h.take()), ['1']);
  h.advance(40_000); // 86 s: past the default 2.4x, before 3x
  assert.deepEqual(h.disconnects, []);
  h.advance(5_000); // 91 s
  assert.deepEqual(h.disconnects, ['heartbeat timeout']);
});

test('DisableHeartBeatCheck: TestRequests still go out, the connection is never dropped for silence', () => {
  const h = new Harness({ disableHeartBeatCheck: true }).connect().logon(1);
  h.take();
  h.advance(300_000);
  assert.ok(types(h.take()).includes('1'));
  assert.deepEqual(h.disconnects, []);
  assert.ok(h.core.isLoggedOn);
});

test('SendLogoutBeforeDisconnectFromTimeout: a Logout goes out before the timed-out connection is dropped', () => {
  const plain = new Harness().connect().logon(1);
  plain.take();
  plain.advance(73_000);
  assert.deepEqual(plain.disconnects, ['heartbeat timeout']);
  assert.ok(!types(plain.take()).includes('5'), 'by default the connection is dropped without a Logout');

  const h = new Harness({ sendLogoutBeforeDisconnectFromTimeout: true }).connect().logon(1);
  h.take();
  h.advance(73_000);
  const out = h.take();
  assert.equal(types(out).at(-1), '5');
  assert.equal(field(out.at(-1)!, 58), 'Timed out waiting for heartbeat');
  assert.deepEqual(h.disconnects, ['heartbeat timeout']);
});

test('HeartBtIntOverride: the acceptor keeps its own HeartBtInt and says so in its Logon', () => {
  const h = new Harness({ heartBtInt: 10, heartBtIntOverride: true }).connect().logon(1); // the client asks for 30
  const logon = h.take();
  assert.equal(field(logon[0], 108), '10');
  h.advance(10_000);
  assert.deepEqual(types(h.take()), ['0']);

  const plain = new Harness({ heartBtInt: 10 }).connect().logon(1);
  assert.equal(field(plain.take()[0], 108), '30', 'without the override the client decides');
});

test('IgnorePossDupResendRequests: a ResendRequest flagged PossDupFlag=Y gets no answer; the sequence moves on', () => {
  const setup = (opts: { ignorePossDupResendRequests?: boolean }) => {
    const h = new Harness(opts).connect().logon(1);
    h.send('35=1|112=a|', { seq: 2 }).send('35=1|112=b|', { seq: 3 });
    h.take();
    return h;
  };
  const h = setup({ ignorePossDupResendRequests: true });
  h.send('35=2|7=1|16=0|', { seq: 4, possDup: true, sendingTime: undefined });
  assert.deepEqual(h.take(), []);
  assert.equal(h.store.getNextTargetSeq(), 5);
  h.send('35=2|7=1|16=0|', { seq: 5 });
  assert.ok(h.take().length > 0, 'an unflagged ResendRequest is answered');

  const plain = setup({});
  plain.send('35=2|7=1|16=0|122=20261123-11:59:59.000|', { seq: 4, possDup: true });
  assert.ok(plain.take().length > 0, 'by default a flagged ResendRequest is answered too');
});

const cfg = (extra: string) =>
  parseSettings(`[DEFAULT]\nBeginString=FIX.4.4\nConnectionType=initiator\nHeartBtInt=30\nSocketConnectHost=127.0.0.1\nSocketConnectPort=5001\nStartTime=00:00:00\nEndTime=00:00:00\n${extra}\n[SESSION]\nSenderCompID=A\nTargetCompID=B\n`, 'test.cfg', {});

test('settings: the other engines’ names are supported, not merely recognised', () => {
  const s = cfg(
    'TimestampPrecision=6\nSendNextExpectedMsgSeqNum=Y\nMaxMessagesInResendRequest=2500\nTestRequestDelayMultiplier=0.5\nHeartBeatTimeoutMultiplier=2\nDisableHeartBeatCheck=Y\nSendLogoutBeforeDisconnectFromTimeout=Y\nHeartBtIntOverride=Y\nIgnorePossDupResendRequests=Y\nSocketConnectSourceHost=127.0.0.1\nSocketConnectSourcePort=40001',
  );
  assert.deepEqual(s.problems, []);
  const o = sessionOptionsFrom(s.sessions[0].toRecord());
  assert.equal(o.timestampPrecision, 6);
  assert.equal(o.enableNextExpectedMsgSeqNum, true);
  assert.equal(o.resendRequestChunkSize, 2500);
  assert.equal(o.testRequestDelayMultiplier, 0.5);
  assert.equal(o.heartBeatTimeoutMultiplier, 2);
  assert.equal(o.disableHeartBeatCheck, true);
  assert.equal(o.sendLogoutBeforeDisconnectFromTimeout, true);
  assert.equal(o.heartBtIntOverride, true);
  assert.equal(o.ignorePossDupResendRequests, true);
});

test('settings: TimestampPrecision digits round up to what FIX allows; MillisecondsInTimeStamp=N means seconds', () => {
  const p = (extra: string) => sessionOptionsFrom(cfg(extra).sessions[0].toRecord()).timestampPrecision;
  assert.equal(p('TimestampPrecision=0'), 0);
  assert.equal(p('TimestampPrecision=2'), 3);
  assert.equal(p('TimestampPrecision=5'), 6);
  assert.equal(p('TimestampPrecision=9'), 9);
  assert.equal(p('MillisecondsInTimeStamp=N'), 0);
  assert.equal(p('MillisecondsInTimeStamp=Y'), undefined);
  assert.equal(p('TimeStampPrecision=MICROS\nTimestampPrecision=0'), 6, 'the QuickFIX/J name wins');
  const bad = cfg('TimestampPrecision=12').problems.find((x) => x.setting === 'TimestampPrecision');
  assert.equal(bad?.severity, 'error');
  assert.equal(bad?.line, 9);
  assert.match(bad!.message, /0, 1, 2/);
});

test('settings: SocketConnectSourceHost/Port[<n>] bind the connection to each address', () => {
  const eps = endpointsFromSettings({
    SocketConnectHost: '127.0.0.1',
    SocketConnectPort: '5001',
    SocketConnectSourceHost: '127.0.0.2',
    SocketConnectPort1: '5002',
    SocketConnectSourceHost1: '127.0.0.3',
    SocketConnectSourcePort1: '40002',
  });
  assert.deepEqual(
    eps.map((e) => [e.uri, e.options]),
    [
      ['tcp://127.0.0.1:5001', { localAddress: '127.0.0.2' }],
      ['tcp://127.0.0.1:5002', { localAddress: '127.0.0.3', localPort: '40002' }],
    ],
  );
  assert.throws(() => endpointsFromSettings({ SocketConnectPort: '5001', SocketConnectSourcePort: 'x' }), /SocketConnectSourcePort/);
});
