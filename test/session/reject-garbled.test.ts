import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field } from './harness.js';
import { SessionID } from '../../src/session/index.js';
import { parseSettings } from '../../src/config/index.js';
import { sessionOptionsFrom } from '../../src/engine/index.js';

const raw = (text: string) => Buffer.from(text.split('|').join('\x01'), 'latin1');
const types = (msgs: string[]) => msgs.map((m) => field(m, 35));

test('RejectGarbledMessage=Y: a garbled message is answered with a Reject and its expected MsgSeqNum counted', () => {
  const h = new Harness({ rejectGarbledMessage: true }).connect().logon(1);
  h.take();
  // Bad CheckSum.
  h.raw(raw('8=FIX.4.4|9=49|35=0|34=2|49=TW|52=20261123-12:00:00.000|56=ISLD|10=000|'));
  let out = h.take();
  assert.deepEqual(types(out), ['3']);
  assert.equal(field(out[0], 45), '2');
  assert.equal(field(out[0], 372), '0');
  assert.equal(field(out[0], 58), 'Message failed basic validity check');
  assert.equal(field(out[0], 373), undefined, 'a text reject: no reason code');
  assert.equal(h.store.getNextTargetSeq(), 3);
  // A field that is not tag=value (the frame's BodyLength and CheckSum are right).
  h.send('35=D|49garbled=TW|11=x|', { seq: 3 });
  out = h.take();
  assert.deepEqual(types(out), ['3']);
  assert.equal(field(out[0], 45), '3');
  assert.equal(field(out[0], 372), 'D');
  assert.equal(h.store.getNextTargetSeq(), 4);
  // Bad BodyLength, and a MsgSeqNum it cannot count: rejected, nothing counted.
  h.raw(raw('8=FIX.4.4|9=30|35=0|34=99999999999|49=TW|52=20261123-12:00:00.000|56=ISLD|10=000|'));
  out = h.take();
  assert.deepEqual(types(out), ['3']);
  assert.equal(field(out[0], 45), undefined);
  assert.equal(h.store.getNextTargetSeq(), 4);
  h.send('35=1|112=after|', { seq: 4 });
  assert.deepEqual(types(h.take()), ['0']);
  assert.equal(h.disconnects.length, 0);
});

test('RejectGarbledMessage=Y: FIX 4.1 names no MsgType; before logon a garbled message is still ignored', () => {
  const h = new Harness({ rejectGarbledMessage: true, sessionId: new SessionID({ beginString: 'FIX.4.1', senderCompID: 'ISLD', targetCompID: 'TW' }) }).connect();
  h.raw(raw('8=FIX.4.1|9=49|35=0|34=1|49=TW|52=20261123-12:00:00.000|56=ISLD|10=000|'));
  assert.deepEqual(h.take(), []);
  assert.equal(h.disconnects.length, 0);
  h.logon(1);
  h.take();
  h.raw(raw('8=FIX.4.1|9=45|35=0|34=2|49=TW|52=20261123-12:00:00|56=ISLD|10=000|'));
  const out = h.take();
  assert.deepEqual(types(out), ['3']);
  assert.equal(field(out[0], 372), undefined);
  assert.equal(field(out[0], 58), 'Message failed basic validity check');
});

test('settings: RejectGarbledMessage is supported (no "not supported yet" notice) and off by default', () => {
  const cfg = (extra: string) =>
    parseSettings(`[DEFAULT]\nBeginString=FIX.4.4\nConnectionType=acceptor\nSocketAcceptPort=5001\nStartTime=00:00:00\nEndTime=00:00:00\n${extra}\n[SESSION]\nSenderCompID=A\nTargetCompID=B\n`, 'test.cfg', {});
  const on = cfg('RejectGarbledMessage=Y');
  assert.deepEqual(on.problems, []);
  assert.equal(sessionOptionsFrom(on.sessions[0].toRecord()).rejectGarbledMessage, true);
  assert.equal(sessionOptionsFrom(cfg('').sessions[0].toRecord()).rejectGarbledMessage, false);
  const bad = cfg('RejectGarbledMessage=yes');
  assert.match(bad.problems.map((p) => `${p.file}:${p.line}: ${p.setting}: ${p.message}`).join('\n'), /test\.cfg:7: RejectGarbledMessage: .*Y or N/);
});
