/**
 * Messages know their session's dictionary: views handed to fromApp/fromAdmin read fields by name
 * and groups, `Session.newMessage` builds with the dictionary attached, and a message being built
 * prints before it is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type Session } from '../../src/engine/index.js';
import { APPS } from '../../src/cli/run.js';
import { Message, type MessageView } from '../../src/codec/index.js';
import { loadDictionary } from '../../src/dictionary/index.js';
import type { SessionEvent } from '../../src/session/index.js';

async function loggedOn(session: Session): Promise<void> {
  if (session.isLoggedOn) return;
  await new Promise<void>((resolve) => {
    const on = (e: SessionEvent): void => {
      if (e.kind !== 'logon') return;
      session.off('event', on);
      resolve();
    };
    session.on('event', on);
  });
}

test('fromApp and fromAdmin views carry the session dictionary; newMessage builds with it (FIX.4.4 initiator against the executor)', { timeout: 20_000 }, async () => {
  const exec = await Engine.create([{ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'C', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1' }], APPS.executor);
  const [port] = await exec.start();
  const seen: Array<Record<string, unknown>> = [];
  const admin: string[] = [];
  let done: () => void;
  const report = new Promise<void>((r) => (done = r));
  const client = await Engine.create(
    [{ BeginString: 'FIX.4.4', SenderCompID: 'C', TargetCompID: 'EXEC', ConnectionType: 'initiator', HeartBtInt: '30', SocketConnectHost: '127.0.0.1', SocketConnectPort: String(port), ReconnectInterval: '1' }],
    () => ({
      fromAdmin(view: MessageView) {
        admin.push(`${view.get('MsgType')}:${view.get('HeartBtInt') ?? ''}`);
      },
      fromApp(view: MessageView) {
        seen.push({ OrdStatus: view.get('OrdStatus'), ClOrdID: view.get('ClOrdID'), json: view.toJSON() });
        done();
      },
    }),
  );
  try {
    await client.start();
    const session = client.session('FIX.4.4:C->EXEC');
    await loggedOn(session);
    assert.ok(admin.includes('A:30'), `Logon read by name: ${admin.join(',')}`);
    assert.equal(session.dictionary, loadDictionary('FIX44.xml'));
    const order = session.newMessage('D');
    const when = new Date(Date.UTC(2026, 10, 23, 6, 1, 2, 345));
    order.set('ClOrdID', 'ORD-1').set('Symbol', 'IBM').set('Side', '1').set('TransactTime', when).set('OrdType', '1').set('OrderQty', 100);
    // Printable before it is sent: BeginString and CompIDs are set, the rest comes at send.
    assert.equal(order.toString(), '8=FIX.4.4|9=76|35=D|49=C|56=EXEC|11=ORD-1|38=100|40=1|54=1|55=IBM|60=20261123-06:01:02.345|10=188|');
    assert.equal((order.toJSON() as { body: Record<string, unknown> }).body.TransactTime, '20261123-06:01:02.345');
    assert.equal(session.send(order), true);
    await report;
    assert.equal(seen[0].OrdStatus, '2');
    assert.equal(seen[0].ClOrdID, 'ORD-1');
    assert.equal((seen[0].json as { body: Record<string, unknown> }).body.OrdStatus, '2');
  } finally {
    await client.stop();
    await exec.stop();
  }
});

test('a FIXT.1.1 session attaches the transport and application dictionaries together', async () => {
  const engine = await Engine.create(
    [{ BeginString: 'FIXT.1.1', DefaultApplVerID: 'FIX.5.0SP2', SenderCompID: 'A', TargetCompID: 'B', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1' }],
    () => ({}),
  );
  const msg = engine.session('FIXT.1.1:A->B').newMessage('D');
  msg.set('ClOrdID', 'X').set('TransactTime', new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)));
  assert.equal(msg.get('ClOrdID'), 'X');
  assert.match(msg.toString(), /^8=FIXT\.1\.1\|9=\d+\|35=D\|49=A\|56=B\|11=X\|60=20260102-03:04:05\.006\|10=\d{3}\|$/);
  // Names from the transport dictionary too.
  assert.equal(msg.get('SenderCompID'), 'A');
});

test('UseDataDictionary=N still attaches the shipped dictionary of the BeginString for names', async () => {
  const engine = await Engine.create([{ BeginString: 'FIX.4.2', SenderCompID: 'A', TargetCompID: 'B', ConnectionType: 'acceptor', SocketAcceptPort: '0', UseDataDictionary: 'N' }], () => ({}));
  assert.equal(engine.session('FIX.4.2:A->B').newMessage('D').set('ClOrdID', 'Y').body.get(11), 'Y');
});

test('a message being built prints before it has a BeginString; toJSON too', () => {
  const dict = loadDictionary('FIX44.xml');
  const msg = new Message('D', dict).set('ClOrdID', 'A1').set('Side', '2');
  assert.equal(msg.toString(), '35=D|11=A1|54=2|');
  assert.deepEqual(msg.toJSON(), { header: { MsgType: 'D' }, body: { ClOrdID: 'A1', Side: '2' }, trailer: {} });
  const bare = new Message('0').set(112, 'T');
  assert.equal(bare.toString(), '35=0|112=T|');
  assert.deepEqual(bare.toJSON(), { header: { 35: '0' }, body: { 112: 'T' }, trailer: {} });
});

test('a Date is written in the type of its field: timestamps, time only, dates, month-year', () => {
  const dict = loadDictionary('FIX44.xml');
  const t = new Date(Date.UTC(2026, 10, 23, 6, 1, 2, 345));
  const msg = new Message('8', dict)
    .set('TransactTime', t) // UTCTIMESTAMP
    .set('TradeDate', t) // LOCALMKTDATE
    .set('MaturityMonthYear', t) // MONTHYEAR
    .set('MDEntryTime', t); // UTCTIMEONLY
  assert.equal(msg.get('TransactTime'), '20261123-06:01:02.345');
  assert.equal(msg.get('TradeDate'), '20261123');
  assert.equal(msg.get('MaturityMonthYear'), '202611');
  assert.equal(msg.get('MDEntryTime'), '06:01:02.345');
  assert.equal(new Message('8', loadDictionary('FIX50SP2.xml')).set('TZTransactTime', t).get(1132), '20261123-06:01:02.345Z');
  assert.equal(new Message('D').set(60, t).get(60), '20261123-06:01:02.345', 'without a dictionary: a UTCTimestamp');
  assert.throws(() => new Message('D', dict).set('Symbol', t), /field 55 is of type STRING: a Date can only be set on a date or time field/);
  assert.throws(() => new Message('D', dict).set('TransactTime', new Date(NaN)), /field 60: invalid Date/);
  // Group entries write dates by type as well.
  const g = new Message('8', dict).newGroup('NoContAmts').set('ContAmtType', 1);
  assert.throws(() => g.set('ContAmtValue', t), /field 520 is of type FLOAT/);
});

test('FIXT.1.1 with application dictionaries per ApplVerID: a view carries the dictionary of its message ApplVerID', { timeout: 20_000 }, async () => {
  const schemas: Array<string> = [];
  let count = 0;
  let done: () => void;
  const both = new Promise<void>((r) => (done = r));
  const acceptor = await Engine.create(
    [{ BeginString: 'FIXT.1.1', DefaultApplVerID: 'FIX.5.0SP2', 'AppDataDictionary.FIX.4.4': 'FIX44.xml', SenderCompID: 'EXEC', TargetCompID: 'C', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1' }],
    () => ({
      fromApp(view: MessageView) {
        // NoStrategyParameters(957) is a NewOrderSingle group in FIX 5.0 SP2, not in FIX 4.4.
        schemas.push(`${view.get('ClOrdID')}:${view.schema?.group('D', 957) ? 'FIX.5.0SP2' : 'FIX.4.4'}`);
        if (++count === 2) done();
      },
    }),
  );
  const [port] = await acceptor.start();
  const client = await Engine.create(
    [{ BeginString: 'FIXT.1.1', DefaultApplVerID: 'FIX.5.0SP2', SenderCompID: 'C', TargetCompID: 'EXEC', ConnectionType: 'initiator', HeartBtInt: '30', SocketConnectHost: '127.0.0.1', SocketConnectPort: String(port), ReconnectInterval: '1' }],
    () => ({}),
  );
  try {
    assert.ok(loadDictionary('FIX50SP2.xml').group('D', 957) && !loadDictionary('FIX44.xml').group('D', 957));
    await client.start();
    const session = client.session('FIXT.1.1:C->EXEC');
    await loggedOn(session);
    const order = (id: string): Message => session.newMessage('D').set('ClOrdID', id).set('Symbol', 'IBM').set('Side', '1').set('TransactTime', new Date()).set('OrdType', '1');
    assert.equal(session.send(order('A-44').set('ApplVerID', '6')), true);
    assert.equal(session.send(order('A-50')), true);
    await both;
    assert.deepEqual(schemas, ['A-44:FIX.4.4', 'A-50:FIX.5.0SP2']);
  } finally {
    await client.stop();
    await acceptor.stop();
  }
});
