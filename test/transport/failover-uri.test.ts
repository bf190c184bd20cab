/** Failover URIs, their options and errors, and the QuickFIX settings expressed as the same configuration. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFailoverUri } from '../../src/transport/failover-uri.js';
import { FAILOVER_DEFAULTS, failoverConfig, type FailoverConfig } from '../../src/transport/failover-config.js';
import { endpointsFrom, failoverConfigOf, reconnectDelays, SettingsApplyError, type Session } from '../../src/engine/index.js';
import { failoverConfigFromSettings, parseReconnectInterval } from '../../src/transport/quickfix-settings.js';
import { FailoverSettingsError, FailoverUriError } from '../../src/transport/errors.js';
import { baseDelay } from '../../src/transport/delays.js';
import { FakeNet } from './policy-harness.js';
import { parseSettings } from '../../src/config/index.js';

test('failover URI: endpoints and every option, with and without parentheses', () => {
  const c = parseFailoverUri(
    'failover:(tcp://Primary:9876,tcp://[::1]:9877)?initialReconnectDelay=100&maxReconnectDelay=5000&useExponentialBackOff=false&backOffMultiplier=3' +
      '&maxReconnectAttempts=5&startupMaxReconnectAttempts=2&warnAfterReconnectAttempts=3&randomize=false&priorityBackup=true&priorityURIs=tcp://primary:9876' +
      '&backup=true&backupPoolSize=2&timeout=2000&reconnectSupported=false&updateURIsSupported=false&updateURIsURL=/etc/uris&reconnectJitter=full' +
      '&priorityFailbackDelay=700&nested.connectTimeout=3',
  );
  assert.deepEqual(c.uris.map((e) => e.uri), ['tcp://primary:9876', 'tcp://[::1]:9877']);
  assert.equal(c.uris[1].host, '::1');
  assert.deepEqual(
    [c.initialReconnectDelay, c.maxReconnectDelay, c.useExponentialBackOff, c.reconnectDelayExponent, c.maxReconnectAttempts, c.startupMaxReconnectAttempts],
    [100, 5000, false, 3, 5, 2],
  );
  assert.deepEqual([c.warnAfterReconnectAttempts, c.randomize, c.priorityBackup, c.priorityURIs.map((e) => e.uri)], [3, false, true, ['tcp://primary:9876']]);
  assert.deepEqual([c.backup, c.backupPoolSize, c.timeout, c.reconnectSupported, c.updateURIsSupported, c.updateURIsURL], [true, 2, 2000, false, false, '/etc/uris']);
  assert.deepEqual([c.reconnectJitter, c.priorityFailbackDelay, c.uris[0].options], ['full', 700, { connectTimeout: '3' }]);
  const bare = parseFailoverUri('failover:tcp://a:1,tcp://b:2?randomize=false');
  assert.deepEqual(bare.uris.map((e) => e.uri), ['tcp://a:1', 'tcp://b:2']);
  assert.equal(bare.randomize, false);
  assert.equal(parseFailoverUri('failover://(tcp://a:1)').uris.length, 1);
  assert.equal(parseFailoverUri('tcp://a:1').uris[0].port, 1);
});

test('failover URI: ActiveMQ defaults, jitter on', () => {
  const c = parseFailoverUri('failover:(tcp://a:1)');
  assert.deepEqual(
    [c.initialReconnectDelay, c.maxReconnectDelay, c.useExponentialBackOff, c.reconnectDelayExponent, c.maxReconnectAttempts, c.startupMaxReconnectAttempts, c.warnAfterReconnectAttempts, c.randomize, c.timeout, c.reconnectJitter],
    [10, 30000, true, 2, -1, -1, 10, true, -1, 'equal'],
  );
  assert.equal(FAILOVER_DEFAULTS.backup, false);
});

test('failover URI errors name the option and list the valid ones', () => {
  const err = (text: string): FailoverUriError => {
    try {
      parseFailoverUri(text);
    } catch (e) {
      assert.ok(e instanceof FailoverUriError, String(e));
      return e;
    }
    assert.fail(`no error for ${text}`);
  };
  const unknown = err('failover:(tcp://a:1)?initialDelay=5');
  assert.equal(unknown.option, 'initialDelay');
  assert.match(unknown.message, /unknown failover option "initialDelay"/);
  assert.match(unknown.message, /Valid options: .*initialReconnectDelay.*maxReconnectAttempts/);
  assert.ok(unknown.valid?.includes('backup'));
  assert.match(err('failover:(tcp://a:1)?InitialReconnectDelay=5').message, /did you mean initialReconnectDelay\?.*case-sensitive/);
  const bad = err('failover:(tcp://a:1)?randomize=maybe');
  assert.equal(bad.option, 'randomize');
  assert.match(bad.message, /randomize=maybe: expected true or false; valid values: true, false/);
  assert.match(err('failover:(tcp://a:1)?maxReconnectAttempts=-2').message, /maxReconnectAttempts=-2: expected an integer ≥ -1/);
  assert.match(err('failover:(tcp://a:1)?reconnectJitter=lots').message, /valid values: true, false, equal, full, none/);
  assert.match(err('failover:(tcp://a:1)?backOffMultiplier=2&reconnectDelayExponent=2').message, /not both/);
  assert.match(err('failover:(tcp://a:1)?randomize=true&randomize=false').message, /given twice/);
  assert.match(err('failover:(tcp://a:1)?trackMessages=true').message, /not supported by fixover: FIX sequence numbers/);
  assert.deepEqual(parseFailoverUri('failover:(ssl://A:1,tcp://b:2,tls://c:3)').uris.map((e) => [e.scheme, e.uri]), [['ssl', 'ssl://a:1'], ['tcp', 'tcp://b:2'], ['ssl', 'ssl://c:3']], 'TLS endpoints');
  assert.match(err('failover:(http://a:1)').message, /unsupported scheme http/);
  assert.match(err('failover:(tcp://a)').message, /port is missing/);
  assert.match(err('failover:(tcp://a:70000)').message, /invalid port/);
  assert.match(err('failover:(tcp://a:1').message, /no closing parenthesis/);
  assert.match(err('failover:()').message, /at least one endpoint/);
  assert.match(err('failover:(tcp://a:1,tcp://A:1)').message, /listed twice/);
  assert.match(err('failover:(tcp://a:1,tcp://b:2)?priorityURIs=tcp://c:3&priorityBackup=true').message, /not one of the failover endpoints/);
  assert.match(err('failover:(tcp://a:1)?initialReconnectDelay=5000&maxReconnectDelay=100').message, /more than maxReconnectDelay/);
  // Endpoint options, own or nested.*, are checked with the URI (not at the first connect).
  const nested = err('failover:(tcp://a:1,tcp://b:2)?nested.conectTimeout=5');
  assert.equal(nested.option, 'conectTimeout');
  assert.match(nested.message, /unknown endpoint option "conectTimeout" on tcp:\/\/a:1 \(given there or as nested\.conectTimeout\); valid options: connectTimeout, connectionTimeout, tcpNoDelay, keepAlive, localAddress, localPort/);
  assert.match(err('failover:(tcp://a:1?connectTimeout=soon)').message, /endpoint option connectTimeout=soon of tcp:\/\/a:1: expected a whole number of milliseconds/);
  assert.match(err('failover:(tcp://a:1)?nested.keepAlive=maybe').message, /keepAlive=maybe .*expected true or false/);
  assert.match(err('failover:(tcp://a:1)?nested.localPort=70000').message, /localPort=70000 .*expected a port number/);
  assert.throws(() => failoverConfig({ uris: ['tcp://a:1'], nested: { bogus: '1' } }), /unknown endpoint option "bogus"/);
  assert.deepEqual(parseFailoverUri('failover:(tcp://a:1?tcpNoDelay=false)?nested.connectionTimeout=50&nested.localAddress=127.0.0.1').uris[0].options, {
    connectionTimeout: '50',
    localAddress: '127.0.0.1',
    tcpNoDelay: 'false',
  });
});

test('ReconnectInterval: seconds or the list form 3x5;10x30;60, the last repeating', () => {
  const s = parseReconnectInterval('3x5;10x30;60');
  const settings = { uris: [], reconnectDelaySchedule: s, initialReconnectDelay: 0, maxReconnectDelay: 0, useExponentialBackOff: false, reconnectDelayExponent: 1, reconnectJitter: 'none' as const };
  const seq = Array.from({ length: 16 }, (_, i) => baseDelay(settings, i + 1) / 1000);
  assert.deepEqual(seq, [5, 5, 5, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 60, 60, 60]);
  assert.deepEqual(parseReconnectInterval('7'), [{ count: 1, delayMs: 7000 }]);
  assert.throws(() => parseReconnectInterval('3y5'), (e: unknown) => e instanceof FailoverSettingsError && e.setting === 'ReconnectInterval');
});

test('QuickFIX alternate addresses: SocketConnectHost<n>/Port<n>, ReconnectInterval, HostSelectionPolicy on the same policy', () => {
  const rr = failoverConfigFromSettings({ SocketConnectHost: 'h0', SocketConnectPort: '1000', SocketConnectHost1: 'h1', SocketConnectPort1: '1001', SocketConnectPort2: '1002', ReconnectInterval: '2' });
  assert.deepEqual(rr.uris.map((e) => e.uri), ['tcp://h0:1000', 'tcp://h1:1001', 'tcp://h0:1002']);
  assert.deepEqual([rr.randomize, rr.priorityBackup, rr.reconnectJitter, rr.maxReconnectAttempts], [false, false, 'none', -1]);
  // Behaves as a round robin: a failed connect or logon moves on; passes separated by ReconnectInterval.
  const net = new FakeNet(rr);
  net.outcome.set('tcp://h0:1000', 'dropBeforeLogon');
  net.start().runUntil(5000);
  assert.deepEqual(net.tried().slice(0, 6), ['tcp://h0:1000', 'tcp://h1:1001', 'tcp://h0:1002', 'tcp://h0:1000', 'tcp://h1:1001', 'tcp://h0:1002']);
  assert.deepEqual(net.ofType('reconnecting').filter((e) => e.delayMs > 0).map((e) => e.delayMs).slice(0, 2), [2000, 2000]);

  const prio = failoverConfigFromSettings({ SocketConnectPort: '1000', SocketConnectPort1: '1001', HostSelectionPolicy: 'priority', HostSelectionPolicyPriorityStartOverInterval: '15' });
  assert.deepEqual([prio.priorityBackup, prio.priorityURIs.map((e) => e.uri), prio.priorityFailbackDelay], [true, ['tcp://127.0.0.1:1000'], 15000]);
  const uri = failoverConfigFromSettings({ SocketConnectURI: 'failover:(tcp://x:1,tcp://y:2)?randomize=false', ReconnectInterval: '5' });
  assert.deepEqual(uri.uris.map((e) => e.uri), ['tcp://x:1', 'tcp://y:2']);

  const fails = (s: Record<string, string>, setting: string, re: RegExp): void => {
    assert.throws(() => failoverConfigFromSettings(s), (e: unknown) => e instanceof FailoverSettingsError && e.setting === setting && re.test(e.message));
  };
  fails({ SocketConnectPort: '1', HostSelectionPolicy: 'RANDOM' }, 'HostSelectionPolicy', /expected ROUNDROBIN or PRIORITY/);
  fails({ SocketConnectPort: '1', HostSelectionPolicyPriorityStartOverInterval: 'x' }, 'HostSelectionPolicyPriorityStartOverInterval', /whole seconds/);
  fails({ SocketConnectPort: '1', SocketConnectPort2: '2' }, 'SocketConnectPort1', /without gaps/);
  fails({ SocketConnectPort: 'abc' }, 'SocketConnectPort', /invalid port/);
  fails({ SocketConnectURI: 'failover:(tcp://x:1)', SocketConnectPort: '2' }, 'SocketConnectPort', /cannot be combined with SocketConnectURI/);
  fails({ SocketConnectURI: 'failover:(tcp://x:1)?bogus=1' }, 'SocketConnectURI', /unknown failover option "bogus"/);
  fails({}, 'SocketConnectPort', /needs SocketConnectHost\/SocketConnectPort/);

  // The TypeScript form of the QuickFIX style (endpoints, reconnectDelays in seconds) is the same configuration.
  const session = undefined as unknown as Session;
  const expanded = (c: FailoverConfig): unknown => ({ ...c, reconnectDelaySchedule: c.reconnectDelaySchedule?.flatMap((x) => Array<number>(x.count).fill(x.delayMs)) });
  assert.deepEqual(
    expanded(failoverConfigOf({ session, endpoints: [{ host: 'h0', port: 1000 }, { host: 'h1', port: 1001 }], reconnectDelays: [5, 5, 5, 30] })),
    expanded(failoverConfigFromSettings({ SocketConnectHost: 'h0', SocketConnectPort: '1000', SocketConnectHost1: 'h1', SocketConnectPort1: '1001', ReconnectInterval: '3x5;30' })),
  );
  assert.deepEqual(failoverConfigOf({ session, endpoints: [{ host: 'h0', port: 1000 }] }), failoverConfigFromSettings({ SocketConnectHost: 'h0', SocketConnectPort: '1000' }));
  assert.deepEqual(reconnectDelays({ ReconnectInterval: '2x1;3x5;60' }), [1, 1, 5, 5, 5, 60]);
  assert.throws(() => endpointsFrom({ SocketConnectPort: '1', SocketConnectPort2: '2' }), (e: unknown) => e instanceof SettingsApplyError && /SocketConnectPort1/.test(e.message));
});

test('settings files: SocketConnectURI on an initiator; on an acceptor it is an error saying why; bad values name the setting and line', () => {
  const head = '[DEFAULT]\nBeginString=FIX.4.4\nSenderCompID=A\nHeartBtInt=30\n';
  const ok = parseSettings(`${head}[SESSION]\nTargetCompID=B\nConnectionType=initiator\nSocketConnectURI=failover:(tcp://h1:1,tcp://h2:2)?randomize=false\n`, 'ok.cfg');
  assert.deepEqual(ok.problems.filter((p) => p.severity === 'error'), []);
  const cfg = failoverConfigFromSettings(ok.sessions[0].toRecord());
  assert.deepEqual(cfg.uris.map((e) => e.uri), ['tcp://h1:1', 'tcp://h2:2']);
  const acc = parseSettings(`${head}[SESSION]\nTargetCompID=B\nConnectionType=acceptor\nSocketAcceptPort=5000\nSocketConnectURI=failover:(tcp://h1:1)\n`, 'acc.cfg');
  const e = acc.problems.find((p) => p.setting === 'SocketConnectURI');
  assert.ok(e && e.severity === 'error' && e.line === 9 && /does not listen for connections/.test(e.message), JSON.stringify(acc.problems));
  const bad = parseSettings(`${head}[SESSION]\nTargetCompID=B\nConnectionType=initiator\nSocketConnectURI=failover:(tcp://h1:1)?maxReconectAttempts=3\n`, 'bad.cfg');
  const b = bad.problems.find((p) => p.setting === 'SocketConnectURI');
  assert.ok(b && b.file === 'bad.cfg' && b.line === 8 && /unknown failover option "maxReconectAttempts"; did you mean maxReconnectAttempts\?/.test(b.message), JSON.stringify(bad.problems));
  const tls = parseSettings(`${head}[SESSION]\nTargetCompID=B\nConnectionType=initiator\nSocketConnectURI=failover:(ssl://h1:1)\n`, 'tls.cfg');
  assert.equal(tls.problems.find((p) => p.setting === 'SocketConnectURI'), undefined, 'ssl:// endpoints are accepted');
  const nested = parseSettings(`${head}[SESSION]\nTargetCompID=B\nConnectionType=initiator\nSocketConnectURI=failover:(tcp://h1:1)?nested.connectTimeout=x\n`, 'nested.cfg');
  const n = nested.problems.find((p) => p.setting === 'SocketConnectURI');
  assert.ok(n && n.file === 'nested.cfg' && n.line === 8 && /endpoint option connectTimeout=x of tcp:\/\/h1:1/.test(n.message), JSON.stringify(nested.problems));
  const hsp = parseSettings(`${head}[SESSION]\nTargetCompID=B\nConnectionType=initiator\nSocketConnectPort=1\nSocketConnectPort1=2\nHostSelectionPolicy=PRIORITY\nHostSelectionPolicyPriorityStartOverInterval=30\n`, 'hsp.cfg');
  assert.deepEqual(hsp.problems.filter((p) => /HostSelection/.test(p.setting)), [], 'HostSelectionPolicy is supported');
});
