/**
 * Node TLS options from a session's {@link TlsSettings}: reads the certificate, key, trust and
 * revocation files (PEM or PKCS#12), checks them the way a handshake would use them (a wrong
 * password, a key that does not match its certificate, a file that is not a certificate all fail
 * here, naming the setting), and can read them again without a restart ({@link TlsContext.reload}).
 *
 * Java KeyStores (JKS) are read with jks-js; JCEKS ones are refused with the keytool command that
 * converts them to PKCS#12. PKCS#12 trust stores (QuickFIX/J's `SocketTrustStore`), which Node
 * cannot read, are read with node-forge.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import jks from 'jks-js';
import { FixoverError } from '../codec/errors.js';
import { TlsSettingsError, type KeyMaterial, type SettingFile, type TlsSettings } from './tls-settings.js';

/** The own certificate in use: who it names and until when it is valid. */
export interface CertificateInfo {
  /** The setting that names the file it came from. */
  readonly setting: string;
  readonly path: string;
  readonly subject: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

/** Node options made from the files, as last read. */
interface Material {
  readonly secure: tls.SecureContextOptions;
  readonly certificate: CertificateInfo | null;
}

const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;

function read(f: SettingFile): Buffer {
  try {
    return readFileSync(f.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a folder, not a file' : (e as Error).message;
    throw new TlsSettingsError(f.setting, `${f.path} ${why}`);
  }
}

const isPem = (b: Buffer): boolean => b.includes('-----BEGIN ');

/** `JKS` or `JCEKS` when `b` is a Java KeyStore (by its magic number, whatever the file's name), else null. */
function javaKeyStoreKind(b: Buffer): 'JKS' | 'JCEKS' | null {
  if (b.length < 4) return null;
  const magic = b.readUInt32BE(0);
  return magic === JKS_MAGIC ? 'JKS' : magic === JCEKS_MAGIC ? 'JCEKS' : null;
}

/** The entries of a JKS as PEM (jks-js); a JCEKS is refused with the command that converts it. */
function readJks(f: SettingFile, b: Buffer, password: string | undefined, passwordSetting: string): ReturnType<typeof jks.toPem> {
  if (javaKeyStoreKind(b) === 'JCEKS') {
    throw new TlsSettingsError(
      f.setting,
      `${f.path} is a Java KeyStore of type JCEKS, which fixover does not read; convert it to PKCS#12 (same password, ${passwordSetting}) and name the new file here: keytool -importkeystore -srckeystore ${f.path} -srcstoretype JCEKS -destkeystore ${f.path.replace(/\.(jks|jceks|ks)$/i, '')}.p12 -deststoretype PKCS12`,
    );
  }
  try {
    return jks.toPem(b, password ?? '');
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/password/i.test(msg)) throw new TlsSettingsError(passwordSetting, `wrong password for ${f.path} (${f.setting})`);
    throw new TlsSettingsError(f.setting, `${f.path} is not a readable Java KeyStore: ${msg}`);
  }
}

/** The `-----BEGIN …-----` blocks of a PEM text, by kind. */
function pemBlocks(text: string): Array<{ kind: string; pem: string }> {
  const out: Array<{ kind: string; pem: string }> = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ kind: m[1], pem: m[0] });
  return out;
}

function certificates(f: SettingFile, b: Buffer): string[] {
  const certs = pemBlocks(b.toString('latin1')).filter((x) => x.kind === 'CERTIFICATE' || x.kind === 'TRUSTED CERTIFICATE').map((x) => x.pem);
  if (certs.length === 0) throw new TlsSettingsError(f.setting, `${f.path} holds no certificate (expected PEM "-----BEGIN CERTIFICATE-----" blocks)`);
  for (const c of certs) {
    try {
      new X509Certificate(c);
    } catch (e) {
      throw new TlsSettingsError(f.setting, `${f.path}: a certificate that cannot be read: ${(e as Error).message}`);
    }
  }
  return certs;
}

function describe(setting: string, path: string, pem: string | Buffer): CertificateInfo {
  const x = new X509Certificate(pem);
  return { setting, path, subject: x.subject.replace(/\n/g, ', '), validFrom: new Date(x.validFrom), validTo: new Date(x.validTo) };
}

/** The own certificate of a PKCS#12 file, read through a context that holds it. */
function storeCertificate(setting: string, path: string, context: tls.SecureContext): CertificateInfo | null {
  const socket = new tls.TLSSocket(new net.Socket(), { secureContext: context, isServer: true });
  try {
    const raw = socket.getCertificate();
    if (!raw || !('raw' in raw) || !raw.raw) return null;
    return describe(setting, path, raw.raw);
  } finally {
    socket.destroy();
  }
}

/** Why OpenSSL refused key material, in words that say what to change. */
function keyProblem(e: unknown, m: KeyMaterial): TlsSettingsError {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string }).code ?? '';
  if (m.kind === 'store') {
    if (/mac verify failure|invalid password|bad decrypt/i.test(msg)) return new TlsSettingsError(m.passwordSetting, `wrong password for ${m.store.path} (${m.store.setting})`);
    if (/not enough data|header too long|asn1|wrong tag|PFX/i.test(msg)) return new TlsSettingsError(m.store.setting, `${m.store.path} is not a PKCS#12 key store nor PEM: ${msg}`);
    return new TlsSettingsError(m.store.setting, `${m.store.path}: ${msg}`);
  }
  const keyFile = m.key ?? m.cert;
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' || /key values mismatch/i.test(msg)) {
    return new TlsSettingsError(keyFile.setting, `the key in ${keyFile.path} does not match the certificate in ${m.cert.path} (${m.cert.setting})`);
  }
  if (/bad decrypt|bad password|interrupted or cancelled|no password|maybe wrong password/i.test(msg) || code === 'ERR_OSSL_BAD_DECRYPT') {
    return m.passphraseSetting
      ? new TlsSettingsError(m.passphraseSetting, `wrong password for the key in ${keyFile.path} (${keyFile.setting})`)
      : new TlsSettingsError(keyFile.setting, `the key in ${keyFile.path} is encrypted: give its password as CertificateKeyPassword`);
  }
  return new TlsSettingsError(keyFile.setting, `${keyFile.path}: not a usable private key: ${msg}`);
}

function ownMaterial(m: KeyMaterial): { options: tls.SecureContextOptions; info: () => CertificateInfo | null } {
  if (m.kind === 'pem') {
    const certBytes = read(m.cert);
    const certs = certificates(m.cert, certBytes);
    const keyFile = m.key ?? m.cert;
    const keyBytes = m.key ? read(m.key) : certBytes;
    const keys = pemBlocks(keyBytes.toString('latin1')).filter((x) => /PRIVATE KEY$/.test(x.kind));
    if (keys.length === 0) {
      throw new TlsSettingsError(keyFile.setting, m.key ? `${keyFile.path} holds no private key (expected a PEM "-----BEGIN PRIVATE KEY-----" block)` : `${m.cert.path} holds no private key: name the key file with ${m.cert.setting === 'ServerCertificateFile' ? 'ServerCertificateKeyFile' : m.cert.setting === 'ClientCertificateFile' ? 'ClientCertificateKeyFile' : 'SocketPrivateKeyFile'}`);
    }
    const options = { cert: certs.join('\n'), key: keys[0].pem, passphrase: m.passphrase };
    return { options, info: () => describe(m.cert.setting, m.cert.path, certs[0]) };
  }
  const bytes = read(m.store);
  const type = m.type?.toUpperCase();
  if (javaKeyStoreKind(bytes) || type === 'JKS' || type === 'JCEKS') {
    const entries = Object.entries(readJks(m.store, bytes, m.password, m.passwordSetting)).filter(([, e]) => e.key && e.cert);
    if (entries.length !== 1) {
      throw new TlsSettingsError(m.store.setting, entries.length === 0 ? `${m.store.path} holds no private key entry` : `${m.store.path} holds ${entries.length} private key entries (${entries.map(([a]) => a).join(', ')}); fixover uses a key store with one`);
    }
    const [, e] = entries[0];
    const certs = pemBlocks(e.cert!).map((x) => x.pem);
    return { options: { cert: e.cert, key: e.key }, info: () => describe(m.store.setting, m.store.path, certs[0]) };
  }
  if (type === 'PEM' || (type === undefined && isPem(bytes))) {
    return ownMaterial({ kind: 'pem', cert: m.store, key: null, passphrase: m.password, passphraseSetting: m.passwordSetting });
  }
  if (type !== undefined && type !== 'PKCS12') throw new TlsSettingsError('KeyStoreType', `unsupported key store type ${m.type}: expected PKCS12, JKS or PEM`);
  let context: tls.SecureContext | undefined;
  return {
    options: { pfx: bytes, passphrase: m.password },
    info: () => {
      context ??= tls.createSecureContext({ pfx: bytes, passphrase: m.password });
      return storeCertificate(m.store.setting, m.store.path, context);
    },
  };
}

function trustMaterial(list: TlsSettings['trust']): string[] | undefined {
  if (list.length === 0) return undefined;
  const out: string[] = [];
  for (const f of list) {
    if (f.directory) {
      let names: string[];
      try {
        if (!statSync(f.path).isDirectory()) throw new TlsSettingsError(f.setting, `${f.path} is not a folder`);
        names = readdirSync(f.path).sort();
      } catch (e) {
        if (e instanceof TlsSettingsError) throw e;
        throw new TlsSettingsError(f.setting, `${f.path} cannot be read: ${(e as Error).message}`);
      }
      for (const n of names) {
        const p = join(f.path, n);
        if (!statSync(p).isFile()) continue;
        const b = read({ setting: f.setting, path: p });
        if (isPem(b)) out.push(...certificates({ setting: f.setting, path: p }, b));
      }
      continue;
    }
    const b = read(f);
    const type = f.type?.toUpperCase();
    if (javaKeyStoreKind(b) || type === 'JKS' || type === 'JCEKS') {
      const entries = Object.values(readJks(f, b, f.password, 'SocketTrustStorePassword'));
      const pems = entries.flatMap((e) => pemBlocks(e.ca ?? e.cert ?? '').map((x) => x.pem));
      if (pems.length === 0) throw new TlsSettingsError(f.setting, `${f.path} holds no certificate`);
      out.push(...pems);
      continue;
    }
    if (type === 'PKCS12' || (type !== 'PEM' && !isPem(b))) out.push(...pkcs12Certificates(f, b));
    else out.push(...certificates(f, b));
  }
  return out;
}

/** The certificates of a PKCS#12 trust store (certificate bags; keys, if any, are not used). */
function pkcs12Certificates(f: SettingFile & { password?: string }, b: Buffer): string[] {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(b.toString('binary'))), f.password ?? '');
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/MAC could not be verified|Invalid password/i.test(msg)) return fail('SocketTrustStorePassword', `wrong password for ${f.path} (${f.setting})`);
    return fail(f.setting, `${f.path} is neither PEM nor a PKCS#12 trust store (${msg})`);
  }
  const bags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const pems = bags.flatMap((bag) => {
    if (bag.cert) return [forge.pki.certificateToPem(bag.cert)];
    // node-forge builds certificate objects for RSA keys only; others are taken as DER.
    if (bag.asn1) return [derToPem(Buffer.from(forge.asn1.toDer(bag.asn1).getBytes(), 'binary'))];
    return [];
  });
  if (pems.length === 0) return fail(f.setting, `${f.path} holds no certificate`);
  return pems;
}

function derToPem(der: Buffer): string {
  const body = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}

function fail(setting: string, message: string): never {
  throw new TlsSettingsError(setting, message);
}

function crlMaterial(list: readonly SettingFile[]): string[] | undefined {
  if (list.length === 0) return undefined;
  return list.map((f) => {
    const b = read(f);
    const crls = pemBlocks(b.toString('latin1')).filter((x) => x.kind === 'X509 CRL');
    if (crls.length === 0) throw new TlsSettingsError(f.setting, `${f.path} holds no revocation list (expected PEM "-----BEGIN X509 CRL-----")`);
    return crls.map((c) => c.pem).join('\n');
  });
}

/** Reads and checks every file of `s`; throws TlsSettingsError naming the setting at fault. */
function load(s: TlsSettings): Material {
  const own = s.keyMaterial ? ownMaterial(s.keyMaterial) : null;
  const ca = trustMaterial(s.trust);
  const crl = crlMaterial(s.crl);
  const secure: tls.SecureContextOptions = {
    ...(own?.options ?? {}),
    ca,
    crl,
    minVersion: s.minVersion,
    maxVersion: s.maxVersion,
    ciphers: s.ciphers,
  };
  try {
    tls.createSecureContext(secure);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (s.ciphers && /no cipher match|cipher/i.test(msg) && !/key|pkcs12|pfx|mac/i.test(msg)) {
      throw new TlsSettingsError('SSLCipherSuite', `no usable cipher in "${s.ciphers}": ${msg}`);
    }
    if (s.keyMaterial) throw keyProblem(e, s.keyMaterial);
    throw new TlsSettingsError(s.trust[0]?.setting ?? 'SocketUseSSL', msg);
  }
  let certificate: CertificateInfo | null = null;
  try {
    certificate = own ? own.info() : null;
  } catch {
    certificate = null;
  }
  return { secure, certificate };
}

/** Reloading certificates failed for some ports or sessions (they keep the files in use); `errors` says which and why. */
export class TlsReloadError extends FixoverError {
  override readonly code = 'FIXOVER_TLS_RELOAD';
  constructor(readonly errors: readonly Error[]) {
    super(`certificate reload failed: ${errors.map((e) => e.message).join('; ')}`);
  }
}

/**
 * Reloads each of `contexts` on its own: one that fails keeps its files in use and neither stops
 * the others nor hides their errors. Throws one {@link TlsReloadError} naming every failure.
 * @internal
 */
export function reloadEach(contexts: Iterable<{ reload(): void }>): void {
  const errors: Error[] = [];
  for (const c of contexts) {
    try {
      c.reload();
    } catch (e) {
      if (e instanceof TlsReloadError) errors.push(...e.errors);
      else errors.push(e instanceof Error ? e : new Error(String(e)));
    }
  }
  if (errors.length > 0) throw new TlsReloadError(errors);
}

/** A handshake failed or a peer was refused after it: who and why. */
export interface TlsFailure {
  readonly remote: string;
  readonly reason: string;
  /** Failures counted so far by whoever reports it (acceptor or initiator session). */
  readonly count: number;
}

/**
 * The TLS side of one acceptor port or initiator session: Node options from the files, read
 * again on {@link reload}.
 */
export class TlsContext {
  private material: Material;

  /** @throws TlsSettingsError when a file is missing, unreadable or wrong */
  constructor(readonly settings: TlsSettings) {
    this.material = load(settings);
  }

  /** The files of {@link settings} that `setting` names (an own certificate, key or store, a trust file or folder, a revocation list). */
  private filesOf(setting: string): string[] {
    const s = this.settings;
    const out = new Set<string>();
    const m = s.keyMaterial;
    if (m?.kind === 'pem') {
      if (m.cert.setting === setting) out.add(m.cert.path);
      if (m.key?.setting === setting) out.add(m.key.path);
      if (m.passphraseSetting === setting) out.add((m.key ?? m.cert).path);
    } else if (m?.kind === 'store' && (m.store.setting === setting || m.passwordSetting === setting)) out.add(m.store.path);
    for (const f of [...s.trust, ...s.crl]) if (f.setting === setting) out.add(f.path);
    return [...out];
  }

  /** The own certificate (subject, validity), or null when there is none (an initiator without client certificate). */
  get certificate(): CertificateInfo | null {
    return this.material.certificate;
  }

  /**
   * Reads the files again. On success new connections use them (established ones keep theirs);
   * on failure the files in use stay and the TlsSettingsError is thrown, naming the file at fault
   * (`file`) when the setting names one.
   */
  reload(): void {
    try {
      this.material = load(this.settings);
    } catch (e) {
      // Name the file at fault (the message may only name the setting, e.g. a wrong password).
      if (e instanceof TlsSettingsError && e.file === undefined) {
        const files = this.filesOf(e.setting);
        const named = files.find((f) => e.problem.includes(f)) ?? files[0];
        if (named !== undefined) throw new TlsSettingsError(e.setting, e.problem, named);
      }
      throw e;
    }
  }

  /** Options of a listening socket (`tls.createServer`). */
  serverOptions(): tls.TlsOptions {
    return { ...this.material.secure, requestCert: this.settings.requestCert, rejectUnauthorized: this.settings.rejectUnauthorized };
  }

  /** Options of a connection to `host:port`; `session` resumes an earlier TLS session with that server. */
  clientOptions(host: string, port: number, session?: Buffer): tls.ConnectionOptions {
    const s = this.settings;
    const name = s.serverName ?? (net.isIP(host) ? undefined : host);
    const opts: tls.ConnectionOptions = {
      ...this.material.secure,
      host,
      port,
      rejectUnauthorized: s.rejectUnauthorized,
      servername: s.useSni ? name : '',
      session,
    };
    if (!s.checkHostname) opts.checkServerIdentity = () => undefined;
    else if (s.serverName) opts.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(s.serverName!, cert);
    return opts;
  }

  /** Days until the own certificate expires (negative: expired), or null without one. */
  daysLeft(now: number = Date.now()): number | null {
    const c = this.material.certificate;
    return c ? (c.validTo.getTime() - now) / 86_400_000 : null;
  }

  /** A warning when the own certificate expires within `expiryWarningDays` (or has expired), else null. */
  expiryWarning(now: number = Date.now()): string | null {
    const c = this.material.certificate;
    const days = this.daysLeft(now);
    if (!c || days === null || days > this.settings.expiryWarningDays) return null;
    if (days <= 0) return `the certificate in ${c.path} (${c.setting}, ${c.subject}) expired on ${c.validTo.toISOString()}`;
    return `the certificate in ${c.path} (${c.setting}, ${c.subject}) expires on ${c.validTo.toISOString()}, in ${Math.floor(days)} day(s)`;
  }
}
