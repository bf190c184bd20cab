/**
 * `fixover cluster status`: what the shared store says about a cluster, read without a running
 * node. `readClusterStatus` reads the store; `formatClusterStatus` is pure (a fake clock in tests).
 */
import type { OwnerRecord } from '../fencing/ownership.js';
import type { ClusterStore, MoveOrder, TopologyFile } from './cluster-store.js';
import { isAlive, type MemberRecord } from './membership.js';

/** What `fixover cluster status` shows. */
export interface ClusterStatus {
  readonly cluster: string;
  readonly members: readonly MemberRecord[];
  readonly topology: TopologyFile | undefined;
  readonly coordinator: OwnerRecord | undefined;
  readonly moves: readonly MoveOrder[];
  /** Each session of the settings and its owner record (undefined: never owned). */
  readonly sessions: ReadonlyArray<{ readonly id: string; readonly owner: OwnerRecord | undefined }>;
}

/** Reads a cluster's state from its store; `sessions` are the session IDs with their store file prefixes. */
export async function readClusterStatus(store: ClusterStore, cluster: string, sessions: ReadonlyArray<{ id: string; prefix: string }>): Promise<ClusterStatus> {
  return {
    cluster,
    members: (await store.members()).records.filter((r) => r.cluster === cluster).sort((a, b) => (a.node < b.node ? -1 : 1)),
    topology: await store.topology(),
    coordinator: await store.coordinator(),
    moves: await store.moves(),
    sessions: await Promise.all(sessions.map(async (s) => ({ id: s.id, owner: await store.sessionOwner(s) }))),
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The status as text. */
export function formatClusterStatus(s: ClusterStatus, now: number): string {
  const lines: string[] = [];
  const t = s.topology;
  lines.push(`cluster ${s.cluster}: topology epoch ${t?.epoch ?? '(none yet)'}${t ? `, written by ${t.coordinator} ${seconds(now - t.writtenAt)} ago` : ''}`);
  const c = s.coordinator;
  const coordinatorLive = c !== undefined && c.pid !== 0 && now <= c.renewedAt + c.leaseMs;
  lines.push(`coordinator: ${coordinatorLive ? `${c.node} (epoch ${c.epoch})` : 'none'}`);
  lines.push('members:');
  // Static and multicast discovery keep no member files: the members the coordinator last wrote.
  if (s.members.length === 0 && t && t.members.length > 0) {
    lines.push(`  (from the topology written ${seconds(now - t.writtenAt)} ago: members discovered over the network keep no files)`);
    for (const m of t.members) lines.push(`  ${m.node}  ${m.state}  ${m.uris.join(',')}  weight ${m.weight}  ${m.sessions} session(s)`);
  } else if (s.members.length === 0) lines.push('  (none)');
  for (const m of s.members) {
    const alive = isAlive(m, now);
    lines.push(`  ${m.node}  ${alive ? m.state : 'gone (lease lapsed)'}  ${m.uris.join(',')}  weight ${m.weight}  ${m.sessions.length} session(s)  ${alive ? `lease ${seconds(m.renewedAt + m.leaseMs - now)} left` : `last seen ${seconds(now - m.renewedAt)} ago`}`);
  }
  lines.push('sessions:');
  for (const x of s.sessions) {
    const o = x.owner;
    const who = o === undefined ? 'never owned' : o.pid !== 0 ? `${o.node} (epoch ${o.epoch})` : o.movingTo !== undefined && now < (o.movingUntil ?? 0) ? `moving to ${o.movingTo}` : `not held (last ${o.node}, epoch ${o.epoch})`;
    lines.push(`  ${x.id}  ${who}`);
  }
  if (s.moves.length > 0) {
    lines.push('moves in progress:');
    for (const m of s.moves) lines.push(`  ${m.session}  ${m.from} -> ${m.to}  (${m.reason}, deadline in ${seconds(m.deadline - now)})`);
  }
  return `${lines.join('\n')}\n`;
}
