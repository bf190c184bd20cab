/**
 * Application sends waiting for a logged-on session (the failover `timeout` option): each waits
 * until the next logon, or fails once `timeout` ms have passed (-1 or 0: no limit, as ActiveMQ).
 */
import type { SendId } from './policy-types.js';

interface Pending {
  readonly id: SendId;
  readonly since: number;
  readonly deadline: number | null;
}

/** Sends queued while disconnected, in arrival order. */
export class SendQueue {
  private pending: Pending[] = [];

  constructor(private readonly timeoutMs: number) {}

  get size(): number {
    return this.pending.length;
  }

  add(id: SendId, now: number): void {
    this.pending.push({ id, since: now, deadline: this.timeoutMs > 0 ? now + this.timeoutMs : null });
  }

  /** Removes and returns every send whose deadline is at or before `now`. */
  expire(now: number): Array<{ id: SendId; waitedMs: number }> {
    const out: Array<{ id: SendId; waitedMs: number }> = [];
    this.pending = this.pending.filter((p) => {
      if (p.deadline === null || p.deadline > now) return true;
      out.push({ id: p.id, waitedMs: now - p.since });
      return false;
    });
    return out;
  }

  /** Removes and returns every queued id, oldest first. */
  drain(): SendId[] {
    const ids = this.pending.map((p) => p.id);
    this.pending = [];
    return ids;
  }

  /** The earliest deadline, or null. */
  nextDeadline(): number | null {
    let d: number | null = null;
    for (const p of this.pending) if (p.deadline !== null && (d === null || p.deadline < d)) d = p.deadline;
    return d;
  }
}
