/**
 * The setting-name audit: every name QuickFIX/J, QuickFIX C++, QuickFIX/n and QuickFIX/Go document
 * is recognised: supported (an alias resolves to a supported name), or reported at start-up as not
 * supported with a reason. Never "unknown setting".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSettings, formatProblem } from '../../src/config/index.js';
import { SETTINGS, specOf } from '../../src/config/setting-names.js';

/** QuickFIX C++: the names of its SessionSettings.h (1.14 and later) and its configuration page. */
const QUICKFIX_CPP = [
  'BeginString', 'SenderCompID', 'TargetCompID', 'SessionQualifier', 'DefaultApplVerID', 'ConnectionType', 'UseDataDictionary',
  'SendResetSeqNumFlag', 'SendRedundantResendRequests', 'DataDictionary', 'TransportDataDictionary', 'AppDataDictionary',
  'UseLocalTime', 'StartTime', 'EndTime', 'StartDay', 'EndDay', 'LogonTime', 'LogoutTime', 'LogonDay', 'LogoutDay',
  'CheckCompID', 'CheckLatency', 'MaxLatency', 'HeartBtInt', 'SocketAcceptPort', 'SocketReuseAddress', 'SocketConnectHost',
  'SocketConnectPort', 'SocketConnectHost1', 'SocketConnectPort2', 'SocketNodelay', 'SendBufferSize', 'ReceiveBufferSize',
  'SocketSendBufferSize', 'SocketReceiveBufferSize', 'ReconnectInterval', 'ValidateLengthAndChecksum', 'ValidateFieldsOutOfOrder',
  'ValidateFieldsHaveValues', 'ValidateUserDefinedFields', 'AllowUnknownMsgFields', 'PreserveMessageFieldsOrder', 'LogonTimeout',
  'LogoutTimeout', 'FileStorePath', 'MySQLStoreUseConnectionPool', 'MySQLStoreDatabase', 'MySQLStoreUser', 'MySQLStorePassword',
  'MySQLStoreHost', 'MySQLStorePort', 'PostgreSQLStoreUseConnectionPool', 'PostgreSQLStoreDatabase', 'PostgreSQLStoreUser',
  'PostgreSQLStorePassword', 'PostgreSQLStoreHost', 'PostgreSQLStorePort', 'OdbcStoreUser', 'OdbcStorePassword',
  'OdbcStoreConnectionString', 'FileLogPath', 'FileLogBackupPath', 'ScreenLogShowIncoming', 'ScreenLogShowOutgoing',
  'ScreenLogShowEvents', 'MySQLLogUseConnectionPool', 'MySQLLogDatabase', 'MySQLLogUser', 'MySQLLogPassword', 'MySQLLogHost',
  'MySQLLogPort', 'MySQLLogIncomingTable', 'MySQLLogOutgoingTable', 'MySQLLogEventTable', 'PostgreSQLLogUseConnectionPool',
  'PostgreSQLLogDatabase', 'PostgreSQLLogUser', 'PostgreSQLLogPassword', 'PostgreSQLLogHost', 'PostgreSQLLogPort',
  'PostgreSQLLogIncomingTable', 'PostgreSQLLogOutgoingTable', 'PostgreSQLLogEventTable', 'OdbcLogUser', 'OdbcLogPassword',
  'OdbcLogConnectionString', 'OdbcLogIncomingTable', 'OdbcLogOutgoingTable', 'OdbcLogEventTable', 'ResetOnLogon', 'ResetOnLogout',
  'ResetOnDisconnect', 'RefreshOnLogon', 'MillisecondsInTimeStamp', 'TimestampPrecision', 'HttpAcceptPort', 'PersistMessages',
  'SocketConnectSourceHost', 'SocketConnectSourcePort', 'HostSelectionPolicy', 'SSLProtocol', 'SSLCipherSuite', 'TLSCipherSuites',
  'ServerCertificateFile', 'ServerCertificateKeyFile', 'ClientCertificateFile', 'ClientCertificateKeyFile', 'CertificateAuthoritiesFile',
  'CertificateAuthoritiesDirectory', 'CertificateRevocationListFile', 'CertificateRevocationListDirectory', 'CertificateVerifyLevel',
];

/** QuickFIX/n: the constants of its SessionSettings.cs and the names of its configuration page. */
const QUICKFIX_N = [
  'BeginString', 'SenderCompID', 'SenderSubID', 'SenderLocationID', 'TargetCompID', 'TargetSubID', 'TargetLocationID',
  'SessionQualifier', 'DefaultApplVerID', 'ConnectionType', 'UseDataDictionary', 'NonStopSession', 'UseLocalTime', 'TimeZone',
  'StartDay', 'EndDay', 'StartTime', 'EndTime', 'HeartBtInt', 'SocketAcceptHost', 'SocketAcceptPort', 'SocketConnectHost',
  'SocketConnectPort', 'SocketConnectHost1', 'SocketConnectPort1', 'ReconnectInterval', 'FileLogPath', 'DebugFileLogPath',
  'DebugLogFilePath', 'FileStorePath', 'RefreshOnLogon', 'ResetOnLogon', 'ResetOnLogout', 'ResetOnDisconnect',
  'ValidateFieldsOutOfOrder', 'ValidateFieldsHaveValues', 'ValidateUserDefinedFields', 'ValidateLengthAndChecksum',
  'DataDictionary', 'TransportDataDictionary', 'AppDataDictionary', 'AppDataDictionary.FIX.4.4', 'PersistMessages', 'LogonTimeout',
  'LogoutTimeout', 'SendRedundantResendRequests', 'ResendSessionLevelRejects', 'MillisecondsInTimeStamp',
  'EnableLastMsgSeqNumProcessed', 'MaxMessagesInResendRequest', 'SendLogoutBeforeDisconnectFromTimeout', 'SocketNodelay',
  'SocketSendBufferSize', 'SocketReceiveBufferSize', 'IgnorePossDupResendRequests', 'RequiresOrigSendingTime', 'CheckLatency',
  'MaxLatency', 'SSLEnable', 'SSLServerName', 'SSLProtocols', 'SSLValidateCertificates', 'SSLCheckCertificateRevocation',
  'SSLCertificate', 'SSLCertificatePassword', 'SSLRequireClientCertificate', 'SSLCACertificate',
];

/** QuickFIX/Go: the constants of its config/configuration.go and the names of its documentation. */
const QUICKFIX_GO = [
  'BeginString', 'SenderCompID', 'SenderSubID', 'SenderLocationID', 'TargetCompID', 'TargetSubID', 'TargetLocationID',
  'SessionQualifier', 'SocketAcceptHost', 'SocketAcceptPort', 'SocketConnectHost', 'SocketConnectPort', 'SocketPrivateKeyFile',
  'SocketCertificateFile', 'SocketCAFile', 'SocketInsecureSkipVerify', 'SocketServerName', 'SocketMinimumTLSVersion', 'SocketTimeout',
  'SocketUseSSL', 'ProxyType', 'ProxyHost', 'ProxyPort', 'ProxyUser', 'ProxyPassword', 'UseTCPProxy', 'DefaultApplVerID', 'StartTime',
  'EndTime', 'StartDay', 'EndDay', 'Weekdays', 'TimeZone', 'DataDictionary', 'TransportDataDictionary', 'AppDataDictionary',
  'ResetOnLogon', 'RefreshOnLogon', 'ResetOnLogout', 'ResetOnDisconnect', 'ReconnectInterval', 'LogoutTimeout', 'LogonTimeout',
  'HeartBtInt', 'HeartBtIntOverride', 'FileLogPath', 'FileStorePath', 'FileStoreSync', 'SQLStoreDriver', 'SQLStoreDataSourceName',
  'SQLStoreConnMaxLifetime', 'MongoStoreConnection', 'MongoStoreDatabase', 'ValidateFieldsOutOfOrder', 'ResendRequestChunkSize',
  'EnableLastMsgSeqNumProcessed', 'EnableNextExpectedMsgSeqNum', 'CheckLatency', 'TimeStampPrecision', 'MaxLatency',
  'PersistMessages', 'RejectInvalidMessage', 'AllowUnknownMessageFields', 'CheckUserDefinedFields', 'ResetSeqTime',
  'DynamicSessions', 'DynamicQualifier',
];

/** QuickFIX/J and the other engines' extra names, read from the shared reference table (`| \`Name\` |` rows and the lists below it). */
const referenceFile = fileURLToPath(new URL('../../../shared/reference/quickfix-settings.md', import.meta.url));
function referenceNames(): string[] {
  const text = readFileSync(referenceFile, 'utf8');
  const names = new Set<string>();
  for (const m of text.matchAll(/^\| `([A-Za-z0-9]+)(<n>)?` \|/gm)) names.add(m[1] + (m[2] ? '1' : ''));
  const also = text.slice(text.indexOf('## Also accepted'), text.indexOf('## File store formats'));
  for (const m of also.matchAll(/`([A-Z][a-z][A-Za-z0-9]+)(\*|\[<n>\])?`/g)) names.add(m[2] === '*' ? `${m[1]}Host` : m[1]);
  return [...names];
}

const cfg = (lines: string) => `[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=5001\n${lines}\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n`;

function audit(engine: string, names: readonly string[]): void {
  for (const name of names) {
    const spec = specOf(name);
    assert.ok(spec, `${engine}: ${name} is not recognised`);
    const parsed = parseSettings(cfg(`${name}=x`), 'audit.cfg', {});
    const unknown = parsed.problems.filter((p) => p.setting === name && /unknown setting/.test(p.message));
    assert.deepEqual(unknown.map(formatProblem), [], `${engine}: ${name} reported unknown`);
    if (spec.aliasOf !== undefined) {
      const target = specOf(spec.aliasOf);
      assert.ok(target?.supported, `${engine}: ${name} is another name for ${spec.aliasOf}, which must be supported`);
    } else if (!spec.supported) {
      assert.ok(spec.reason && spec.reason.length > 10, `${engine}: ${name} is not supported and must say why`);
    }
  }
}

test('every QuickFIX C++ setting name is recognised: supported, another name for one, or not supported with a reason', () => audit('QuickFIX C++', QUICKFIX_CPP));
test('every QuickFIX/n setting name is recognised (SocketAcceptHost, the SSL* names, DebugFileLogPath)', () => audit('QuickFIX/n', QUICKFIX_N));
test('every QuickFIX/Go setting name is recognised', () => audit('QuickFIX/Go', QUICKFIX_GO));
test('every QuickFIX/J name of the reference table is recognised', { skip: existsSync(referenceFile) ? false : `not found: ${referenceFile}` }, () => {
  const names = referenceNames();
  assert.ok(names.length > 150, `the reference table gave ${names.length} names`);
  audit('QuickFIX/J', names);
});

test('every unsupported setting of the list says why; every alias names a supported setting', () => {
  for (const s of SETTINGS) {
    if (s.aliasOf !== undefined) assert.ok(specOf(s.aliasOf)?.supported, `${s.name} → ${s.aliasOf}`);
    else if (!s.supported) assert.ok(s.reason && s.reason.length > 10, `${s.name} has no reason`);
  }
});

test('QuickFIX/n SocketAcceptHost is SocketAcceptAddress: no warning, the listening address is set', () => {
  const s = parseSettings(cfg('SocketAcceptHost=127.0.0.1'), 'n.cfg', {});
  assert.deepEqual(s.problems.map(formatProblem), []);
  assert.equal(s.sessions[0].get('SocketAcceptAddress'), '127.0.0.1');
  assert.equal(s.sessions[0].toRecord().SocketAcceptAddress, '127.0.0.1');
});

test('QuickFIX/n SSL names map onto the TLS settings; QuickFIX C++ 1.14 buffer names onto the socket options', () => {
  const s = parseSettings(cfg('SSLEnable=N\nSSLRequireClientCertificate=Y\nSendBufferSize=65536\nReceiveBufferSize=32768'), 'n.cfg', {});
  assert.deepEqual(s.problems.map(formatProblem), []);
  const r = s.sessions[0].toRecord();
  assert.equal(r.SocketUseSSL, 'N');
  assert.equal(r.NeedClientAuth, 'Y');
  assert.equal(r.SocketSendBufferSize, '65536');
  assert.equal(r.SocketReceiveBufferSize, '32768');
});

test('a recognised but unsupported name is a notice with its reason, never an error or an unknown', () => {
  const s = parseSettings(cfg('SSLProtocols=Tls12\nMySQLStoreHost=db\nDebugFileLogPath=log'), 'n.cfg', {});
  const lines = s.problems.map(formatProblem);
  assert.ok(lines.includes('n.cfg:4: notice: SSLProtocols: recognised but not supported; it has no effect: use EnabledProtocols, e.g. TLSv1.2,TLSv1.3'), lines.join('\n'));
  assert.ok(lines.some((l) => /MySQLStoreHost: recognised but not supported; .*FileStorePath/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /DebugFileLogPath: recognised but not supported; .*FileLogPath/.test(l)), lines.join('\n'));
  assert.ok(s.problems.every((p) => p.severity === 'notice'));
});
