import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { endpointsFrom, reconnectDelays, sessionOptionsFrom, SettingsApplyError, Engine } from '../../src/engine/index.js';
import { APPS } from '../../src/cli/run.js';
import { formatUtcTimestamp } from '../../src/codec/index.js';
import { frame } from '../codec/helpers.js';

const base = { BeginString: 'FIX.4.4', SenderCompID: 'A', TargetCompID: 'B', ConnectionType: 'initiator', HeartBtInt: '30', SocketConnectPort: '5001' };

test('ReconnectInterval: a number, or the list form 3x5;10x30;60', () => {
  assert.deepEqual(reconnectDelays({ ...base }), [30]);
  assert.deepEqual(reconnectDelays({ ...base, ReconnectInterval: '5' }), [5]);
  assert.deepEqual(reconnectDelays({ ...base, ReconnectInterval: '2x1;3x5;60' }), [1, 1, 5, 5, 5, 60]);
  assert.throws(() => reconnectDelays({ ...base, ReconnectInterval: 'soon' }), SettingsApplyError);
});

test('alternate addresses: SocketConnectHost/Port then SocketConnectHost1/Port1, …', () => {
  assert.deepEqual(endpointsFrom({ ...base, SocketConnectHost: 'h0', SocketConnectPort1: '5002', SocketConnectHost2: 'h2', SocketConnectPort2: '5003' }), [
    { host: 'h0', port: 5001 },
    { host: 'h0', port: 5002 },
    { host: 'h2', port: 5003 },
  ]);
});

test('session options from settings: LogonTag, validation switches, precision, schedule', () => {
  const o = sessionOptionsFrom({ ...base, LogonTag: '553=user', LogonTag1: '554=secret', TimeStampPrecision: 'MICROS', ValidateFieldsHaveValues: 'N', StartTime: '08:00:00', EndTime: '17:00:00' });
  assert.deepEqual(o.logonTags, [
    [553, 'user'],
    [554, 'secret'],
  ]);
  assert.equal(o.timestampPrecision, 6);
  assert.equal(o.validator?.options.validateFieldsHaveValues, false);
  assert.equal(o.schedule?.isSessionTime(Date.UTC(2026, 10, 23, 12)), true);
  assert.equal(o.schedule?.isSessionTime(Date.UTC(2026, 10, 23, 18)), false);
  assert.throws(() => sessionOptionsFrom({ ...base, DataDictionary: 'nowhere/FIX99.xml' }), /DataDictionary: .*FIX99\.xml/);
});

test('AllowedRemoteAddresses: addresses and CIDR ranges; other peers are closed without a byte', async () => {
  const acceptor = { BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'C', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1' };
  for (const [allowed, admitted] of [
    ['10.9.9.9', false],
    ['127.0.0.1', true],
    ['127.0.0.0/8', true],
    ['10.0.0.0/8, 127.0.0.2/31', false],
    ['::1, 127.0.0.0/30', true],
    ['::ffff:127.0.0.0/104', true],
  ] as const) {
    const engine = await Engine.create([{ ...acceptor, AllowedRemoteAddresses: allowed }], APPS.executor);
    const [port] = await engine.start();
    try {
      const c = net.connect(port, '127.0.0.1');
      await once(c, 'connect');
      const data: Buffer[] = [];
      c.on('data', (d: Buffer) => data.push(d));
      c.write(frame(`35=A|34=1|49=C|52=${formatUtcTimestamp(Date.now())}|56=EXEC|98=0|108=30|`));
      await Promise.race([once(c, 'close'), once(c, 'data'), new Promise((r) => setTimeout(r, 1500))]);
      assert.equal(data.length > 0, admitted, `AllowedRemoteAddresses=${allowed}`);
      c.destroy();
    } finally {
      await engine.stop();
    }
  }
  await assert.rejects(
    Engine.create([{ ...acceptor, AllowedRemoteAddresses: '127.0.0.0/8,fix.example.com' }], APPS.executor),
    (e: unknown) => e instanceof SettingsApplyError && e.setting === 'AllowedRemoteAddresses' && /"fix\.example\.com": .*not an IPv4 or IPv6 address/.test(e.message),
  );
});

test('SocketConnectURI=failover:(…) from settings: an initiator engine passes over a refused endpoint, logs on at the next, and reports the events', { timeout: 20_000 }, async () => {
  const exec = await Engine.create([{ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'C', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketAcceptAddress: '127.0.0.1' }], APPS.executor);
  const [port] = await exec.start();
  const closed = net.createServer().listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const refused = (closed.address() as net.AddressInfo).port;
  closed.close();
  const failover = `failover:(tcp://127.0.0.1:${refused},tcp://127.0.0.1:${port})?randomize=false&initialReconnectDelay=50&nested.connectTimeout=2000`;
  const client = await Engine.create([{ BeginString: 'FIX.4.4', SenderCompID: 'C', TargetCompID: 'EXEC', ConnectionType: 'initiator', HeartBtInt: '30', SocketConnectURI: failover }], APPS.executor);
  const events: string[] = [];
  client.initiator!.on('event', (e) => events.push(`${e.type}${'endpoint' in e ? ` ${e.endpoint.uri.replace(/\d+$/, (p) => (Number(p) === port ? 'good' : 'refused'))}` : ''}`));
  try {
    const logon = once(client.initiator!, 'loggedOn');
    await client.start();
    await logon;
    assert.deepEqual(events, ['reconnecting tcp://127.0.0.1:refused', 'connectFailed tcp://127.0.0.1:refused', 'reconnecting tcp://127.0.0.1:good', 'connected tcp://127.0.0.1:good', 'loggedOn tcp://127.0.0.1:good']);
  } finally {
    await client.stop();
    await exec.stop();
  }
  // On an acceptor it is a configuration error that says why, also through the API.
  await assert.rejects(
    Engine.create([{ BeginString: 'FIX.4.4', SenderCompID: 'EXEC', TargetCompID: 'C', ConnectionType: 'acceptor', SocketAcceptPort: '0', SocketConnectURI: failover }], APPS.executor),
    (e: unknown) => e instanceof SettingsApplyError && e.setting === 'SocketConnectURI' && /does not listen for connections/.test(e.message),
  );
});
