/**
 * Typed messages: the generated readers, builders and cracker of the shipped versions, over real
 * parsed messages; and the generator's output checked in for every shipped dictionary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser, FieldNotFoundError, type MessageView } from '../../src/codec/index.js';
import { loadDictionary } from '../../src/dictionary/index.js';
import { UnsupportedMessageType, type SessionID } from '../../src/session/index.js';
import { Engine } from '../../src/engine/index.js';
import * as fix44 from '../../src/messages/fix44/index.js';
import * as fix42 from '../../src/messages/fix42/index.js';
import * as fix50sp2 from '../../src/messages/fix50sp2/index.js';
import { TypedMessageError } from '../../src/messages/runtime.js';
import { SHIPPED_MESSAGE_VERSIONS, SHIPPED_RUNTIME_MODULE, generateMessages } from '../../src/messages/generate.js';
import { frame } from '../codec/helpers.js';

const NOS =
  '35=D|49=C|56=EXEC|34=7|52=20261123-06:00:00.123|11=ORD-1|453=2|448=FIRM|447=D|452=1|802=1|523=desk|803=4|448=TRADER|447=D|452=11|' +
  '55=IBM|54=1|60=20261123-06:00:01.500|38=100|40=2|44=123.45|59=0|';

function parse(body: string, schema?: Parameters<MessageView['withSchema']>[0]): MessageView {
  return new Parser().parse(frame(body)).clone().withSchema(schema);
}

test('shipped typed messages are exactly what the generator writes (npm run gen:messages)', () => {
  const root = join(import.meta.dirname, '..', '..', 'src', 'messages');
  for (const [dict, folder] of SHIPPED_MESSAGE_VERSIONS) {
    for (const [name, text] of generateMessages(dict, { runtimeModule: SHIPPED_RUNTIME_MODULE })) {
      assert.equal(readFileSync(join(root, folder, name), 'utf8'), text, `src/messages/${folder}/${name} differs from the generator's output: run npm run gen:messages`);
    }
  }
});

test('field and enum constants', () => {
  assert.equal(fix44.Tags.ClOrdID, 11);
  assert.equal(fix44.Side.Buy, '1');
  assert.equal(fix44.Side.SellShort, '5');
  assert.equal(fix44.OrdType.Limit, '2');
  assert.equal(fix44.PartyRole.ExecutingFirm, 1);
  assert.equal(fix50sp2.Tags.ApplVerID, 1128);
});

test('a typed reader reads the tags of the view it wraps, with components, groups and nested groups (no dictionary attached)', () => {
  const view = parse(NOS);
  const nos = fix44.read.NewOrderSingle(view);
  assert.equal(nos.msgType, 'D');
  assert.equal(nos.ClOrdID, 'ORD-1');
  assert.equal(nos.Symbol, 'IBM'); // Instrument component
  assert.equal(nos.Side, fix44.Side.Buy);
  assert.equal(nos.OrderQty, 100); // OrderQtyData component
  assert.equal(nos.Price, 123.45);
  assert.equal(nos.OrdType, fix44.OrdType.Limit);
  assert.deepEqual(nos.TransactTime, new Date(Date.UTC(2026, 10, 23, 6, 0, 1, 500)));
  assert.equal(nos.MsgSeqNum, 7); // header
  assert.equal(nos.SenderCompID, 'C');
  assert.equal(nos.Account, undefined);
  assert.equal(nos.StopPx, undefined);
  assert.throws(() => fix44.read.NewOrderSingle(parse(NOS.replace('44=123.45', '44=12x'))).Price, /field 44=12x is not a decimal/);
  const parties = nos.NoPartyIDs;
  assert.equal(parties.length, 2);
  assert.equal(parties[0].PartyID, 'FIRM');
  assert.equal(parties[0].PartyRole, fix44.PartyRole.ExecutingFirm);
  assert.equal(parties[0].NoPartySubIDs.length, 1);
  assert.equal(parties[0].NoPartySubIDs[0].PartySubID, 'desk');
  assert.equal(parties[0].NoPartySubIDs[0].PartySubIDType, 4);
  assert.equal(parties[1].PartyID, 'TRADER');
  assert.deepEqual(parties[1].NoPartySubIDs, []);
  assert.deepEqual(nos.NoAllocs, []);
  // A view over the same offsets: no copy is made.
  assert.equal(nos.view, view);
  // A required field that is absent throws what a session turns into a reject.
  const bare = fix44.read.NewOrderSingle(parse('35=D|49=C|56=EXEC|34=8|52=20261123-06:00:00.123|55=IBM|'));
  assert.throws(() => bare.ClOrdID, (e: unknown) => e instanceof FieldNotFoundError && e.tag === 11);
  assert.throws(() => fix44.read.ExecutionReport(view), /message type D is not ExecutionReport \(8\)/);
});

test('FIX 5.0 readers have the FIXT 1.1 header (the application dictionary has none)', () => {
  const view = new Parser().parse(frame('35=D|49=C|56=EXEC|34=3|52=20261123-06:00:00.123|1128=9|11=F5|55=IBM|54=2|60=20261123-06:00:01.000|38=5|40=1|', 'FIXT.1.1'));
  const nos = fix50sp2.read.NewOrderSingle(view);
  assert.equal(nos.BeginString, 'FIXT.1.1');
  assert.equal(nos.MsgSeqNum, 3);
  assert.equal(nos.ApplVerID, fix50sp2.ApplVerID.Fix50Sp2);
  assert.equal(nos.ClOrdID, 'F5');
  assert.equal(nos.Side, fix50sp2.Side.Sell);
  assert.equal(fix50sp2.build.NewOrderSingle({ ClOrdID: 'x', Side: '1', TransactTime: new Date(0), OrdType: '1', ApplVerID: fix50sp2.ApplVerID.Fix50Sp2 }).header.get(1128), '9');
});

test('crack calls the handler of the message type with a reused typed reader, default otherwise, UnsupportedMessageType without either', () => {
  const seen: string[] = [];
  const readers = new Set<unknown>();
  const handlers: fix44.Handlers<string, string> = {
    NewOrderSingle(msg, ctx) {
      readers.add(msg);
      seen.push(`${ctx}:${msg.ClOrdID}:${msg.Side}`);
      return 'nos';
    },
    ExecutionReport: (msg, ctx) => `${ctx}:${msg.OrdStatus}`,
  };
  assert.equal(fix44.crack(parse(NOS), handlers, 'a'), 'nos');
  assert.equal(fix44.crack(parse(NOS.replace('ORD-1', 'ORD-2')), handlers, 'b'), 'nos');
  assert.deepEqual(seen, ['a:ORD-1:1', 'b:ORD-2:1']);
  assert.equal(readers.size, 1, 'one reader, re-pointed at each view');
  // An asynchronous handler keeps its reader: a message cracked meanwhile gets another one.
  const held: fix44.NewOrderSingle[] = [];
  const later = { NewOrderSingle: async (m: fix44.NewOrderSingle) => void held.push(m) };
  void fix44.crack(parse(NOS), later, undefined);
  void fix44.crack(parse(NOS.replace('ORD-1', 'ORD-3')), later, undefined);
  assert.deepEqual(held.map((m) => m.ClOrdID), ['ORD-1', 'ORD-3']);
  assert.throws(() => fix44.crack(parse('35=B|49=C|56=EXEC|34=9|52=20261123-06:00:00.123|148=hi|'), handlers, 'c'), UnsupportedMessageType);
  assert.equal(fix44.crack(parse('35=B|49=C|56=EXEC|34=9|52=20261123-06:00:00.123|148=hi|'), { ...handlers, default: (v) => `default ${v.msgType}` }, 'c'), 'default B');
  // The compiler checks the handlers: a misspelt message name or a wrong field type does not compile.
  // @ts-expect-error NewOrderSingel is not a message of FIX.4.4
  assert.throws(() => fix44.crack(parse(NOS), { NewOrderSingel: () => undefined }, undefined), UnsupportedMessageType);
  fix44.crack(parse(NOS), {
    NewOrderSingle: (m) => {
      // @ts-expect-error OrderQty is a number
      const q: string = m.OrderQty;
      void q;
    },
  }, undefined);
});

test('builders: a message from a typed object, with groups, dates and enum values; read back through the typed reader', () => {
  const dict = loadDictionary('FIX44.xml');
  const msg = fix44.build.NewOrderSingle({
    ClOrdID: 'B-1',
    Symbol: 'MSFT',
    Side: fix44.Side.Sell,
    TransactTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
    OrderQty: 250,
    OrdType: fix44.OrdType.Limit,
    Price: '99.125',
    NoPartyIDs: [{ PartyID: 'P1', PartyIDSource: fix44.PartyIDSource.Proprietary, PartyRole: fix44.PartyRole.ClientId, NoPartySubIDs: [{ PartySubID: 'x', PartySubIDType: 1 }] }],
    SettlDate: { year: 2026, month: 1, day: 5 },
  });
  msg.header.set(49, 'C').set(56, 'E').set(34, 1).set(52, '20260102-03:04:05.006');
  const view = new Parser().parse(msg.toBuffer());
  const back = fix44.read.NewOrderSingle(view.withSchema(dict));
  assert.equal(back.BeginString, 'FIX.4.4');
  assert.equal(back.Side, '2');
  assert.equal(back.Price, 99.125);
  assert.equal(view.get('TransactTime'), '20260102-03:04:05.006');
  assert.equal(view.get('SettlDate'), '20260105');
  assert.equal(back.NoPartyIDs[0].PartyRole, 3);
  assert.equal(back.NoPartyIDs[0].NoPartySubIDs[0].PartySubID, 'x');
  // The dictionary's own group reading agrees with the typed reader's.
  assert.equal(view.groups('NoPartyIDs')[0].get('PartyIDSource'), 'D');
  assert.throws(() => fix44.build.NewOrderSingle({ ClOrdID: 'x', Symbol: 'y', Side: '1', TransactTime: new Date(), OrdType: '1', Bogus: 1 } as fix44.NewOrderSingleFields), (e: unknown) => e instanceof TypedMessageError && /NewOrderSingle has no field or group Bogus/.test(e.message));
  // @ts-expect-error ClOrdID is required
  void (() => fix44.build.NewOrderSingle({ Symbol: 'y', Side: '1', TransactTime: new Date(), OrdType: '1' }));
});

test('a builder given a session builds with its dictionary and header; older versions have typed messages too', async () => {
  const engine = await Engine.create([{ BeginString: 'FIX.4.2', SenderCompID: 'A', TargetCompID: 'B', ConnectionType: 'acceptor', SocketAcceptPort: '0' }], () => ({}));
  const session = engine.session('FIX.4.2:A->B');
  const msg = fix42.build.NewOrderSingle({ ClOrdID: 'S-1', HandlInst: fix42.HandlInst.AutomatedExecutionNoIntervention, Symbol: 'IBM', Side: fix42.Side.Buy, TransactTime: new Date(Date.UTC(2026, 1, 3)), OrdType: fix42.OrdType.Market }, session);
  assert.equal(msg.schema, session.dictionary);
  assert.equal(msg.toString(), '8=FIX.4.2|9=69|35=D|49=A|56=B|11=S-1|21=1|40=1|54=1|55=IBM|60=20260203-00:00:00.000|10=198|');
});

test('end to end: an acceptor answers typed NewOrderSingles through crack and builders; the initiator cracks the typed ExecutionReport', { timeout: 20_000 }, async () => {
  const exec = await Engine.create([{ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'C', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1' }], (sender) => {
    const handlers: fix44.Handlers<SessionID> = {
      NewOrderSingle(order, sessionId) {
        const fill = fix44.build.ExecutionReport(
          {
            OrderID: `O-${order.ClOrdID}`, ClOrdID: order.ClOrdID, ExecID: `E-${order.ClOrdID}`, ExecType: fix44.ExecType.Trade, OrdStatus: fix44.OrdStatus.Filled,
            Symbol: order.Symbol, Side: order.Side, LeavesQty: 0, CumQty: order.OrderQty ?? 0, AvgPx: order.Price ?? 0, LastQty: order.OrderQty, LastPx: order.Price, TransactTime: new Date(),
            NoPartyIDs: order.NoPartyIDs.map((p) => ({ PartyID: p.PartyID, PartyIDSource: p.PartyIDSource, PartyRole: p.PartyRole })),
          },
          exec.session(sessionId),
        );
        sender.send(fill, sessionId);
      },
    };
    return { fromApp: (view, sessionId) => fix44.crack(view, handlers, sessionId) };
  });
  const [port] = await exec.start();
  const reports: string[] = [];
  let done: () => void;
  const got = new Promise<void>((r) => (done = r));
  const client = await Engine.create(
    [{ BeginString: 'FIX.4.4', SenderCompID: 'C', TargetCompID: 'EXEC', ConnectionType: 'initiator', HeartBtInt: '30', SocketConnectHost: '127.0.0.1', SocketConnectPort: String(port), ReconnectInterval: '1' }],
    () => ({
      fromApp: (view) =>
        fix44.crack(view, {
          ExecutionReport(er) {
            reports.push(`${er.ClOrdID} ${er.OrdStatus} ${er.CumQty}@${er.AvgPx} ${er.NoPartyIDs.map((p) => `${p.PartyID}/${p.PartyRole}`).join(',')}`);
            done();
          },
        }),
    }),
  );
  try {
    await client.start();
    const session = client.session('FIX.4.4:C->EXEC');
    while (!session.isLoggedOn) await new Promise((r) => setTimeout(r, 20));
    const order = fix44.build.NewOrderSingle(
      { ClOrdID: 'T-1', Symbol: 'IBM', Side: fix44.Side.Buy, TransactTime: new Date(), OrderQty: 300, OrdType: fix44.OrdType.Limit, Price: 42.5, NoPartyIDs: [{ PartyID: 'DESK', PartyIDSource: fix44.PartyIDSource.Proprietary, PartyRole: fix44.PartyRole.EnteringTrader }] },
      session,
    );
    assert.equal(session.send(order), true);
    await got;
    assert.deepEqual(reports, [`T-1 ${fix44.OrdStatus.Filled} 300@42.5 DESK/${fix44.PartyRole.EnteringTrader}`]);
  } finally {
    await client.stop();
    await exec.stop();
  }
});
