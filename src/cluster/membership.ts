/**
 * The cluster's membership view, as a pure function of the member records found in the shared
 * store and the time: which members are alive (their lease has not lapsed), in which state, and a
 * topology epoch that grows by one whenever the published part of the view changes (a member
 * joins, leaves, changes state, URIs or weight) and never otherwise. No I/O: the discovery driver
 * (`discovery.ts`) reads and writes the records; tests drive this with a fake clock.
 */

/** What a member is doing: starting, serving (may receive sessions), or giving its sessions away. */
export type MemberState = 'joining' | 'active' | 'draining';

/** One node's record in the shared store, renewed by the node itself. */
export interface MemberRecord {
  /** `ClusterName`. */
  readonly cluster: string;
  /** `NodeName`. */
  readonly node: string;
  /** `ClusterAdvertisedURI`: where clients reach this node. */
  readonly uris: readonly string[];
  readonly state: MemberState;
  /** Session IDs this node holds now (owns and has logged on). */
  readonly sessions: readonly string[];
  /** `ClusterWeight`: this node's share relative to the others. */
  readonly weight: number;
  /** When the node last renewed its record (epoch milliseconds, the node's clock). */
  readonly renewedAt: number;
  /** How long the record lasts after a renewal (`ClusterLeaseTimeout`). */
  readonly leaseMs: number;
  /** When the node entered its current state (for `RebalanceSettle`). */
  readonly since: number;
}

/** A member as the topology publishes it. */
export interface TopologyMember {
  readonly node: string;
  readonly uris: readonly string[];
  readonly state: MemberState;
  readonly weight: number;
  /** How many sessions it held when the topology was computed (informational: no epoch change). */
  readonly sessions: number;
}

/** The cluster's view: its members and an epoch that only grows. */
export interface Topology {
  readonly cluster: string;
  readonly epoch: number;
  /** Live members, sorted by node name. */
  readonly members: readonly TopologyMember[];
}

/** What changed from one topology to the next. */
export interface TopologyChange {
  readonly joined: readonly string[];
  readonly left: readonly string[];
  /** Members whose state, URIs or weight changed. */
  readonly changed: readonly string[];
}

/** A record is alive while its lease runs (renewedAt + leaseMs, inclusive). */
export function isAlive(r: MemberRecord, now: number): boolean {
  return now <= r.renewedAt + r.leaseMs;
}

/**
 * The live members of one cluster, sorted by node name. Of two records of one node the latest
 * wins; of two renewed at the same time, the greater by content, so the view never depends on the
 * order the records were read in.
 */
export function liveMembers(records: readonly MemberRecord[], cluster: string, now: number): MemberRecord[] {
  const byNode = new Map<string, MemberRecord>();
  for (const r of records) {
    if (r.cluster !== cluster || !isAlive(r, now)) continue;
    const seen = byNode.get(r.node);
    if (!seen || seen.renewedAt < r.renewedAt || (seen.renewedAt === r.renewedAt && JSON.stringify(r) > JSON.stringify(seen))) byNode.set(r.node, r);
  }
  return [...byNode.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

/** The part of a member that, when it changes, makes a new epoch. */
function published(m: { node: string; uris: readonly string[]; state: MemberState; weight: number }): string {
  return JSON.stringify([m.node, m.uris, m.state, m.weight]);
}

/**
 * The next topology from the previous one (undefined at the very start) and the records now:
 * the same epoch when the published members are the same, else the previous epoch plus one.
 */
export function nextTopology(prev: Topology | undefined, records: readonly MemberRecord[], cluster: string, now: number): Topology {
  const members: TopologyMember[] = liveMembers(records, cluster, now).map((r) => ({ node: r.node, uris: [...r.uris], state: r.state, weight: r.weight, sessions: r.sessions.length }));
  const same = prev !== undefined && prev.cluster === cluster && prev.members.length === members.length && prev.members.every((m, i) => published(m) === published(members[i]));
  const epoch = prev === undefined || prev.cluster !== cluster ? 1 : same ? prev.epoch : prev.epoch + 1;
  return { cluster, epoch: Math.max(epoch, prev?.cluster === cluster ? prev.epoch : 0), members };
}

/** Who joined, left or changed between two topologies. */
export function topologyChange(prev: Topology | undefined, next: Topology): TopologyChange {
  const before = new Map((prev?.members ?? []).map((m) => [m.node, m]));
  const after = new Map(next.members.map((m) => [m.node, m]));
  return {
    joined: next.members.filter((m) => !before.has(m.node)).map((m) => m.node),
    left: [...before.keys()].filter((n) => !after.has(n)),
    changed: next.members.filter((m) => before.has(m.node) && published(before.get(m.node)!) !== published(m)).map((m) => m.node),
  };
}

/**
 * The members a client is told about (`UpdateClusterFilter`): active ones whose node name matches
 * one of the regular expressions in full (all active ones without a filter). Draining and joining
 * members are not published: clients should not move to them.
 */
export function publishedMembers(topology: Topology, filter: readonly RegExp[] = []): TopologyMember[] {
  return topology.members.filter((m) => m.state === 'active' && (filter.length === 0 || filter.some((r) => r.test(m.node))));
}

/** Compiles `UpdateClusterFilter` (comma-separated regular expressions, each matching a whole name). */
export function clusterFilter(value: string | undefined): RegExp[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((r) => new RegExp(`^(?:${r.trim()})$`));
}
