/** The built-in executor application (src/apps/executor.ts): one refilled report per session. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parser, type Message } from '../../src/codec/index.js';
import { SessionID } from '../../src/session/index.js';
import { executorApplication } from '../../src/apps/executor.js';
import { frame } from '../codec/helpers.js';

const order = (fields: string, begin = 'FIX.4.4') => new Parser().parse(frame(`35=D|34=2|49=C|52=20261123-12:00:00|56=E|${fields}`, begin));

test('each order gets its own report; fields of an earlier order do not carry over', () => {
  // A session encodes the message during send: a copy taken then is what would go out.
  const sent: Array<{ report: Message; to: string }> = [];
  const app = executorApplication({ send: (m: Message, id: SessionID) => sent.push({ report: m.clone(), to: id.toString() }) });
  const a = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'E', targetCompID: 'C' });
  const b = new SessionID({ beginString: 'FIX.4.2', senderCompID: 'E', targetCompID: 'D' });
  app.fromApp!(order('11=o1|1=ACC|55=IBM|54=1|38=100|40=2|44=10.5|'), a);
  app.fromApp!(order('11=o2|55=MSFT|54=2|38=7|40=1|'), a);
  app.fromApp!(order('11=o3|55=AAPL|54=1|38=5|40=2|44=3|', 'FIX.4.2'), b);
  assert.equal(sent.length, 3);
  const [r1, r2, r3] = sent.map((s) => ({ get: (tag: number) => s.report.get(tag) }));
  assert.deepEqual([r1.get(11), r1.get(1), r1.get(55), r1.get(31), r1.get(14), r1.get(150), r1.get(37)], ['o1', 'ACC', 'IBM', '10.5', '100', 'F', '1']);
  assert.deepEqual([r2.get(11), r2.get(1), r2.get(55), r2.get(54), r2.get(31), r2.get(32), r2.get(37), r2.get(17)], ['o2', undefined, 'MSFT', '2', '0', '7', '2', '2']);
  assert.deepEqual([r3.get(11), r3.get(20), r3.get(150), r3.get(37)], ['o3', '0', '2', '3']);
  assert.equal(sent[2].to, b.toString());
});
