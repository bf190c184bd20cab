/**
 * Certificates made at test time with Debian's openssl, in a temporary folder: a throwaway CA, a
 * server certificate for localhost/127.0.0.1, client certificates naming CompIDs, an expired
 * one, and a second CA with certificates no test trusts. Tests skip with a clear message when
 * openssl is not installed (`hasOpenssl`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Null when openssl runs here, else why the TLS tests skip. */
export const opensslMissing: string | false = (() => {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? false : 'openssl is not installed (apt-get install openssl)';
})();

/** Null when Java's keytool runs here (to make JKS stores), else why those checks skip. */
export const keytoolMissing: string | false = (() => {
  const r = spawnSync('keytool', ['-help'], { encoding: 'utf8' });
  return r.error ? 'keytool (a Java runtime) is not installed' : false;
})();

export interface TestCerts {
  readonly dir: string;
  /** Path of a file in the folder. */
  path(name: string): string;
  /** Removes the folder. */
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

/** A CA (`<name>.pem`, `<name>.key`). */
function ca(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`]);
}

/** A certificate `<name>.pem` with key `<name>.key`, signed by CA `issuer`, valid `days` (negative: already expired). */
function leaf(dir: string, name: string, issuer: string, cn: string, opts: { san?: string; days?: number } = {}): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  const ext = `${name}.ext`;
  writeFileSync(join(dir, ext), opts.san ? `subjectAltName=${opts.san}\n` : 'basicConstraints=CA:FALSE\n');
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', String(opts.days ?? 2), '-extfile', ext, '-out', `${name}.pem`]);
}

/** One more certificate `<name>.pem`/`<name>.key` in `certs`' folder, signed by its test CA, valid `days` (e.g. a long one, outside any expiry warning). */
export function makeLeafCert(certs: TestCerts, name: string, cn: string, opts: { san?: string; days?: number } = {}): void {
  leaf(certs.dir, name, 'ca', cn, opts);
}

/**
 * Makes, in a new temporary folder:
 * - `ca.pem`/`ca.key`: the test CA; `other-ca.pem`: a CA nobody trusts;
 * - `server.pem`/`server.key`: localhost and 127.0.0.1, by the CA; `server-expired.*`: expired;
 *   `server-other.*`: by the other CA;
 * - `client.pem`/`client.key`: CN=CLIENT; `firmb.*`: CN=FIRMB with SAN DNS:FIRMB; `client-san.*`:
 *   CN=someone with SAN DNS:CLIENT; `client-expired.*`; `client-other.*` by the other CA;
 * - `server-enc.key`: server.key encrypted with the password `keypass`;
 * - `server.p12` (password `storepass`) and `client.p12` (same): PKCS#12 key stores;
 *   `truststore.p12` (password `trustpass`): the CA as a PKCS#12 trust store;
 * - with keytool (see `keytoolMissing`): `client.jks` (password `storepass`) and `truststore.jks`
 *   (`trustpass`) as Java KeyStores, and `java-truststore.p12` (`trustpass`) as keytool writes one.
 */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-certs-'));
  ca(dir, 'ca');
  ca(dir, 'other-ca');
  const local = 'DNS:localhost,IP:127.0.0.1';
  leaf(dir, 'server', 'ca', 'localhost', { san: local });
  leaf(dir, 'server-expired', 'ca', 'localhost', { san: local, days: -1 });
  leaf(dir, 'server-other', 'other-ca', 'localhost', { san: local });
  leaf(dir, 'client', 'ca', 'CLIENT');
  leaf(dir, 'firmb', 'ca', 'FIRMB', { san: 'DNS:FIRMB' });
  leaf(dir, 'client-san', 'ca', 'someone', { san: 'DNS:CLIENT' });
  leaf(dir, 'client-expired', 'ca', 'CLIENT', { days: -1 });
  leaf(dir, 'client-other', 'other-ca', 'CLIENT');
  openssl(dir, ['pkey', '-in', 'server.key', '-aes256', '-passout', 'pass:keypass', '-out', 'server-enc.key']);
  openssl(dir, ['pkcs12', '-export', '-in', 'server.pem', '-inkey', 'server.key', '-passout', 'pass:storepass', '-out', 'server.p12']);
  openssl(dir, ['pkcs12', '-export', '-in', 'client.pem', '-inkey', 'client.key', '-passout', 'pass:storepass', '-out', 'client.p12']);
  openssl(dir, ['pkcs12', '-export', '-nokeys', '-in', 'ca.pem', '-passout', 'pass:trustpass', '-out', 'truststore.p12']);
  if (!keytoolMissing) {
    const keytool = (args: string[]): void => {
      const r = spawnSync('keytool', args, { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`keytool ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
    };
    keytool(['-importkeystore', '-noprompt', '-srckeystore', 'client.p12', '-srcstoretype', 'PKCS12', '-srcstorepass', 'storepass', '-destkeystore', 'client.jks', '-deststoretype', 'JKS', '-deststorepass', 'storepass']);
    keytool(['-importcert', '-noprompt', '-alias', 'testca', '-file', 'ca.pem', '-keystore', 'truststore.jks', '-storetype', 'JKS', '-storepass', 'trustpass']);
    keytool(['-importcert', '-noprompt', '-alias', 'testca', '-file', 'ca.pem', '-keystore', 'java-truststore.p12', '-storetype', 'PKCS12', '-storepass', 'trustpass']);
  }
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
