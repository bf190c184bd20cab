/**
 * The failover configuration: one type for both configuration styles, a `failover:(…)?…` URI
 * (ActiveMQ's option names and defaults) and QuickFIX's `SocketConnectHost<n>` /
 * `ReconnectInterval` / `HostSelectionPolicy` settings.
 *
 * Reconnect delays come either from exponential back-off (`initialReconnectDelay`,
 * `maxReconnectDelay`, `useExponentialBackOff`, `reconnectDelayExponent`) or, when
 * `reconnectDelaySchedule` is set (QuickFIX `ReconnectInterval`), from that schedule.
 */
import type { DelayStep, JitterMode } from './delays.js';
import { parseEndpointUri, type FailoverEndpoint } from './endpoint.js';
import { endpointOptionValues } from './endpoint-options.js';
import { FailoverUriError } from './errors.js';

/** A complete, checked failover configuration. All times are in milliseconds. */
export interface FailoverConfig {
  /** The endpoints, in the order given. */
  readonly uris: readonly FailoverEndpoint[];
  /** Base delay before the first reconnect pass (ActiveMQ default 10). */
  readonly initialReconnectDelay: number;
  /** Cap of the exponential back-off (ActiveMQ default 30000). */
  readonly maxReconnectDelay: number;
  /** Multiply the delay by `reconnectDelayExponent` after every failed pass (default true). */
  readonly useExponentialBackOff: boolean;
  /** Back-off factor (default 2.0; the URI also accepts `backOffMultiplier`). */
  readonly reconnectDelayExponent: number;
  /** QuickFIX `ReconnectInterval` as a schedule; when set it replaces the back-off fields. */
  readonly reconnectDelaySchedule: readonly DelayStep[] | null;
  /** Failed reconnect passes after a drop before giving up: -1 forever (default), 0 no reconnect. */
  readonly maxReconnectAttempts: number;
  /** Failed passes before the first logon before giving up; -1 (default) uses `maxReconnectAttempts`. */
  readonly startupMaxReconnectAttempts: number;
  /** A warning event every this many failed passes (default 10; 0 or less: never). */
  readonly warnAfterReconnectAttempts: number;
  /** Shuffle the endpoints for every pass (default true). */
  readonly randomize: boolean;
  /** Prefer the priority endpoints, and move back to one from a backup once it is healthy (default false). */
  readonly priorityBackup: boolean;
  /** The priority endpoints; empty means the first of `uris` (as ActiveMQ). */
  readonly priorityURIs: readonly FailoverEndpoint[];
  /** Keep pre-connected standby sockets for a failover without a new TCP connect (default false). */
  readonly backup: boolean;
  /** How many standby sockets to keep with `backup=true` (default 1). */
  readonly backupPoolSize: number;
  /** How long an application send waits while disconnected before it fails; -1 (default) or 0: forever. */
  readonly timeout: number;
  /** Honour requests to move to another endpoint (`requestReconnect`) (default true). */
  readonly reconnectSupported: boolean;
  /** Honour endpoint list updates (`updateUris`, `updateURIsURL`) (default true). */
  readonly updateURIsSupported: boolean;
  /** A file path or http(s) URL holding a comma-separated endpoint list, re-read before every pass. */
  readonly updateURIsURL: string | null;
  /** `nested.*` options (prefix removed), already merged into every endpoint's `options`. */
  readonly nested: Readonly<Record<string, string>>;
  /** How reconnect delays are randomised (fixover; default `equal`: uniform in [⌈d/2⌉, d]). */
  readonly reconnectJitter: JitterMode;
  /**
   * Failback hysteresis (fixover): with `priorityBackup`, how long a priority endpoint must have
   * been continuously healthy before the session leaves a backup for it (default 30000).
   */
  readonly priorityFailbackDelay: number;
}

/** Defaults of every option (ActiveMQ's where ActiveMQ has the option). */
export const FAILOVER_DEFAULTS: Omit<FailoverConfig, 'uris'> = Object.freeze({
  initialReconnectDelay: 10,
  maxReconnectDelay: 30000,
  useExponentialBackOff: true,
  reconnectDelayExponent: 2.0,
  reconnectDelaySchedule: null,
  maxReconnectAttempts: -1,
  startupMaxReconnectAttempts: -1,
  warnAfterReconnectAttempts: 10,
  randomize: true,
  priorityBackup: false,
  priorityURIs: Object.freeze([]) as readonly FailoverEndpoint[],
  backup: false,
  backupPoolSize: 1,
  timeout: -1,
  reconnectSupported: true,
  updateURIsSupported: true,
  updateURIsURL: null,
  nested: Object.freeze({}),
  reconnectJitter: 'equal' as JitterMode,
  priorityFailbackDelay: 30000,
});

/** Input of {@link failoverConfig}: endpoints as objects or `tcp://` strings; every other field optional. */
export type FailoverConfigInit = Partial<Omit<FailoverConfig, 'uris' | 'priorityURIs'>> & {
  readonly uris: ReadonlyArray<FailoverEndpoint | string>;
  readonly priorityURIs?: ReadonlyArray<FailoverEndpoint | string>;
};

const endpointOf = (e: FailoverEndpoint | string, nested: Readonly<Record<string, string>>): FailoverEndpoint =>
  typeof e === 'string' ? parseEndpointUri(e, nested) : { ...e, options: { ...nested, ...e.options } };

function int(name: string, v: number, min: number, what: string): void {
  if (!Number.isInteger(v) || v < min) throw new FailoverUriError(`${name}=${v}: expected ${what}`, name);
}

/**
 * A checked configuration from a partial one (the TypeScript form of a failover URI): fills in
 * the defaults and applies the same checks as {@link parseFailoverUri}. Throws a
 * {@link FailoverUriError} naming the option at fault.
 */
export function failoverConfig(init: FailoverConfigInit): FailoverConfig {
  const nested = { ...(init.nested ?? {}) };
  const c: FailoverConfig = {
    ...FAILOVER_DEFAULTS,
    ...init,
    nested,
    uris: init.uris.map((e) => endpointOf(e, nested)),
    priorityURIs: (init.priorityURIs ?? []).map((e) => endpointOf(e, nested)),
    updateURIsURL: init.updateURIsURL ?? null,
    reconnectDelaySchedule: init.reconnectDelaySchedule ?? null,
  };
  int('initialReconnectDelay', c.initialReconnectDelay, 0, 'a whole number of milliseconds ≥ 0');
  int('maxReconnectDelay', c.maxReconnectDelay, 0, 'a whole number of milliseconds ≥ 0');
  int('maxReconnectAttempts', c.maxReconnectAttempts, -1, 'an integer ≥ -1 (-1 retries forever, 0 never reconnects)');
  int('startupMaxReconnectAttempts', c.startupMaxReconnectAttempts, -1, 'an integer ≥ -1 (-1 uses maxReconnectAttempts)');
  int('warnAfterReconnectAttempts', c.warnAfterReconnectAttempts, Number.MIN_SAFE_INTEGER, 'an integer (0 or less: never warn)');
  int('backupPoolSize', c.backupPoolSize, 1, 'an integer ≥ 1');
  int('timeout', c.timeout, -1, 'a whole number of milliseconds, or -1 to wait forever');
  int('priorityFailbackDelay', c.priorityFailbackDelay, 0, 'a whole number of milliseconds ≥ 0');
  if (!Number.isFinite(c.reconnectDelayExponent) || c.reconnectDelayExponent < 1) {
    throw new FailoverUriError(`reconnectDelayExponent=${c.reconnectDelayExponent}: expected a number ≥ 1.0`, 'reconnectDelayExponent');
  }
  if (!['none', 'equal', 'full'].includes(c.reconnectJitter)) {
    throw new FailoverUriError(`reconnectJitter=${String(c.reconnectJitter)}: expected none, equal or full`, 'reconnectJitter', ['none', 'equal', 'full']);
  }
  if (c.useExponentialBackOff && !c.reconnectDelaySchedule && c.initialReconnectDelay > c.maxReconnectDelay) {
    throw new FailoverUriError(
      `initialReconnectDelay=${c.initialReconnectDelay} is more than maxReconnectDelay=${c.maxReconnectDelay}: raise maxReconnectDelay or lower initialReconnectDelay`,
      'initialReconnectDelay',
    );
  }
  if (c.reconnectDelaySchedule) {
    if (c.reconnectDelaySchedule.length === 0) throw new FailoverUriError('reconnectDelaySchedule: expected at least one step', 'reconnectDelaySchedule');
    for (const s of c.reconnectDelaySchedule) {
      if (!Number.isInteger(s.count) || s.count < 1 || !Number.isInteger(s.delayMs) || s.delayMs < 0) {
        throw new FailoverUriError(`reconnectDelaySchedule: invalid step ${s.count}x${s.delayMs}: expected count ≥ 1 and delay ≥ 0 ms`, 'reconnectDelaySchedule');
      }
    }
  }
  if (c.updateURIsURL !== null && c.updateURIsURL.trim() === '') throw new FailoverUriError('updateURIsURL: expected a file path or an http(s) URL', 'updateURIsURL');
  if (c.uris.length === 0 && c.updateURIsURL === null) {
    throw new FailoverUriError('a failover configuration needs at least one endpoint (tcp://host:port), or updateURIsURL to read them from');
  }
  const seen = new Set<string>();
  for (const e of c.uris) {
    if (seen.has(e.uri)) throw new FailoverUriError(`${e.uri} is listed twice`);
    seen.add(e.uri);
  }
  // Endpoint options (own and nested.*) are checked now, not at the first connect.
  for (const e of [...c.uris, ...c.priorityURIs]) endpointOptionValues(e);
  if (c.priorityURIs.length > 0) {
    if (!c.priorityBackup) throw new FailoverUriError('priorityURIs has no effect without priorityBackup=true', 'priorityURIs');
    for (const p of c.priorityURIs) {
      if (c.uris.length > 0 && !seen.has(p.uri)) {
        throw new FailoverUriError(`priorityURIs: ${p.uri} is not one of the failover endpoints (${c.uris.map((e) => e.uri).join(', ')})`, 'priorityURIs');
      }
    }
  }
  return Object.freeze(c);
}
