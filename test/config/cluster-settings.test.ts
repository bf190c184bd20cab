import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem, parseSettings } from '../../src/config/index.js';

const acceptorWith = (...lines: string[]): string => ['[DEFAULT]', 'ConnectionType=acceptor', 'BeginString=FIX.4.2', '[SESSION]', 'SenderCompID=EXEC', 'SocketAcceptPort=1', ...lines, 'TargetCompID=BANZAI'].join('\n');
const report = (text: string): string[] => parseSettings(text, 'c.cfg', {}).problems.map(formatProblem);

test('cluster settings load with their defaults', () => {
  const s = parseSettings(acceptorWith('FileStorePath=store', 'NodeName=A', 'RebalanceClusterClients=Y', 'UpdateClusterClients=Y', 'ClusterAdvertisedURI=tcp://a.example:9877,tcp://[::1]:9877', 'UpdateClusterFilter=a.*,b-[0-9]+'), 'c.cfg', {});
  assert.deepEqual(s.problems, []);
  const x = s.sessions[0];
  assert.equal(x.get('ClusterDiscovery'), 'store');
  assert.equal(x.get('ClusterLeaseTimeout'), '5000');
  assert.equal(x.get('RebalanceMaxMoves'), '10');
  assert.equal(x.get('RebalanceMinStay'), '60000');
  assert.equal(x.get('RebalanceDeadline'), '5000');
});

test('cluster settings are range-checked and explained with file, line and what is valid', () => {
  assert.deepEqual(
    report(acceptorWith('FileStorePath=s', 'ClusterWeight=0', 'ClusterLeaseTimeout=100', 'RebalanceMaxMoves=x', 'ClusterAdvertisedURI=tcp://a:1,http://b:2', 'UpdateClusterFilter=ok,(bad', 'ClusterDiscovery=nonsense')).filter((l) => l.includes('error')),
    [
      'c.cfg:8: error: ClusterWeight: invalid value "0": expected an integer from 1 to 1000',
      'c.cfg:9: error: ClusterLeaseTimeout: invalid value "100": expected an integer from 500 to 600000',
      'c.cfg:10: error: RebalanceMaxMoves: invalid value "x": expected an integer from 1 to 10000',
      'c.cfg:11: error: ClusterAdvertisedURI: invalid value "tcp://a:1,http://b:2": expected comma-separated tcp://host:port URIs (port 1 to 65535); "http://b:2" is not one',
      'c.cfg:12: error: UpdateClusterFilter: invalid value "ok,(bad": expected comma-separated regular expressions on node names; "(bad" is not one (Invalid regular expression: /^(?:(bad)$/: Unterminated group)',
      'c.cfg:13: error: ClusterDiscovery: invalid value "nonsense": expected store, static:(tcp://host:port,…) (the peers\' ClusterProbeListen addresses) or multicast://group:port[?ttl=1&interface=address] (multicast://default is 239.255.70.88:7088); "nonsense" is none of these',
    ],
  );
});

test('ClusterDiscovery: static peer lists and multicast groups load; bad forms name file, line, setting, what is valid and what is wrong', () => {
  const ok = parseSettings(acceptorWith('FileStorePath=s', 'ClusterName=x', 'ClusterDiscovery=static:(tcp://a:9877,tcp://b:9877)', 'ClusterProbeListen=tcp://0.0.0.0:9877'), 'c.cfg', {});
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.sessions[0].get('ClusterProbeListen'), 'tcp://0.0.0.0:9877');
  assert.deepEqual(report(acceptorWith('FileStorePath=s', 'ClusterName=x', 'ClusterDiscovery=multicast://default')), []);
  assert.deepEqual(report(acceptorWith('FileStorePath=s', 'ClusterName=x', 'ClusterDiscovery=multicast://239.1.2.3:6000?ttl=2')), []);
  const expected = "expected store, static:(tcp://host:port,…) (the peers' ClusterProbeListen addresses) or multicast://group:port[?ttl=1&interface=address] (multicast://default is 239.255.70.88:7088)";
  const bad = (value: string): string[] => report(acceptorWith('FileStorePath=s', 'ClusterName=x', `ClusterDiscovery=${value}`));
  assert.deepEqual(bad('static:(tcp://a,tcp://b:1)'), [`c.cfg:9: error: ClusterDiscovery: invalid value "static:(tcp://a,tcp://b:1)": ${expected}; static:( … ): "tcp://a" is not tcp://host:port`]);
  assert.deepEqual(bad('static:tcp://a:1'), [`c.cfg:9: error: ClusterDiscovery: invalid value "static:tcp://a:1": ${expected}; static:( … ): the peer list goes in parentheses`]);
  assert.deepEqual(bad('multicast://10.1.2.3:6000'), [`c.cfg:9: error: ClusterDiscovery: invalid value "multicast://10.1.2.3:6000": ${expected}; multicast://10.1.2.3:6000: the group must be an IPv4 multicast address (224.0.0.0 to 239.255.255.255) with a port, or "default"`]);
  assert.deepEqual(bad('multicast://default?ttl=999'), [`c.cfg:9: error: ClusterDiscovery: invalid value "multicast://default?ttl=999": ${expected}; multicast:// option "ttl=999": valid are ttl=0..255 and interface=<local IPv4 address>`]);
  assert.deepEqual(report(acceptorWith('FileStorePath=s', 'ClusterName=x', 'ClusterDiscovery=static:(tcp://a:1)')), [
    "c.cfg:9: error: ClusterDiscovery: static discovery needs ClusterProbeListen=tcp://host:port, where this node answers its peers' probes (normally its own entry of the list)",
  ]);
  assert.deepEqual(report(acceptorWith('FileStorePath=s', 'ClusterName=x', 'ClusterDiscovery=static:(tcp://a:1)', 'ClusterProbeListen=a:1')), [
    'c.cfg:10: error: ClusterProbeListen: invalid value "a:1": expected tcp://host:port (port 1 to 65535); "a:1" is not tcp://host:port',
  ]);
  assert.deepEqual(report(acceptorWith('FileStorePath=s', 'ClusterName=x', 'ClusterProbeListen=tcp://a:1')), ['c.cfg:9: notice: ClusterProbeListen: only static discovery answers probes; ClusterDiscovery=store ignores it']);
});

test('a cluster member needs a shared store (FileStorePath or PostgreSQL) and session ownership; the deadline leaves room for the quiet interval', () => {
  assert.deepEqual(report(acceptorWith('RebalanceClusterClients=Y')), [
    'c.cfg:7: error: RebalanceClusterClients: a cluster member needs a store the nodes share, where members register: FileStorePath (a shared directory) or a PostgreSQL store (PostgreSQLStoreURL, PostgreSQLStoreDatabase or PostgreSQLStoreHost)',
  ]);
  // A PostgreSQL store keeps the cluster in its database (docs/cluster.md).
  assert.deepEqual(report(acceptorWith('ClusterName=x', 'PostgreSQLStoreURL=postgres://u:p@h:5432/d')), []);
  assert.deepEqual(report(acceptorWith('FileStorePath=s', 'UpdateClusterClients=Y', 'SessionOwnership=N')), ['c.cfg:9: error: SessionOwnership: must be Y on a cluster member (UpdateClusterClients is set): sessions move by handing their ownership over']);
  assert.deepEqual(report(acceptorWith('FileStorePath=s', 'ClusterName=x', 'RebalanceQuietInterval=3000', 'RebalanceDeadline=1000')), ['c.cfg:10: error: RebalanceDeadline: must be at least RebalanceQuietInterval (3000 ms): a move waits for a quiet interval before its deadline']);
});

test('ClusterSecretFile: relative to the settings file, at least 16 characters; errors name file, line and what is wrong', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-secret-'));
  writeFileSync(join(dir, 'good.key'), `${'k'.repeat(32)}\n`);
  writeFileSync(join(dir, 'short.key'), 'short\n');
  const check = (...lines: string[]): string[] => parseSettings(acceptorWith('FileStorePath=s', 'ClusterName=x', 'ClusterDiscovery=multicast://default', ...lines), 'c.cfg', {}, dir).problems.map(formatProblem);
  assert.deepEqual(check('ClusterSecretFile=good.key'), []);
  assert.deepEqual(check('ClusterSecretFile=short.key'), [`c.cfg:10: error: ClusterSecretFile: ${join(dir, 'short.key')} holds 5 character(s); a secret needs at least 16 (e.g. openssl rand -hex 32 > ${join(dir, 'short.key')})`]);
  assert.match(check('ClusterSecretFile=missing.key')[0], /^c\.cfg:10: error: ClusterSecretFile: cannot read .*missing\.key: ENOENT/);
  assert.deepEqual(parseSettings(acceptorWith('FileStorePath=s', 'ClusterName=x', 'ClusterSecretFile=good.key'), 'c.cfg', {}, dir).problems.map(formatProblem), ['c.cfg:9: notice: ClusterSecretFile: only static and multicast discovery sign their messages; ClusterDiscovery=store ignores it']);
});
