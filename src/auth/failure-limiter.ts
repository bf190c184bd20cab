/** The limits of a FailureLimiter (`LogonFailureLimit`, `LogonFailureWindow`, `LogonFailureBlockTime`). */
export interface FailureLimits {
  /** Failures allowed within the window before the address is blocked (0: never blocked). */
  readonly limit: number;
  /** Milliseconds over which failures are counted. */
  readonly windowMs: number;
  /** Milliseconds a blocked address stays blocked. */
  readonly blockMs: number;
}

/** Five failures within a minute block the address for a minute. */
export const DEFAULT_FAILURE_LIMITS: FailureLimits = { limit: 5, windowMs: 60_000, blockMs: 60_000 };

/**
 * Failed logons per remote address (pure, with the clock passed in): after `limit` failures within
 * `windowMs`, the address is blocked for `blockMs`: its logons are refused without checking the
 * password, so a password cannot be guessed at speed. A successful logon clears the address.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();

  constructor(readonly limits: FailureLimits = DEFAULT_FAILURE_LIMITS) {}

  /** Milliseconds the address stays blocked (0: not blocked). */
  blockedFor(address: string, now: number): number {
    const until = this.blockedUntil.get(address);
    if (until === undefined) return 0;
    if (until <= now) {
      this.blockedUntil.delete(address);
      return 0;
    }
    return until - now;
  }

  /** Records a failure; returns the failures in the window and whether the address is now blocked. */
  failed(address: string, now: number): { count: number; blocked: boolean } {
    const { limit, windowMs, blockMs } = this.limits;
    const recent = (this.failures.get(address) ?? []).filter((t) => t > now - windowMs);
    recent.push(now);
    this.failures.set(address, recent);
    const blocked = limit > 0 && recent.length >= limit;
    if (blocked) {
      this.blockedUntil.set(address, now + blockMs);
      this.failures.delete(address);
    }
    // Forget addresses that went quiet, so the map does not grow without bound.
    if (this.failures.size > 10_000) for (const [a, ts] of this.failures) if (ts[ts.length - 1] <= now - windowMs) this.failures.delete(a);
    return { count: recent.length, blocked };
  }

  /** A successful logon: the address starts afresh. */
  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
