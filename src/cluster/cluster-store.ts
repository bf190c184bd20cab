/**
 * Where a cluster keeps its shared state (docs/cluster.md): member records, the coordinator lease,
 * the topology, the planner's memory, move orders and drain requests. The drivers (discovery,
 * coordinator, move driver, drain) speak only to this interface; the store the sessions share
 * chooses the implementation: files in the shared `FileStorePath` directory
 * (`cluster-directory.ts`) or tables in the shared PostgreSQL database (`postgres-cluster-store.ts`,
 * with LISTEN/NOTIFY so the other nodes learn of a change at once).
 */
import type { AcquireResult, OwnerRecord } from '../fencing/ownership.js';
import type { MemberRecord, Topology } from './membership.js';
import type { PlannerMemory } from './rebalance.js';

/** Why a session moves: the planner balancing load, a draining node, or an operator's request. */
export type MoveReason = 'rebalance' | 'drain' | 'operator';

/**
 * An operator asked for a session to move to a node (`ClusterNode.requestMove`, the admin API's
 * move). The coordinator turns it into a move order at its next turn (or drops it, reporting why).
 */
export interface MoveRequest {
  readonly session: string;
  /** The node that held the session when it was asked. */
  readonly from: string;
  readonly to: string;
  /** Who asked (the operator's name), for the record. */
  readonly by: string;
  /** When it was asked (ms since the epoch). */
  readonly at: number;
}

/** A move ordered by the coordinator (see docs/cluster.md, "The move protocol"). */
export interface MoveOrder {
  readonly session: string;
  readonly from: string;
  readonly to: string;
  /** The target's advertised URIs, named in the Logout. */
  readonly toUris: readonly string[];
  readonly reason: MoveReason;
  /** When it was planned, when it may start (with jitter) and when it happens anyway. */
  readonly at: number;
  readonly notBefore: number;
  readonly deadline: number;
  /** The coordinator's lease epoch when it ordered it. */
  readonly coordinatorEpoch: number;
}

/** The topology as the coordinator writes it. */
export interface TopologyFile extends Topology {
  readonly coordinator: string;
  readonly writtenAt: number;
}

/**
 * The coordinator lease: fenced like session ownership (an epoch that grows on every change of
 * holder; a holder that lost it is refused before it writes).
 */
export interface CoordinatorLease {
  /** Our epoch while we hold the lease (0 when we do not). */
  readonly epoch: number;
  /** Our lease is valid by our own clock (no I/O). */
  holds(): boolean;
  acquire(): Promise<AcquireResult>;
  /** Extends the lease; throws StoreFencedError when it was lost. */
  renew(): Promise<void>;
  release(): Promise<void>;
  /** Throws StoreFencedError unless we still hold the lease at `epoch` (default: ours). */
  check(epoch?: number): Promise<void>;
}

/** What changed in the store, as another node announced it (`watch`). */
export type ClusterChange = 'members' | 'topology' | 'moves' | 'drain';

/** A cluster's shared state (see the module comment). */
export interface ClusterStore {
  /** Where it is, for messages: a directory, or a database and schema. */
  readonly where: string;
  /** Prepares the store (directories, tables): a node must be able to write here. */
  create(): Promise<void>;
  writeMember(r: MemberRecord): Promise<void>;
  removeMember(node: string): Promise<void>;
  /** Every member record (lapsed ones included, unless the store removes them), and entries that are not one. */
  members(): Promise<{ records: MemberRecord[]; unreadable: string[] }>;
  topology(): Promise<TopologyFile | undefined>;
  /** Writes the topology; fenced by the coordinator lease `coordinatorEpoch` where the store can check it in the write. */
  writeTopology(t: TopologyFile, coordinatorEpoch: number): Promise<void>;
  plannerMemory(): Promise<PlannerMemory | undefined>;
  /** Writes the planner's memory; fenced as `writeTopology`. */
  writePlannerMemory(m: PlannerMemory, coordinatorEpoch: number): Promise<void>;
  /** Asks `node` to drain (`fixover drain`). */
  requestDrain(node: string): Promise<void>;
  drainRequested(node: string): Promise<boolean>;
  clearDrainRequest(node: string): Promise<void>;
  moves(): Promise<MoveOrder[]>;
  /** Writes a move order; fenced by its `coordinatorEpoch` as `writeTopology`. */
  writeMove(m: MoveOrder): Promise<void>;
  removeMove(session: string): Promise<void>;
  /** Leaves an operator's move request for the coordinator (one per session: a newer one replaces it). */
  requestMove(r: MoveRequest): Promise<void>;
  /** The operators' move requests not yet taken by the coordinator. */
  moveRequests(): Promise<MoveRequest[]>;
  /**
   * Removes the request `r` once taken, only while it is still the one stored: a newer request
   * for the same session, left while the coordinator handled `r`, stays for its next round.
   */
  removeMoveRequest(r: MoveRequest): Promise<void>;
  /** The coordinator lease of this cluster, held as `node`. */
  coordinatorLease(node: string, leaseMs: number, now?: () => number): CoordinatorLease;
  /** Who holds the coordinator lease (for status). */
  coordinator(): Promise<OwnerRecord | undefined>;
  /** The owner record of a session of the shared store (ID and file prefix), for status. */
  sessionOwner(session: { readonly id: string; readonly prefix: string }): Promise<OwnerRecord | undefined>;
  /**
   * Calls `onChange` when another node announces a change, as soon as the store can tell (a
   * PostgreSQL NOTIFY); a store that cannot leaves the callers to their polling.
   */
  watch(onChange: (what: ClusterChange) => void): void;
  /** Stops watching and lets connections go. */
  close(): Promise<void>;
}

/** A move order as read back from the store (anything else is ignored). */
export function isMoveOrder(x: unknown): x is MoveOrder {
  const m = x as MoveOrder;
  return typeof m === 'object' && m !== null && typeof m.session === 'string' && typeof m.from === 'string' && typeof m.to === 'string' && Array.isArray(m.toUris) && typeof m.deadline === 'number' && typeof m.notBefore === 'number';
}

/** An operator's move request as read back from the store. */
export function isMoveRequest(x: unknown): x is MoveRequest {
  const m = x as MoveRequest;
  return typeof m === 'object' && m !== null && typeof m.session === 'string' && typeof m.from === 'string' && typeof m.to === 'string' && typeof m.by === 'string' && typeof m.at === 'number';
}
