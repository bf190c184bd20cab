/**
 * Reconnect delays: the base delay before the n-th reconnect pass (exponential back-off, a fixed
 * delay, or a QuickFIX `ReconnectInterval` schedule) and the jitter applied to it.
 *
 * Base delay before reconnect pass n (n = 1, 2, …):
 * - with a schedule (`ReconnectInterval=3x5;10x30;60`): the n-th entry, the last one repeating;
 * - with `useExponentialBackOff=true`:
 *   `min(initialReconnectDelay × reconnectDelayExponent^(n−1), maxReconnectDelay)`, rounded to whole ms;
 * - with `useExponentialBackOff=false`: `initialReconnectDelay` every time (as ActiveMQ).
 *
 * Jitter (`reconnectJitter`), with r drawn uniformly from [0, 1):
 * - `equal` (the default, `reconnectJitter=true`): `delay = lo + floor(r × (base − lo + 1))` with
 *   `lo = ceil(base / 2)`, i.e. an integer uniformly distributed over [⌈base/2⌉, base];
 * - `full`: the same with `lo = 0`, uniform over [0, base];
 * - `none` (`reconnectJitter=false`): `delay = base`.
 * Jitter never makes a delay longer than its base, so `maxReconnectDelay` stays a true maximum
 * and `initialReconnectDelay` bounds the first wait after a drop.
 */

import type { RandomSource } from './random.js';

/** How each reconnect delay is randomised. */
export type JitterMode = 'none' | 'equal' | 'full';

/** `count` passes waiting `delayMs` each; the last step of a schedule repeats forever. */
export interface DelayStep {
  readonly count: number;
  readonly delayMs: number;
}

/** The fields of a failover configuration that decide reconnect delays. */
export interface DelaySettings {
  readonly initialReconnectDelay: number;
  readonly maxReconnectDelay: number;
  readonly useExponentialBackOff: boolean;
  readonly reconnectDelayExponent: number;
  /** When set, replaces the three fields above. */
  readonly reconnectDelaySchedule: readonly DelayStep[] | null;
  readonly reconnectJitter: JitterMode;
}

/** The base (un-jittered) delay in ms before reconnect pass `n` (1-based). */
export function baseDelay(s: DelaySettings, n: number): number {
  const k = Math.max(1, Math.floor(n));
  if (s.reconnectDelaySchedule && s.reconnectDelaySchedule.length > 0) {
    let left = k;
    for (const step of s.reconnectDelaySchedule) {
      if (left <= step.count) return step.delayMs;
      left -= step.count;
    }
    return s.reconnectDelaySchedule[s.reconnectDelaySchedule.length - 1].delayMs;
  }
  if (!s.useExponentialBackOff) return s.initialReconnectDelay;
  const grown = s.initialReconnectDelay * Math.pow(s.reconnectDelayExponent, k - 1);
  return Math.round(Math.min(grown, s.maxReconnectDelay));
}

/** The inclusive range a jittered delay falls in for a given base. */
export function jitterBounds(base: number, mode: JitterMode): { min: number; max: number } {
  if (mode === 'none') return { min: base, max: base };
  return { min: mode === 'equal' ? Math.ceil(base / 2) : 0, max: base };
}

/** Applies jitter to a base delay (see the module comment for the exact formula). */
export function jittered(base: number, mode: JitterMode, random: RandomSource): number {
  const { min, max } = jitterBounds(base, mode);
  if (min === max) return base;
  const r = random();
  return Math.min(max, min + Math.floor(r * (max - min + 1)));
}

/** The jittered delay before reconnect pass `n`. */
export function reconnectDelay(s: DelaySettings, n: number, random: RandomSource): number {
  return jittered(baseDelay(s, n), s.reconnectJitter, random);
}
