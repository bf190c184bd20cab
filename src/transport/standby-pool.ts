/**
 * Book-keeping for `backup=true`: which endpoints should have a pre-connected standby socket,
 * which standbys are ready, and which endpoints are cooling down after their standby failed.
 * Pure data; the policy decides when to recompute and turns changes into `keepWarm` commands.
 */
import type { FailoverEndpoint } from './endpoint.js';

/** The standby sockets the I/O layer is asked to keep, and their state. */
export class StandbyPool {
  private desired: FailoverEndpoint[] = [];
  private readonly ready = new Set<string>();
  private readonly losses = new Map<string, number>();
  private readonly coolUntil = new Map<string, number>();

  /** The standby set last asked for. */
  get wanted(): readonly FailoverEndpoint[] {
    return this.desired;
  }

  isReady(uri: string): boolean {
    return this.ready.has(uri);
  }

  /** True when some standby in `among` is ready. */
  anyReady(among: readonly FailoverEndpoint[]): boolean {
    return among.some((e) => this.ready.has(e.uri));
  }

  /** Marks a standby ready; false when it is not one asked for (a stale report). */
  markReady(ep: FailoverEndpoint): boolean {
    if (!this.desired.some((e) => e.uri === ep.uri)) return false;
    this.ready.add(ep.uri);
    this.losses.delete(ep.uri);
    return true;
  }

  /** A standby failed or closed: it cools down for `cooldownMs` before being asked for again. Returns the loss count. */
  markLost(ep: FailoverEndpoint, now: number, cooldown: (losses: number) => number): number {
    this.ready.delete(ep.uri);
    const n = (this.losses.get(ep.uri) ?? 0) + 1;
    this.losses.set(ep.uri, n);
    this.coolUntil.set(ep.uri, now + cooldown(n));
    return n;
  }

  /** The I/O layer hands this standby to the session: it leaves the pool. */
  take(ep: FailoverEndpoint): void {
    this.ready.delete(ep.uri);
    this.desired = this.desired.filter((e) => e.uri !== ep.uri);
  }

  /** Ends cool-downs that are over at `now`. */
  expire(now: number): void {
    for (const [uri, until] of this.coolUntil) if (until <= now) this.coolUntil.delete(uri);
  }

  /** The earliest end of a cool-down, or null. */
  nextDeadline(): number | null {
    let d: number | null = null;
    for (const until of this.coolUntil.values()) if (d === null || until < d) d = until;
    return d;
  }

  /**
   * Recomputes the standby set: the first `size` of `candidates` (already in preference order)
   * that are not `exclude` and not cooling down. Returns the new set when it differs from the
   * previous one, null otherwise.
   */
  recompute(candidates: readonly FailoverEndpoint[], exclude: string | null, size: number): FailoverEndpoint[] | null {
    const next = candidates.filter((e) => e.uri !== exclude && !this.coolUntil.has(e.uri)).slice(0, size);
    for (const uri of [...this.ready]) if (!next.some((e) => e.uri === uri)) this.ready.delete(uri);
    const same = next.length === this.desired.length && next.every((e, i) => e.uri === this.desired[i].uri);
    this.desired = next;
    return same ? null : next;
  }

  /** Forgets everything (stop, give up). */
  clear(): void {
    this.desired = [];
    this.ready.clear();
    this.losses.clear();
    this.coolUntil.clear();
  }
}
