/**
 * TLS settings at start-up, with files made by openssl at test time: every problem with the key
 * material stops start-up naming the file, the line and the setting; what works is accepted in
 * each settings dialect (QuickFIX C++ PEM, QuickFIX/J PKCS#12 key store, QuickFIX/Go names).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { formatProblem, parseSettings } from '../../src/config/index.js';
import { opensslCipherName, tlsSettingsFrom } from '../../src/transport/tls-settings.js';
import { TlsContext } from '../../src/transport/tls.js';
import { keytoolMissing, makeTestCerts, opensslMissing, type TestCerts } from '../support/certs.js';

const skip = opensslMissing;
let certs: TestCerts;
const files = (): TestCerts => (certs ??= makeTestCerts());
after(() => certs?.cleanup());

/** Problems of an acceptor session with these extra lines (from line 9 on). */
function problems(lines: string, role: 'acceptor' | 'initiator' = 'acceptor'): string[] {
  const head = `[DEFAULT]\nBeginString=FIX.4.4\nSenderCompID=EXEC\nHeartBtInt=30\n[SESSION]\nTargetCompID=CLIENT\nConnectionType=${role}\n${role === 'acceptor' ? 'SocketAcceptPort=9000' : 'SocketConnectPort=9000'}\n`;
  return parseSettings(head + lines, 'tls.cfg', {}, files().dir).problems.filter((p) => p.severity !== 'notice').map(formatProblem);
}

test('valid TLS settings in each dialect are accepted', { skip }, () => {
  assert.deepEqual(problems('SocketUseSSL=Y\nServerCertificateFile=server.pem\nServerCertificateKeyFile=server.key\n'), []);
  assert.deepEqual(problems('SocketUseSSL=Y\nSocketKeyStore=server.p12\nSocketKeyStorePassword=storepass\nNeedClientAuth=Y\nSocketTrustStore=ca.pem\nEnabledProtocols=TLSv1.2,TLSv1.3\nCipherSuites=TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n'), []);
  assert.deepEqual(problems('SocketUseSSL=Y\nSocketKeyStore=server.p12\nSocketKeyStorePassword=storepass\nNeedClientAuth=Y\nSocketTrustStore=truststore.p12\nSocketTrustStorePassword=trustpass\n'), [], 'a PKCS#12 trust store');
  assert.deepEqual(problems('SocketCertificateFile=server.pem\nSocketPrivateKeyFile=server-enc.key\nCertificateKeyPassword=keypass\nSocketMinimumTLSVersion=TLS12\n'), [], 'QuickFIX/Go names; TLS on because key material is given');
  assert.deepEqual(problems('SocketUseSSL=Y\nCertificateAuthoritiesFile=ca.pem\nSSLProtocol=all -SSLv2 -SSLv3 -TLSv1 -TLSv1.1\nSSLCipherSuite=HIGH:!aNULL\n', 'initiator'), []);
});

test('start-up errors name file, line and setting: missing file, wrong password, key not matching, no key, JKS, acceptor without certificate', { skip }, () => {
  const d = files().dir;
  assert.deepEqual(problems('SocketUseSSL=Y\nServerCertificateFile=missing.pem\nServerCertificateKeyFile=server.key\n'), [`tls.cfg:10: error: ServerCertificateFile: ${d}/missing.pem does not exist`]);
  assert.deepEqual(problems('SocketUseSSL=Y\nServerCertificateFile=server.pem\nServerCertificateKeyFile=client.key\n'), [
    `tls.cfg:11: error: ServerCertificateKeyFile: the key in ${d}/client.key does not match the certificate in ${d}/server.pem (ServerCertificateFile)`,
  ]);
  assert.deepEqual(problems('SocketUseSSL=Y\nSocketKeyStore=server.p12\nSocketKeyStorePassword=wrong\n'), [`tls.cfg:11: error: SocketKeyStorePassword: wrong password for ${d}/server.p12 (SocketKeyStore)`]);
  assert.deepEqual(problems('SocketUseSSL=Y\nServerCertificateFile=server.pem\nServerCertificateKeyFile=server-enc.key\nCertificateKeyPassword=nope\n'), [
    `tls.cfg:12: error: CertificateKeyPassword: wrong password for the key in ${d}/server-enc.key (ServerCertificateKeyFile)`,
  ]);
  assert.deepEqual(problems('SocketUseSSL=Y\nServerCertificateFile=server.pem\nServerCertificateKeyFile=server-enc.key\n'), [
    `tls.cfg:11: error: ServerCertificateKeyFile: the key in ${d}/server-enc.key is encrypted: give its password as CertificateKeyPassword`,
  ]);
  assert.deepEqual(problems('SocketUseSSL=Y\nServerCertificateFile=server.pem\n'), [`tls.cfg:10: error: ServerCertificateFile: ${d}/server.pem holds no private key: name the key file with ServerCertificateKeyFile`]);
  assert.deepEqual(problems('SocketUseSSL=Y\nServerCertificateFile=server.key\nServerCertificateKeyFile=server.key\n'), [`tls.cfg:10: error: ServerCertificateFile: ${d}/server.key holds no certificate (expected PEM "-----BEGIN CERTIFICATE-----" blocks)`]);
  writeFileSync(`${d}/store.jceks`, Buffer.from([0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2, 0, 0, 0, 1]));
  const jceks = problems('SocketUseSSL=Y\nSocketKeyStore=store.jceks\nSocketKeyStorePassword=x\n');
  assert.equal(jceks.length, 1);
  assert.match(jceks[0], /^tls\.cfg:10: error: SocketKeyStore: .*store\.jceks is a Java KeyStore of type JCEKS, which fixover does not read; convert it .*keytool -importkeystore -srckeystore .*store\.jceks -srcstoretype JCEKS -destkeystore .*store\.p12 -deststoretype PKCS12$/);
  assert.deepEqual(problems('SocketUseSSL=Y\n'), [
    'tls.cfg:9: error: SocketUseSSL: a TLS acceptor needs its certificate and key: ServerCertificateFile and ServerCertificateKeyFile (PEM), or SocketKeyStore (PKCS#12 or PEM) with SocketKeyStorePassword',
  ]);
  assert.deepEqual(problems('SocketUseSSL=Y\nServerCertificateFile=server.pem\nServerCertificateKeyFile=server.key\nNeedClientAuth=Y\n'), [
    'tls.cfg:12: error: NeedClientAuth: checking client certificates needs the certificate authorities that issue them: SocketTrustStore or CertificateAuthoritiesFile',
  ]);
  assert.deepEqual(problems('SocketUseSSL=Y\nServerCertificateFile=server.pem\nServerCertificateKeyFile=server.key\nCertificateCompIDBinding=cn\n'), [
    'tls.cfg:12: error: CertificateCompIDBinding: needs verified client certificates: NeedClientAuth=Y (or CertificateVerifyLevel=1)',
  ]);
  assert.match(problems('SocketUseSSL=Y\nCipherSuites=TLS_NO_SUCH_SUITE\n', 'initiator')[0], /^tls\.cfg:10: error: CipherSuites: unknown or unavailable cipher suite "TLS_NO_SUCH_SUITE"/);
  assert.match(problems('SocketUseSSL=Y\nEnabledProtocols=SSLv3\n', 'initiator')[0], /^tls\.cfg:10: error: EnabledProtocols: enables no protocol fixover can use/);
  assert.deepEqual(problems('SocketUseSSL=Y\nSocketTrustStore=truststore.p12\nSocketTrustStorePassword=wrong\n', 'initiator'), [`tls.cfg:11: error: SocketTrustStorePassword: wrong password for ${d}/truststore.p12 (SocketTrustStore)`]);
  assert.match(problems('SocketUseSSL=Y\nSocketTrustStore=server.key\nTrustStoreType=PKCS12\n', 'initiator')[0], /^tls\.cfg:10: error: SocketTrustStore: .*server\.key is neither PEM nor a PKCS#12 trust store/);
});

test('Java KeyStores (JKS, made by keytool) as key and trust stores; keytool PKCS#12 trust stores; a wrong JKS password names the setting', { skip: skip || keytoolMissing }, () => {
  const d = files().dir;
  assert.deepEqual(problems('SocketUseSSL=Y\nSocketKeyStore=client.jks\nSocketKeyStorePassword=storepass\nSocketTrustStore=truststore.jks\nSocketTrustStorePassword=trustpass\n', 'initiator'), []);
  assert.deepEqual(problems('SocketUseSSL=Y\nSocketTrustStore=java-truststore.p12\nSocketTrustStorePassword=trustpass\n', 'initiator'), []);
  assert.deepEqual(problems('SocketUseSSL=Y\nSocketKeyStore=client.jks\nSocketKeyStorePassword=nope\n', 'initiator'), [`tls.cfg:11: error: SocketKeyStorePassword: wrong password for ${d}/client.jks (SocketKeyStore)`]);
  const ctx = new TlsContext(tlsSettingsFrom({ ConnectionType: 'initiator', SocketKeyStore: 'client.jks', SocketKeyStorePassword: 'storepass' }, d)!);
  assert.equal(ctx.certificate!.subject, 'CN=CLIENT', 'the key entry of the JKS');
});

test('key material next to SocketUseSSL=N is a warning (plaintext was asked for explicitly)', { skip }, () => {
  assert.deepEqual(problems('SocketUseSSL=N\nServerCertificateFile=server.pem\n'), ['tls.cfg:10: warning: ServerCertificateFile: ignored: SocketUseSSL=N, so this session runs without TLS']);
});

test('reload: new files are used; a bad file keeps the ones in use and names the setting', { skip }, () => {
  const d = files().dir;
  copyFileSync(`${d}/server.pem`, `${d}/live.pem`);
  copyFileSync(`${d}/server.key`, `${d}/live.key`);
  const ctx = new TlsContext(tlsSettingsFrom({ ConnectionType: 'acceptor', SocketUseSSL: 'Y', ServerCertificateFile: 'live.pem', ServerCertificateKeyFile: 'live.key' }, d)!);
  assert.equal(ctx.certificate!.subject, 'CN=localhost');
  copyFileSync(`${d}/firmb.pem`, `${d}/live.pem`);
  assert.throws(() => ctx.reload(), /ServerCertificateKeyFile: the key in .*live\.key does not match/);
  assert.equal(ctx.certificate!.subject, 'CN=localhost', 'the files in use stay');
  copyFileSync(`${d}/firmb.key`, `${d}/live.key`);
  ctx.reload();
  assert.equal(ctx.certificate!.subject, 'CN=FIRMB');
});

test('expiry warning: an expired certificate and one within CertificateExpiryWarningDays are warned about, a fresh one is not', { skip }, () => {
  const d = files().dir;
  const ctx = (cert: string, days?: string): TlsContext =>
    new TlsContext(tlsSettingsFrom({ ConnectionType: 'acceptor', ServerCertificateFile: `${cert}.pem`, ServerCertificateKeyFile: `${cert}.key`, ...(days ? { CertificateExpiryWarningDays: days } : {}) }, d)!);
  assert.match(ctx('server-expired').expiryWarning()!, /server-expired\.pem \(ServerCertificateFile, CN=localhost\) expired on/);
  assert.match(ctx('server').expiryWarning()!, /expires on .*, in [01] day\(s\)/, 'two-day certificate within the default 30 days');
  assert.equal(ctx('server', '0').expiryWarning(), null);
  const p12 = new TlsContext(tlsSettingsFrom({ ConnectionType: 'acceptor', SocketKeyStore: 'server.p12', SocketKeyStorePassword: 'storepass' }, d)!);
  assert.equal(p12.certificate!.subject, 'CN=localhost', 'read from the PKCS#12 store');
});

test('standard cipher suite names map to OpenSSL names', () => {
  assert.equal(opensslCipherName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'), 'ECDHE-RSA-AES128-GCM-SHA256');
  assert.equal(opensslCipherName('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'), 'ECDHE-ECDSA-CHACHA20-POLY1305');
  assert.equal(opensslCipherName('TLS_RSA_WITH_AES_256_CBC_SHA'), 'AES256-SHA');
  assert.equal(opensslCipherName('TLS_AES_256_GCM_SHA384'), 'TLS_AES_256_GCM_SHA384');
});
