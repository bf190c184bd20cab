/**
 * Checks of the operations HTTP interface's settings (`HttpAcceptPort`, `HttpAcceptAddress`,
 * `HttpAdminToken`, `HttpAdminTokenFile`, and for HTTPS `HttpCertificateFile`,
 * `HttpCertificateKeyFile`, `HttpCertificateKeyPassword`): one interface per process, so every
 * session must say the same; an address that can be listened on; a token long enough to guess at
 * no cost, read from its file when given one; a certificate and key that can be read and belong
 * together.
 */
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { resolve } from 'node:path';
import { FixoverError } from '../codec/errors.js';
import type { SettingsProblem } from './problems.js';
import type { Located, SessionSettings } from './settings.js';

/** The settings of the HTTP interface, which apply to the whole process. */
export const HTTP_SETTINGS = ['HttpAcceptPort', 'HttpAcceptAddress', 'HttpAdminToken', 'HttpAdminTokenFile', 'HttpCertificateFile', 'HttpCertificateKeyFile', 'HttpCertificateKeyPassword', 'HttpProcessMetrics'] as const;

/** The shortest admin token accepted (characters). */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** A host name (letters, digits, dots and dashes) or an IPv4/IPv6 address. */
export function validHttpAddress(value: string): boolean {
  return isIP(value) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(value);
}

/** Why an admin token is not acceptable, or null. */
export function adminTokenProblem(token: string): string | null {
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) return `a token of at least ${MIN_ADMIN_TOKEN_LENGTH} characters (this one has ${token.length})`;
  if (/\s/.test(token)) return 'a token without white space';
  return null;
}

/** Reads the admin token from its file (trailing white space dropped); throws with a reason when it cannot. */
export function readAdminTokenFile(path: string): string {
  const token = readFileSync(path, 'utf8').trim();
  const bad = adminTokenProblem(token);
  if (bad) throw new FixoverError(`${path} does not hold an acceptable token: expected ${bad}`);
  return token;
}

/** The HTTPS material of the interface: PEM certificate (chain) and key, the key's password. */
export interface HttpTlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly passphrase?: string;
}

/**
 * Reads and checks the interface's certificate and key (paths relative to `baseDir`); throws an
 * error naming the setting at fault: `{ setting, message }`.
 */
export function readHttpTls(certFile: string, keyFile: string, passphrase: string | undefined, baseDir: string): HttpTlsMaterial {
  const read = (setting: string, file: string): Buffer => {
    try {
      return readFileSync(resolve(baseDir, file));
    } catch (e) {
      throw Object.assign(new Error(`cannot read ${resolve(baseDir, file)}: ${e instanceof Error ? e.message.replace(/^[A-Z]+: /, '') : String(e)}`), { setting });
    }
  };
  const cert = read('HttpCertificateFile', certFile);
  const key = read('HttpCertificateKeyFile', keyFile);
  if (!cert.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw Object.assign(new Error(`${resolve(baseDir, certFile)} holds no PEM certificate`), { setting: 'HttpCertificateFile' });
  try {
    createSecureContext({ cert, key, passphrase });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const setting = /bad decrypt|passphrase|password/i.test(why) ? 'HttpCertificateKeyPassword' : 'HttpCertificateKeyFile';
    throw Object.assign(new Error(`the key ${resolve(baseDir, keyFile)} cannot be used with the certificate ${resolve(baseDir, certFile)}: ${why}`), { setting });
  }
  return { cert, key, passphrase };
}

/** Adds a problem for each HTTP setting that is wrong or differs between sessions. */
export function checkHttpSettings(sessions: readonly SessionSettings[], baseDir: string, problems: SettingsProblem[]): void {
  if (sessions.length === 0) return;
  const first = sessions[0];
  for (const name of HTTP_SETTINGS) {
    const a = first.where(name);
    for (const s of sessions.slice(1)) {
      const b = s.where(name);
      if (a?.value === b?.value) continue;
      const at = b ?? a!;
      problems.push({
        file: at.file,
        line: at.line,
        setting: name,
        severity: 'error',
        message: `one HTTP interface serves the whole process, so every session must have the same ${name} (set it in [DEFAULT]): session ${s.id.toString()} has ${b ? `"${b.value}"` : 'none'}, session ${first.id.toString()} has ${a ? `"${a.value}"` : 'none'}`,
      });
      break;
    }
  }
  const at = (loc: Located, setting: string, message: string): void => void problems.push({ file: loc.file, line: loc.line, setting, severity: 'error', message });
  const address = first.where('HttpAcceptAddress');
  if (address && !validHttpAddress(address.value)) at(address, 'HttpAcceptAddress', `invalid value "${address.value}": expected an IP address or a host name (default 127.0.0.1)`);
  const port = first.where('HttpAcceptPort');
  if (port) {
    const clash = sessions.find((s) => s.get('SocketAcceptPort') === port.value);
    if (clash) at(port, 'HttpAcceptPort', `port ${port.value} is also the SocketAcceptPort of session ${clash.id.toString()}: expected another port`);
  }
  const token = first.where('HttpAdminToken');
  const tokenFile = first.where('HttpAdminTokenFile');
  if (token && tokenFile) at(tokenFile, 'HttpAdminTokenFile', 'HttpAdminToken is set too: expected one of them');
  if (token) {
    const bad = adminTokenProblem(token.value);
    if (bad) at(token, 'HttpAdminToken', `expected ${bad}`);
  }
  if (tokenFile) {
    try {
      readAdminTokenFile(resolve(baseDir, tokenFile.value));
    } catch (e) {
      at(tokenFile, 'HttpAdminTokenFile', e instanceof Error ? e.message.replace(/^ENOENT: /, '') : String(e));
    }
  }
  const certFile = first.where('HttpCertificateFile');
  const keyFile = first.where('HttpCertificateKeyFile');
  const password = first.where('HttpCertificateKeyPassword');
  if (certFile && !keyFile) at(certFile, 'HttpCertificateFile', 'HttpCertificateKeyFile is not set: expected both, the certificate and its key (PEM), for HTTPS');
  else if (keyFile && !certFile) at(keyFile, 'HttpCertificateKeyFile', 'HttpCertificateFile is not set: expected both, the certificate and its key (PEM), for HTTPS');
  else if (password && !keyFile) at(password, 'HttpCertificateKeyPassword', 'no HttpCertificateKeyFile to decrypt: expected it with HttpCertificateFile');
  else if (certFile && keyFile) {
    try {
      readHttpTls(certFile.value, keyFile.value, password?.value, baseDir);
    } catch (e) {
      const setting = (e as { setting?: string }).setting ?? 'HttpCertificateFile';
      const loc = setting === 'HttpCertificateFile' ? certFile : setting === 'HttpCertificateKeyPassword' && password ? password : keyFile;
      at(loc, setting, e instanceof Error ? e.message : String(e));
    }
  }
}
