/**
 * The QuickFIX configuration style expressed as a {@link FailoverConfig}, so both styles run on the
 * same policy and behave identically:
 *
 * | QuickFIX setting | failover configuration |
 * |---|---|
 * | `SocketConnectHost`/`SocketConnectPort`, then `SocketConnectHost<n>`/`SocketConnectPort<n>` (n = 1, 2, …) | `uris` in that order (a missing `SocketConnectHost<n>` falls back to `SocketConnectHost`, then `127.0.0.1`) |
 * | `ReconnectInterval` (seconds, default 30; list form `3x5;10x30;60`) | `reconnectDelaySchedule` (ms); no exponential back-off |
 * | `HostSelectionPolicy=ROUNDROBIN` (default) | `randomize=false`: each pass tries the addresses in order, the one that just dropped last |
 * | `HostSelectionPolicy=PRIORITY` | also `priorityBackup=true` with the first address as the priority endpoint |
 * | `HostSelectionPolicyPriorityStartOverInterval` (seconds, default 120) | `priorityFailbackDelay` (ms) |
 * | `SocketConnectSourceHost[<n>]`/`SocketConnectSourcePort[<n>]` | the `localAddress`/`localPort` options of address n |
 *
 * Always: `reconnectJitter=none` (QuickFIX waits exactly `ReconnectInterval`), reconnect forever,
 * no standby sockets, queued sends wait. The pass model differs from QuickFIX in one way: one
 * reconnect pass tries every address back to back, and `ReconnectInterval` separates passes
 * (QuickFIX waits the interval before each single address). With PRIORITY, QuickFIX only returns
 * to the first address at a reconnect after the start-over interval; fixover also leaves a
 * logged-on backup for it, cleanly, once it has been healthy for that long.
 *
 * `SocketConnectURI=failover:(…)` (or a plain `tcp://host:port`) replaces all of the above; it
 * cannot be combined with `SocketConnectPort`/`SocketConnectPort<n>`. `ReconnectInterval` and
 * `HostSelectionPolicy*` are ignored next to it (the URI's options govern), so a `[DEFAULT]`
 * section may still set them for other sessions.
 */
import type { DelayStep } from './delays.js';
import { tcpEndpoint, type FailoverEndpoint } from './endpoint.js';
import { FailoverSettingsError, FailoverUriError } from './errors.js';
import { failoverConfig, type FailoverConfig } from './failover-config.js';
import { parseFailoverUri } from './failover-uri.js';

/** The settings name of a failover URI on an initiator session. */
export const SOCKET_CONNECT_URI = 'SocketConnectURI';

/** Why `SocketConnectURI` on an acceptor session is a configuration error. */
export const FAILOVER_URI_ON_ACCEPTOR =
  'a failover URI is for initiator sessions: the failover protocol connects out and does not listen for connections (an acceptor listens on SocketAcceptPort)';

/** Effective settings of one session (DEFAULT merged in), as strings. */
export type FailoverSettings = Readonly<Record<string, string | undefined>>;

/** `ReconnectInterval`: seconds, or the list form `3x5;10x30;60` (count x seconds; the last repeats). In ms. */
export function parseReconnectInterval(text: string): DelayStep[] {
  const out: DelayStep[] = [];
  for (const part of text.split(';')) {
    const m = /^\s*(?:(\d+)\s*x\s*)?(\d+)\s*$/i.exec(part);
    if (!m || (m[1] !== undefined && Number(m[1]) === 0)) {
      throw new FailoverSettingsError('ReconnectInterval', `invalid value ${text}: expected seconds, or a list like 3x5;10x30;60 (count x seconds, the last repeating)`);
    }
    out.push({ count: m[1] === undefined ? 1 : Number(m[1]), delayMs: Number(m[2]) * 1000 });
  }
  return out;
}

function port(s: FailoverSettings, name: string): number {
  const v = s[name]!.trim();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new FailoverSettingsError(name, `invalid port ${v}: expected 1 to 65535`);
  return Number(v);
}

/** `SocketConnectHost/Port`, then `SocketConnectHost<n>/Port<n>` for n = 1, 2, … without gaps. */
export function endpointsFromSettings(s: FailoverSettings): FailoverEndpoint[] {
  const out: FailoverEndpoint[] = [];
  const host = (name: string): string => (s[name] ?? s.SocketConnectHost ?? '127.0.0.1').trim();
  // QuickFIX C++'s SocketConnectSourceHost[<n>]/SocketConnectSourcePort[<n>]: the local address the
  // connection to address n is made from, carried as that endpoint's localAddress/localPort options.
  const source = (suffix: string): Record<string, string> => {
    const o: Record<string, string> = {};
    const h = s[`SocketConnectSourceHost${suffix}`];
    const p = s[`SocketConnectSourcePort${suffix}`];
    if (h !== undefined) o.localAddress = h.trim();
    if (p !== undefined) o.localPort = String(port(s, `SocketConnectSourcePort${suffix}`));
    return o;
  };
  if (s.SocketConnectPort !== undefined) out.push(tcpEndpoint(host('SocketConnectHost'), port(s, 'SocketConnectPort'), source('')));
  const indexes = new Set<number>();
  for (const k of Object.keys(s)) {
    const m = /^SocketConnect(?:Host|Port)(\d+)$/.exec(k);
    if (m && s[k] !== undefined) indexes.add(Number(m[1]));
  }
  const sorted = [...indexes].sort((a, b) => a - b);
  sorted.forEach((n, i) => {
    if (n !== i + 1) throw new FailoverSettingsError(`SocketConnectPort${i + 1}`, `missing: alternate addresses are numbered 1, 2, … without gaps (found ${n})`);
    if (s[`SocketConnectPort${n}`] === undefined) throw new FailoverSettingsError(`SocketConnectPort${n}`, `missing: SocketConnectHost${n} is set without a port`);
    try {
      out.push(tcpEndpoint(host(`SocketConnectHost${n}`), port(s, `SocketConnectPort${n}`), source(String(n))));
    } catch (e) {
      if (e instanceof FailoverUriError) throw new FailoverSettingsError(`SocketConnectHost${n}`, e.message);
      throw e;
    }
  });
  if (out.length === 0) throw new FailoverSettingsError('SocketConnectPort', `an initiator needs SocketConnectHost/SocketConnectPort (or ${SOCKET_CONNECT_URI}=failover:(…))`);
  const seen = new Set<string>();
  for (const e of out) {
    if (seen.has(e.uri)) throw new FailoverSettingsError('SocketConnectHost', `${e.uri} is listed twice`);
    seen.add(e.uri);
  }
  return out;
}

/**
 * The failover configuration of an initiator session from its settings: `SocketConnectURI` when
 * present, the QuickFIX settings otherwise (see the module comment for the mapping). Throws a
 * {@link FailoverSettingsError} naming the setting at fault; a bad URI's error is its `cause`.
 */
export function failoverConfigFromSettings(s: FailoverSettings): FailoverConfig {
  const uri = s[SOCKET_CONNECT_URI];
  if (uri !== undefined) {
    const conflict = Object.keys(s).find((k) => /^SocketConnectPort\d*$/.test(k) && s[k] !== undefined);
    if (conflict) throw new FailoverSettingsError(conflict, `cannot be combined with ${SOCKET_CONNECT_URI}: give the addresses in one place`);
    try {
      return parseFailoverUri(uri);
    } catch (e) {
      if (e instanceof FailoverUriError) {
        const err = new FailoverSettingsError(SOCKET_CONNECT_URI, e.message, e.valid);
        (err as { cause?: unknown }).cause = e;
        throw err;
      }
      throw e;
    }
  }
  const uris = endpointsFromSettings(s);
  const schedule = parseReconnectInterval(s.ReconnectInterval ?? '30');
  const policy = (s.HostSelectionPolicy ?? 'ROUNDROBIN').trim().toUpperCase();
  if (policy !== 'ROUNDROBIN' && policy !== 'PRIORITY') {
    throw new FailoverSettingsError('HostSelectionPolicy', `invalid value ${s.HostSelectionPolicy}: expected ROUNDROBIN or PRIORITY`, ['ROUNDROBIN', 'PRIORITY']);
  }
  const startOverText = (s.HostSelectionPolicyPriorityStartOverInterval ?? '120').trim();
  if (!/^\d+$/.test(startOverText) || Number(startOverText) < 1) {
    throw new FailoverSettingsError('HostSelectionPolicyPriorityStartOverInterval', `invalid value ${startOverText}: expected whole seconds ≥ 1`);
  }
  return quickfixFailoverConfig(uris, schedule, policy === 'PRIORITY' ? { failbackDelayMs: Number(startOverText) * 1000 } : undefined);
}

/**
 * The QuickFIX style as a failover configuration (see the module comment): these addresses in
 * order, `schedule` between passes, no back-off, no jitter; with `priority`, the first address is
 * the priority one. Settings files and the TypeScript API (`endpoints`, `reconnectDelays`) both
 * come through here, so the two behave identically.
 */
export function quickfixFailoverConfig(uris: readonly FailoverEndpoint[], schedule: readonly DelayStep[], priority?: { failbackDelayMs: number }): FailoverConfig {
  const delays = schedule.map((d) => d.delayMs);
  return failoverConfig({
    uris,
    reconnectDelaySchedule: schedule,
    initialReconnectDelay: delays[0] ?? 0,
    maxReconnectDelay: Math.max(0, ...delays),
    useExponentialBackOff: false,
    reconnectJitter: 'none',
    randomize: false,
    priorityBackup: priority !== undefined,
    priorityURIs: priority && uris.length > 0 ? [uris[0]] : [],
    ...(priority ? { priorityFailbackDelay: priority.failbackDelayMs } : {}),
  });
}
