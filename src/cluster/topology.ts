/**
 * The topology and move messages of docs/cluster.md as fields (pure): what a node sends a fixover
 * initiator that announced `ClusterTopologySupport(21110)=Y`, and what the initiator does with
 * them. The session layer that sends and receives them is designed, not built: these functions
 * are its core, tested on their own.
 */
import { FixoverError } from '../codec/errors.js';
import type { Topology, TopologyMember } from './membership.js';

/** User-defined MsgTypes and tags (docs/cluster.md, "Topology pushed to clients"). */
export const CLUSTER_MSG = { topology: 'U1', reconnectTo: 'U2' } as const;
export const CLUSTER_TAG = {
  ClusterID: 21100,
  TopologyEpoch: 21101,
  NoClusterMembers: 21102,
  MemberName: 21103,
  MemberURIs: 21104,
  MemberState: 21105,
  TopologyReason: 21106,
  ClusterTopologySupport: 21110,
  TargetNode: 21120,
  TargetURIs: 21121,
  MoveReason: 21122,
  MoveDeadline: 21123,
} as const;

/** A body field in order. */
export type Field = readonly [number, string];

/** Why a topology is pushed. */
export type TopologyReason = 'logon' | 'join' | 'leave' | 'change';

/** A topology as a client receives it. */
export interface PushedTopology {
  readonly cluster: string;
  readonly epoch: number;
  readonly reason: TopologyReason;
  readonly members: ReadonlyArray<{ readonly node: string; readonly uris: readonly string[] }>;
}

/** A topology or move message that does not have the layout of docs/cluster.md. */
export class ClusterMessageError extends FixoverError {
  override readonly code = 'CLUSTER_MESSAGE';
}

/** The body of a ClusterTopology (U1) message for the published members. */
export function topologyFields(t: Topology, members: readonly TopologyMember[], reason: TopologyReason): Field[] {
  const out: Field[] = [
    [CLUSTER_TAG.ClusterID, t.cluster],
    [CLUSTER_TAG.TopologyEpoch, String(t.epoch)],
    [CLUSTER_TAG.TopologyReason, reason],
    [CLUSTER_TAG.NoClusterMembers, String(members.length)],
  ];
  for (const m of members) out.push([CLUSTER_TAG.MemberName, m.node], [CLUSTER_TAG.MemberURIs, m.uris.join(',')], [CLUSTER_TAG.MemberState, 'A']);
  return out;
}

/**
 * Reads a ClusterTopology (U1) body.
 * @throws ClusterMessageError naming what is missing or wrong
 */
export function parseTopologyFields(fields: readonly Field[]): PushedTopology {
  const one = (tag: number, name: string): string => {
    const f = fields.find(([t]) => t === tag);
    if (!f || f[1] === '') throw new ClusterMessageError(`ClusterTopology without ${name}(${tag})`);
    return f[1];
  };
  const cluster = one(CLUSTER_TAG.ClusterID, 'ClusterID');
  const epochText = one(CLUSTER_TAG.TopologyEpoch, 'TopologyEpoch');
  if (!/^\d+$/.test(epochText)) throw new ClusterMessageError(`TopologyEpoch(${CLUSTER_TAG.TopologyEpoch}) must be a non-negative integer, not "${epochText}"`);
  const reason = one(CLUSTER_TAG.TopologyReason, 'TopologyReason');
  if (!['logon', 'join', 'leave', 'change'].includes(reason)) throw new ClusterMessageError(`TopologyReason(${CLUSTER_TAG.TopologyReason}) must be logon, join, leave or change, not "${reason}"`);
  const countAt = fields.findIndex(([t]) => t === CLUSTER_TAG.NoClusterMembers);
  const count = countAt < 0 ? 0 : Number(fields[countAt][1]);
  if (!Number.isInteger(count) || count < 0) throw new ClusterMessageError(`NoClusterMembers(${CLUSTER_TAG.NoClusterMembers}) must be a non-negative integer`);
  const members: Array<{ node: string; uris: string[] }> = [];
  for (let i = countAt + 1; i < fields.length && members.length < count + 1; i++) {
    const [tag, value] = fields[i];
    if (tag === CLUSTER_TAG.MemberName) members.push({ node: value, uris: [] });
    else if (tag === CLUSTER_TAG.MemberURIs && members.length > 0) members[members.length - 1].uris = value.split(',').filter((u) => u !== '');
    else if (tag !== CLUSTER_TAG.MemberState) break;
  }
  if (members.length !== count) throw new ClusterMessageError(`NoClusterMembers(${CLUSTER_TAG.NoClusterMembers}) is ${count} but ${members.length} MemberName(${CLUSTER_TAG.MemberName}) entries follow`);
  return { cluster, epoch: Number(epochText), reason: reason as TopologyReason, members };
}

/** What a client knows of its cluster: the first ClusterID it accepted and the last epoch applied. */
export interface ClientTopologyState {
  readonly cluster: string | undefined;
  readonly epoch: number;
}

/** What a client does with a pushed topology. */
export type TopologyDecision =
  /** Use `uris` (pushed members first, then the configured endpoints) from the next pass. */
  | { readonly kind: 'apply'; readonly state: ClientTopologyState; readonly uris: readonly string[] }
  /** An epoch not above the last one applied: ignored. */
  | { readonly kind: 'stale'; readonly epoch: number; readonly current: number }
  /** Another cluster's topology: refused (an event says so). */
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * What a fixover initiator does with a pushed topology: pushed URIs are added in front of the
 * configured ones, never replacing them (a client whose pushed members are all down still tries
 * its configured addresses); an older or equal epoch is ignored; another cluster's is refused.
 */
export function applyPushedTopology(state: ClientTopologyState, pushed: PushedTopology, configured: readonly string[]): TopologyDecision {
  if (state.cluster !== undefined && pushed.cluster !== state.cluster) return { kind: 'refused', reason: `topology of cluster ${pushed.cluster}, but this session follows cluster ${state.cluster}` };
  if (state.cluster !== undefined && pushed.epoch <= state.epoch) return { kind: 'stale', epoch: pushed.epoch, current: state.epoch };
  const uris = [...new Set([...pushed.members.flatMap((m) => m.uris), ...configured])];
  return { kind: 'apply', state: { cluster: pushed.cluster, epoch: pushed.epoch }, uris };
}
