/**
 * The options a failover URI accepts: ActiveMQ's names (case-sensitive, as ActiveMQ's bean
 * setters), plus fixover's `reconnectJitter` and `priorityFailbackDelay`, plus `nested.*`.
 * Each option parses its text value or throws a {@link FailoverUriError} that names the option
 * and says what is expected (listing the values when they are a fixed set).
 */
import type { JitterMode } from './delays.js';
import { parseEndpointList } from './endpoint.js';
import { FailoverUriError } from './errors.js';
import { editDistance } from '../config/edit-distance.js';
import type { FailoverConfigInit } from './failover-config.js';

type Draft = { -readonly [K in keyof FailoverConfigInit]?: FailoverConfigInit[K] };

interface OptionSpec {
  /** What the value must look like, for error messages. */
  readonly expected: string;
  /** The accepted values when they are a fixed set. */
  readonly values?: readonly string[];
  /** Parses `raw` into the draft; returns false when the value is not acceptable. */
  readonly apply: (raw: string, draft: Draft, nested: Readonly<Record<string, string>>) => boolean;
}

const INT = /^-?\d+$/;
const BOOLS = ['true', 'false'];

const ms = (field: 'initialReconnectDelay' | 'maxReconnectDelay' | 'priorityFailbackDelay'): OptionSpec => ({
  expected: 'a whole number of milliseconds ≥ 0',
  apply: (raw, d) => {
    if (!/^\d+$/.test(raw)) return false;
    d[field] = Number(raw);
    return true;
  },
});

const count = (field: 'maxReconnectAttempts' | 'startupMaxReconnectAttempts' | 'timeout' | 'warnAfterReconnectAttempts' | 'backupPoolSize', min: number, expected: string): OptionSpec => ({
  expected,
  apply: (raw, d) => {
    if (!INT.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) return false;
    d[field] = Number(raw);
    return true;
  },
});

type BoolField = 'useExponentialBackOff' | 'randomize' | 'priorityBackup' | 'backup' | 'reconnectSupported' | 'updateURIsSupported';
const bool = (field: BoolField): OptionSpec => ({
  expected: 'true or false',
  values: BOOLS,
  apply: (raw, d) => {
    const v = raw.toLowerCase();
    if (v !== 'true' && v !== 'false') return false;
    d[field] = v === 'true';
    return true;
  },
});

const exponent: OptionSpec = {
  expected: 'a number ≥ 1.0, such as 2.0',
  apply: (raw, d) => {
    if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) < 1) return false;
    d.reconnectDelayExponent = Number(raw);
    return true;
  },
};

const JITTER: Record<string, JitterMode> = { true: 'equal', false: 'none', equal: 'equal', full: 'full', none: 'none' };

/** Every option a failover URI accepts (besides `nested.*`), in alphabetical order. */
export const FAILOVER_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  backOffMultiplier: exponent,
  backup: bool('backup'),
  backupPoolSize: count('backupPoolSize', 1, 'an integer ≥ 1'),
  initialReconnectDelay: ms('initialReconnectDelay'),
  maxReconnectAttempts: count('maxReconnectAttempts', -1, 'an integer ≥ -1 (-1 retries forever, 0 never reconnects)'),
  maxReconnectDelay: ms('maxReconnectDelay'),
  priorityBackup: bool('priorityBackup'),
  priorityFailbackDelay: ms('priorityFailbackDelay'),
  priorityURIs: {
    expected: 'a comma-separated list of tcp://host:port endpoints',
    apply: (raw, d, nested) => {
      d.priorityURIs = parseEndpointList(raw, nested);
      return d.priorityURIs.length > 0;
    },
  },
  randomize: bool('randomize'),
  reconnectDelayExponent: exponent,
  reconnectJitter: {
    expected: 'true (same as equal), false (same as none), equal or full',
    values: Object.keys(JITTER),
    apply: (raw, d) => {
      const mode = JITTER[raw.toLowerCase()];
      if (mode === undefined) return false;
      d.reconnectJitter = mode;
      return true;
    },
  },
  reconnectSupported: bool('reconnectSupported'),
  startupMaxReconnectAttempts: count('startupMaxReconnectAttempts', -1, 'an integer ≥ -1 (-1 uses maxReconnectAttempts)'),
  timeout: count('timeout', -1, 'a whole number of milliseconds, or -1 to wait forever'),
  updateURIsSupported: bool('updateURIsSupported'),
  updateURIsURL: {
    expected: 'a file path or an http(s) URL',
    apply: (raw, d) => {
      if (raw.trim() === '') return false;
      d.updateURIsURL = raw.trim();
      return true;
    },
  },
  useExponentialBackOff: bool('useExponentialBackOff'),
  warnAfterReconnectAttempts: count('warnAfterReconnectAttempts', Number.MIN_SAFE_INTEGER, 'an integer (0 or less: never warn)'),
};

/** Valid option names as listed in error messages. */
export const FAILOVER_OPTION_NAMES: readonly string[] = [...Object.keys(FAILOVER_OPTIONS), 'nested.<option>'];

/** ActiveMQ options that have no meaning for a FIX session, with the reason given in the error. */
const NOT_APPLICABLE: Readonly<Record<string, string>> = {
  trackMessages: 'FIX sequence numbers and the message store already make a reconnect lossless',
  trackTransactionProducers: 'FIX sequence numbers and the message store already make a reconnect lossless',
  maxCacheSize: 'FIX sequence numbers and the message store already make a reconnect lossless',
  rebalanceUpdateURIs: 'a logged-on session is never moved when the endpoint list changes; the new list applies from the next reconnect pass',
};

/** The option a misspelt name most likely meant (same letters in another case, or at most 2 edits away). */
export function suggestOption(name: string): string | undefined {
  const names = Object.keys(FAILOVER_OPTIONS);
  const ci = names.find((n) => n.toLowerCase() === name.toLowerCase());
  if (ci) return ci;
  let best: string | undefined;
  let bestD = 3;
  for (const n of names) {
    const d = editDistance(name.toLowerCase(), n.toLowerCase());
    if (d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return best;
}

/**
 * Applies one `name=value` failover option to a draft configuration. Throws a
 * {@link FailoverUriError} for an unknown option (with a suggestion and the valid names) or a bad
 * value (with what is expected and, for fixed sets, the valid values).
 */
export function applyFailoverOption(name: string, raw: string, draft: Draft, nested: Readonly<Record<string, string>>): void {
  const spec = Object.hasOwn(FAILOVER_OPTIONS, name) ? FAILOVER_OPTIONS[name] : undefined;
  if (!spec) {
    const why = NOT_APPLICABLE[name];
    if (why) throw new FailoverUriError(`failover option ${name} is not supported by fixover: ${why}`, name, FAILOVER_OPTION_NAMES);
    const hint = suggestOption(name);
    const names = hint && hint.toLowerCase() === name.toLowerCase() ? ` (option names are case-sensitive)` : '';
    throw new FailoverUriError(
      `unknown failover option "${name}"${hint ? `; did you mean ${hint}?${names}` : ''} Valid options: ${FAILOVER_OPTION_NAMES.join(', ')}`,
      name,
      FAILOVER_OPTION_NAMES,
    );
  }
  let ok: boolean;
  try {
    ok = spec.apply(raw, draft, nested);
  } catch (e) {
    if (e instanceof FailoverUriError) throw new FailoverUriError(`failover option ${name}: ${e.message}`, name);
    throw e;
  }
  if (!ok) {
    const values = spec.values ? `; valid values: ${spec.values.join(', ')}` : '';
    throw new FailoverUriError(`failover option ${name}=${raw}: expected ${spec.expected}${values}`, name, spec.values);
  }
}
