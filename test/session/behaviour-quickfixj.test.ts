/**
 * `SessionBehaviour=quickfixj`: the session answers as QuickFIX/J does where it differs from
 * QuickFIX C++ (the default, which the acceptance scripts check). Each test runs the same exchange
 * under both profiles, built from settings as a user writes them, and checks both answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, field, T0 } from './harness.js';
import { parseSettings } from '../../src/config/index.js';
import { sessionOptionsFrom } from '../../src/engine/index.js';
import { formatUtcTimestamp, Parser } from '../../src/codec/index.js';
import { QUICKFIX_BEHAVIOUR, QUICKFIXJ_BEHAVIOUR, SessionID, UnsupportedMessageType, type Application } from '../../src/session/index.js';
import { acceptanceApplication } from '../../src/apps/index.js';
import { Message } from '../../src/codec/message.js';
import { loadDictionary, resolveDictionaryPath } from '../../src/dictionary/index.js';
import { frame } from '../codec/helpers.js';

type Profile = 'quickfix' | 'quickfixj';

/** A session (acceptor ISLD, counterparty TW) from settings, with the given profile. */
function session(profile: Profile, begin = 'FIX.4.2', extra = '', app: Application<SessionID> = {}): Harness {
  const fixt = begin === 'FIXT.1.1' ? 'DefaultApplVerID=FIX.5.0SP2\n' : '';
  const s = parseSettings(
    `[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\nSessionBehaviour=${profile}\n${extra}\n[SESSION]\nBeginString=${begin}\nSenderCompID=ISLD\nTargetCompID=TW\n${fixt}`,
    'behaviour.cfg',
    {},
  );
  assert.deepEqual(s.problems.filter((p) => p.severity !== 'notice'), []);
  return new Harness(sessionOptionsFrom(s.sessions[0].toRecord()), app);
}

/** A logged-on session (its Logon answer taken). */
function loggedOn(profile: Profile, begin = 'FIX.4.2', extra = '', app?: Application<SessionID>): Harness {
  const h = session(profile, begin, extra, app).connect();
  h.logon(1, begin === 'FIXT.1.1' ? '1137=9|' : '');
  assert.deepEqual(h.take().map((m) => field(m, 35)), ['A']);
  return h;
}

const types = (msgs: string[]): Array<string | undefined> => msgs.map((m) => field(m, 35));
const stamp = (ms: number, begin: string): string => formatUtcTimestamp(ms, begin <= 'FIX.4.1' ? 0 : 3);

test('settings: SessionBehaviour picks the profile (QuickFIX C++ by default); a bad value names the valid ones', () => {
  const opts = (line: string) => sessionOptionsFrom(parseSettings(`[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\n${line}\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n`, 'b.cfg', {}).sessions[0].toRecord());
  assert.equal(opts('').behaviour, QUICKFIX_BEHAVIOUR);
  assert.equal(opts('SessionBehaviour=quickfixj').behaviour, QUICKFIXJ_BEHAVIOUR);
  assert.equal(opts('SessionBehaviour=QuickFIXJ').behaviour, QUICKFIXJ_BEHAVIOUR);
  const bad = parseSettings(`[DEFAULT]\nConnectionType=acceptor\nSessionBehaviour=quickfixn\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n`, 'b.cfg', {});
  assert.ok(bad.problems.some((p) => p.severity === 'error' && p.line === 3 && p.setting === 'SessionBehaviour' && /quickfix, quickfixj/.test(p.message)), JSON.stringify(bad.problems));
});

for (const begin of ['FIX.4.0', 'FIX.4.2']) {
  test(`${begin}: a SendingTime problem: RefTagID 52 (or ", field=52" before FIX 4.2) and a Logout saying why`, () => {
    const answers = (profile: Profile) => {
      const h = loggedOn(profile, begin);
      h.send('35=0|', { seq: 2, sendingTime: stamp(h.now - 121_000, begin) });
      return h.take();
    };
    const cpp = answers('quickfix');
    const j = answers('quickfixj');
    assert.deepEqual(types(cpp), ['3', '5']);
    assert.deepEqual(types(j), ['3', '5']);
    assert.equal(field(cpp[0], 371), undefined);
    assert.equal(field(cpp[1], 58), undefined);
    if (begin === 'FIX.4.0') {
      assert.equal(field(cpp[0], 58), 'SendingTime accuracy problem');
      assert.equal(field(j[0], 58), 'SendingTime accuracy problem, field=52');
      assert.equal(field(j[0], 371), undefined);
    } else {
      assert.equal(field(j[0], 58), 'SendingTime accuracy problem');
      assert.equal(field(j[0], 371), '52');
      assert.equal(field(j[0], 373), '10');
    }
    assert.equal(field(j[1], 58), 'SendingTime accuracy problem, field=52');
  });
}

test('a CompID problem: the Logout after the Reject says "CompID problem"', () => {
  const answers = (profile: Profile) => {
    const h = loggedOn(profile);
    h.raw(frame(`35=D|34=2|49=WT|52=${stamp(h.now, 'FIX.4.2')}|56=ISLD|11=ID|21=3|40=1|54=1|55=INTC|60=${stamp(h.now, 'FIX.4.2')}|`, 'FIX.4.2'));
    return h.take();
  };
  const cpp = answers('quickfix');
  const j = answers('quickfixj');
  for (const out of [cpp, j]) {
    assert.deepEqual(types(out), ['3', '5']);
    assert.equal(field(out[0], 58), 'CompID problem');
    assert.equal(field(out[0], 373), '9');
    assert.equal(field(out[0], 371), undefined);
  }
  assert.equal(field(cpp[1], 58), undefined);
  assert.equal(field(j[1], 58), 'CompID problem');
});

test('OrigSendingTime after SendingTime on a PossDup: RefTagID 122 and a Logout saying why', () => {
  const answers = (profile: Profile) => {
    const h = loggedOn(profile);
    h.send('35=0|', { seq: 2 });
    h.send(`35=0|122=${stamp(h.now + 60_000, 'FIX.4.2')}|`, { seq: 2, possDup: true });
    return h.take();
  };
  const cpp = answers('quickfix');
  const j = answers('quickfixj');
  assert.deepEqual(types(cpp), ['3', '5']);
  assert.deepEqual(types(j), ['3', '5']);
  assert.equal(field(cpp[0], 371), undefined);
  assert.equal(field(cpp[1], 58), undefined);
  assert.equal(field(j[0], 371), '122');
  assert.equal(field(j[0], 58), 'SendingTime accuracy problem');
  assert.equal(field(j[1], 58), 'SendingTime accuracy problem, field=122');
});

test('an invalid MsgType: RefTagID 35', () => {
  const answers = (profile: Profile) => {
    const h = loggedOn(profile);
    h.send('35=*|', { seq: 2 });
    return h.take();
  };
  const cpp = answers('quickfix');
  const j = answers('quickfixj');
  for (const out of [cpp, j]) {
    assert.deepEqual(types(out), ['3']);
    assert.equal(field(out[0], 58), 'Invalid MsgType');
    assert.equal(field(out[0], 373), '11');
  }
  assert.equal(field(cpp[0], 371), undefined);
  assert.equal(field(j[0], 371), '35');
});

test('reject texts of validation: ", field=<tag>" (FIX 4.2 next to RefTagID; FIX 4.0 instead of " (<tag>)")', () => {
  const incorrect = (profile: Profile) => {
    const h = loggedOn(profile);
    h.send(`35=D|11=ID|21=1|40=1|54=1|38=+200.00|55=INTC|60=${stamp(h.now, 'FIX.4.2')}|`, { seq: 2 });
    return h.take();
  };
  const cpp = incorrect('quickfix');
  const j = incorrect('quickfixj');
  assert.equal(field(cpp[0], 58), 'Incorrect data format for value');
  assert.equal(field(j[0], 58), 'Incorrect data format for value, field=38');
  assert.equal(field(cpp[0], 371), '38');
  assert.equal(field(j[0], 371), '38');
  const badTag = (profile: Profile) => {
    const h = loggedOn(profile, 'FIX.4.0');
    h.send('35=0|999=HI|', { seq: 2, sendingTime: stamp(h.now, 'FIX.4.0') });
    return h.take();
  };
  assert.equal(field(badTag('quickfix')[0], 58), 'Invalid tag number (999)');
  assert.equal(field(badTag('quickfixj')[0], 58), 'Invalid tag number, field=999');
});

test('a message without MsgSeqNum: a Logout saying so and a disconnect, not a Reject', () => {
  const cpp = loggedOn('quickfix');
  cpp.send('35=1|112=T|');
  const cppOut = cpp.take();
  assert.deepEqual(types(cppOut), ['3']);
  assert.equal(cpp.disconnects.length, 0);
  const j = loggedOn('quickfixj');
  j.send('35=1|112=T|');
  const jOut = j.take();
  assert.deepEqual(types(jOut), ['5']);
  assert.equal(field(jOut[0], 58), 'Received message without MsgSeqNum');
  assert.equal(j.disconnects.length, 1);
});

test('a first Logon with a bad SendingTime: a Logout with the reason, then disconnect (QuickFIX C++ only disconnects)', () => {
  const cpp = session('quickfix', 'FIX.4.4').connect();
  cpp.send('35=A|98=0|108=30|', { seq: 1, sendingTime: '20010101-00:00:00' });
  assert.deepEqual(cpp.take(), []);
  assert.equal(cpp.disconnects.length, 1);
  const j = session('quickfixj', 'FIX.4.4').connect();
  j.send('35=A|98=0|108=30|', { seq: 1, sendingTime: '20010101-00:00:00' });
  const out = j.take();
  assert.deepEqual(types(out), ['5']);
  assert.equal(field(out[0], 58), 'Invalid Logon message: SendingTime accuracy problem, field=52');
  assert.equal(field(out[0], 34), '1');
  assert.equal(j.disconnects.length, 1);
  assert.equal(j.store.getNextTargetSeq(), 2, 'the refused Logon is counted, as QuickFIX/J counts it');
});

test('FIXT: a Logon with an unknown DefaultApplVerID is refused (QuickFIX C++ accepts it)', () => {
  const cpp = session('quickfix', 'FIXT.1.1').connect();
  cpp.logon(1, '1137=FIX.9.9|');
  assert.deepEqual(types(cpp.take()), ['A']);
  const j = session('quickfixj', 'FIXT.1.1').connect();
  j.logon(1, '1137=FIX.9.9|');
  const out = j.take();
  assert.deepEqual(types(out), ['5']);
  assert.equal(field(out[0], 58), 'Invalid Logon message: Value is incorrect (out of range) for this tag, field=1137');
  assert.equal(j.disconnects.length, 1);
  const ok = session('quickfixj', 'FIXT.1.1').connect();
  ok.logon(1, '1137=9|');
  assert.deepEqual(types(ok.take()), ['A'], 'a known one is accepted');
});

test('FIXT: a BusinessMessageReject carries no ApplVerID', () => {
  const app: Application<SessionID> = {
    fromApp() {
      throw new UnsupportedMessageType();
    },
  };
  const answers = (profile: Profile) => {
    const h = loggedOn(profile, 'FIXT.1.1', '', app);
    h.send('35=B|148=news|33=1|58=line|', { seq: 2 });
    const out = h.take();
    assert.deepEqual(types(out), ['j']);
    assert.equal(field(out[0], 380), '3');
    return out[0];
  };
  assert.equal(field(answers('quickfix'), 1137), '9');
  assert.equal(field(answers('quickfixj'), 1137), undefined);
});

test('EnableLastMsgSeqNumProcessed: an answer names the message it answers (Logon, TestRequest, Reject, ResendRequest, Logout)', () => {
  const run = (profile: Profile) => {
    const h = session(profile, 'FIX.4.4', 'EnableLastMsgSeqNumProcessed=Y').connect();
    const seen: Record<string, string | undefined> = {};
    h.logon(1);
    seen.logon = field(h.take()[0], 369);
    h.send('35=1|112=T|', { seq: 2 });
    seen.heartbeat = field(h.take()[0], 369);
    h.send('35=*|', { seq: 3 });
    seen.reject = field(h.take()[0], 369);
    h.send('35=2|7=1|16=0|', { seq: 4 });
    seen.gapFill = field(h.take()[0], 369);
    h.send('35=0|', { seq: 5 });
    assert.deepEqual(h.take(), []);
    h.send('35=5|', { seq: 6 });
    seen.logout = field(h.take()[0], 369);
    return seen;
  };
  assert.deepEqual(run('quickfix'), { logon: '0', heartbeat: '1', reject: '3', gapFill: '4', logout: '5' });
  assert.deepEqual(run('quickfixj'), { logon: '1', heartbeat: '2', reject: '3', gapFill: '4', logout: '6' });
});

test('the acceptance application does not echo an empty repeating group under QuickFIX/J', () => {
  const dict = loadDictionary(resolveDictionaryPath('FIX44.xml'));
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'ISLD', targetCompID: 'TW' });
  const received = new Parser()
    .parse(frame(`35=d|34=2|49=TW|52=${stamp(T0, 'FIX.4.4')}|56=ISLD|320=JCD|322=1034|323=6|55=TBS|22=8|167=CS|336=ONE_MAIN|58=none|454=0|`, 'FIX.4.4'))
    .withSchema(dict);
  const echoed = (profile: Profile): string => {
    const sent: Message[] = [];
    const app = acceptanceApplication({ send: (m) => void sent.push(m) }, { behaviourOf: () => (profile === 'quickfixj' ? QUICKFIXJ_BEHAVIOUR : QUICKFIX_BEHAVIOUR) });
    app.fromApp!(received, id);
    assert.equal(sent.length, 1);
    return sent[0].toString();
  };
  assert.match(echoed('quickfix'), /\|454=0\|/);
  const j = echoed('quickfixj');
  assert.doesNotMatch(j, /454=/);
  assert.match(j, /\|58=none\|/, 'the rest of the message is echoed');
});
