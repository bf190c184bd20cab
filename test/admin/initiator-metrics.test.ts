/**
 * Initiator metrics after a real failover: an engine's initiator session on the failover transport
 * logs on to acceptor A, A stops, it fails over to B; /metrics then counts the reconnect
 * attempts, the failover and its time to recover, and the logons.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Acceptor, Engine, Session, type SessionSettingsRecord } from '../../src/engine/index.js';
import { SessionID } from '../../src/session/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { EngineMetrics } from '../../src/admin/index.js';
import { freePort } from '../support/free-port.js';

async function acceptorOn(port: number): Promise<Acceptor> {
  const id = new SessionID({ beginString: 'FIX.4.4', senderCompID: 'EXEC', targetCompID: 'CLIENT' });
  const acceptor = new Acceptor([new Session({ sessionId: id, role: 'acceptor' }, new MemoryStore(), {}, { tickMs: 100 })], [{ port, host: '127.0.0.1' }]);
  await acceptor.start();
  return acceptor;
}

const value = (text: string, name: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{session="FIX.4.4:CLIENT->EXEC"`));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
};

test('reconnect attempts, failovers and time to recover of an initiator', { timeout: 30_000 }, async () => {
  const [a, b] = [await freePort(), await freePort()];
  const first = await acceptorOn(a);
  const second = await acceptorOn(b);
  const settings: SessionSettingsRecord = {
    BeginString: 'FIX.4.4',
    SenderCompID: 'CLIENT',
    TargetCompID: 'EXEC',
    ConnectionType: 'initiator',
    HeartBtInt: '30',
    ResetOnLogon: 'Y',
    UseDataDictionary: 'N',
    SocketConnectURI: `failover:(tcp://127.0.0.1:${a},tcp://127.0.0.1:${b})?randomize=false&initialReconnectDelay=50&reconnectJitter=false`,
  };
  const engine = await Engine.create([settings], () => ({}), { tickMs: 100 });
  const metrics = new EngineMetrics(engine, { processMetrics: false });
  const session = engine.session('FIX.4.4:CLIENT->EXEC');
  try {
    const logon = new Promise<void>((r) => session.once('logon', () => r()));
    await engine.start();
    await logon;
    const failover = new Promise<void>((r) => session.on('transport', (e) => e.type === 'failover' && r()));
    await first.stop();
    await failover;
    const m = await metrics.text();
    assert.equal(value(m, 'fixover_failovers_total'), 1);
    assert.ok(value(m, 'fixover_reconnect_attempts_total') >= 1, m);
    assert.equal(value(m, 'fixover_failover_recovery_seconds_count'), 1);
    assert.ok(value(m, 'fixover_failover_recovery_seconds_sum') > 0);
    assert.equal(value(m, 'fixover_logons_total'), 2);
    assert.equal(value(m, 'fixover_logged_on'), 1);
  } finally {
    await engine.stop();
    await second.stop();
  }
});
