/**
 * The membership view of static and multicast discovery (pure, no I/O, no clock of its own): what
 * this node heard from the others and when, turned into member records as the shared-store
 * discovery reads them from files, so the rest of the cluster (topology, planner) is the same.
 *
 * - A member is alive for its lease (`leaseMs` of its message) after the last message heard from
 *   it, measured on this node's clock (no two clocks need to agree).
 * - `since` (for `RebalanceSettle`) is the time heard less the sender's time in its state.
 * - A `leave` removes the member at once; a message older (incarnation, seq) than the last one
 *   heard from a node is ignored while that last one counts, so a late datagram does not bring a
 *   member back; after a lapse any incarnation is accepted (a node restarted with a clock set back).
 * - Messages of another cluster and this node's own messages are ignored; bad bytes are counted.
 */
import type { Announcement } from './announcement.js';
import { liveMembers, type MemberRecord } from './membership.js';

/** What became of one message. */
export type Heard = 'joined' | 'renewed' | 'left' | 'stale' | 'otherCluster' | 'self' | 'duplicateName';

/** Ignored messages by reason (bad: could not be parsed). */
export interface ViewCounts {
  bad: number;
  otherCluster: number;
  stale: number;
  duplicateName: number;
}

interface Entry {
  readonly a: Announcement;
  readonly heardAt: number;
  readonly left: boolean;
}

const newer = (a: Announcement, b: Announcement): boolean => a.incarnation > b.incarnation || (a.incarnation === b.incarnation && a.seq > b.seq);

/** The members heard of (see the module comment). */
export class MemberView {
  private readonly entries = new Map<string, Entry>();
  readonly counts: ViewCounts = { bad: 0, otherCluster: 0, stale: 0, duplicateName: 0 };

  /** `self`: this node's name and incarnation (its own messages, looped back, are not members). */
  constructor(
    readonly cluster: string,
    private readonly self: { readonly node: string; readonly incarnation: number },
  ) {}

  /** A message heard at `now`. */
  heard(a: Announcement, now: number): Heard {
    if (a.cluster !== this.cluster) {
      this.counts.otherCluster++;
      return 'otherCluster';
    }
    if (a.node === this.self.node) {
      if (a.incarnation === this.self.incarnation) return 'self';
      this.counts.duplicateName++;
      return 'duplicateName';
    }
    const e = this.entries.get(a.node);
    const current = e !== undefined && now <= e.heardAt + e.a.leaseMs;
    if (e && current && !newer(a, e.a)) {
      this.counts.stale++;
      return 'stale';
    }
    const wasMember = e !== undefined && current && !e.left;
    this.entries.set(a.node, { a, heardAt: now, left: a.kind === 'leave' });
    if (a.kind === 'leave') return 'left';
    return wasMember ? 'renewed' : 'joined';
  }

  /** Bytes that were no message. */
  bad(): void {
    this.counts.bad++;
  }

  /** The members alive at `now` as member records (on this node's clock), sorted by name; entries long gone are forgotten. */
  members(now: number): MemberRecord[] {
    const records: MemberRecord[] = [];
    for (const [node, e] of this.entries) {
      if (now > e.heardAt + e.a.leaseMs) {
        this.entries.delete(node);
        continue;
      }
      if (e.left) continue;
      const a = e.a;
      records.push({ cluster: a.cluster, node: a.node, uris: [...a.uris], state: a.state, sessions: [...a.sessions].sort(), weight: a.weight, renewedAt: e.heardAt, leaseMs: a.leaseMs, since: e.heardAt - a.inStateMs });
    }
    return liveMembers(records, this.cluster, now);
  }
}
