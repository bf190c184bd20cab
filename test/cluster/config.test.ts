import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterConfigFrom, ClusterSettingsError } from '../../src/cluster/config.js';
import { fixover } from '../cli/cli.js';

const acceptor = (extra: Record<string, string>): Record<string, string> => ({ ConnectionType: 'acceptor', FileStorePath: '/shared/store', NodeName: 'A', SocketAcceptAddress: '10.0.0.5', ...extra });

test('a process is a cluster member when an acceptor session sets ClusterName, UpdateClusterClients=Y or RebalanceClusterClients=Y', () => {
  assert.equal(clusterConfigFrom([acceptor({})]), undefined);
  assert.equal(clusterConfigFrom([{ ...acceptor({ RebalanceClusterClients: 'Y' }), ConnectionType: 'initiator' }]), undefined, 'initiators are not members');
  const c = clusterConfigFrom([acceptor({ RebalanceClusterClients: 'Y' }), acceptor({ RebalanceClusterClients: 'Y' })], [9877, 9877, 9878])!;
  assert.equal(c.cluster, 'default');
  assert.equal(c.dir, '/shared/store/cluster/default');
  assert.deepEqual(c.uris, ['tcp://10.0.0.5:9877', 'tcp://10.0.0.5:9878'], 'advertised: the listening addresses');
  assert.equal(c.reserveMs, 10_000, '2 × SessionLeaseTimeout');
  assert.deepEqual(c.planner, { intervalMs: 2000, maxMoves: 10, minStayMs: 60_000, settleMs: 2000, drainGraceMs: 1000 });
  assert.equal(c.drainDeadlineMs, 60_000);
  const named = clusterConfigFrom([acceptor({ ClusterName: 'east/1', ClusterAdvertisedURI: 'tcp://a:1, tcp://b:2', UpdateClusterFilter: 'a.*' })])!;
  assert.equal(named.dir, '/shared/store/cluster/east%2F1', 'a cluster name is one directory');
  assert.deepEqual(named.uris, ['tcp://a:1', 'tcp://b:2']);
  assert.equal(named.filter[0].test('ab'), true);
});

test('acceptor sessions of one member that disagree on a cluster setting are refused, naming it', () => {
  assert.throws(
    () => clusterConfigFrom([acceptor({ RebalanceClusterClients: 'Y' }), acceptor({ RebalanceClusterClients: 'Y', RebalanceMaxMoves: '3' })]),
    (e: unknown) => e instanceof ClusterSettingsError && e.setting === 'RebalanceMaxMoves' && /same value \("\(unset\)" and "3"\); set it in \[DEFAULT\]/.test(e.message),
  );
});

test('fixover cluster status on settings that make no cluster member: exit 2 with the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-status-'));
  writeFileSync(join(dir, 'x.cfg'), '[DEFAULT]\nConnectionType=acceptor\nBeginString=FIX.4.2\nSocketAcceptPort=1\nFileStorePath=store\n[SESSION]\nSenderCompID=EXEC\nTargetCompID=BANZAI\n');
  const r = await fixover(['cluster', 'status', 'x.cfg'], undefined, dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /x\.cfg: no acceptor session is a cluster member \(set ClusterName, UpdateClusterClients=Y or RebalanceClusterClients=Y\)/);
});
