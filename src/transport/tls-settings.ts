/**
 * TLS settings of one session, read from QuickFIX settings (QuickFIX/J, QuickFIX C++ and
 * QuickFIX/Go names) into one description. Pure: no file is read here (see `tls.ts`); a value
 * that cannot work is a {@link TlsSettingsError} naming the setting.
 *
 * TLS is on with `SocketUseSSL=Y`, and also when `SocketUseSSL` is not given but key material
 * is (`ServerCertificateFile`, `SocketKeyStore`, …): a session configured with certificates never
 * runs in plaintext by omission. `SocketUseSSL=N` next to key material is plaintext, said as a
 * warning by the settings reader.
 */
import { getCiphers } from 'node:tls';
import { resolve } from 'node:path';
import { FixoverError } from '../codec/errors.js';

/** A TLS setting cannot be applied: `setting` names it (its file and line are added by the settings reader). */
export class TlsSettingsError extends FixoverError {
  /** Error code, for programs that sort errors. */
  override readonly code = 'FIXOVER_TLS_SETTINGS';
  constructor(
    /** The setting at fault, e.g. `ServerCertificateKeyFile`. */
    readonly setting: string,
    /** What is wrong, without the setting's name. */
    readonly problem: string,
    /** The file the setting names, when known (set on the errors of `TlsContext.reload`). */
    readonly file?: string,
  ) {
    super(`${setting}: ${problem}`);
  }
}

/** TLS protocol versions fixover (Node) can negotiate, oldest first. */
export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
/** A TLS protocol version name as Node names it. */
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** How an acceptor binds a client certificate to the session's CompID (`CertificateCompIDBinding`). */
export type CompIdBinding = 'none' | 'cn' | 'san' | 'any';
/** The values of `CertificateCompIDBinding`. */
export const COMP_ID_BINDINGS: readonly CompIdBinding[] = ['none', 'cn', 'san', 'any'];

/** A file named by a setting (path resolved from the settings file's folder). */
export interface SettingFile {
  readonly setting: string;
  readonly path: string;
}

/** Where the own certificate and key come from. */
export type KeyMaterial =
  | { readonly kind: 'pem'; readonly cert: SettingFile; readonly key: SettingFile | null; readonly passphrase?: string; readonly passphraseSetting?: string }
  | { readonly kind: 'store'; readonly store: SettingFile; readonly type: string | undefined; readonly password?: string; readonly passwordSetting: string };

/** Everything TLS a session asks for. */
export interface TlsSettings {
  readonly role: 'acceptor' | 'initiator';
  /** The own certificate: required on an acceptor, optional on an initiator (client certificate). */
  readonly keyMaterial: KeyMaterial | null;
  /** Trusted certificate authorities (files or folders of PEM files), or PKCS#12 / PEM trust stores. */
  readonly trust: ReadonlyArray<SettingFile & { readonly directory?: boolean; readonly password?: string; readonly type?: string }>;
  /** Certificate revocation lists (PEM). */
  readonly crl: readonly SettingFile[];
  /** Acceptor: ask the client for a certificate. */
  readonly requestCert: boolean;
  /** Acceptor: refuse a client without a valid certificate. Initiator: refuse a server whose certificate does not verify. */
  readonly rejectUnauthorized: boolean;
  /** Initiator: check that the server's certificate names the host (`EndpointIdentificationAlgorithm=HTTPS`, the default). */
  readonly checkHostname: boolean;
  /** Initiator: the name sent as SNI (and checked), when not the host itself. */
  readonly serverName?: string;
  /** Initiator: send SNI (`UseSNI`, default Y). */
  readonly useSni: boolean;
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
  /** OpenSSL cipher list (TLS 1.2 and older suites, then TLS 1.3 suites). */
  readonly ciphers?: string;
  /** Acceptor: the client certificate must name the session's TargetCompID. */
  readonly compIdBinding: CompIdBinding;
  /** Warn when the own certificate expires within this many days (default 30). */
  readonly expiryWarningDays: number;
}

type Values = Readonly<Record<string, string | undefined>>;

/** Settings that carry key material or trust: any of them turns TLS on unless `SocketUseSSL=N`. */
export const TLS_MATERIAL_SETTINGS = [
  'SocketKeyStore',
  'SocketTrustStore',
  'ServerCertificateFile',
  'ServerCertificateKeyFile',
  'ClientCertificateFile',
  'ClientCertificateKeyFile',
  'SocketCertificateFile',
  'SocketPrivateKeyFile',
] as const;

/** Every setting read here (the settings reader checks that the sessions of one port agree on them). */
export const TLS_SETTING_NAMES = [
  'SocketUseSSL',
  ...TLS_MATERIAL_SETTINGS,
  'SocketKeyStorePassword',
  'KeyStoreType',
  'SocketTrustStorePassword',
  'TrustStoreType',
  'NeedClientAuth',
  'EnabledProtocols',
  'CipherSuites',
  'UseSNI',
  'SNIHostName',
  'EndpointIdentificationAlgorithm',
  'SSLProtocol',
  'SSLCipherSuite',
  'TLSCipherSuites',
  'CertificateAuthoritiesFile',
  'CertificateAuthoritiesDirectory',
  'CertificateRevocationListFile',
  'CertificateVerifyLevel',
  'CertificateKeyPassword',
  'SocketCAFile',
  'SocketMinimumTLSVersion',
  'SocketServerName',
  'SocketInsecureSkipVerify',
  'CertificateCompIDBinding',
  'CertificateExpiryWarningDays',
] as const;

const yes = (v: string | undefined): boolean => (v ?? '').trim().toUpperCase() === 'Y';
const given = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** True when the session asks for TLS (see the module comment). */
export function tlsRequested(s: Values): boolean {
  if (given(s.SocketUseSSL)) return yes(s.SocketUseSSL);
  return TLS_MATERIAL_SETTINGS.some((n) => given(s[n]));
}

/** The key material settings given although `SocketUseSSL=N` (to warn about), else []. */
export function ignoredTlsMaterial(s: Values): string[] {
  if (!given(s.SocketUseSSL) || yes(s.SocketUseSSL)) return [];
  return TLS_MATERIAL_SETTINGS.filter((n) => given(s[n]));
}

/**
 * The TLS description of a session, or null when it does not ask for TLS.
 * @param baseDir folder relative file names are resolved from (the settings file's folder)
 * @throws TlsSettingsError naming the setting whose value cannot work
 */
export function tlsSettingsFrom(s: Values, baseDir: string = process.cwd()): TlsSettings | null {
  if (!tlsRequested(s)) return null;
  const role = (s.ConnectionType ?? 'acceptor').trim().toLowerCase() === 'initiator' ? 'initiator' : 'acceptor';
  const file = (setting: string): SettingFile | null => (given(s[setting]) ? { setting, path: resolve(baseDir, s[setting]!.trim()) } : null);
  const keyMaterial = keyMaterialFrom(s, role, file);
  if (role === 'acceptor' && !keyMaterial) {
    throw new TlsSettingsError(
      'SocketUseSSL',
      'a TLS acceptor needs its certificate and key: ServerCertificateFile and ServerCertificateKeyFile (PEM), or SocketKeyStore (PKCS#12 or PEM) with SocketKeyStorePassword',
    );
  }
  const trust: Array<SettingFile & { directory?: boolean; password?: string; type?: string }> = [];
  for (const n of ['CertificateAuthoritiesFile', 'SocketCAFile']) {
    const f = file(n);
    if (f) trust.push(f);
  }
  const dir = file('CertificateAuthoritiesDirectory');
  if (dir) trust.push({ ...dir, directory: true });
  const store = file('SocketTrustStore');
  if (store) trust.push({ ...store, password: s.SocketTrustStorePassword, type: s.TrustStoreType?.trim() || undefined });
  const crl = [file('CertificateRevocationListFile')].filter((f): f is SettingFile => f !== null);

  const { requestCert, rejectUnauthorized } = verification(s, role);
  if (role === 'acceptor' && requestCert && trust.length === 0) {
    throw new TlsSettingsError(
      given(s.NeedClientAuth) ? 'NeedClientAuth' : 'CertificateVerifyLevel',
      'checking client certificates needs the certificate authorities that issue them: SocketTrustStore or CertificateAuthoritiesFile',
    );
  }
  const compIdBinding = bindingFrom(s.CertificateCompIDBinding);
  if (compIdBinding !== 'none' && (role !== 'acceptor' || !requestCert || !rejectUnauthorized)) {
    throw new TlsSettingsError(
      'CertificateCompIDBinding',
      role !== 'acceptor' ? 'binds client certificates to CompIDs on an acceptor; an initiator has none to check' : 'needs verified client certificates: NeedClientAuth=Y (or CertificateVerifyLevel=1)',
    );
  }
  const endpointId = s.EndpointIdentificationAlgorithm;
  if (given(endpointId) && !['HTTPS', 'NONE'].includes(endpointId.trim().toUpperCase())) {
    throw new TlsSettingsError('EndpointIdentificationAlgorithm', `unsupported value "${endpointId}": expected HTTPS (check the server's host name, the default), or NONE or an empty value (no host name check)`);
  }
  const warningDays = s.CertificateExpiryWarningDays;
  if (given(warningDays) && !/^\d+$/.test(warningDays.trim())) throw new TlsSettingsError('CertificateExpiryWarningDays', `invalid value "${warningDays}": expected a number of days`);
  return {
    role,
    keyMaterial,
    trust,
    crl,
    requestCert,
    rejectUnauthorized,
    checkHostname: endpointId === undefined || endpointId.trim().toUpperCase() === 'HTTPS',
    serverName: (s.SNIHostName ?? s.SocketServerName)?.trim() || undefined,
    useSni: s.UseSNI === undefined ? true : yes(s.UseSNI),
    ...versionsFrom(s),
    ciphers: ciphersFrom(s),
    compIdBinding,
    expiryWarningDays: given(warningDays) ? Number(warningDays) : 30,
  };
}

function keyMaterialFrom(s: Values, role: 'acceptor' | 'initiator', file: (n: string) => SettingFile | null): KeyMaterial | null {
  const passphrase = s.CertificateKeyPassword ?? s.SocketKeyStorePassword;
  const passphraseSetting = s.CertificateKeyPassword !== undefined ? 'CertificateKeyPassword' : s.SocketKeyStorePassword !== undefined ? 'SocketKeyStorePassword' : undefined;
  const pairs: Array<[string, string]> =
    role === 'acceptor'
      ? [
          ['ServerCertificateFile', 'ServerCertificateKeyFile'],
          ['SocketCertificateFile', 'SocketPrivateKeyFile'],
        ]
      : [
          ['ClientCertificateFile', 'ClientCertificateKeyFile'],
          ['SocketCertificateFile', 'SocketPrivateKeyFile'],
        ];
  for (const [certName, keyName] of pairs) {
    const cert = file(certName);
    const key = file(keyName);
    if (key && !cert) throw new TlsSettingsError(keyName, `a key without its certificate: set ${certName} too`);
    if (cert) return { kind: 'pem', cert, key, passphrase, passphraseSetting };
  }
  const store = file('SocketKeyStore');
  if (store) return { kind: 'store', store, type: s.KeyStoreType?.trim() || undefined, password: s.SocketKeyStorePassword, passwordSetting: 'SocketKeyStorePassword' };
  const other = role === 'acceptor' ? 'ClientCertificateFile' : 'ServerCertificateFile';
  if (given(s[other])) {
    throw new TlsSettingsError(other, `is the ${role === 'acceptor' ? 'initiator' : 'acceptor'}'s certificate; an ${role} uses ${role === 'acceptor' ? 'ServerCertificateFile and ServerCertificateKeyFile' : 'ClientCertificateFile and ClientCertificateKeyFile'}`);
  }
  return null;
}

/** `NeedClientAuth` (QuickFIX/J), `CertificateVerifyLevel` (QuickFIX C++: 0 none, 1 required, 2 optional), `SocketInsecureSkipVerify` (QuickFIX/Go). */
function verification(s: Values, role: 'acceptor' | 'initiator'): { requestCert: boolean; rejectUnauthorized: boolean } {
  if (role === 'initiator') return { requestCert: false, rejectUnauthorized: !yes(s.SocketInsecureSkipVerify) };
  if (yes(s.NeedClientAuth)) return { requestCert: true, rejectUnauthorized: true };
  const level = s.CertificateVerifyLevel?.trim();
  if (level === undefined || level === '' || level === '0') return { requestCert: false, rejectUnauthorized: false };
  if (level === '1') return { requestCert: true, rejectUnauthorized: true };
  if (level === '2') return { requestCert: true, rejectUnauthorized: false };
  throw new TlsSettingsError('CertificateVerifyLevel', `invalid value "${level}": expected 0 (no client certificate), 1 (required and verified) or 2 (verified when given)`);
}

function bindingFrom(v: string | undefined): CompIdBinding {
  if (!given(v)) return 'none';
  const b = v.trim().toLowerCase();
  if ((COMP_ID_BINDINGS as readonly string[]).includes(b)) return b as CompIdBinding;
  throw new TlsSettingsError('CertificateCompIDBinding', `invalid value "${v}": expected ${COMP_ID_BINDINGS.join(', ')}`);
}

const VERSION_ALIASES: Record<string, TlsVersion | 'SSLv2' | 'SSLv3'> = {
  sslv2: 'SSLv2',
  sslv3: 'SSLv3',
  ssl30: 'SSLv3',
  tlsv1: 'TLSv1',
  'tlsv1.0': 'TLSv1',
  tls10: 'TLSv1',
  'tlsv1.1': 'TLSv1.1',
  tls11: 'TLSv1.1',
  'tlsv1.2': 'TLSv1.2',
  tls12: 'TLSv1.2',
  'tlsv1.3': 'TLSv1.3',
  tls13: 'TLSv1.3',
};

/** `EnabledProtocols` (QuickFIX/J list), `SSLProtocol` (QuickFIX C++ `all -SSLv3 +TLSv1.2` form), `SocketMinimumTLSVersion` (QuickFIX/Go). */
function versionsFrom(s: Values): { minVersion?: TlsVersion; maxVersion?: TlsVersion } {
  let set: Set<string> | null = null;
  let setting = '';
  if (given(s.EnabledProtocols)) {
    setting = 'EnabledProtocols';
    set = new Set(s.EnabledProtocols.split(/[\s,]+/).filter(Boolean).map((p) => version(setting, p)));
  } else if (given(s.SSLProtocol)) {
    setting = 'SSLProtocol';
    set = new Set();
    for (const token of s.SSLProtocol.split(/\s+/).filter(Boolean)) {
      const sign = token[0] === '-' ? '-' : '+';
      const name = token.replace(/^[+-]/, '');
      const names = name.toLowerCase() === 'all' ? ['SSLv2', 'SSLv3', ...TLS_VERSIONS] : [version(setting, name)];
      for (const n of names) {
        if (sign === '+') set.add(n);
        else set.delete(n);
      }
    }
  }
  let out: { minVersion?: TlsVersion; maxVersion?: TlsVersion } = {};
  if (set) {
    const usable = TLS_VERSIONS.filter((v) => set.has(v));
    if (usable.length === 0) throw new TlsSettingsError(setting, `enables no protocol fixover can use: expected some of ${TLS_VERSIONS.join(', ')} (SSLv2 and SSLv3 are not available)`);
    out = { minVersion: usable[0], maxVersion: usable[usable.length - 1] };
  }
  if (given(s.SocketMinimumTLSVersion)) {
    const v = version('SocketMinimumTLSVersion', s.SocketMinimumTLSVersion.trim());
    if (v === 'SSLv2' || v === 'SSLv3') throw new TlsSettingsError('SocketMinimumTLSVersion', `${s.SocketMinimumTLSVersion} is not available: expected TLS10, TLS11, TLS12 or TLS13`);
    out.minVersion = v as TlsVersion;
  }
  return out;
}

function version(setting: string, name: string): TlsVersion | 'SSLv2' | 'SSLv3' {
  const v = VERSION_ALIASES[name.toLowerCase()];
  if (!v) throw new TlsSettingsError(setting, `unknown protocol "${name}": expected ${TLS_VERSIONS.join(', ')}`);
  return v;
}

/** OpenSSL names of the ciphers this Node supports, upper-case. */
let known: Set<string> | undefined;
const knownCiphers = (): Set<string> => (known ??= new Set(getCiphers().map((c) => c.toUpperCase())));

/**
 * The OpenSSL name of a cipher suite given by its standard (IANA, Java) name, e.g.
 * `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` → `ECDHE-RSA-AES128-GCM-SHA256`; TLS 1.3 suites
 * (`TLS_AES_128_GCM_SHA256`) and OpenSSL names are returned as they are.
 */
export function opensslCipherName(name: string): string {
  const m = /^(?:TLS|SSL)_(.+?)_WITH_(.+)$/.exec(name.trim().toUpperCase());
  if (!m) return name.trim();
  const kx = { ECDHE_RSA: 'ECDHE-RSA-', ECDHE_ECDSA: 'ECDHE-ECDSA-', DHE_RSA: 'DHE-RSA-', DHE_DSS: 'DHE-DSS-', RSA: '' }[m[1]];
  const c = /^(AES_(\d+)_(GCM|CBC|CCM)|CHACHA20_POLY1305|CAMELLIA_(\d+)_CBC)_(SHA384|SHA256|SHA)$/.exec(m[2]);
  if (kx === undefined || !c) return name.trim();
  const mac = c[5];
  if (c[1] === 'CHACHA20_POLY1305') return `${kx}CHACHA20-POLY1305`;
  if (c[4]) return `${kx}CAMELLIA${c[4]}-${mac}`;
  if (c[3] === 'GCM') return `${kx}AES${c[2]}-GCM-${mac}`;
  if (c[3] === 'CCM') return `${kx}AES${c[2]}-CCM`;
  return `${kx}AES${c[2]}-${mac}`;
}

/** `CipherSuites` (QuickFIX/J: standard names, comma-separated), `SSLCipherSuite` (QuickFIX C++: an OpenSSL cipher string) and `TLSCipherSuites` (TLS 1.3 suites). */
function ciphersFrom(s: Values): string | undefined {
  const parts: string[] = [];
  if (given(s.CipherSuites)) {
    for (const name of s.CipherSuites.split(/[\s,]+/).filter(Boolean)) {
      const openssl = opensslCipherName(name);
      if (!knownCiphers().has(openssl.toUpperCase())) {
        throw new TlsSettingsError('CipherSuites', `unknown or unavailable cipher suite "${name}": expected standard names such as TLS_AES_128_GCM_SHA256 or TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (available here: ${[...knownCiphers()].slice(0, 12).join(', ')}, …)`);
      }
      parts.push(openssl);
    }
  }
  if (given(s.SSLCipherSuite)) parts.push(s.SSLCipherSuite.trim());
  if (given(s.TLSCipherSuites)) parts.push(...s.TLSCipherSuites.split(/[\s,:]+/).filter(Boolean));
  return parts.length > 0 ? parts.join(':') : undefined;
}
