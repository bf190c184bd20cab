/** The failover policy with a fake clock and a scripted connector: every option, deterministic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A, B, C, FakeNet } from './policy-harness.js';
import { parseEndpointUri } from '../../src/transport/endpoint.js';
import { seededRandom } from '../../src/transport/random.js';

const noJitter = { reconnectJitter: 'none' as const };

test('start-up: passes try every endpoint back to back in order (randomize=false), then wait with exponential back-off up to the maximum', () => {
  const net = new FakeNet({ uris: [A, B, C], randomize: false, initialReconnectDelay: 100, maxReconnectDelay: 1000, ...noJitter });
  net.connectMs = 0;
  net.start().runUntil(5000);
  assert.deepEqual(net.tried().slice(0, 6), [A, B, C, A, B, C]);
  const starts = net.ofType('reconnecting').filter((e) => e.endpoint.uri === A).map((e) => e.at);
  // Pass 1 at once, then 100, 200, 400, 800, 1000, 1000 between passes.
  assert.deepEqual(starts.slice(0, 8), [0, 100, 300, 700, 1500, 2500, 3500, 4500]);
  // No delay inside a pass: B and C at the same clock value as A.
  const pass2 = net.ofType('reconnecting').filter((e) => e.attempt === 2);
  assert.deepEqual(pass2.map((e) => [e.endpoint.uri, e.at, e.delayMs]), [[A, 100, 100], [B, 100, 0], [C, 100, 0]]);
  assert.equal(net.ofType('reconnectFailed').length, 0);
});

test('useExponentialBackOff=false: the same delay between every pass; reconnectDelayExponent and its alias', () => {
  const flat = new FakeNet({ uris: [A], initialReconnectDelay: 250, useExponentialBackOff: false, ...noJitter });
  flat.connectMs = 0;
  flat.start().runUntil(1300);
  assert.deepEqual(flat.ofType('reconnecting').map((e) => e.at), [0, 250, 500, 750, 1000, 1250]);
  const three = new FakeNet({ uris: [A], initialReconnectDelay: 10, reconnectDelayExponent: 3, maxReconnectDelay: 10000, ...noJitter });
  three.connectMs = 0;
  three.start().runUntil(500);
  assert.deepEqual(three.ofType('reconnecting').map((e) => e.delayMs), [0, 10, 30, 90, 270]);
});

test('reconnectJitter: equal keeps each delay in [base/2, base], full in [0, base], and the delays differ', () => {
  for (const mode of ['equal', 'full'] as const) {
    const net = new FakeNet({ uris: [A], initialReconnectDelay: 1000, useExponentialBackOff: false, reconnectJitter: mode }, seededRandom(7));
    net.connectMs = 0;
    net.start().runUntil(60_000);
    const delays = net.ofType('reconnecting').slice(1).map((e) => e.delayMs);
    assert.ok(delays.length > 40, `${mode}: ${delays.length} passes`);
    const lo = mode === 'equal' ? 500 : 0;
    for (const d of delays) assert.ok(d >= lo && d <= 1000, `${mode}: delay ${d}`);
    assert.ok(new Set(delays).size > 10, `${mode}: delays vary`);
  }
  // Default is jitter on.
  const dflt = new FakeNet({ uris: [A], initialReconnectDelay: 1000, useExponentialBackOff: false });
  assert.equal(dflt.policy.config.reconnectJitter, 'equal');
});

test('startupMaxReconnectAttempts limits passes before the first logon; reconnectFailed is final', () => {
  const net = new FakeNet({ uris: [A, B], randomize: false, startupMaxReconnectAttempts: 3, initialReconnectDelay: 10, ...noJitter });
  net.start().runUntil(100_000);
  assert.equal(net.tried().length, 6);
  assert.deepEqual(net.ofType('reconnectFailed').map((e) => e.attempts), [3]);
  assert.equal(net.cmds('giveUp').length, 1);
  assert.equal(net.policy.stateName, 'failed');
  assert.equal(net.deadline, null);
});

test('maxReconnectAttempts counts passes after a drop (0: give up at once; -1: forever); attempts reported per endpoint', () => {
  const net = new FakeNet({ uris: [A, B], randomize: false, maxReconnectAttempts: 2, initialReconnectDelay: 10, ...noJitter });
  net.outcome.set(A, 'logon');
  net.start().runUntil(50);
  assert.equal(net.policy.stateName, 'loggedOn');
  net.outcome.set(A, 'refuse');
  net.input((now) => net.policy.disconnected(now, 'peer closed'));
  net.runUntil(100_000);
  const after = net.ofType('reconnecting').filter((e) => e.phase === 'reconnect');
  assert.deepEqual(after.map((e) => [e.attempt, e.endpoint.uri]), [[1, B], [1, A], [2, B], [2, A]]);
  assert.deepEqual(net.ofType('connectFailed').slice(-4).map((e) => e.attempt), [1, 1, 2, 2]);
  assert.deepEqual(net.ofType('reconnectFailed').map((e) => e.attempts), [2]);

  const none = new FakeNet({ uris: [A], maxReconnectAttempts: 0 });
  none.outcome.set(A, 'logon');
  none.start().runUntil(10);
  none.input((now) => none.policy.disconnected(now, 'x'));
  assert.equal(none.ofType('reconnectFailed').length, 1);
  assert.equal(none.tried().length, 1);

  const forever = new FakeNet({ uris: [A], maxReconnectAttempts: -1, initialReconnectDelay: 1, maxReconnectDelay: 1 });
  forever.start().runUntil(10_000);
  assert.ok(forever.tried().length > 1000);
  assert.equal(forever.ofType('reconnectFailed').length, 0);
});

test('warnAfterReconnectAttempts: a warning every n failed passes (0: never)', () => {
  const net = new FakeNet({ uris: [A], warnAfterReconnectAttempts: 2, startupMaxReconnectAttempts: 7, initialReconnectDelay: 1, ...noJitter });
  net.start().runUntil(100_000);
  assert.deepEqual(net.ofType('reconnectWarning').map((e) => e.attempts), [2, 4, 6]);
  const quiet = new FakeNet({ uris: [A], warnAfterReconnectAttempts: 0, startupMaxReconnectAttempts: 7, initialReconnectDelay: 1 });
  quiet.start().runUntil(100_000);
  assert.equal(quiet.ofType('reconnectWarning').length, 0);
});

test('randomize=true shuffles every pass from the injected random source; the same seed gives the same order', () => {
  const run = (seed: number): string[] => {
    const net = new FakeNet({ uris: [A, B, C], initialReconnectDelay: 1, maxReconnectDelay: 1 }, seededRandom(seed));
    net.start().runUntil(200);
    return net.tried();
  };
  const t = run(3);
  assert.deepEqual(run(3), t);
  const passes: string[] = [];
  for (let i = 0; i + 3 <= t.length; i += 3) {
    assert.deepEqual([...t.slice(i, i + 3)].sort(), [A, B, C]);
    passes.push(t.slice(i, i + 3).join());
  }
  assert.ok(new Set(passes).size >= 3, `orders vary: ${new Set(passes).size}`);
});

test('a connection counts only after logon: accepting then dropping during logon is a failed attempt and the pass goes on', () => {
  const net = new FakeNet({ uris: [A, B], randomize: false, initialReconnectDelay: 100, ...noJitter });
  net.outcome.set(A, 'dropBeforeLogon');
  net.outcome.set(B, 'logon');
  net.start().runUntil(100);
  assert.deepEqual(net.tried(), [A, B]);
  assert.deepEqual(net.events.map((e) => e.type), ['reconnecting', 'connected', 'connectFailed', 'reconnecting', 'connected', 'loggedOn']);
  assert.equal(net.policy.currentEndpoint?.uri, B);
});

test('after a drop: the next pass waits initialReconnectDelay, the dropped endpoint goes last, failover reports the downtime', () => {
  const net = new FakeNet({ uris: [A, B, C], randomize: false, initialReconnectDelay: 100, ...noJitter });
  net.connectMs = 5;
  net.outcome.set(A, 'logon');
  net.start().runUntil(50);
  net.outcome.set(A, 'refuse');
  net.outcome.set(C, 'logon');
  net.runUntil(1000);
  net.input((now) => net.policy.disconnected(now, 'peer closed'));
  net.runUntil(2000);
  const after = net.ofType('reconnecting').filter((e) => e.phase === 'reconnect');
  assert.deepEqual(after.map((e) => [e.endpoint.uri, e.at]), [[B, 1100], [C, 1105]]);
  assert.deepEqual(net.ofType('disconnected').map((e) => [e.endpoint.uri, e.reason]), [[A, 'peer closed']]);
  const [f] = net.ofType('failover');
  assert.equal(f.from.uri, A);
  assert.equal(f.to.uri, C);
  assert.equal(f.downtimeMs, 111);
});

test('priorityBackup: priority endpoints first; on a backup probe them and fail back after the hysteresis, logging out first', () => {
  const net = new FakeNet({ uris: [A, B, C], priorityBackup: true, priorityURIs: [B], priorityFailbackDelay: 1000, initialReconnectDelay: 10 });
  net.outcome.set(A, 'logon');
  net.outcome.set(C, 'logon');
  net.start().runUntil(10);
  assert.equal(net.tried()[0], B, 'priority endpoint first');
  const onBackup = net.policy.currentEndpoint!.uri;
  assert.notEqual(onBackup, B);
  assert.deepEqual(net.cmds('probe').at(-1)!.endpoints.map((e) => e.uri), [B]);
  const b = parseEndpointUri(B);
  // Healthy, then a failed probe: the hysteresis starts again.
  net.runUntil(100);
  net.input((now) => net.policy.primaryHealthy(b, now));
  net.runUntil(900);
  net.input((now) => net.policy.primaryUnhealthy(b, now));
  net.runUntil(1500);
  assert.equal(net.ofType('failback').length, 0);
  net.input((now) => net.policy.primaryHealthy(b, now));
  net.input((now) => net.policy.primaryHealthy(b, now + 0)); // repeated good probes keep the first time
  net.runUntil(2499);
  assert.equal(net.ofType('failback').length, 0);
  net.outcome.set(B, 'logon');
  net.runUntil(2500);
  assert.deepEqual(net.ofType('failback').map((e) => [e.from.uri, e.to.uri, e.at]), [[onBackup, B, 2500]]);
  const [sw] = net.cmds('logoutAndSwitch');
  assert.equal(sw.to.uri, B);
  assert.equal(net.policy.stateName, 'switching');
  net.runUntil(2600);
  assert.equal(net.policy.stateName, 'switching', 'waits for the clean logout');
  net.input((now) => net.policy.disconnected(now, 'logged out for failback'));
  net.runUntil(2700);
  assert.equal(net.tried().at(-1), B);
  assert.equal(net.policy.currentEndpoint?.uri, B);
  assert.deepEqual(net.cmds('probe').at(-1)!.endpoints, [], 'no probing on the priority endpoint');
  assert.equal(net.ofType('failover').at(-1)!.to.uri, B);
});

test('priorityBackup without priorityURIs: the first endpoint is the priority one', () => {
  const net = new FakeNet({ uris: [C, A, B], priorityBackup: true });
  net.start();
  assert.equal(net.tried()[0], C);
});

test('backup=true: a standby socket to another endpoint; a failover uses it at once, without a new TCP connect', () => {
  const net = new FakeNet({ uris: [A, B], randomize: false, backup: true, initialReconnectDelay: 1000, ...noJitter });
  net.outcome.set(A, 'logon');
  net.outcome.set(B, 'logon');
  net.start().runUntil(10);
  assert.equal(net.policy.currentEndpoint?.uri, A);
  assert.deepEqual(net.cmds('keepWarm').at(-1)!.endpoints.map((e) => e.uri), [B]);
  net.input((now) => net.policy.backupReady(parseEndpointUri(B), now));
  net.runUntil(500);
  const connectsBefore = net.cmds('connect').length;
  net.input((now) => net.policy.disconnected(now, 'peer closed'));
  net.runUntil(510);
  assert.equal(net.cmds('connect').length, connectsBefore, 'no new TCP connect');
  assert.deepEqual(net.cmds('useBackup').map((c) => [c.endpoint.uri, c.at]), [[B, 500]]);
  assert.equal(net.ofType('reconnecting').at(-1)!.standby, true);
  assert.equal(net.policy.currentEndpoint?.uri, B);
  assert.equal(net.ofType('failover').at(-1)!.downtimeMs, 1);
  // Now the standby set moves to A.
  assert.deepEqual(net.cmds('keepWarm').at(-1)!.endpoints.map((e) => e.uri), [A]);
  // A lost standby cools down before it is asked for again.
  net.input((now) => net.policy.backupLost(parseEndpointUri(A), now, 'refused'));
  assert.deepEqual(net.cmds('keepWarm').at(-1)!.endpoints, []);
  net.runUntil(2000);
  assert.deepEqual(net.cmds('keepWarm').at(-1)!.endpoints.map((e) => e.uri), [A]);
});

test('backupPoolSize: standbys to up to n other endpoints', () => {
  const net = new FakeNet({ uris: [A, B, C], randomize: false, backup: true, backupPoolSize: 2 });
  net.outcome.set(A, 'logon');
  net.start().runUntil(10);
  assert.deepEqual(net.cmds('keepWarm').at(-1)!.endpoints.map((e) => e.uri), [B, C]);
});

test('timeout: sends queued while disconnected fail after timeout ms; with -1 they are delivered after the next logon', () => {
  const net = new FakeNet({ uris: [A], timeout: 500, initialReconnectDelay: 100, ...noJitter });
  net.start().runUntil(200);
  net.input((now) => net.policy.sendWhileDisconnected('s1', now));
  net.runUntil(400);
  net.input((now) => net.policy.sendWhileDisconnected('s2', now));
  net.runUntil(1000);
  assert.deepEqual(net.ofType('sendTimedOut').map((e) => [e.id, e.at, e.waitedMs]), [['s1', 700, 500], ['s2', 900, 500]]);
  assert.equal(net.policy.queuedSends, 0);

  const keep = new FakeNet({ uris: [A], timeout: -1, initialReconnectDelay: 100, ...noJitter });
  keep.start().runUntil(200);
  keep.input((now) => keep.policy.sendWhileDisconnected('s1', now));
  keep.input((now) => keep.policy.sendWhileDisconnected('s2', now));
  keep.runUntil(60_000);
  assert.equal(keep.ofType('sendTimedOut').length, 0);
  keep.outcome.set(A, 'logon');
  keep.runUntil(200_000);
  assert.deepEqual(keep.cmds('deliverQueued').map((c) => c.ids), [['s1', 's2']]);
  // Logged on: delivered at once.
  keep.input((now) => keep.policy.sendWhileDisconnected('s3', now));
  assert.deepEqual(keep.cmds('deliverQueued').at(-1)!.ids, ['s3']);
  // Giving up fails what waits.
  const give = new FakeNet({ uris: [A], startupMaxReconnectAttempts: 2, initialReconnectDelay: 100 });
  give.start();
  give.input((now) => give.policy.sendWhileDisconnected('x', now));
  give.runUntil(10_000);
  assert.deepEqual(give.ofType('sendFailed').map((e) => [e.id, e.reason]), [['x', 'gave-up']]);
});

test('updateURIsURL: the list is read before every pass; a new list applies from the next pass with a topology event', () => {
  const net = new FakeNet({ uris: [A], randomize: false, updateURIsURL: '/tmp/uris.txt', initialReconnectDelay: 100, ...noJitter });
  net.start();
  assert.deepEqual(net.cmds('fetchUris').map((c) => c.url), ['/tmp/uris.txt']);
  net.input((now) => net.policy.updateUris([parseEndpointUri(A)], now));
  net.runUntil(50);
  assert.deepEqual(net.tried(), [A]);
  assert.equal(net.ofType('topology').length, 0, 'same list: no topology event');
  net.runUntil(101);
  assert.equal(net.cmds('fetchUris').length, 2);
  net.outcome.set(C, 'logon');
  net.input((now) => net.policy.updateUris([parseEndpointUri(B), parseEndpointUri(C)], now));
  net.runUntil(200);
  assert.deepEqual(net.ofType('topology').map((e) => e.uris), [[B, C]]);
  assert.deepEqual(net.tried(), [A, B, C]);
  assert.equal(net.policy.currentEndpoint?.uri, C);

  // A failed read goes on with the old list; no answer at all times out.
  const f = new FakeNet({ uris: [A], updateURIsURL: 'http://x/list' });
  f.start();
  f.input((now) => f.policy.updateUrisFailed(now, 'ENOENT'));
  assert.deepEqual(f.tried(), [A]);
  assert.equal(f.ofType('updateUrisFailed')[0].reason, 'ENOENT');
  const silent = new FakeNet({ uris: [A], updateURIsURL: 'http://x/list' });
  silent.start().runUntil(4999);
  assert.deepEqual(silent.tried(), []);
  silent.runUntil(5000);
  assert.deepEqual(silent.tried(), [A]);

  // updateURIsSupported=false: no fetch, pushed lists ignored.
  const off = new FakeNet({ uris: [A], updateURIsSupported: false, updateURIsURL: '/tmp/x' });
  off.start();
  assert.equal(off.cmds('fetchUris').length, 0);
  off.input((now) => off.policy.updateUris([parseEndpointUri(B)], now));
  assert.equal(off.ofType('ignored').at(-1)!.input, 'updateUris');
  assert.deepEqual(off.policy.endpoints.map((e) => e.uri), [A]);
});

test('reconnectSupported: a request to move logs out and moves; with false it is ignored', () => {
  const net = new FakeNet({ uris: [A, B], randomize: false });
  net.outcome.set(A, 'logon');
  net.outcome.set(B, 'logon');
  net.start().runUntil(10);
  net.input((now) => net.policy.requestReconnect(parseEndpointUri(B), now));
  assert.deepEqual(net.cmds('logoutAndSwitch').map((c) => [c.from.uri, c.to.uri]), [[A, B]]);
  const off = new FakeNet({ uris: [A, B], randomize: false, reconnectSupported: false });
  off.outcome.set(A, 'logon');
  off.start().runUntil(10);
  off.input((now) => off.policy.requestReconnect(parseEndpointUri(B), now));
  assert.equal(off.cmds('logoutAndSwitch').length, 0);
  assert.equal(off.ofType('ignored').at(-1)!.reason, 'reconnectSupported=false');
});

test('stop during a wait, a connect or a fetch: a shutdown command at once and nothing afterwards', () => {
  for (const phase of ['wait', 'connect', 'fetch'] as const) {
    const net = new FakeNet({ uris: [A], initialReconnectDelay: 10_000, updateURIsURL: phase === 'fetch' ? '/x' : null });
    if (phase === 'connect') net.outcome.set(A, 'hang');
    net.start();
    if (phase === 'wait') net.runUntil(100);
    net.input((now) => net.policy.stop(now));
    const n = net.commands.length;
    assert.equal(net.commands.at(-1)!.type, 'shutdown', phase);
    assert.equal(net.deadline, null);
    net.runUntil(100_000);
    assert.equal(net.commands.length, n, `${phase}: nothing after stop`);
    assert.equal(net.policy.stateName, 'stopped');
  }
});

test('nested options reach every endpoint; an endpoint option overrides them', () => {
  const net = new FakeNet({ uris: [parseEndpointUri('tcp://a:1?connectTimeout=5'), B], nested: { connectTimeout: '2', keepAlive: 'true' } });
  const [a, b] = net.policy.endpoints;
  assert.deepEqual(a.options, { connectTimeout: '5', keepAlive: 'true' });
  assert.deepEqual(b.options, { connectTimeout: '2', keepAlive: 'true' });
});

test('a connection the counterparty closed without a Logout (a blip) is retried at the same endpoint first, after the usual wait; a dead one is left at once', () => {
  const net = new FakeNet({ uris: [A, B, C], randomize: false, initialReconnectDelay: 100, ...noJitter });
  net.connectMs = 5;
  net.outcome.set(A, 'logon');
  net.start().runUntil(50);
  net.runUntil(1000);
  net.input((now) => net.policy.disconnected(now, 'connection closed', true));
  net.runUntil(2000);
  let after = net.ofType('reconnecting').filter((e) => e.phase === 'reconnect');
  assert.deepEqual(after.map((e) => [e.endpoint.uri, e.at]), [[A, 1100]], 'back on A, where it was');
  assert.equal(net.policy.currentEndpoint?.uri, A);
  assert.equal(net.ofType('failover').length, 0, 'no failover');
  // The process behind A died (its connection closed too): A refuses, B takes the session in the same pass.
  net.outcome.set(A, 'refuse');
  net.outcome.set(B, 'logon');
  net.input((now) => net.policy.disconnected(now, 'connection closed', true));
  net.runUntil(3000);
  after = net.ofType('reconnecting').filter((e) => e.at >= 2000);
  assert.deepEqual(after.map((e) => [e.endpoint.uri, e.at]), [[A, 2100], [B, 2105]]);
  assert.equal(net.policy.currentEndpoint?.uri, B);
  // A silent connection (heartbeat timeout) still goes last: B is not tried again first.
  net.outcome.set(C, 'logon');
  net.input((now) => net.policy.disconnected(now, 'heartbeat timeout'));
  net.runUntil(4000);
  after = net.ofType('reconnecting').filter((e) => e.at >= 3000);
  assert.deepEqual(after.map((e) => e.endpoint.uri), [A, C]);
  assert.equal(net.policy.currentEndpoint?.uri, C);
});

test('backup=true and a connection the peer closed: the same endpoint is tried first, the standby to the next stays ready and is used at once when it is refused', () => {
  const net = new FakeNet({ uris: [A, B], randomize: false, backup: true, initialReconnectDelay: 1000, ...noJitter });
  net.outcome.set(A, 'logon');
  net.outcome.set(B, 'logon');
  net.start().runUntil(10);
  net.input((now) => net.policy.backupReady(parseEndpointUri(B), now));
  net.runUntil(500);
  // The process behind A died: its connection closed, and A refuses.
  net.outcome.set(A, 'refuse');
  net.input((now) => net.policy.disconnected(now, 'connection closed', true));
  assert.deepEqual(net.cmds('keepWarm').at(-1)!.endpoints.map((e) => e.uri), [B], 'the standby to B is kept while A is tried');
  net.runUntil(600);
  assert.deepEqual(net.tried().slice(-2), [A, B]);
  assert.deepEqual(net.cmds('useBackup').map((c) => c.endpoint.uri), [B], 'B through its ready standby');
  assert.equal(net.policy.currentEndpoint?.uri, B);
  assert.ok(net.ofType('failover').at(-1)!.downtimeMs < 100);
});
