/**
 * Builds sessions, acceptors and initiators from QuickFIX settings: one flat map of setting name
 * to value per session (DEFAULT merged in). Values are assumed checked by the settings parser;
 * what can only fail here (a dictionary file that does not load) is reported with the setting.
 */
import { existsSync } from 'node:fs';
import { combineDictionaries, loadDictionary, resolveDictionaryPath, shippedDictionaryPath, type DataDictionary } from '../dictionary/index.js';
import type { MessageSchema } from '../codec/schema.js';
import { MessageValidator, type ValidationOptions } from '../validation/validator.js';
import { SessionID } from '../session/session-id.js';
import { Schedule, parseDay, parseTimeOfDay } from '../session/schedule.js';
import { APPL_VER_IDS, type SessionOptions } from '../session/options.js';
import { sessionBehaviour } from '../session/behaviour.js';
import type { InboundRateAction } from '../session/actions.js';
import { PRECISION_BY_NAME, type TimestampPrecision } from '../codec/values.js';
import { FixoverError } from '../codec/errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../codec/framer.js';
import { DEFAULT_PENDING_LOGON_LIMITS } from './pending-logons.js';
import type { AcceptorOptions } from './acceptor.js';
import { AddressRangeError, AddressRanges, ADDRESS_RANGES_EXPECTED } from '../transport/address-ranges.js';
import type { SocketOptions } from '../transport/socket-options.js';
import { endpointsFromSettings, failoverConfigFromSettings, parseReconnectInterval } from '../transport/quickfix-settings.js';
import { FailoverSettingsError } from '../transport/errors.js';
import { TLS_SETTING_NAMES, TlsSettingsError, tlsSettingsFrom } from '../transport/tls-settings.js';
import { TlsContext } from '../transport/tls.js';
import type { Session } from './session.js';
import type { InitiatorSession } from './initiator.js';

/**
 * The effective settings of one session as a flat record (setting name to value, defaults merged
 * in): what `Settings.sessions[i].toRecord()` gives and what `Engine.create` and its `store` and
 * `log` options take. (The parsed, located form is the `SessionSettings` class of the settings module.)
 */
export type SessionSettingsRecord = Readonly<Record<string, string>>;

/** The same as {@link SessionSettingsRecord} (the name used inside the engine). @internal */
export type SessionSettings = SessionSettingsRecord;

/** A setting could not be applied. */
export class SettingsApplyError extends FixoverError {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
  }
}

const yes = (v: string | undefined, dflt: boolean): boolean => (v === undefined ? dflt : v.toUpperCase() === 'Y');
const num = (v: string | undefined, dflt: number): number => (v === undefined || v === '' ? dflt : Number(v));

/** The {@link SessionID} a session's settings name. */
export function sessionIdFrom(s: SessionSettings): SessionID {
  return new SessionID({
    beginString: s.BeginString,
    senderCompID: s.SenderCompID,
    targetCompID: s.TargetCompID,
    senderSubID: s.SenderSubID,
    senderLocationID: s.SenderLocationID,
    targetSubID: s.TargetSubID,
    targetLocationID: s.TargetLocationID,
    qualifier: s.SessionQualifier,
  });
}

function dictionary(s: SessionSettings, setting: string, baseDir: string): DataDictionary {
  try {
    return loadDictionary(resolveDictionaryPath(s[setting], baseDir));
  } catch (e) {
    throw new SettingsApplyError(setting, e instanceof Error ? e.message : String(e));
  }
}

/**
 * The dictionary of a session with UseDataDictionary=N, for names and groups only: the shipped one
 * of its BeginString, when there is one.
 */
function namesOnlySchema(s: SessionSettings): MessageSchema | undefined {
  const name = s.BeginString.startsWith('FIXT') ? 'FIXT11.xml' : `FIX${s.BeginString.slice(4).replace(/\./g, '')}.xml`;
  const path = shippedDictionaryPath(name);
  if (path === undefined || !existsSync(path)) return undefined;
  const dict = loadDictionary(path);
  if (dict.type !== 'FIXT') return dict;
  const v = s.DefaultApplVerID ?? 'FIX.5.0SP2';
  const app = Object.keys(APPL_VER_IDS).find((k) => k === v || APPL_VER_IDS[k] === v) ?? 'FIX.5.0SP2';
  return combineDictionaries(dict, loadDictionary(`${app.replace(/\./g, '')}.xml`));
}

/**
 * The validator a session's dictionary settings describe (undefined with UseDataDictionary=N), and
 * the dictionary attached to its messages (`schema`).
 */
export function validatorFrom(s: SessionSettings, baseDir: string): { validator?: MessageValidator; appDictionaries?: Map<string, DataDictionary>; schema?: MessageSchema } {
  if (!yes(s.UseDataDictionary, true)) return { schema: namesOnlySchema(s) };
  const options: Partial<ValidationOptions> = {
    validateFieldsOutOfOrder: yes(s.ValidateFieldsOutOfOrder, true),
    validateFieldsHaveValues: yes(s.ValidateFieldsHaveValues, true),
    validateUserDefinedFields: yes(s.ValidateUserDefinedFields, true),
    allowUnknownMsgFields: yes(s.AllowUnknownMsgFields, false),
    allowUnknownEnumValues: yes(s.AllowUnknownEnumValues, false),
    validateUnorderedGroupFields: yes(s.ValidateUnorderedGroupFields, true),
    firstFieldInGroupIsDelimiter: yes(s.FirstFieldInGroupIsDelimiter, false),
  };
  const fixt = s.BeginString.startsWith('FIXT');
  if (!fixt) {
    const name = s.DataDictionary ?? `FIX${s.BeginString.slice(4).replace(/\./g, '')}.xml`;
    const dict = s.DataDictionary ? dictionary(s, 'DataDictionary', baseDir) : loadDictionary(resolveDictionaryPath(name, baseDir));
    if (!yes(s.ValidateIncomingMessage, true)) return { schema: dict };
    return { validator: new MessageValidator(dict, dict, options), schema: dict };
  }
  const transport = s.TransportDataDictionary ? dictionary(s, 'TransportDataDictionary', baseDir) : loadDictionary(resolveDictionaryPath('FIXT11.xml'));
  const appDictionaries = new Map<string, DataDictionary>();
  let app: DataDictionary | undefined;
  if (s.AppDataDictionary) app = dictionary(s, 'AppDataDictionary', baseDir);
  else {
    const v = s.DefaultApplVerID ?? 'FIX.5.0SP2';
    const name = Object.keys(APPL_VER_IDS).find((k) => k === v || APPL_VER_IDS[k] === v) ?? 'FIX.5.0SP2';
    app = loadDictionary(resolveDictionaryPath(`${name.replace(/\./g, '')}.xml`));
  }
  const session = combineDictionaries(transport, app);
  const applVer = s.DefaultApplVerID ? (APPL_VER_IDS[s.DefaultApplVerID] ?? s.DefaultApplVerID) : app.beginString;
  appDictionaries.set(APPL_VER_IDS[app.beginString] ?? applVer, app);
  for (const [k, v] of Object.entries(s)) {
    const m = /^AppDataDictionary\.(.+)$/.exec(k);
    if (m) appDictionaries.set(APPL_VER_IDS[m[1]] ?? m[1], dictionary(s, k, baseDir));
    void v;
  }
  if (!yes(s.ValidateIncomingMessage, true)) return { schema: session };
  return { validator: new MessageValidator(transport, session.app, options), appDictionaries, schema: session };
}

/** `StartTime`, `EndTime`, `StartDay`, `EndDay`, `Weekdays`, `TimeZone`, `NonStopSession`, `UseLocalTime`. */
export function scheduleFrom(s: SessionSettings): Schedule {
  if (yes(s.NonStopSession, false) || s.StartTime === undefined || s.EndTime === undefined) return Schedule.nonStop();
  const start = parseTimeOfDay(s.StartTime);
  const end = parseTimeOfDay(s.EndTime);
  if (!start) throw new SettingsApplyError('StartTime', `invalid time ${s.StartTime}: expected HH:MM:SS [timezone]`);
  if (!end) throw new SettingsApplyError('EndTime', `invalid time ${s.EndTime}: expected HH:MM:SS [timezone]`);
  const timeZone = s.TimeZone ?? start.timeZone ?? end.timeZone ?? (yes(s.UseLocalTime, false) ? Intl.DateTimeFormat().resolvedOptions().timeZone : undefined);
  const startDay = s.StartDay ? (parseDay(s.StartDay) ?? undefined) : undefined;
  const endDay = s.EndDay ? (parseDay(s.EndDay) ?? undefined) : undefined;
  const weekdays = s.Weekdays ? s.Weekdays.split(',').map((d) => parseDay(d)).filter((d): d is number => d !== null) : undefined;
  try {
    return new Schedule({ startTime: start.seconds, endTime: end.seconds, startDay, endDay, weekdays, timeZone });
  } catch (e) {
    throw new SettingsApplyError('TimeZone', `unknown time zone ${timeZone}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * A fixover initiator on the failover transport (`SocketConnectURI=failover:…`) announces cluster
 * support on its Logon unless the URI says `updateURIsSupported=false` (docs/cluster.md).
 */
function clusterClientFrom(s: SessionSettings, role: 'acceptor' | 'initiator'): boolean {
  const uri = s.SocketConnectURI ?? '';
  return role === 'initiator' && /^failover:/i.test(uri.trim()) && !/[?&]updateURIsSupported=false(&|$)/i.test(uri);
}

/** `LogonTag`, `LogonTag1`, … as tag=value pairs. */
function logonTags(s: SessionSettings): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const [k, v] of Object.entries(s)) {
    if (!/^LogonTag\d*$/.test(k)) continue;
    const i = v.indexOf('=');
    if (i > 0) out.push([Number(v.slice(0, i)), v.slice(i + 1)]);
  }
  return out;
}

/** Session options from settings; `baseDir` resolves relative dictionary paths. */
export function sessionOptionsFrom(s: SessionSettings, baseDir = process.cwd()): SessionOptions {
  const role = (s.ConnectionType ?? 'acceptor').toLowerCase() === 'initiator' ? 'initiator' : 'acceptor';
  const precision = timestampPrecisionFrom(s);
  return {
    sessionId: sessionIdFrom(s),
    role,
    heartBtInt: num(s.HeartBtInt, 30),
    defaultApplVerID: s.DefaultApplVerID,
    resetOnLogon: yes(s.ResetOnLogon, false),
    resetOnLogout: yes(s.ResetOnLogout, false),
    resetOnDisconnect: yes(s.ResetOnDisconnect, false),
    checkCompID: yes(s.CheckCompID, true),
    checkLatency: yes(s.CheckLatency, true),
    maxLatency: num(s.MaxLatency, 120),
    logonTimeout: num(s.LogonTimeout, 10),
    logoutTimeout: num(s.LogoutTimeout, 2),
    resendRequestChunkSize: num(s.ResendRequestChunkSize ?? s.MaxMessagesInResendRequest, 0),
    sendRedundantResendRequests: yes(s.SendRedundantResendRequests, false),
    closedResendInterval: yes(s.ClosedResendInterval, false),
    persistMessages: yes(s.PersistMessages, true),
    timestampPrecision: precision,
    enableLastMsgSeqNumProcessed: yes(s.EnableLastMsgSeqNumProcessed, false),
    enableNextExpectedMsgSeqNum: yes(s.EnableNextExpectedMsgSeqNum ?? s.SendNextExpectedMsgSeqNum, false),
    testRequestDelayMultiplier: num(s.TestRequestDelayMultiplier, 0.2),
    heartBeatTimeoutMultiplier: num(s.HeartBeatTimeoutMultiplier, 1.4),
    disableHeartBeatCheck: yes(s.DisableHeartBeatCheck, false),
    sendLogoutBeforeDisconnectFromTimeout: yes(s.SendLogoutBeforeDisconnectFromTimeout, false),
    heartBtIntOverride: yes(s.HeartBtIntOverride, false),
    ignorePossDupResendRequests: yes(s.IgnorePossDupResendRequests, false),
    requiresOrigSendingTime: yes(s.RequiresOrigSendingTime, true),
    validateLengthAndChecksum: yes(s.ValidateLengthAndChecksum, true),
    validateChecksum: yes(s.ValidateChecksum, true),
    logonTags: logonTags(s),
    clusterClient: clusterClientFrom(s, role),
    resetOnError: yes(s.ResetOnError, false),
    disconnectOnError: yes(s.DisconnectOnError, false),
    rejectMessageOnUnhandledException: yes(s.RejectMessageOnUnhandledException, false),
    rejectGarbledMessage: yes(s.RejectGarbledMessage, false),
    maxQueuedBytes: num(s.MaxQueuedBytesAboveGap, 64 * 1024 * 1024),
    inboundMessageRate: num(s.InboundMessageRate, 0),
    inboundRateAction: inboundRateActionFrom(s),
    schedule: scheduleFrom(s),
    maxMessageSize: num(s.MaxMessageSize, DEFAULT_MAX_MESSAGE_SIZE),
    behaviour: sessionBehaviour(s.SessionBehaviour),
    ...validatorFrom(s, baseDir),
  };
}

/** `InboundRateAction` (checked when the settings were read): pause, reject or logout, in any case. */
function inboundRateActionFrom(s: SessionSettings): InboundRateAction {
  const v = (s.InboundRateAction ?? 'pause').toLowerCase();
  return v === 'reject' || v === 'logout' ? v : 'pause';
}

/**
 * How a session shares the process with the others: `InboundBytesPerTurn` (received bytes handled
 * per event-loop turn, default 8 KiB) and `ResendCpuShare` (the share of the time a resend may take
 * while it goes out, default 50 %).
 */
export function sessionSharingFrom(s: SessionSettings): { inboundBytesPerTurn?: number; resendCpuShare?: number } {
  return {
    ...(s.InboundBytesPerTurn ? { inboundBytesPerTurn: Number(s.InboundBytesPerTurn) } : {}),
    ...(s.ResendCpuShare ? { resendCpuShare: Number(s.ResendCpuShare) } : {}),
  };
}

/**
 * An acceptor's checks of connections before their logon: `AllowedRemoteAddresses` (addresses and
 * CIDR ranges), `MaxMessageSize` (the first message), `MaxPendingLogons` and
 * `MaxPendingLogonsPerAddress` (connections waiting for it).
 * @throws SettingsApplyError naming AllowedRemoteAddresses when an entry is not an address nor a range
 */
export function acceptorLimitsFrom(s: SessionSettings): Pick<AcceptorOptions, 'allowedRemoteAddresses' | 'maxMessageSize' | 'maxPendingConnections' | 'maxPendingConnectionsPerAddress'> {
  return {
    allowedRemoteAddresses: s.AllowedRemoteAddresses ? allowedAddresses(s.AllowedRemoteAddresses) : undefined,
    maxMessageSize: num(s.MaxMessageSize, DEFAULT_MAX_MESSAGE_SIZE),
    maxPendingConnections: num(s.MaxPendingLogons, DEFAULT_PENDING_LOGON_LIMITS.total),
    maxPendingConnectionsPerAddress: num(s.MaxPendingLogonsPerAddress, DEFAULT_PENDING_LOGON_LIMITS.perAddress),
  };
}

/**
 * SendingTime precision: `TimeStampPrecision` (SECONDS, MILLIS, MICROS, NANOS), else QuickFIX C++'s
 * `TimestampPrecision` (0 to 9 digits; FIX allows 0, 3, 6 or 9, so other counts round up to the
 * next of those), else `MillisecondsInTimeStamp=N` (whole seconds).
 */
function timestampPrecisionFrom(s: SessionSettings): TimestampPrecision | undefined {
  if (s.TimeStampPrecision) return PRECISION_BY_NAME[s.TimeStampPrecision.toUpperCase()];
  if (s.TimestampPrecision !== undefined) {
    const digits = Number(s.TimestampPrecision);
    if (!Number.isInteger(digits) || digits < 0 || digits > 9) throw new SettingsApplyError('TimestampPrecision', `invalid value ${s.TimestampPrecision}: expected 0 to 9 digits`);
    return digits === 0 ? 0 : digits <= 3 ? 3 : digits <= 6 ? 6 : 9;
  }
  if (s.MillisecondsInTimeStamp !== undefined && !yes(s.MillisecondsInTimeStamp, true)) return 0;
  return undefined;
}

function allowedAddresses(text: string): string[] {
  try {
    return [...AddressRanges.parse(text).entries];
  } catch (e) {
    if (e instanceof AddressRangeError) throw new SettingsApplyError('AllowedRemoteAddresses', `${e.message}: expected ${ADDRESS_RANGES_EXPECTED}`);
    throw e;
  }
}

/** True when RefreshOnLogon (or its historical name RefreshMessageStoreAtLogon) is on. */
export function refreshOnLogon(s: SessionSettings): boolean {
  return yes(s.RefreshOnLogon ?? s.RefreshMessageStoreAtLogon, false);
}

/** ReconnectInterval: `30`, or the list form `3x5;10x30;60` (count x seconds; the last repeats), in seconds. */
export function reconnectDelays(s: SessionSettings): number[] {
  const steps = asSettingsError(() => parseReconnectInterval(s.ReconnectInterval ?? '30'));
  return steps.flatMap((step) => Array<number>(step.count).fill(step.delayMs / 1000));
}

/** Initiator addresses: SocketConnectHost/Port, then SocketConnectHost1/Port1, … (as the failover transport reads them). */
export function endpointsFrom(s: SessionSettings): Array<{ host: string; port: number }> {
  return asSettingsError(() => endpointsFromSettings(s)).map((e) => ({ host: e.host, port: e.port }));
}

/** Socket options: SocketTcpNoDelay/SocketNodelay (default Y), SocketKeepAlive, SocketSendBufferSize, SocketReceiveBufferSize. */
export function socketOptionsFrom(s: SessionSettings): SocketOptions {
  return {
    noDelay: yes(s.SocketTcpNoDelay ?? s.SocketNodelay, true),
    keepAlive: yes(s.SocketKeepAlive, false),
    sendBufferSize: num(s.SocketSendBufferSize, 0),
    receiveBufferSize: num(s.SocketReceiveBufferSize, 0),
  };
}

/** Runs `fn`, turning a failover settings error into the {@link SettingsApplyError} naming the setting. */
function asSettingsError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FailoverSettingsError) throw new SettingsApplyError(e.setting, e.message.slice(e.setting.length + 2));
    throw e;
  }
}

/**
 * The TLS context a session's settings ask for (`SocketUseSSL` and the certificate settings, see
 * docs/security.md), or undefined for plaintext. Files are read and checked now.
 * @throws SettingsApplyError naming the setting when a file is missing, unreadable or wrong
 */
export function tlsFrom(s: SessionSettings, baseDir = process.cwd()): TlsContext | undefined {
  try {
    const t = tlsSettingsFrom(s, baseDir);
    return t ? new TlsContext(t) : undefined;
  } catch (e) {
    if (e instanceof TlsSettingsError) throw new SettingsApplyError(e.setting, e.message.slice(e.setting.length + 2));
    throw e;
  }
}

/** The TLS settings of a session as one comparable text (sessions sharing a port must agree on them). */
export function tlsSettingsKey(s: SessionSettings): string {
  return JSON.stringify(TLS_SETTING_NAMES.map((n) => s[n] ?? null));
}

/**
 * An initiator session's connection settings: `SocketConnectURI=failover:(…)`, or the QuickFIX
 * addresses with `ReconnectInterval` and `HostSelectionPolicy*`, as one failover configuration;
 * plus `SocketConnectTimeout`, `SocketLocalHost/Port`, `RefreshOnLogon` and the socket options.
 */
export function initiatorSessionFrom(s: SessionSettings, session: Session, baseDir = process.cwd()): InitiatorSession {
  const failover = asSettingsError(() => failoverConfigFromSettings(s));
  return {
    session,
    failover,
    tls: tlsFrom(s, baseDir),
    connectTimeout: s.SocketConnectTimeout ? Number(s.SocketConnectTimeout) : undefined,
    localAddress: s.SocketLocalHost,
    localPort: s.SocketLocalPort ? Number(s.SocketLocalPort) : undefined,
    refreshOnLogon: refreshOnLogon(s),
    ...socketOptionsFrom(s),
  };
}
