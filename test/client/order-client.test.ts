/** The order client against fixover's executor over 127.0.0.1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Acceptor, Initiator, Session } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { executorApplication } from '../../src/apps/index.js';
import { OrderClient } from '../../src/client/index.js';

async function setup() {
  const execId = new SessionID({ beginString: 'FIX.4.2', senderCompID: 'EXEC', targetCompID: 'BANZAI' });
  const holder: { s?: Session } = {};
  const exec = new Session({ sessionId: execId, role: 'acceptor' }, new MemoryStore(), executorApplication({ send: (m) => holder.s!.send(m) }));
  holder.s = exec;
  const acceptor = new Acceptor([exec], [{ port: 0, host: '127.0.0.1' }]);
  const [port] = await acceptor.start();
  return { acceptor, port, exec };
}

test('window mode: every order filled once, latencies recorded', async () => {
  const { acceptor, port } = await setup();
  const id = new SessionID({ beginString: 'FIX.4.2', senderCompID: 'BANZAI', targetCompID: 'EXEC' });
  const box: { client?: OrderClient } = {};
  const session = new Session({ sessionId: id, role: 'initiator', heartBtInt: 30 }, new MemoryStore(), {
    onLogon: (s) => box.client!.application().onLogon!(s),
    fromApp: (m, s) => box.client!.application().fromApp!(m, s),
  });
  box.client = new OrderClient(session, { orders: 300, window: 20, settleMs: 5000 });
  const initiator = new Initiator([{ session, endpoints: [{ host: '127.0.0.1', port }], reconnectDelays: [0.1] }]);
  try {
    initiator.start();
    await once(session, 'logon');
    const report = await box.client.run();
    assert.equal(report.sent, 300);
    assert.equal(report.filled, 300);
    assert.equal(report.missing, 0);
    assert.deepEqual(report.duplicates, { flagged: 0, unflagged: 0 });
    assert.equal(report.latencyUs.count, 300);
    assert.ok(report.latencyUs.p50 > 0 && report.latencyUs.p99 >= report.latencyUs.p50 && report.latencyUs.max > 0);
  } finally {
    await initiator.stop();
    await acceptor.stop();
  }
});

test('rate mode sends at roughly the given rate', async () => {
  const { acceptor, port } = await setup();
  const id = new SessionID({ beginString: 'FIX.4.2', senderCompID: 'BANZAI', targetCompID: 'EXEC' });
  const box: { client?: OrderClient } = {};
  const session = new Session({ sessionId: id, role: 'initiator', heartBtInt: 30 }, new MemoryStore(), {
    fromApp: (m, s) => box.client!.application().fromApp!(m, s),
  });
  box.client = new OrderClient(session, { orders: 100, rate: 500, settleMs: 5000 });
  const initiator = new Initiator([{ session, endpoints: [{ host: '127.0.0.1', port }], reconnectDelays: [0.1] }]);
  try {
    initiator.start();
    await once(session, 'logon');
    const report = await box.client.run();
    assert.equal(report.filled, 100);
    assert.ok(report.elapsedMs >= 150, `100 orders at 500/s cannot take ${report.elapsedMs} ms`);
  } finally {
    await initiator.stop();
    await acceptor.stop();
  }
});
