/**
 * Every setting name fixover recognises: QuickFIX/J's documented settings plus those QuickFIX C++,
 * QuickFIX/n and QuickFIX/Go accept. Each has a value kind (checked when the file is read), a
 * default where QuickFIX has one, and a status: `supported` settings change behaviour;
 * `unsupported` ones are recognised and reported at start-up as not supported yet.
 */

import { editDistance } from './edit-distance.js';

export type ValueKind =
  | 'bool'
  | 'int'
  | 'posint'
  | 'nonneg'
  | 'number'
  | 'string'
  | 'path'
  | 'time'
  | 'day'
  | 'days'
  | 'reconnect'
  | 'logon-tag'
  | 'enum'
  | 'begin-string'
  | 'appl-ver-id'
  | 'addresses'
  | 'pg-url'
  | 'uri-list'
  | 'regex-list'
  | 'discovery'
  | 'tcp-uri';

export interface SettingSpec {
  readonly name: string;
  readonly kind: ValueKind;
  readonly values?: readonly string[];
  readonly dflt?: string;
  readonly supported: boolean;
  /** Matches `Name<n>` (n = 1, 2, …) as well as `Name`. */
  readonly indexed?: boolean;
  /** Matches any name starting with this prefix (e.g. `PostgreSQLStore`). */
  readonly prefix?: boolean;
  /** The canonical name this one is another name for. */
  readonly aliasOf?: string;
  /** Integer kinds: the smallest and largest valid value. */
  readonly range?: readonly [number, number];
}

const S = (name: string, kind: ValueKind, supported: boolean, extra: Partial<SettingSpec> = {}): SettingSpec => ({ name, kind, supported, ...extra });
const Y = (name: string, dflt: 'Y' | 'N', supported = true): SettingSpec => S(name, 'bool', supported, { dflt });

/** TCP port numbers. */
const PORT: Partial<SettingSpec> = { range: [1, 65535] };

/** `MaxMessageSize`: from 1 KiB (room for any session message) to 100 MiB (memory held per connection). */
export const MESSAGE_SIZE_RANGE: readonly [number, number] = [1024, 100 * 1024 * 1024];

/** `MaxPendingLogons` (connections waiting for their first message, per listening port) and its share per remote address. */
export const PENDING_LOGONS_RANGE: readonly [number, number] = [1, 1_000_000];

/** Cluster timings in milliseconds (docs/cluster.md): lease of a member record and of the planner. */
export const CLUSTER_LEASE_RANGE: readonly [number, number] = [500, 600_000];
/** A node's share of the sessions relative to the other members (`ClusterWeight`). */
export const CLUSTER_WEIGHT_RANGE: readonly [number, number] = [1, 1000];

export const BEGIN_STRINGS = ['FIX.4.0', 'FIX.4.1', 'FIX.4.2', 'FIX.4.3', 'FIX.4.4', 'FIXT.1.1'];

export const SETTINGS: readonly SettingSpec[] = [
  // Session
  S('BeginString', 'begin-string', true, { values: BEGIN_STRINGS }),
  S('SenderCompID', 'string', true),
  S('SenderSubID', 'string', true),
  S('SenderLocationID', 'string', true),
  S('TargetCompID', 'string', true),
  S('TargetSubID', 'string', true),
  S('TargetLocationID', 'string', true),
  S('SessionQualifier', 'string', true),
  S('DefaultApplVerID', 'appl-ver-id', true),
  S('ConnectionType', 'enum', true, { values: ['initiator', 'acceptor'] }),
  S('TimeZone', 'string', true),
  S('StartTime', 'time', true),
  S('EndTime', 'time', true),
  S('StartDay', 'day', true),
  S('EndDay', 'day', true),
  S('Weekdays', 'days', true),
  Y('NonStopSession', 'N'),
  S('TimeStampPrecision', 'enum', true, { values: ['SECONDS', 'MILLIS', 'MICROS', 'NANOS'], dflt: 'MILLIS' }),
  Y('ClosedResendInterval', 'N'),
  // Validation
  Y('UseDataDictionary', 'Y'),
  S('DataDictionary', 'path', true),
  S('TransportDataDictionary', 'path', true),
  S('AppDataDictionary', 'path', true, { prefix: true }),
  Y('ValidateFieldsOutOfOrder', 'Y'),
  Y('ValidateFieldsHaveValues', 'Y'),
  Y('ValidateUserDefinedFields', 'Y'),
  Y('ValidateUnorderedGroupFields', 'Y'),
  Y('FirstFieldInGroupIsDelimiter', 'N'),
  Y('ValidateIncomingMessage', 'Y'),
  Y('ValidateSequenceNumbers', 'Y', false),
  Y('ValidateChecksum', 'Y'),
  Y('ValidateLengthAndChecksum', 'Y'),
  Y('AllowUnknownMsgFields', 'N'),
  Y('AllowUnknownEnumValues', 'N'),
  Y('CheckCompID', 'Y'),
  Y('CheckLatency', 'Y'),
  S('MaxLatency', 'posint', true, { dflt: '120' }),
  Y('RejectGarbledMessage', 'N'),
  Y('RejectInvalidMessage', 'Y', false),
  Y('RejectMessageOnUnhandledException', 'N'),
  Y('RequiresOrigSendingTime', 'Y'),
  // Initiator
  S('ReconnectInterval', 'reconnect', true, { dflt: '30' }),
  S('HeartBtInt', 'posint', true),
  S('LogonTimeout', 'posint', true, { dflt: '10' }),
  S('LogoutTimeout', 'posint', true, { dflt: '2' }),
  S('SocketConnectPort', 'posint', true, { ...PORT, indexed: true }),
  S('SocketConnectHost', 'string', true, { indexed: true }),
  S('SocketConnectTimeout', 'posint', true, { dflt: '60' }),
  S('SocketConnectProtocol', 'enum', false, { values: ['TCP', 'VM_PIPE'], dflt: 'TCP', indexed: true }),
  S('SocketLocalPort', 'posint', true, PORT),
  S('SocketLocalHost', 'string', true),
  Y('DynamicSession', 'N', false),
  // Acceptor
  S('SocketAcceptPort', 'posint', true, PORT),
  S('SocketAcceptAddress', 'string', true),
  S('SocketAcceptProtocol', 'enum', false, { values: ['TCP', 'VM_PIPE'], dflt: 'TCP' }),
  S('AllowedRemoteAddresses', 'addresses', true),
  Y('AcceptorTemplate', 'N'),
  // Secure communication (docs/security.md): QuickFIX/J's names, then QuickFIX C++'s, then fixover's
  Y('SocketUseSSL', 'N'),
  ...['SocketKeyStore', 'SocketTrustStore'].map((n) => S(n, 'path', true)),
  ...['SocketKeyStorePassword', 'SocketTrustStorePassword', 'EnabledProtocols', 'CipherSuites', 'EndpointIdentificationAlgorithm', 'SNIHostName'].map((n) => S(n, 'string', true)),
  S('KeyStoreType', 'enum', true, { values: ['PKCS12', 'PEM', 'JKS', 'JCEKS'] }),
  S('TrustStoreType', 'enum', true, { values: ['PKCS12', 'PEM', 'JKS', 'JCEKS'] }),
  ...['KeyManagerFactoryAlgorithm', 'TrustManagerFactoryAlgorithm'].map((n) => S(n, 'string', false)),
  Y('NeedClientAuth', 'N'),
  Y('UseSNI', 'Y'),
  ...['ServerCertificateFile', 'ServerCertificateKeyFile', 'ClientCertificateFile', 'ClientCertificateKeyFile', 'CertificateAuthoritiesFile', 'CertificateAuthoritiesDirectory', 'CertificateRevocationListFile'].map((n) => S(n, 'path', true)),
  S('CertificateRevocationListDirectory', 'path', false),
  ...['SSLProtocol', 'SSLCipherSuite', 'TLSCipherSuites', 'CertificateKeyPassword'].map((n) => S(n, 'string', true)),
  S('CertificateVerifyLevel', 'enum', true, { values: ['0', '1', '2'] }),
  S('CertificateCompIDBinding', 'enum', true, { values: ['none', 'cn', 'san', 'any'], dflt: 'none' }),
  S('CertificateExpiryWarningDays', 'nonneg', true, { dflt: '30' }),
  // Logon authentication (fixover, acceptors; docs/security.md)
  S('LogonCredentialsFile', 'path', true),
  S('LogonFailureLimit', 'nonneg', true, { dflt: '5' }),
  S('LogonFailureWindow', 'posint', true, { dflt: '60' }),
  S('LogonFailureBlockTime', 'posint', true, { dflt: '60' }),
  // Proxy
  S('ProxyType', 'enum', false, { values: ['http', 'socks'] }),
  ...['ProxyVersion', 'ProxyHost', 'ProxyUser', 'ProxyPassword', 'ProxyDomain', 'ProxyWorkstation'].map((n) => S(n, 'string', false)),
  S('ProxyPort', 'posint', false, PORT),
  // Socket options
  S('SocketKeepAlive', 'bool', true),
  S('SocketOobInline', 'bool', false),
  S('SocketReceiveBufferSize', 'nonneg', true),
  S('SocketReuseAddress', 'bool', true),
  S('SocketSendBufferSize', 'nonneg', true),
  S('SocketLinger', 'int', false),
  Y('SocketTcpNoDelay', 'Y'),
  S('SocketNodelay', 'bool', true, { aliasOf: 'SocketTcpNoDelay' }),
  S('SocketTrafficClass', 'string', false),
  Y('SocketSynchronousWrites', 'N', false),
  S('SocketSynchronousWriteTimeout', 'int', false),
  S('MaxScheduledWriteRequests', 'nonneg', false),
  // Storage
  Y('PersistMessages', 'Y'),
  S('FileStorePath', 'path', true),
  S('FileStoreMaxCachedMsgs', 'nonneg', true, { dflt: '10000' }),
  Y('FileStoreSync', 'N'),
  S('Jdbc', 'string', false, { prefix: true }),
  // PostgreSQL store: QuickFIX C++'s names, plus a connection URL and a schema (fixover).
  S('PostgreSQLStoreURL', 'pg-url', true),
  S('PostgreSQLStoreDatabase', 'string', true),
  S('PostgreSQLStoreUser', 'string', true),
  S('PostgreSQLStorePassword', 'string', true),
  S('PostgreSQLStoreHost', 'string', true),
  S('PostgreSQLStorePort', 'posint', true, { ...PORT, dflt: '5432' }),
  S('PostgreSQLStoreSchema', 'string', true, { dflt: 'public' }),
  S('PostgreSQLStore', 'string', false, { prefix: true }),
  S('PostgreSQLLog', 'string', false, { prefix: true }),
  // Logging
  S('FileLogPath', 'path', true),
  S('FileLogBackupPath', 'path', true),
  Y('FileLogHeartbeats', 'N'),
  Y('FileIncludeMilliseconds', 'N', false),
  Y('FileIncludeTimeStampForMessages', 'N', false),
  S('SLF4JLog', 'string', false, { prefix: true }),
  Y('ScreenLogShowEvents', 'Y'),
  Y('ScreenLogShowIncoming', 'Y'),
  Y('ScreenLogShowOutgoing', 'Y'),
  Y('ScreenLogShowHeartBeats', 'N'),
  // Miscellaneous
  S('LogonTag', 'logon-tag', true, { indexed: true }),
  Y('RefreshOnLogon', 'N'),
  S('RefreshMessageStoreAtLogon', 'bool', true, { aliasOf: 'RefreshOnLogon' }),
  Y('ResetOnLogon', 'N'),
  Y('ResetOnLogout', 'N'),
  Y('ResetOnDisconnect', 'N'),
  Y('ResetOnError', 'N'),
  Y('DisconnectOnError', 'N'),
  Y('EnableLastMsgSeqNumProcessed', 'N'),
  Y('EnableNextExpectedMsgSeqNum', 'N'),
  S('ResendRequestChunkSize', 'nonneg', true, { dflt: '0' }),
  Y('ContinueInitializationOnError', 'N', false),
  Y('SendRedundantResendRequests', 'N'),
  S('TestRequestDelayMultiplier', 'number', true, { dflt: '0.2' }),
  S('HeartBeatTimeoutMultiplier', 'number', true, { dflt: '1.4' }),
  Y('DisableHeartBeatCheck', 'N'),
  Y('ForceResendWhenCorruptedStore', 'N', false),
  Y('LogMessageWhenSessionNotFound', 'Y', false),
  Y('AllowPosDup', 'N', false),
  // QuickFIX C++
  S('LogonTime', 'time', false),
  S('LogoutTime', 'time', false),
  S('LogonDay', 'day', false),
  S('LogoutDay', 'day', false),
  Y('UseLocalTime', 'N'),
  Y('MillisecondsInTimeStamp', 'Y'),
  S('TimestampPrecision', 'enum', true, { values: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] }),
  S('SendNextExpectedMsgSeqNum', 'bool', true, { aliasOf: 'EnableNextExpectedMsgSeqNum' }),
  Y('SendResetSeqNumFlag', 'N', false),
  Y('PreserveMessageFieldsOrder', 'N', false),
  // The operations HTTP interface (src/admin), one per process: QuickFIX C++'s HttpAcceptPort, then fixover's
  S('HttpAcceptPort', 'posint', true, PORT),
  S('HttpAcceptAddress', 'string', true, { dflt: '127.0.0.1' }),
  S('HttpAdminToken', 'string', true),
  S('HttpAdminTokenFile', 'path', true),
  S('HttpCertificateFile', 'path', true),
  S('HttpCertificateKeyFile', 'path', true),
  S('HttpCertificateKeyPassword', 'string', true),
  S('HostSelectionPolicy', 'enum', true, { values: ['ROUNDROBIN', 'PRIORITY'], dflt: 'ROUNDROBIN' }),
  S('HostSelectionPolicyPriorityStartOverInterval', 'posint', true, { dflt: '120' }),
  // fixover: the failover transport, `failover:(tcp://a:1,tcp://b:2)?option=value&…` (initiators)
  S('SocketConnectURI', 'string', true),
  S('SocketConnectSourceHost', 'string', true, { indexed: true }),
  S('SocketConnectSourcePort', 'posint', true, { ...PORT, indexed: true }),
  // QuickFIX/n
  Y('ResendSessionLevelRejects', 'N', false),
  S('MaxMessagesInResendRequest', 'nonneg', true, { aliasOf: 'ResendRequestChunkSize' }),
  Y('SendLogoutBeforeDisconnectFromTimeout', 'N'),
  Y('IgnorePossDupResendRequests', 'N'),
  // QuickFIX/Go
  S('ResetSeqTime', 'time', false),
  Y('HeartBtIntOverride', 'N'),
  Y('UseTCPProxy', 'N', false),
  Y('DynamicSessions', 'N', false),
  Y('DynamicQualifier', 'N', false),
  S('SocketMinimumTLSVersion', 'enum', true, { values: ['SSL30', 'TLS10', 'TLS11', 'TLS12', 'TLS13'] }),
  S('SocketServerName', 'string', true),
  ...['SocketPrivateKeyFile', 'SocketCertificateFile', 'SocketCAFile'].map((n) => S(n, 'path', true)),
  Y('SocketInsecureSkipVerify', 'N'),
  // fixover
  S('MaxMessageSize', 'posint', true, { dflt: '1048576', range: MESSAGE_SIZE_RANGE }),
  S('MaxPendingLogons', 'posint', true, { dflt: '1000', range: PENDING_LOGONS_RANGE }),
  S('MaxPendingLogonsPerAddress', 'posint', true, { dflt: '100', range: PENDING_LOGONS_RANGE }),
  S('NodeName', 'string', true),
  Y('SessionOwnership', 'Y'),
  S('SessionLeaseTimeout', 'number', true, { dflt: '5' }),
  S('MaxQueuedBytesAboveGap', 'posint', true, { dflt: '67108864' }),
  S('InboundMessageRate', 'nonneg', true, { dflt: '0' }),
  S('InboundRateAction', 'enum', true, { values: ['pause', 'reject', 'logout'], dflt: 'pause' }),
  S('InboundBytesPerTurn', 'posint', true, { dflt: '8192' }),
  S('StoreRecovery', 'enum', true, { values: ['refuse', 'repair'], dflt: 'refuse' }),
  // fixover cluster of acceptor nodes (docs/cluster.md); timings in milliseconds
  S('ClusterName', 'string', true),
  S('ClusterAdvertisedURI', 'uri-list', true),
  S('ClusterDiscovery', 'discovery', true, { dflt: 'store' }),
  S('ClusterProbeListen', 'tcp-uri', true),
  S('ClusterSecretFile', 'path', true),
  S('ClusterLeaseTimeout', 'posint', true, { dflt: '5000', range: CLUSTER_LEASE_RANGE }),
  S('ClusterWeight', 'posint', true, { dflt: '1', range: CLUSTER_WEIGHT_RANGE }),
  Y('UpdateClusterClients', 'N'),
  Y('UpdateClusterClientsOnRemove', 'N'),
  S('UpdateClusterFilter', 'regex-list', true),
  Y('RebalanceClusterClients', 'N'),
  S('RebalanceInterval', 'posint', true, { dflt: '2000', range: [100, 3_600_000] }),
  S('RebalanceMaxMoves', 'posint', true, { dflt: '10', range: [1, 10_000] }),
  S('RebalanceJitter', 'nonneg', true, { dflt: '500', range: [0, 600_000] }),
  S('RebalanceMinStay', 'nonneg', true, { dflt: '60000', range: [0, 86_400_000] }),
  S('RebalanceSettle', 'nonneg', true, { dflt: '2000', range: [0, 600_000] }),
  S('RebalanceQuietInterval', 'nonneg', true, { dflt: '200', range: [0, 600_000] }),
  S('RebalanceDeadline', 'posint', true, { dflt: '5000', range: [100, 600_000] }),
  S('DrainGracePeriod', 'nonneg', true, { dflt: '1000', range: [0, 600_000] }),
  S('DrainDeadline', 'posint', true, { dflt: '60000', range: [1000, 3_600_000] }),
];

const byName = new Map(SETTINGS.filter((s) => !s.prefix).map((s) => [s.name, s]));
/** Lower-cased names, for typo help (two names may differ only in case: TimeStampPrecision, TimestampPrecision). */
const byLower = new Map(SETTINGS.filter((s) => !s.prefix).map((s) => [s.name.toLowerCase(), s]));
const prefixes = SETTINGS.filter((s) => s.prefix);

/** The spec of a setting name (exact case), following `<n>` suffixes and prefixes. */
export function specOf(name: string): SettingSpec | undefined {
  const exact = byName.get(name);
  if (exact) return exact;
  const m = /^(.*?)(\d+)$/.exec(name);
  if (m) {
    const base = byName.get(m[1]);
    if (base && base.indexed) return base;
  }
  return prefixes.find((p) => name.startsWith(p.name));
}

/** The known name closest to an unknown one (case-insensitive edit distance), for typo help. */
export function closestName(name: string): string | undefined {
  const lower = name.toLowerCase();
  const exactCase = byLower.get(lower);
  if (exactCase) return exactCase.name;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const spec of SETTINGS) {
    const d = editDistance(lower, spec.name.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = spec.name;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}
