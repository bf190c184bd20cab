import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field } from './harness.js';
import { DoNotSend, IncorrectTagValue, RejectLogon, Schedule, SessionID, UnsupportedMessageType, parseTimeOfDay } from '../../src/session/index.js';
import { Message, formatUtcTimestamp } from '../../src/codec/index.js';
import { frame as frameOf } from '../codec/helpers.js';

const types = (msgs: string[]) => msgs.map((m) => field(m, 35));

test('acceptor answers a Logon and both sides are logged on', () => {
  const h = new Harness().connect().logon(1);
  const out = h.take();
  assert.deepEqual(types(out), ['A']);
  assert.equal(field(out[0], 34), '1');
  assert.equal(field(out[0], 108), '30');
  assert.equal(field(out[0], 98), '0');
  assert.match(out[0], /^8=FIX\.4\.4\|9=\d+\|35=A\|34=1\|49=ISLD\|52=20261123-12:00:00\.000\|56=TW\|98=0\|108=30\|10=\d{3}\|$/);
  assert.ok(h.core.isLoggedOn);
  assert.equal(h.store.getNextTargetSeq(), 2);
  assert.equal(h.store.getNextSenderSeq(), 2);
});

test('first message not a Logon: disconnect without sending', () => {
  const h = new Harness().connect().send('35=0|', { seq: 1 });
  assert.deepEqual(h.take(), []);
  assert.equal(h.disconnects.length, 1);
});

test('heartbeat after HeartBtInt of silence, TestRequest at 1.2x, disconnect at 2.4x', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.advance(30_000);
  assert.deepEqual(types(h.take()), ['0']);
  h.advance(6_000);
  const tr = h.take();
  assert.deepEqual(types(tr), ['1']);
  assert.equal(field(tr[0], 112), 'TEST');
  h.advance(30_000);
  assert.deepEqual(types(h.take()), [], 'no heartbeat while a TestRequest is outstanding');
  assert.equal(h.disconnects.length, 0);
  h.advance(36_000);
  assert.deepEqual(h.disconnects, ['heartbeat timeout']);
});

test('TestRequest is answered with a Heartbeat echoing TestReqID', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.send('35=1|112=hello|', { seq: 2 });
  const out = h.take();
  assert.deepEqual(types(out), ['0']);
  assert.equal(field(out[0], 112), 'hello');
});

test('MsgSeqNum too high: ResendRequest, queued messages processed after the gap fills', () => {
  const seen: string[] = [];
  const h = new Harness({}, { fromApp: (m) => void seen.push(m.get(11)!) }).connect().logon(1);
  h.take();
  h.send('35=D|11=c|', { seq: 4 });
  const rr = h.take();
  assert.deepEqual(types(rr), ['2']);
  assert.equal(field(rr[0], 7), '2');
  assert.equal(field(rr[0], 16), '0');
  h.send('35=D|11=d|', { seq: 5 });
  assert.deepEqual(h.take(), [], 'no redundant ResendRequest');
  h.send('35=4|123=Y|36=4|', { seq: 2, possDup: true });
  assert.deepEqual(seen, ['c', 'd']);
  assert.equal(h.store.getNextTargetSeq(), 6);
});

test('a PossDup message with a too-low MsgSeqNum and no OrigSendingTime is rejected; the sequence stays', () => {
  const h = new Harness().connect().logon(1);
  h.send('35=0|', { seq: 2 }).send('35=0|', { seq: 3 });
  h.take();
  h.send('35=0|', { seq: 2, possDup: true });
  const out = h.take();
  assert.deepEqual(types(out), ['3']);
  assert.equal(field(out[0], 371), '122');
  assert.equal(field(out[0], 58), 'Required tag missing');
  assert.equal(h.store.getNextTargetSeq(), 4);
});

test('MsgSeqNum too low without PossDupFlag: Logout and disconnect', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.send('35=0|', { seq: 2 }).send('35=0|', { seq: 2 });
  const out = h.take();
  assert.deepEqual(types(out), ['5']);
  assert.equal(field(out[0], 58), 'MsgSeqNum too low, expecting 3 but received 2');
  assert.equal(h.disconnects.length, 1);
});

test('ResendRequest: application messages resent with PossDupFlag and OrigSendingTime, admin replaced by a gap fill', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  const order = (id: string) => new Message('D').set(11, id).set(55, 'IBM');
  h.apply(h.core.send(order('o1'), h.now).actions);
  h.advance(30_000);
  h.apply(h.core.send(order('o2'), h.now).actions);
  const firstOut = h.take();
  assert.deepEqual(types(firstOut), ['D', '0', 'D']);
  h.advance(1000);
  h.send('35=2|7=1|16=0|', { seq: 2 });
  const out = h.take();
  assert.deepEqual(types(out), ['4', 'D', '4', 'D']);
  assert.equal(field(out[0], 34), '1');
  assert.equal(field(out[0], 36), '2');
  assert.equal(field(out[0], 123), 'Y');
  assert.equal(field(out[1], 34), '2');
  assert.equal(field(out[1], 43), 'Y');
  assert.equal(field(out[1], 122), field(firstOut[0], 52));
  assert.equal(field(out[2], 34), '3');
  assert.equal(field(out[2], 36), '4');
  assert.equal(field(out[3], 11), 'o2');
});

test('a message sent while a resend is loading goes out after it, as it was when sent, even if the caller reuses it', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.apply(h.core.send(new Message('D').set(11, 'o1'), h.now).actions);
  h.take();
  h.deferResend = true;
  h.send('35=2|7=2|16=0|', { seq: 2 });
  assert.equal(h.deferred.length, 1, 'the resend is loading');
  const reused = new Message('D').set(11, 'o2');
  h.apply(h.core.send(reused, h.now).actions);
  reused.set(11, 'o3');
  assert.deepEqual(h.take(), [], 'held until the resend is written');
  h.completeResends();
  const out = h.take();
  assert.deepEqual(types(out), ['D', 'D']);
  assert.equal(field(out[0], 11), 'o1');
  assert.equal(field(out[0], 43), 'Y');
  assert.equal(field(out[1], 11), 'o2', 'the message as it was at send');
  assert.equal(field(out[1], 34), '3');
});

test('messages sent while disconnected are stored and resent on request after reconnect', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.apply(h.core.disconnected(h.now));
  const r = h.core.send(new Message('D').set(11, 'late'), h.now);
  h.apply(r.actions);
  assert.deepEqual(h.take(), []);
  assert.equal(h.store.getNextSenderSeq(), 3);
  h.connect().logon(2);
  assert.deepEqual(types(h.take()), ['A']);
  h.send('35=2|7=2|16=0|', { seq: 3 });
  const out = h.take();
  assert.deepEqual(types(out), ['D', '4']);
  assert.equal(field(out[0], 11), 'late');
});

test('Logout is answered and the connection closed', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.send('35=5|', { seq: 2 });
  assert.deepEqual(types(h.take()), ['5']);
  assert.deepEqual(h.disconnects, ['logout']);
  assert.equal(h.core.isLoggedOn, false);
});

test('a garbled message (bad CheckSum) is ignored', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.raw(Buffer.from(`8=FIX.4.4|9=49|35=0|34=2|49=TW|52=20261123-12:00:00.000|56=ISLD|10=000|`.split('|').join('\x01')));
  assert.deepEqual(h.take(), []);
  assert.equal(h.store.getNextTargetSeq(), 2);
  assert.equal(h.disconnects.length, 0);
});

test('wrong CompID after logon: Reject (CompID problem) and Logout', () => {
  const h = new Harness({ sessionId: new SessionID({ beginString: 'FIX.4.4', senderCompID: 'ISLD', targetCompID: 'TW' }) }).connect().logon(1);
  h.take();
  h.raw(Buffer.from(frameOf('35=0|34=2|49=XX|52=20261123-12:00:00.000|56=ISLD|')));
  const out = h.take();
  assert.deepEqual(types(out), ['3', '5']);
  assert.equal(field(out[0], 373), '9');
  assert.equal(field(out[0], 58), 'CompID problem');
});

test('SendingTime too far off: Reject 10 and Logout', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.send('35=0|', { seq: 2, sendingTime: '20261123-11:57:59.000' });
  const out = h.take();
  assert.deepEqual(types(out), ['3', '5']);
  assert.equal(field(out[0], 373), '10');
  assert.equal(field(out[0], 58), 'SendingTime accuracy problem');
});

test('application callbacks: RejectLogon, DoNotSend, UnsupportedMessageType', () => {
  const refused = new Harness({}, {
    fromAdmin(m) {
      if (m.msgType === 'A') throw new RejectLogon('not today');
    },
  })
    .connect()
    .logon(1);
  const out = refused.take();
  assert.deepEqual(types(out), ['5']);
  assert.equal(field(out[0], 58), 'not today');
  assert.equal(refused.disconnects.length, 1);

  const h = new Harness({}, {
    toApp(m) {
      if (m.get(11) === 'veto') throw new DoNotSend('no');
    },
    fromApp() {
      throw new UnsupportedMessageType();
    },
  })
    .connect()
    .logon(1);
  h.take();
  assert.equal(h.core.send(new Message('D').set(11, 'veto'), h.now).sent, false);
  h.send('35=8|37=x|', { seq: 2 });
  const br = h.take();
  assert.deepEqual(types(br), ['j']);
  assert.equal(field(br[0], 380), '3');
  assert.equal(field(br[0], 58), 'Unsupported Message Type');
  assert.equal(h.store.getNextTargetSeq(), 3);
});

test('async fromApp: messages are handed over one at a time, in order', async () => {
  const seen: string[] = [];
  let release: () => void = () => undefined;
  const h = new Harness({}, {
    fromApp(m) {
      const id = m.get(11)!;
      seen.push(`start ${id}`);
      return new Promise<void>((resolve) => {
        release = () => {
          seen.push(`end ${id}`);
          resolve();
        };
      });
    },
  })
    .connect()
    .logon(1);
  h.send('35=D|11=a|', { seq: 2 }).send('35=D|11=b|', { seq: 3 });
  assert.deepEqual(seen, ['start a']);
  assert.equal(h.store.getNextTargetSeq(), 2, 'not advanced before the application is done');
  release();
  await h.waits.shift();
  h.apply(h.core.resume(undefined, h.now));
  assert.deepEqual(seen, ['start a', 'end a', 'start b']);
  assert.equal(h.store.getNextTargetSeq(), 3);
  release();
  await h.waits.shift();
  h.apply(h.core.resume(undefined, h.now));
  assert.equal(h.store.getNextTargetSeq(), 4);
});

test('ResetSeqNumFlag on Logon resets both sequence numbers', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  h.send('35=0|', { seq: 2 });
  h.apply(h.core.disconnected(h.now));
  h.connect().send('35=A|98=0|108=30|141=Y|', { seq: 1 });
  const out = h.take();
  assert.deepEqual(types(out), ['A']);
  assert.equal(field(out[0], 141), 'Y');
  assert.equal(field(out[0], 34), '1');
});

test('initiator sends Logon on connect and times out without an answer', () => {
  const h = new Harness({ role: 'initiator', heartBtInt: 20, logonTimeout: 5 });
  h.connect();
  const out = h.take();
  assert.deepEqual(types(out), ['A']);
  assert.equal(field(out[0], 108), '20');
  h.advance(5000);
  assert.deepEqual(h.disconnects, ['logon timeout']);
});

test('initiator: a Logout answering its Logon (a refusing standby) is not counted; after logon one is', () => {
  const h = new Harness({ role: 'initiator', heartBtInt: 30 });
  h.core.setSequenceNumbers(10, 7);
  h.connect();
  h.take();
  h.send('35=5|58=session is active on node A|', { seq: 7 });
  assert.deepEqual(h.disconnects, ['logout']);
  assert.equal(h.core.nextTargetSeq, 7, 'the real owner will send 7 next');
  assert.equal(h.store.getNextTargetSeq(), 1, 'nothing stored for the target side');
  // Logged on, a Logout is counted as QuickFIX does.
  h.disconnects = [];
  h.connect();
  h.take();
  h.logon(7);
  h.send('35=5|', { seq: 8 });
  assert.equal(h.core.nextTargetSeq, 9);
});

test('incoming events carry the message as received, even when the framer reuses its buffer', () => {
  const h = new Harness().connect().logon(1);
  h.take();
  const ts = formatUtcTimestamp(h.now, 3);
  const f = (seq: number) => frameOf(`35=0|34=${seq}|49=TW|52=${ts}|56=ISLD|`);
  const [a, b, c] = [f(2), f(3), f(4)];
  const events: string[] = [];
  const collect = (actions: ReturnType<typeof h.core.receive>) => {
    for (const x of actions) if (x.type === 'event' && x.event.kind === 'incoming') events.push(x.event.bytes.toString('latin1'));
  };
  // Partial frame first, so the rest is framed from the framer's own buffer, which is compacted
  // (the partial frame at the end moved to its start) before the actions are handled.
  collect(h.core.receive(a.subarray(0, 20), h.now));
  collect(h.core.receive(Buffer.concat([a.subarray(20), b, c.subarray(0, 30)]), h.now));
  collect(h.core.receive(c.subarray(30), h.now));
  assert.deepEqual(events, [a, b, c].map((x) => x.toString('latin1')));
});

test('schedule: logon outside the window is refused, the end time logs out, a new period resets', () => {
  const hms = (t: string) => parseTimeOfDay(t)!.seconds;
  // T0 is 12:00 UTC; the window is 11:00-12:00:30.
  const schedule = new Schedule({ startTime: hms('11:00:00'), endTime: hms('12:00:30') });
  const h = new Harness({ schedule }).connect().logon(1);
  assert.ok(h.core.isLoggedOn);
  h.take();
  h.send('35=0|', { seq: 2 });
  h.advance(31_000);
  const out = h.take();
  assert.equal(types(out).at(-1), '5', 'logs out at the end time');
  const late = new Harness({ schedule });
  late.now += 60_000;
  late.connect().logon(1);
  assert.deepEqual(late.take(), []);
  assert.equal(late.disconnects.length, 1);
  // Next day inside the window: the store is reset before the logon is processed.
  const next = new Harness({ schedule });
  next.store.setNextTargetSeq(7);
  next.core.setSequenceNumbers(5, 7, next.now - 86_400_000);
  next.apply(next.core.tick(next.now));
  assert.equal(next.core.nextSenderSeq, 1);
  assert.equal(next.store.getNextTargetSeq(), 1);
});

test('an application that throws an unexpected error does not break the session; the message is not consumed', () => {
  const h = new Harness({}, {
    fromApp(m) {
      if (m.get(11) === 'boom') throw new Error('bug in the application');
    },
  }).connect().logon(1);
  h.take();
  h.send('35=D|11=boom|', { seq: 2 });
  assert.deepEqual(h.take(), []);
  assert.equal(h.store.getNextTargetSeq(), 2, 'not consumed: it will be asked for again');
  const rejecting = new Harness({ rejectMessageOnUnhandledException: true }, {
    fromApp() {
      throw new TypeError('oops');
    },
  }).connect().logon(1);
  rejecting.take();
  rejecting.send('35=D|11=x|', { seq: 2 });
  const out = rejecting.take();
  assert.deepEqual(types(out), ['j']);
  assert.equal(field(out[0], 380), '0');
});

test('ResetOnError and DisconnectOnError replace the reject for a bad message', () => {
  const r = new Harness({ resetOnError: true }, { fromApp: () => { throw new IncorrectTagValue(40); } }).connect().logon(1);
  r.take();
  r.send('35=D|11=x|', { seq: 2 });
  assert.deepEqual(types(r.take()), ['5']);
  assert.equal(r.disconnects.length, 1);
  assert.equal(r.store.getNextSenderSeq(), 1, 'sequence numbers reset');
  const d = new Harness({ disconnectOnError: true }, { fromApp: () => { throw new IncorrectTagValue(40); } }).connect().logon(1);
  d.take();
  d.send('35=D|11=x|', { seq: 2 });
  assert.deepEqual(d.take(), []);
  assert.equal(d.disconnects.length, 1);
});

test('NextExpectedMsgSeqNum(789) on Logon: lower resends what the counterparty missed, higher logs out', () => {
  const h = new Harness({ enableNextExpectedMsgSeqNum: true }).connect().logon(1);
  const first = h.take();
  assert.equal(field(first[0], 789), '2', 'the Logon response says which sequence number we expect next');
  const order = (id: string) => new Message('D').set(11, id).set(55, 'IBM');
  h.apply(h.core.send(order('a'), h.now).actions);
  h.apply(h.core.send(order('b'), h.now).actions);
  h.take();
  h.send('35=5|', { seq: 2 });
  h.take();
  // Reconnect: it got only our Logon (1); our next is 5 (orders 2, 3, Logout 4), it wants 2.
  h.connect().logon(3, '789=2|');
  const out = h.take();
  assert.deepEqual(types(out), ['A', 'D', 'D', '4']);
  assert.equal(field(out[0], 34), '5');
  assert.deepEqual(out.slice(1, 3).map((m) => [field(m, 34), field(m, 43), field(m, 11)]), [['2', 'Y', 'a'], ['3', 'Y', 'b']]);
  assert.deepEqual([field(out[3], 34), field(out[3], 123), field(out[3], 36)], ['4', 'Y', '5'], 'the Logout is gap filled');

  const high = new Harness({ enableNextExpectedMsgSeqNum: true }).connect().logon(1, '789=7|');
  const sent = high.take();
  assert.deepEqual(types(sent), ['5']);
  assert.match(field(sent[0], 58) ?? '', /789.*Expected 1, Received 7/);
  assert.equal(high.disconnects.length, 1);
  assert.equal(high.core.isLoggedOn, false);
});

test('ClosedResendInterval: the ResendRequest names the real end of the gap', () => {
  const open = new Harness().connect().logon(1);
  open.take();
  open.send('35=0|', { seq: 5 });
  assert.deepEqual(open.take().map((m) => [field(m, 35), field(m, 7), field(m, 16)]), [['2', '2', '0']]);
  const closed = new Harness({ closedResendInterval: true }).connect().logon(1);
  closed.take();
  closed.send('35=0|', { seq: 5 });
  assert.deepEqual(closed.take().map((m) => [field(m, 35), field(m, 7), field(m, 16)]), [['2', '2', '4']]);
});

test('a ResendRequest with a too-high MsgSeqNum is answered at once and its number counts once the gap is filled', () => {
  const h = new Harness().connect().logon(1);
  h.send('35=D|11=a|21=1|40=1|54=1|55=X|60=20261123-12:00:00|', { seq: 2 });
  h.take();
  // Messages 3 and 4 are lost; 5 asks us to resend from 1.
  h.send('35=2|7=1|16=0|', { seq: 5 });
  const out = h.take();
  assert.ok(types(out).includes('4'), 'our messages resent (gap-filled) at once');
  const rr = out.filter((m) => field(m, 35) === '2');
  assert.equal(rr.length, 1, 'and the gap before it is asked for');
  assert.equal(field(rr[0], 7), '3');
  assert.equal(h.store.getNextTargetSeq(), 3);
  // The counterparty gap-fills 3..4: 5 (the ResendRequest) was already handled, only counted now.
  h.send('35=4|123=Y|36=5|', { seq: 3, possDup: true, sendingTime: undefined });
  assert.equal(h.store.getNextTargetSeq(), 6);
  h.take();
  h.send('35=0|', { seq: 6 });
  assert.deepEqual(h.take(), [], 'no further ResendRequest: nothing is missing');
  assert.equal(h.store.getNextTargetSeq(), 7);
});
