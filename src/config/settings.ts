/**
 * QuickFIX settings: `[DEFAULT]` and `[SESSION]` sections (any case), `Key=Value` lines, `#` and
 * `;` comments, `${VAR}` from the environment. DEFAULT values apply to every session that does not
 * set them. Every value keeps the file and line it came from; every problem is collected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { SHIPPED_DICTIONARIES, shippedDictionaryPath } from '../dictionary/load.js';
import { SessionID } from '../session/session-id.js';
import { closestName, specOf, SETTINGS } from './setting-names.js';
import { checkValue } from './value-checks.js';
import { parseDiscovery } from '../cluster/discovery-uri.js';
import { ClusterSettingsError, readClusterSecret } from '../cluster/config.js';
import { SettingsError, type SettingsProblem } from './problems.js';
import { failoverConfigFromSettings, FAILOVER_URI_ON_ACCEPTOR } from '../transport/quickfix-settings.js';
import { FailoverSettingsError } from '../transport/errors.js';
import { checkHttpSettings } from './http-settings.js';
import { ignoredTlsMaterial, TlsSettingsError, tlsSettingsFrom } from '../transport/tls-settings.js';
import { TlsContext } from '../transport/tls.js';
import { CredentialFile, CredentialFileError } from '../auth/credentials.js';

/** A value with where it was written. */
export interface Located {
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

/** One session's effective settings (DEFAULT merged in, aliases resolved to canonical names). */
export class SessionSettings {
  constructor(
    readonly id: SessionID,
    private readonly values: ReadonlyMap<string, Located>,
  ) {}

  /** The value of a setting (its default from the schema when not set), or undefined. */
  get(name: string): string | undefined {
    return this.values.get(name)?.value ?? SETTINGS.find((s) => s.name === name)?.dflt;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  getBool(name: string): boolean {
    return this.get(name) === 'Y';
  }

  getInt(name: string): number | undefined {
    const v = this.get(name);
    return v === undefined ? undefined : Number(v);
  }

  /** Where a setting was written. */
  where(name: string): Located | undefined {
    return this.values.get(name);
  }

  /** Plain name→value map of what was set (no schema defaults), for the engine. */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.values) out[k] = v.value;
    return out;
  }
}

/** Parsed settings: each session's settings (defaults merged in), the problems found, and the folder relative paths resolve from. */
export interface Settings {
  readonly sessions: readonly SessionSettings[];
  readonly problems: readonly SettingsProblem[];
  /** The folder of the settings file (relative paths resolve from there). */
  readonly baseDir: string;
}

interface RawSection {
  kind: 'default' | 'session';
  line: number;
  values: Map<string, Located>;
}

const ENV = /\$\{([^}]+)\}/g;
/** A UTF-8 byte order mark as read in latin1. */
const UTF8_BOM = '\xef\xbb\xbf';

/** Splits text into sections; problems for lines that are not `key=value`. */
function readSections(text: string, file: string, env: NodeJS.ProcessEnv, problems: SettingsProblem[]): RawSection[] {
  const sections: RawSection[] = [];
  let current: RawSection | null = null;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const t = raw.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) return;
    const header = /^\[\s*([A-Za-z]+)\s*\]$/.exec(t);
    if (header) {
      const kind = header[1].toLowerCase();
      if (kind !== 'default' && kind !== 'session') {
        problems.push({ file, line, setting: '', severity: 'error', message: `unknown section [${header[1]}]: expected [DEFAULT] or [SESSION]` });
        current = null;
        return;
      }
      current = { kind, line, values: new Map() };
      sections.push(current);
      return;
    }
    const eq = t.indexOf('=');
    if (eq <= 0) {
      problems.push({ file, line, setting: '', severity: 'error', message: `not a setting: "${t}" (expected Name=Value)` });
      return;
    }
    if (!current) {
      problems.push({ file, line, setting: t.slice(0, eq).trim(), severity: 'error', message: 'setting outside a [DEFAULT] or [SESSION] section' });
      return;
    }
    const name = t.slice(0, eq).trim();
    const value = t.slice(eq + 1).trim().replace(ENV, (_m, v: string) => {
      const found = env[v];
      if (found === undefined) problems.push({ file, line, setting: name, severity: 'error', message: `environment variable ${v} is not set` });
      return found ?? '';
    });
    const first = current.values.get(name);
    if (first) problems.push({ file, line, setting: name, severity: 'warning', message: `set twice in this section (first at line ${first.line}); this value, "${value}", is used` });
    current.values.set(name, { value, file, line });
  });
  return sections;
}

/** A control byte no settings text holds (tab, line feed, vertical tab, form feed and carriage return are text). */
const isBinary = (c: number): boolean => c < 0x09 || (c > 0x0d && c < 0x20) || c === 0x7f;

/** One problem for a file that is not text (its bytes would otherwise be echoed back as settings errors), else null. */
function binaryContent(text: string, file: string): SettingsProblem | null {
  let at = 0;
  while (at < text.length && !isBinary(text.charCodeAt(at))) at++;
  if (at === text.length) return null;
  const line = text.slice(0, at).split('\n').length;
  const byte = text.charCodeAt(at).toString(16).padStart(2, '0');
  return { file, line, setting: '', severity: 'error', message: `not a settings file: binary content (byte 0x${byte}); expected QuickFIX settings text ([DEFAULT] and [SESSION] sections of Name=Value lines)` };
}

/** The dictionary settings: a path that does not exist falls back to the shipped dictionary of that name, which is said; none at all is an error. */
function checkDictionaryPaths(values: ReadonlyMap<string, Located>, baseDir: string, problems: SettingsProblem[], reported: Set<string>): void {
  for (const [name, loc] of values) {
    if (!/^(DataDictionary|TransportDataDictionary|AppDataDictionary(\..*)?)$/.test(name) || loc.value === '') continue;
    const key = `${loc.file}:${loc.line}`;
    if (reported.has(key)) continue;
    const direct = resolve(baseDir, loc.value);
    if (existsSync(direct)) continue;
    reported.add(key);
    const shipped = shippedDictionaryPath(basename(loc.value));
    const at = { file: loc.file, line: loc.line, setting: name };
    if (shipped !== undefined && existsSync(shipped)) {
      problems.push({ ...at, severity: 'notice', message: `${direct} does not exist; using the dictionary shipped with fixover, ${shipped}` });
    } else {
      problems.push({ ...at, severity: 'error', message: `${direct} does not exist (and ${basename(loc.value)} is not a shipped dictionary: ${SHIPPED_DICTIONARIES.join(', ')})` });
    }
  }
}

/** Checks names and values of one section, resolving aliases to canonical names. */
function checkSection(section: RawSection, problems: SettingsProblem[], reported: Set<string>, invalid: Set<string>): Map<string, Located> {
  const out = new Map<string, Located>();
  for (const [name, loc] of section.values) {
    const spec = specOf(name);
    const at = { file: loc.file, line: loc.line, setting: name };
    if (!spec) {
      const hint = closestName(name);
      problems.push({ ...at, severity: 'warning', message: `unknown setting${hint ? `; did you mean ${hint}?` : ''}` });
      continue;
    }
    const bad = checkValue(spec, loc.value);
    if (bad) {
      problems.push({ ...at, severity: 'error', message: `invalid value "${loc.value}": expected ${bad}` });
      invalid.add(spec.aliasOf ?? name);
      continue;
    }
    if (!spec.supported && !reported.has(spec.name)) {
      reported.add(spec.name);
      problems.push({ ...at, severity: 'notice', message: `recognised but not supported; it has no effect: ${spec.reason ?? 'not implemented yet'}` });
    }
    out.set(spec.aliasOf ?? name, loc);
  }
  return out;
}

/** Parses settings text. Never throws: problems are returned with the sessions that could be built. */
export function parseSettings(text: string, file = '<string>', env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): Settings {
  const binary = binaryContent(text, file);
  if (binary) return { sessions: [], problems: [binary], baseDir };
  const problems: SettingsProblem[] = [];
  const sections = readSections(text.startsWith(UTF8_BOM) ? text.slice(UTF8_BOM.length) : text, file, env, problems);
  const reported = new Set<string>();
  const defaults = new Map<string, Located>();
  const invalidDefaults = new Set<string>();
  for (const s of sections) if (s.kind === 'default') for (const [k, v] of checkSection(s, problems, reported, invalidDefaults)) defaults.set(k, v);
  const sessions: SessionSettings[] = [];
  const seen = new Map<string, number>();
  const dictionaries = new Set<string>();
  const tlsChecked = new Map<string, SettingsProblem | null>();
  for (const s of sections) {
    if (s.kind !== 'session') continue;
    const values = new Map(defaults);
    const invalid = new Set(invalidDefaults);
    for (const [k, v] of checkSection(s, problems, reported, invalid)) values.set(k, v);
    checkDictionaryPaths(values, baseDir, problems, dictionaries);
    const session = buildSession(values, file, s.line, problems, invalid, baseDir, tlsChecked);
    if (!session) continue;
    const key = session.id.toString();
    if (seen.has(key)) {
      problems.push({ file, line: s.line, setting: '', severity: 'error', message: `session ${key} is defined twice (first at line ${seen.get(key)})` });
      continue;
    }
    seen.set(key, s.line);
    sessions.push(session);
  }
  checkHttpSettings(sessions, baseDir, problems);
  if (sections.every((s) => s.kind !== 'session')) problems.push({ file, line: 0, setting: '', severity: 'error', message: 'no [SESSION] section' });
  return { sessions, problems, baseDir };
}

function buildSession(values: Map<string, Located>, file: string, line: number, problems: SettingsProblem[], invalid: Set<string>, baseDir: string, tlsChecked: Map<string, SettingsProblem | null>): SessionSettings | null {
  const missing = ['BeginString', 'SenderCompID', 'TargetCompID', 'ConnectionType'].filter((n) => !values.get(n)?.value);
  for (const n of missing) if (!invalid.has(n)) problems.push({ file, line, setting: n, severity: 'error', message: 'required setting is missing from this session (and from [DEFAULT])' });
  if (missing.length > 0) return null;
  const v = (n: string): string | undefined => values.get(n)?.value || undefined;
  const id = new SessionID({
    beginString: v('BeginString')!,
    senderCompID: v('SenderCompID')!,
    targetCompID: v('TargetCompID')!,
    senderSubID: v('SenderSubID'),
    senderLocationID: v('SenderLocationID'),
    targetSubID: v('TargetSubID'),
    targetLocationID: v('TargetLocationID'),
    qualifier: v('SessionQualifier'),
  });
  const at = (n: string): { file: string; line: number } => values.get(n) ?? { file, line };
  if (id.isFIXT && !v('DefaultApplVerID')) {
    problems.push({ ...at('BeginString'), setting: 'DefaultApplVerID', severity: 'error', message: 'required for FIXT.1.1 sessions (e.g. FIX.5.0SP2)' });
  }
  const role = v('ConnectionType')!.toLowerCase();
  if (role === 'acceptor' && !v('SocketAcceptPort') && !invalid.has('SocketAcceptPort')) {
    problems.push({ file, line, setting: 'SocketAcceptPort', severity: 'error', message: 'required for an acceptor session' });
  }
  if (role === 'acceptor' && v('SocketConnectURI')) {
    problems.push({ ...at('SocketConnectURI'), setting: 'SocketConnectURI', severity: 'error', message: FAILOVER_URI_ON_ACCEPTOR });
  }
  if (role === 'initiator') {
    if (!v('SocketConnectPort') && !v('SocketConnectURI') && !invalid.has('SocketConnectPort')) {
      problems.push({ file, line, setting: 'SocketConnectPort', severity: 'error', message: 'required for an initiator session (or SocketConnectURI=failover:(tcp://host:port,…))' });
    } else if (![...invalid].some((n) => /^(SocketConnect|ReconnectInterval|HostSelectionPolicy)/.test(n))) {
      checkFailover(values, at, problems);
    }
    if (!v('HeartBtInt') && !invalid.has('HeartBtInt')) problems.push({ file, line, setting: 'HeartBtInt', severity: 'error', message: 'required for an initiator session' });
  }
  checkCluster(v, at, role, problems, invalid, baseDir);
  checkTls(values, at, problems, baseDir, tlsChecked);
  checkCredentials(values, at, problems, baseDir, tlsChecked);
  if ((v('StartTime') === undefined) !== (v('EndTime') === undefined)) {
    problems.push({ ...at(v('StartTime') ? 'StartTime' : 'EndTime'), setting: v('StartTime') ? 'EndTime' : 'StartTime', severity: 'error', message: 'StartTime and EndTime go together' });
  }
  return new SessionSettings(id, values);
}

/** Settings that make an acceptor a cluster member (docs/cluster.md). */
export const CLUSTER_SWITCHES = ['ClusterName', 'UpdateClusterClients', 'RebalanceClusterClients'] as const;

/**
 * Cluster settings that cannot work together: membership is discovered through the shared store
 * (a directory or a PostgreSQL database), so a member needs one and session ownership; a move's deadline must leave
 * room for its quiet interval. On an initiator they do nothing, which is said.
 */
function checkCluster(v: (n: string) => string | undefined, at: (n: string) => { file: string; line: number }, role: string, problems: SettingsProblem[], invalid: ReadonlySet<string> = new Set(), baseDir = process.cwd()): void {
  const on = CLUSTER_SWITCHES.find((n) => (n === 'ClusterName' ? v(n) !== undefined : v(n) === 'Y'));
  if (on === undefined) return;
  if (role !== 'acceptor') {
    problems.push({ ...at(on), setting: on, severity: 'notice', message: 'cluster settings apply to acceptor sessions; this initiator session ignores them' });
    return;
  }
  if (!v('FileStorePath') && !v('PostgreSQLStoreURL') && !v('PostgreSQLStoreDatabase') && !v('PostgreSQLStoreHost')) {
    problems.push({ ...at(on), setting: on, severity: 'error', message: 'a cluster member needs a store the nodes share, where members register: FileStorePath (a shared directory) or a PostgreSQL store (PostgreSQLStoreURL, PostgreSQLStoreDatabase or PostgreSQLStoreHost)' });
  }
  if ((v('SessionOwnership') ?? 'Y') !== 'Y') problems.push({ ...at('SessionOwnership'), setting: 'SessionOwnership', severity: 'error', message: `must be Y on a cluster member (${on} is set): sessions move by handing their ownership over` });
  const discovery = parseDiscovery(v('ClusterDiscovery') ?? 'store');
  if (typeof discovery !== 'string') {
    if (discovery.kind === 'static' && v('ClusterProbeListen') === undefined && !invalid.has('ClusterProbeListen')) {
      problems.push({ ...at('ClusterDiscovery'), setting: 'ClusterDiscovery', severity: 'error', message: 'static discovery needs ClusterProbeListen=tcp://host:port, where this node answers its peers\' probes (normally its own entry of the list)' });
    }
    const secretFile = v('ClusterSecretFile');
    if (secretFile !== undefined && discovery.kind === 'store') {
      problems.push({ ...at('ClusterSecretFile'), setting: 'ClusterSecretFile', severity: 'notice', message: 'only static and multicast discovery sign their messages; ClusterDiscovery=store ignores it' });
    } else if (secretFile !== undefined) {
      try {
        readClusterSecret(resolve(baseDir, secretFile));
      } catch (e) {
        if (!(e instanceof ClusterSettingsError)) throw e;
        problems.push({ ...at('ClusterSecretFile'), setting: 'ClusterSecretFile', severity: 'error', message: e.message.slice('ClusterSecretFile: '.length) });
      }
    }
    if (discovery.kind !== 'static' && v('ClusterProbeListen') !== undefined) {
      problems.push({ ...at('ClusterProbeListen'), setting: 'ClusterProbeListen', severity: 'notice', message: `only static discovery answers probes; ClusterDiscovery=${v('ClusterDiscovery') ?? 'store'} ignores it` });
    }
  }
  const quiet = Number(v('RebalanceQuietInterval') ?? '200');
  const deadline = Number(v('RebalanceDeadline') ?? '5000');
  if (v('RebalanceDeadline') !== undefined && deadline < quiet) {
    problems.push({ ...at('RebalanceDeadline'), setting: 'RebalanceDeadline', severity: 'error', message: `must be at least RebalanceQuietInterval (${quiet} ms): a move waits for a quiet interval before its deadline` });
  }
}

/** The initiator's addresses and reconnect settings, or `SocketConnectURI`, as the failover transport reads them. */
function checkFailover(values: Map<string, Located>, at: (n: string) => { file: string; line: number }, problems: SettingsProblem[]): void {
  const record: Record<string, string> = {};
  for (const [k, x] of values) if (x.value !== '') record[k] = x.value;
  try {
    failoverConfigFromSettings(record);
  } catch (e) {
    if (!(e instanceof FailoverSettingsError)) throw e;
    const message = e.message.startsWith(`${e.setting}: `) ? e.message.slice(e.setting.length + 2) : e.message;
    problems.push({ ...at(e.setting), setting: e.setting, severity: 'error', message });
  }
}

/**
 * The TLS settings: every file they name is read and checked now (a missing file, a wrong
 * password, a key that does not match its certificate), so a session that asks for TLS cannot
 * start without it. Sessions with the same TLS settings (a [DEFAULT] section) are checked once
 * and reported once.
 */
function checkTls(values: Map<string, Located>, at: (n: string) => { file: string; line: number }, problems: SettingsProblem[], baseDir: string, checked: Map<string, SettingsProblem | null>): void {
  const record: Record<string, string> = {};
  for (const [k, x] of values) record[k] = x.value;
  for (const n of ignoredTlsMaterial(record)) {
    const key = `ignored:${at(n).file}:${at(n).line}`;
    if (checked.has(key)) continue;
    checked.set(key, null);
    problems.push({ ...at(n), setting: n, severity: 'warning', message: 'ignored: SocketUseSSL=N, so this session runs without TLS' });
  }
  let settings;
  try {
    settings = tlsSettingsFrom(record, baseDir);
  } catch (e) {
    if (!(e instanceof TlsSettingsError)) throw e;
    report(e);
    return;
  }
  if (!settings) return;
  const key = JSON.stringify(settings);
  if (checked.has(key)) return;
  checked.set(key, null);
  try {
    new TlsContext(settings);
  } catch (e) {
    if (!(e instanceof TlsSettingsError)) throw e;
    report(e);
  }
  function report(e: TlsSettingsError): void {
    const where = at(e.setting);
    const problem: SettingsProblem = { ...where, setting: e.setting, severity: 'error', message: e.message.slice(e.setting.length + 2) };
    const dup = `${where.file}:${where.line}:${problem.message}`;
    if (checked.has(dup)) return;
    checked.set(dup, problem);
    problems.push(problem);
  }
}

/** `LogonCredentialsFile`: read and checked now, so a bad line stops start-up with its file and line. */
function checkCredentials(values: Map<string, Located>, at: (n: string) => { file: string; line: number }, problems: SettingsProblem[], baseDir: string, checked: Map<string, SettingsProblem | null>): void {
  const file = values.get('LogonCredentialsFile')?.value;
  if (!file) return;
  const path = resolve(baseDir, file);
  if (checked.has(`credentials:${path}`)) return;
  checked.set(`credentials:${path}`, null);
  try {
    CredentialFile.load(path);
  } catch (e) {
    if (!(e instanceof CredentialFileError)) throw e;
    problems.push({ ...at('LogonCredentialsFile'), setting: 'LogonCredentialsFile', severity: 'error', message: e.message });
  }
}

/** Reads a settings file; throws SettingsError (listing every problem) when it has errors. */
export function loadSettings(path: string, env: NodeJS.ProcessEnv = process.env): Settings {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw new SettingsError([{ file: path, line: 0, setting: '', severity: 'error', message: `cannot read settings file: ${(e as Error).message}` }]);
  }
  const settings = parseSettings(text, path, env, resolve(path, '..'));
  if (settings.problems.some((p) => p.severity === 'error')) throw new SettingsError(settings.problems);
  return settings;
}

/** Programmatic settings with the same names: `{ default: {...}, sessions: [{...}] }`, checked identically. */
export function settingsFromObject(obj: { default?: Record<string, string | number | boolean>; sessions: Array<Record<string, string | number | boolean>> }): Settings {
  const render = (o: Record<string, string | number | boolean>): string =>
    Object.entries(o)
      .map(([k, v]) => `${k}=${typeof v === 'boolean' ? (v ? 'Y' : 'N') : String(v)}`)
      .join('\n');
  const text = [obj.default ? `[DEFAULT]\n${render(obj.default)}` : '', ...obj.sessions.map((s) => `[SESSION]\n${render(s)}`)].join('\n');
  const settings = parseSettings(text, '<object>', {});
  if (settings.problems.some((p) => p.severity === 'error')) throw new SettingsError(settings.problems);
  return settings;
}
