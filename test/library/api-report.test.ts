/**
 * The public surface is reviewed: the API report of src/index.ts (scripts/api-report.ts) equals
 * the checked-in docs/api-report.txt, so any change to an exported name or type must come with
 * the regenerated report (`npm run api:report`). Internals stay out of the package root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apiReport } from '../../scripts/api-report.js';
import * as fixover from '../../src/index.js';

test('the API report matches docs/api-report.txt (run npm run api:report after changing the public surface)', { timeout: 60_000 }, () => {
  const checkedIn = readFileSync(new URL('../../docs/api-report.txt', import.meta.url), 'utf8');
  const current = apiReport();
  if (current !== checkedIn) {
    const a = new Set(checkedIn.split('\n'));
    const b = new Set(current.split('\n'));
    const removed = [...a].filter((l) => !b.has(l)).slice(0, 20);
    const added = [...b].filter((l) => !a.has(l)).slice(0, 20);
    assert.fail(`the public surface changed: run npm run api:report and review docs/api-report.txt\nremoved:\n${removed.join('\n')}\nadded:\n${added.join('\n')}`);
  }
});

test('internals are not exported from the package root', () => {
  const internal = [
    // session, engine and failover policy internals
    'SessionCore', 'applyStoreAction', 'FailoverPolicy', 'FailoverDriver', 'seededRandom', 'formatSeqNums', 'integerText', 'InboundRate', 'PendingLogons', 'resolveOptions', 'loadPg', 'FailureLimiter',
    'sessionOptionsFrom', 'validatorFrom', 'tlsFrom', 'failoverConfigOf', 'readUriList', 'LatencyHistogram', 'endpointSocketOptions', 'parseFailoverUri', 'FAILOVER_OPTIONS', 'tlsSettingsFrom',
    // the rebalance planner and coordinator
    'planMoves', 'nextPlanAt', 'EMPTY_MEMORY', 'plannerMemoryOf', 'withPending', 'moveDecision', 'Coordinator', 'MoveDriver', 'checkMove', 'orderFinished', 'MemberView', 'liveMembers', 'nextTopology',
    // cluster wire details and stores
    'encodeAnnouncement', 'parseAnnouncement', 'CLUSTER_MSG', 'CLUSTER_TAG', 'MulticastTransport', 'ProbeTransport', 'NetworkDiscovery', 'MAX_DATAGRAM', 'topologyFields', 'parseTopologyFields', 'applyPushedTopology', 'ClusterDirectory', 'PostgresClusterStore', 'openClusterStore', 'parseDiscovery',
    // codec, log and store helpers
    'Parser', 'Framer', 'Encoder', 'FieldTable', 'scanGroup', 'checksum', 'SOH', 'formatDate', 'formatDecimal', 'toFieldText', 'isHeartbeat', 'headerField', 'checkSeqNum', 'checkStoredSeqNum', 'nodeFileSystem', 'formatRepair', 'redactUrl',
    // metrics, admin and command-line internals
    'RECOVERY_BUCKETS_S', 'FLUSH_BUCKETS_MS', 'METRIC_PREFIX', 'ADMIN_ROUTES', 'ActivityFeed', 'AuditLog', 'classifyDisconnect', 'OrderClient', 'SETTINGS', 'closestName', 'checkValue',
  ];
  for (const name of internal) assert.ok(!(name in fixover), `${name} is internal`);
  const publicValues = [
    'VERSION', 'Engine', 'Message', 'MessageView', 'Group', 'formatUtcTimestamp', 'Session', 'SessionID', 'Acceptor', 'Initiator', 'describeFailoverEvent', 'settingsFromObject', 'loadSettings', 'formatProblem',
    'loadDictionary', 'DataDictionary', 'FileStore', 'MemoryStore', 'PostgresStore', 'FileStoreFactory', 'PostgresStoreFactory', 'FileLog', 'ScreenLog', 'JsonLog', 'executorApplication', 'acceptanceApplication',
    'AdminServer', 'adminOptionsFrom', 'ClusterNode', 'CredentialFile', 'hashPassword', 'LogonGuard', 'TlsContext', 'QUICKFIXJ_BEHAVIOUR', 'TypedReader', 'generateMessages',
    // errors a user may catch
    'FixoverError', 'SettingsError', 'FileStoreError', 'PostgresStoreError', 'PostgresDriverMissingError', 'StoreDamagedError', 'StoreFencedError', 'InvalidSeqNumError', 'DictionaryNotFoundError', 'MessageBuildError',
    'FieldNotFoundError', 'SessionNotFound', 'LogonTimeoutError', 'SessionClosedError', 'SessionOwnedElsewhereError', 'InvalidOptionError', 'ClusterMoveError', 'DoNotSend', 'RejectLogon', 'UnsupportedMessageType',
  ];
  for (const name of publicValues) assert.ok(name in fixover, `${name} is public`);
});

test('the package root is an explicit list of the public API, not every module re-exported', () => {
  const index = readFileSync(new URL('../../src/index.ts', import.meta.url), 'utf8');
  assert.doesNotMatch(index, /export \* from/);
  const exports = readFileSync(new URL('../../docs/api-report.txt', import.meta.url), 'utf8').split('\n').filter((l) => l && !l.startsWith(' '));
  assert.ok(exports.length < 250, `${exports.length} exports`);
  assert.deepEqual(exports.filter((l) => l.endsWith('(undocumented)')), []);
});
