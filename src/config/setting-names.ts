/**
 * Every setting name fixover recognises: QuickFIX/J's documented settings plus those QuickFIX C++,
 * QuickFIX/n and QuickFIX/Go accept. Each has a value kind (checked when the file is read), a
 * default where QuickFIX has one, and a status: `supported` settings change behaviour;
 * `unsupported` ones are recognised and reported at start-up as not supported, with the reason
 * (and what to use instead). No name any of those engines documents is "unknown"
 * (test/config/setting-names-audit.test.ts holds each engine's list).
 */

import { editDistance } from './edit-distance.js';

/** The kind of value a setting takes, checked when settings are read (src/config/value-checks.ts). */
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

/** One recognised setting name: its value kind, default, whether fixover implements it, and how the name matches. */
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
  /** Unsupported settings: why fixover has no use for it, and what to use instead (said in the start-up notice). */
  readonly reason?: string;
}

const S = (name: string, kind: ValueKind, supported: boolean, extra: Partial<SettingSpec> = {}): SettingSpec => ({ name, kind, supported, ...extra });
const Y = (name: string, dflt: 'Y' | 'N', supported = true): SettingSpec => S(name, 'bool', supported, { dflt });
/** A recognised setting fixover does not implement, with the reason given at start-up. */
const N = (name: string, kind: ValueKind, reason: string, extra: Partial<SettingSpec> = {}): SettingSpec => S(name, kind, false, { reason, ...extra });
const NY = (name: string, dflt: 'Y' | 'N', reason: string): SettingSpec => N(name, 'bool', reason, { dflt });

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

const PROXY = 'connections through an HTTP or SOCKS proxy are not implemented';
const WRITES = 'writes are asynchronous; a slow reader is held back by the session\'s own output limits';
const DB_LOG = 'logs go to files (FileLogPath), the screen (ScreenLog*) or the engine\'s events';
const LOGON_WINDOW = 'the session\'s logon window is its schedule (StartTime/EndTime, StartDay/EndDay)';
const MYSQL_ODBC = 'stores are files (FileStorePath) or PostgreSQL (PostgreSQLStore*); logs are files or the screen';

export const BEGIN_STRINGS = ['FIX.4.0', 'FIX.4.1', 'FIX.4.2', 'FIX.4.3', 'FIX.4.4', 'FIXT.1.1'];

/** Every recognised setting, grouped as QuickFIX/J's documentation groups them, then each other engine's and fixover's own. */
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
  NY('ValidateSequenceNumbers', 'Y', 'sequence numbers are always checked (a session that skipped the check could lose messages unseen)'),
  Y('ValidateChecksum', 'Y'),
  Y('ValidateLengthAndChecksum', 'Y'),
  Y('AllowUnknownMsgFields', 'N'),
  Y('AllowUnknownEnumValues', 'N'),
  Y('CheckCompID', 'Y'),
  Y('CheckLatency', 'Y'),
  S('MaxLatency', 'posint', true, { dflt: '120' }),
  Y('RejectGarbledMessage', 'N'),
  NY('RejectInvalidMessage', 'Y', 'an invalid message is always rejected; to accept more, turn off the matching Validate* setting or AllowUnknownMsgFields'),
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
  N('SocketConnectProtocol', 'enum', 'fixover connects over TCP (VM_PIPE is a transport inside one Java process)', { values: ['TCP', 'VM_PIPE'], dflt: 'TCP', indexed: true }),
  S('SocketLocalPort', 'posint', true, PORT),
  S('SocketLocalHost', 'string', true),
  NY('DynamicSession', 'N', 'sessions made on the fly from a template: use AcceptorTemplate=Y'),
  // Acceptor
  S('SocketAcceptPort', 'posint', true, PORT),
  S('SocketAcceptAddress', 'string', true),
  N('SocketAcceptProtocol', 'enum', 'fixover listens on TCP (VM_PIPE is a transport inside one Java process)', { values: ['TCP', 'VM_PIPE'], dflt: 'TCP' }),
  S('AllowedRemoteAddresses', 'addresses', true),
  Y('AcceptorTemplate', 'N'),
  // Secure communication (docs/security.md): QuickFIX/J's names, then QuickFIX C++'s, then fixover's
  Y('SocketUseSSL', 'N'),
  ...['SocketKeyStore', 'SocketTrustStore'].map((n) => S(n, 'path', true)),
  ...['SocketKeyStorePassword', 'SocketTrustStorePassword', 'EnabledProtocols', 'CipherSuites', 'EndpointIdentificationAlgorithm', 'SNIHostName'].map((n) => S(n, 'string', true)),
  S('KeyStoreType', 'enum', true, { values: ['PKCS12', 'PEM', 'JKS', 'JCEKS'] }),
  S('TrustStoreType', 'enum', true, { values: ['PKCS12', 'PEM', 'JKS', 'JCEKS'] }),
  ...['KeyManagerFactoryAlgorithm', 'TrustManagerFactoryAlgorithm'].map((n) => N(n, 'string', 'a Java security provider algorithm; Node reads keys and certificates itself (KeyStoreType, TrustStoreType)')),
  Y('NeedClientAuth', 'N'),
  Y('UseSNI', 'Y'),
  ...['ServerCertificateFile', 'ServerCertificateKeyFile', 'ClientCertificateFile', 'ClientCertificateKeyFile', 'CertificateAuthoritiesFile', 'CertificateAuthoritiesDirectory', 'CertificateRevocationListFile'].map((n) => S(n, 'path', true)),
  N('CertificateRevocationListDirectory', 'path', 'use CertificateRevocationListFile (one PEM file of revocation lists)'),
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
  N('ProxyType', 'enum', PROXY, { values: ['http', 'socks'] }),
  ...['ProxyVersion', 'ProxyHost', 'ProxyUser', 'ProxyPassword', 'ProxyDomain', 'ProxyWorkstation'].map((n) => N(n, 'string', PROXY)),
  N('ProxyPort', 'posint', PROXY, PORT),
  // Socket options
  S('SocketKeepAlive', 'bool', true),
  N('SocketOobInline', 'bool', 'Node sockets carry no out-of-band data'),
  S('SocketReceiveBufferSize', 'nonneg', true),
  S('SocketReuseAddress', 'bool', true),
  S('SocketSendBufferSize', 'nonneg', true),
  N('SocketLinger', 'int', 'Node sockets do not expose SO_LINGER; a closing session flushes its Logout before the socket ends'),
  Y('SocketTcpNoDelay', 'Y'),
  S('SocketNodelay', 'bool', true, { aliasOf: 'SocketTcpNoDelay' }),
  N('SocketTrafficClass', 'string', 'Node sockets do not expose IP_TOS'),
  NY('SocketSynchronousWrites', 'N', WRITES),
  N('SocketSynchronousWriteTimeout', 'int', WRITES),
  N('MaxScheduledWriteRequests', 'nonneg', WRITES),
  // Storage
  Y('PersistMessages', 'Y'),
  S('FileStorePath', 'path', true),
  S('FileStoreMaxCachedMsgs', 'nonneg', true, { dflt: '10000' }),
  Y('FileStoreSync', 'N'),
  N('Jdbc', 'string', 'JDBC is Java\'s database access: use the PostgreSQL store (PostgreSQLStoreURL or PostgreSQLStoreHost, …) or FileStorePath', { prefix: true }),
  // PostgreSQL store: QuickFIX C++'s names, plus a connection URL and a schema (fixover).
  S('PostgreSQLStoreURL', 'pg-url', true),
  S('PostgreSQLStoreDatabase', 'string', true),
  S('PostgreSQLStoreUser', 'string', true),
  S('PostgreSQLStorePassword', 'string', true),
  S('PostgreSQLStoreHost', 'string', true),
  S('PostgreSQLStorePort', 'posint', true, { ...PORT, dflt: '5432' }),
  S('PostgreSQLStoreSchema', 'string', true, { dflt: 'public' }),
  N('PostgreSQLStore', 'string', 'the PostgreSQL store takes PostgreSQLStoreURL or PostgreSQLStoreDatabase/User/Password/Host/Port and PostgreSQLStoreSchema, with one connection pool per process', { prefix: true }),
  N('PostgreSQLLog', 'string', DB_LOG, { prefix: true }),
  // Logging
  S('FileLogPath', 'path', true),
  S('FileLogBackupPath', 'path', true),
  Y('FileLogHeartbeats', 'N'),
  NY('FileIncludeMilliseconds', 'N', 'every file log line starts with a timestamp to the millisecond'),
  NY('FileIncludeTimeStampForMessages', 'N', 'every file log line starts with a timestamp to the millisecond'),
  N('SLF4JLog', 'string', 'SLF4J is Java\'s logging: use FileLogPath or the ScreenLog* settings, or listen to the engine\'s events', { prefix: true }),
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
  NY('ContinueInitializationOnError', 'N', 'a settings error stops the start, naming file, line and setting, so that no session runs without what it asked for'),
  Y('SendRedundantResendRequests', 'N'),
  S('TestRequestDelayMultiplier', 'number', true, { dflt: '0.2' }),
  S('HeartBeatTimeoutMultiplier', 'number', true, { dflt: '1.4' }),
  Y('DisableHeartBeatCheck', 'N'),
  NY('ForceResendWhenCorruptedStore', 'N', 'a damaged store is refused or repaired at start (StoreRecovery=refuse|repair), never resent from'),
  NY('LogMessageWhenSessionNotFound', 'Y', 'a message for no configured session is always reported (an event and a log line)'),
  NY('AllowPosDup', 'N', 'PossDupFlag is set by resends only; an application message sent with it has it removed, as QuickFIX C++ does'),
  // QuickFIX C++
  N('LogonTime', 'time', LOGON_WINDOW),
  N('LogoutTime', 'time', LOGON_WINDOW),
  N('LogonDay', 'day', LOGON_WINDOW),
  N('LogoutDay', 'day', LOGON_WINDOW),
  Y('UseLocalTime', 'N'),
  Y('MillisecondsInTimeStamp', 'Y'),
  S('TimestampPrecision', 'enum', true, { values: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] }),
  S('SendNextExpectedMsgSeqNum', 'bool', true, { aliasOf: 'EnableNextExpectedMsgSeqNum' }),
  // QuickFIX C++ 1.14's names of the socket buffer sizes
  S('SendBufferSize', 'nonneg', true, { aliasOf: 'SocketSendBufferSize' }),
  S('ReceiveBufferSize', 'nonneg', true, { aliasOf: 'SocketReceiveBufferSize' }),
  ...['MySQLStore', 'MySQLLog', 'OdbcStore', 'OdbcLog'].map((n) => N(n, 'string', MYSQL_ODBC, { prefix: true })),
  NY('SendResetSeqNumFlag', 'N', 'use ResetOnLogon=Y (the Logon then carries ResetSeqNumFlag=Y)'),
  NY('PreserveMessageFieldsOrder', 'N', 'received messages keep their field order; built messages keep the order fields were set in'),
  // The operations HTTP interface (src/admin), one per process: QuickFIX C++'s HttpAcceptPort, then fixover's
  S('HttpAcceptPort', 'posint', true, PORT),
  S('HttpAcceptAddress', 'string', true, { dflt: '127.0.0.1' }),
  S('HttpAdminToken', 'string', true),
  S('HttpAdminTokenFile', 'path', true),
  S('HttpCertificateFile', 'path', true),
  S('HttpCertificateKeyFile', 'path', true),
  S('HttpCertificateKeyPassword', 'string', true),
  S('HttpProcessMetrics', 'enum', true, { values: ['basic', 'full', 'off'], dflt: 'basic' }),
  S('HostSelectionPolicy', 'enum', true, { values: ['ROUNDROBIN', 'PRIORITY'], dflt: 'ROUNDROBIN' }),
  S('HostSelectionPolicyPriorityStartOverInterval', 'posint', true, { dflt: '120' }),
  // fixover: the failover transport, `failover:(tcp://a:1,tcp://b:2)?option=value&…` (initiators)
  S('SocketConnectURI', 'string', true),
  S('SocketConnectSourceHost', 'string', true, { indexed: true }),
  S('SocketConnectSourcePort', 'posint', true, { ...PORT, indexed: true }),
  // QuickFIX/n
  NY('ResendSessionLevelRejects', 'N', 'session-level Rejects are replaced by a gap fill on resend, as in QuickFIX C++ and QuickFIX/J'),
  S('MaxMessagesInResendRequest', 'nonneg', true, { aliasOf: 'ResendRequestChunkSize' }),
  Y('SendLogoutBeforeDisconnectFromTimeout', 'N'),
  Y('IgnorePossDupResendRequests', 'N'),
  S('SocketAcceptHost', 'string', true, { aliasOf: 'SocketAcceptAddress' }),
  ...['DebugFileLogPath', 'DebugLogFilePath'].map((n) => N(n, 'path', 'a log of QuickFIX/n\'s own threads; fixover\'s session log (FileLogPath) and events record connections')),
  // QuickFIX/n's TLS names, as the same settings of QuickFIX/J (docs/security.md)
  S('SSLEnable', 'bool', true, { aliasOf: 'SocketUseSSL' }),
  S('SSLServerName', 'string', true, { aliasOf: 'SNIHostName' }),
  S('SSLCertificate', 'path', true, { aliasOf: 'SocketKeyStore' }),
  S('SSLCertificatePassword', 'string', true, { aliasOf: 'SocketKeyStorePassword' }),
  S('SSLCACertificate', 'path', true, { aliasOf: 'SocketTrustStore' }),
  S('SSLRequireClientCertificate', 'bool', true, { aliasOf: 'NeedClientAuth' }),
  N('SSLProtocols', 'string', 'use EnabledProtocols, e.g. TLSv1.2,TLSv1.3'),
  NY('SSLValidateCertificates', 'Y', 'certificates are always validated; EndpointIdentificationAlgorithm=NONE skips only the host name check'),
  NY('SSLCheckCertificateRevocation', 'Y', 'revocation is checked against CertificateRevocationListFile when it is set'),
  // QuickFIX/Go
  N('ResetSeqTime', 'time', 'sequence numbers reset at the start of each session period (StartTime/EndTime), or with ResetOnLogon/ResetOnLogout'),
  Y('HeartBtIntOverride', 'N'),
  NY('UseTCPProxy', 'N', 'the PROXY protocol header is not read; AllowedRemoteAddresses sees the proxy\'s address'),
  NY('DynamicSessions', 'N', 'sessions made on the fly from a template: use AcceptorTemplate=Y'),
  NY('DynamicQualifier', 'N', 'sessions made on the fly from a template: use AcceptorTemplate=Y'),
  S('SocketMinimumTLSVersion', 'enum', true, { values: ['SSL30', 'TLS10', 'TLS11', 'TLS12', 'TLS13'] }),
  S('SocketServerName', 'string', true),
  ...['SocketPrivateKeyFile', 'SocketCertificateFile', 'SocketCAFile'].map((n) => S(n, 'path', true)),
  Y('SocketInsecureSkipVerify', 'N'),
  N('SocketTimeout', 'string', 'use SocketConnectTimeout (seconds; it bounds the TCP connection and the TLS handshake)'),
  S('AllowUnknownMessageFields', 'bool', true, { aliasOf: 'AllowUnknownMsgFields' }),
  S('CheckUserDefinedFields', 'bool', true, { aliasOf: 'ValidateUserDefinedFields' }),
  ...['SQLStore', 'MongoStore'].map((n) => N(n, 'string', 'stores are files (FileStorePath) or PostgreSQL (PostgreSQLStoreURL)', { prefix: true })),
  // fixover
  S('SessionBehaviour', 'enum', true, { values: ['quickfix', 'quickfixj'], dflt: 'quickfix' }),
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
  S('ResendCpuShare', 'posint', true, { dflt: '25', range: [1, 100] }),
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
