/** The seed executor configuration (examples/executor.cfg) and an order-entry client for it. */
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { Initiator, Session } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { OrderClient, type ClientReport } from '../../src/client/index.js';

/** The seed configuration as shipped in examples/, on `port`. */
export const seedConfig = (port: number): string =>
  readFileSync(new URL('../../examples/executor.cfg', import.meta.url), 'latin1').replace('SocketAcceptPort=9877', `SocketAcceptPort=${port}`);

/**
 * Sends `orders` NewOrderSingles, `window` in flight, to the seed executor on `port` (as BANZAI,
 * FIX.4.2) from this process and returns the client's report; `onLogon` runs once logged on.
 */
export async function sendSeedOrders(port: number, orders: number, window: number, onLogon?: () => void): Promise<ClientReport> {
  const id = new SessionID({ beginString: 'FIX.4.2', senderCompID: 'BANZAI', targetCompID: 'EXEC' });
  const box: { c?: OrderClient } = {};
  const session = new Session({ sessionId: id, role: 'initiator', heartBtInt: 30 }, new MemoryStore(), {
    fromApp: (m, s) => box.c!.application().fromApp!(m, s),
  });
  box.c = new OrderClient(session, { orders, window, settleMs: 10_000 });
  const initiator = new Initiator([{ session, endpoints: [{ host: '127.0.0.1', port }], reconnectDelays: [0.2] }]);
  initiator.start();
  try {
    await once(session, 'logon');
    onLogon?.();
    return await box.c.run();
  } finally {
    await initiator.stop();
  }
}
