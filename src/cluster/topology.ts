/**
 * The topology and move messages of docs/cluster.md as fields (pure): what a node sends a fixover
 * initiator that announced `ClusterTopologySupport(21110)=Y`, and what the initiator does with
 * them. `ClusterNode` (acceptor side) and the initiator's failover driver are the thin I/O around
 * these functions.
 */
import { FixoverError } from '../codec/errors.js';
import { Group } from '../codec/field-map.js';
import { Message } from '../codec/message.js';
import type { Topology, TopologyChange, TopologyMember } from './membership.js';
import type { MoveReason } from './cluster-store.js';

/** User-defined MsgTypes and tags (docs/cluster.md, "Topology pushed to clients"). */
export const CLUSTER_MSG = { topology: 'U1', reconnectTo: 'U2' } as const;
/** The user-defined tags of the cluster messages U1 and U2 and of the Logon's support flag (layout in docs/cluster.md). */
export const CLUSTER_TAG = {
  ClusterID: 21100,
  TopologyEpoch: 21101,
  NoClusterMembers: 21102,
  MemberName: 21103,
  MemberURIs: 21104,
  MemberState: 21105,
  TopologyReason: 21106,
  SessionLeaseTimeout: 21107,
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
  /** The node's `SessionLeaseTimeout` in milliseconds, when it sent one (21107). */
  readonly sessionLeaseMs?: number;
}

/** A topology or move message that does not have the layout of docs/cluster.md. */
export class ClusterMessageError extends FixoverError {
  override readonly code = 'CLUSTER_MESSAGE';
}

/**
 * The body of a ClusterTopology (U1) message for the published members; with `sessionLeaseMs`, the
 * sending node's session lease (a client leaves a node silent for half of it, docs/cluster.md).
 */
export function topologyFields(t: Topology, members: readonly TopologyMember[], reason: TopologyReason, sessionLeaseMs?: number): Field[] {
  const out: Field[] = [
    [CLUSTER_TAG.ClusterID, t.cluster],
    [CLUSTER_TAG.TopologyEpoch, String(t.epoch)],
    [CLUSTER_TAG.TopologyReason, reason],
    ...(sessionLeaseMs === undefined ? [] : [[CLUSTER_TAG.SessionLeaseTimeout, String(sessionLeaseMs)] as const]),
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
  const lease = fields.find(([t]) => t === CLUSTER_TAG.SessionLeaseTimeout)?.[1];
  if (lease !== undefined && !/^[1-9]\d{0,8}$/.test(lease)) throw new ClusterMessageError(`SessionLeaseTimeout(${CLUSTER_TAG.SessionLeaseTimeout}) must be a positive number of milliseconds, not "${lease}"`);
  return { cluster, epoch: Number(epochText), reason: reason as TopologyReason, members, ...(lease === undefined ? {} : { sessionLeaseMs: Number(lease) }) };
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

/**
 * Whether a topology change is pushed to supporting clients, and with which reason: a member
 * joined (`join`), a published member changed state, URIs or weight (`change`, e.g. it started
 * draining), or one left and `UpdateClusterClientsOnRemove=Y` (`leave`). Null: nothing to push.
 */
export function pushReason(change: TopologyChange, onRemove: boolean): TopologyReason | null {
  if (change.joined.length > 0) return 'join';
  if (change.changed.length > 0) return 'change';
  if (change.left.length > 0 && onRemove) return 'leave';
  return null;
}

/** A cluster message (U1/U2) from its body fields; the members of a U1 become a repeating group. */
export function clusterMessage(msgType: string, fields: readonly Field[]): Message {
  const m = new Message(msgType);
  let entry: Group | null = null;
  for (const [tag, value] of fields) {
    if (tag === CLUSTER_TAG.MemberName) {
      entry = new Group(CLUSTER_TAG.NoClusterMembers, CLUSTER_TAG.MemberName, [CLUSTER_TAG.MemberName, CLUSTER_TAG.MemberURIs, CLUSTER_TAG.MemberState]);
      m.body.addGroup(entry);
    }
    if (tag === CLUSTER_TAG.NoClusterMembers) continue;
    if (entry && (tag === CLUSTER_TAG.MemberName || tag === CLUSTER_TAG.MemberURIs || tag === CLUSTER_TAG.MemberState)) entry.set(tag, value);
    else m.body.set(tag, value);
  }
  return m;
}

/** A ReconnectTo (U2) instruction: log out and log on at `node` (`uris`) before `deadline` (ms since the epoch). */
export interface ReconnectInstruction {
  readonly node: string;
  readonly uris: readonly string[];
  readonly reason: MoveReason;
  readonly deadline: number;
}

/** The body of a ReconnectTo (U2) message. */
export function reconnectFields(r: ReconnectInstruction): Field[] {
  return [
    [CLUSTER_TAG.TargetNode, r.node],
    [CLUSTER_TAG.TargetURIs, r.uris.join(',')],
    [CLUSTER_TAG.MoveReason, r.reason],
    [CLUSTER_TAG.MoveDeadline, new Date(r.deadline).toISOString().replace(/-/g, '').replace('T', '-').replace('Z', '')],
  ];
}

/**
 * Reads a ReconnectTo (U2) body.
 * @throws ClusterMessageError naming what is missing or wrong
 */
export function parseReconnectFields(fields: readonly Field[]): ReconnectInstruction {
  const one = (tag: number, name: string): string => {
    const f = fields.find(([t]) => t === tag);
    if (!f || f[1] === '') throw new ClusterMessageError(`ReconnectTo without ${name}(${tag})`);
    return f[1];
  };
  const node = one(CLUSTER_TAG.TargetNode, 'TargetNode');
  const uris = one(CLUSTER_TAG.TargetURIs, 'TargetURIs').split(',').filter((u) => u !== '');
  if (uris.length === 0) throw new ClusterMessageError(`ReconnectTo without a URI in TargetURIs(${CLUSTER_TAG.TargetURIs})`);
  const reason = one(CLUSTER_TAG.MoveReason, 'MoveReason');
  if (reason !== 'rebalance' && reason !== 'drain' && reason !== 'operator') throw new ClusterMessageError(`MoveReason(${CLUSTER_TAG.MoveReason}) must be rebalance, drain or operator, not "${reason}"`);
  const text = one(CLUSTER_TAG.MoveDeadline, 'MoveDeadline');
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  const deadline = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0) : NaN;
  if (!Number.isFinite(deadline)) throw new ClusterMessageError(`MoveDeadline(${CLUSTER_TAG.MoveDeadline}) must be a UTCTimestamp (YYYYMMDD-HH:MM:SS[.sss]), not "${text}"`);
  return { node, uris, reason, deadline };
}
