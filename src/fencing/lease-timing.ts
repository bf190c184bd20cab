/**
 * When an owner renews its session lease and until when it may write after a renewal (pure logic).
 *
 * Another node may take a session over once its owner record has not been renewed for the lease
 * (`renewedAt + leaseMs`, `renewedAt` being when the renewal started). The owner therefore writes
 * only until `started + leaseMs − marginMs`, `started` being when its last *successful* renewal
 * started by its own clock (never later than the `renewedAt` the renewal records), and renews every
 * `renewEveryMs`. A pause (SIGSTOP, GC, a frozen VM) that begins `φ` after a renewal started is
 * survived when `φ + pause ≤ leaseMs − marginMs`; as `φ < renewEveryMs`, every pause up to
 * `minToleranceMs = leaseMs − marginMs − renewEveryMs` is survived whatever its phase, and none
 * over `maxToleranceMs = leaseMs − marginMs`. With the defaults (a 5 s lease): renewal every 500 ms,
 * margin 250 ms, tolerance 4.25–4.75 s.
 */

/** The renewal period and safety margin of a session lease, and the pauses its owner survives. */
export interface LeaseTiming {
  /** The lease (`SessionLeaseTimeout` in milliseconds). */
  readonly leaseMs: number;
  /** How often the owner renews: a tenth of the lease (at least 20 ms). */
  readonly renewEveryMs: number;
  /**
   * How long before the lease ends the owner stops writing: a twentieth of the lease. It covers
   * the time between the owner's last check and its write reaching the store, and a difference
   * between the clocks of the owner and of the node (or database) that judges the lease.
   */
  readonly marginMs: number;
  /** Every pause up to this long is survived, whatever its phase (`leaseMs − marginMs − renewEveryMs`). */
  readonly minToleranceMs: number;
  /** No pause over this long is survived (`leaseMs − marginMs`). */
  readonly maxToleranceMs: number;
}

/** The timing of a lease of `leaseMs` milliseconds. */
export function leaseTiming(leaseMs: number): LeaseTiming {
  const renewEveryMs = Math.max(20, Math.floor(leaseMs / 10));
  const marginMs = Math.ceil(leaseMs / 20);
  return { leaseMs, renewEveryMs, marginMs, minToleranceMs: leaseMs - marginMs - renewEveryMs, maxToleranceMs: leaseMs - marginMs };
}

/**
 * Whether an owner whose last successful renewal (or acquisition) *started* at `startedAt` may
 * still write at `now` (same clock): strictly before another node could take the session over,
 * by the margin.
 */
export function leaseHolds(t: LeaseTiming, startedAt: number, now: number): boolean {
  return now <= startedAt + t.maxToleranceMs;
}
