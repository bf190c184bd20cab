import { test } from 'node:test';
import assert from 'node:assert/strict';
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
      'c.cfg:13: error: ClusterDiscovery: invalid value "nonsense": expected store (members register in the shared FileStorePath directory)',
    ],
  );
  assert.deepEqual(report(acceptorWith('FileStorePath=s', 'ClusterDiscovery=static:(tcp://a:1,tcp://b:2)')), [
    'c.cfg:8: error: ClusterDiscovery: invalid value "static:(tcp://a:1,tcp://b:2)": expected store (static:(…) and multicast:// discovery are designed in docs/cluster.md but not built yet)',
  ]);
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
