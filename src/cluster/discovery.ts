/**
 * Discovery through the shared store (thin driver around `membership.ts`): this node
 * writes its member record and renews it every third of `ClusterLeaseTimeout` (and at once when the
 * sessions it holds change), reads the others' records, and reports topology changes as it finds
 * them in the topology written by the coordinator (`topology.json`, or a row in PostgreSQL where
 * a NOTIFY makes `refresh` look at once).
 */
import { EventEmitter } from 'node:events';
import type { ClusterStore } from './cluster-store.js';
import { liveMembers, topologyChange, type MemberRecord, type MemberState, type Topology, type TopologyChange } from './membership.js';
import type { ClusterEvent } from './events.js';

/** This node as a member: identity, advertised URIs, weight, lease, and the sessions it holds. */
export interface DiscoveryOptions {
  readonly cluster: string;
  readonly node: string;
  readonly uris: readonly string[];
  readonly weight: number;
  readonly leaseMs: number;
  /** The sessions this node holds now. */
  readonly sessions: () => string[];
  readonly now?: () => number;
}

/**
 * How a node learns of the other members (`ClusterDiscovery`): the shared store (`StoreDiscovery`),
 * or static probes and multicast announcements (`NetworkDiscovery`). Whichever it is, the topology
 * itself comes from `topology.json`, written by the coordinator from the members it sees.
 */
export interface Discovery extends EventEmitter<{ event: [ClusterEvent]; topology: [Topology, TopologyChange] }> {
  /** Registers as a member in `state` and keeps telling the others. */
  start(state?: MemberState): Promise<void>;
  /** Changes this member's state and tells the others now. */
  setState(state: MemberState): Promise<void>;
  /** The sessions held changed: tell the others within `ms`. */
  renewSoon(ms?: number): void;
  /** The live members of the cluster (this node included) as known now. */
  members(): Promise<MemberRecord[]>;
  /** This node's record as it is published now. */
  record(): MemberRecord;
  /** Looks for a new topology now (another node announced one). */
  refresh(): Promise<void>;
  /** The last topology read from `topology.json`. */
  readonly topology: Topology | undefined;
  readonly memberState: MemberState;
  /** Stops and tells the others this node left. */
  stop(): Promise<void>;
}

/**
 * Reads `topology.json` and, when it holds a newer epoch of this cluster than `seen`, reports the
 * joins, leaves and changes as events and the topology; returns the topology now known.
 */
export async function followTopology(files: ClusterStore, cluster: string, seen: Topology | undefined, emitter: Discovery): Promise<Topology | undefined> {
  const t = await files.topology();
  if (!t || t.cluster !== cluster || (seen && t.epoch <= seen.epoch)) return seen;
  const c = topologyChange(seen, t);
  for (const node of c.joined) emitter.emit('event', { type: 'joined', node, epoch: t.epoch });
  for (const node of c.left) emitter.emit('event', { type: 'left', node, epoch: t.epoch });
  for (const node of c.changed) emitter.emit('event', { type: 'changed', node, epoch: t.epoch });
  emitter.emit('topology', t, c);
  return t;
}

/** This node's member record in the shared directory, and the others' (see the module comment). */
export class StoreDiscovery extends EventEmitter<{ event: [ClusterEvent]; topology: [Topology, TopologyChange] }> implements Discovery {
  private state: MemberState = 'joining';
  private since: number;
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private seen: Topology | undefined;
  private readonly now: () => number;
  private stopped = false;

  constructor(
    private readonly files: ClusterStore,
    private readonly o: DiscoveryOptions,
  ) {
    super();
    this.now = o.now ?? Date.now;
    this.since = this.now();
  }

  /** Registers as a member in `state` and keeps the record renewed. */
  async start(state: MemberState = 'active'): Promise<void> {
    await this.files.create();
    this.seen = await this.files.topology();
    await this.setState(state);
    this.timer = setInterval(() => this.renewSoon(0), Math.max(100, Math.floor(this.o.leaseMs / 3)));
    this.timer.unref();
  }

  async setState(state: MemberState): Promise<void> {
    if (state !== this.state) {
      this.state = state;
      this.since = this.now();
    }
    await this.renew();
  }

  /** The last topology read from `topology.json` (undefined before the coordinator wrote one). */
  get topology(): Topology | undefined {
    return this.seen;
  }

  /** This member's state now. */
  get memberState(): MemberState {
    return this.state;
  }

  /** The record as it is written now. */
  record(): MemberRecord {
    return { cluster: this.o.cluster, node: this.o.node, uris: this.o.uris, state: this.state, sessions: this.o.sessions().sort(), weight: this.o.weight, renewedAt: this.now(), leaseMs: this.o.leaseMs, since: this.since };
  }

  /** Renews the record within `ms` (coalesced): the sessions held changed. */
  renewSoon(ms = 20): void {
    if (this.soon || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      this.renew().catch((e: unknown) => this.emit('event', { type: 'warning', text: `cannot renew the member record: ${e instanceof Error ? e.message : String(e)}` }));
    }, ms);
    this.soon.unref();
  }

  /** Writes the record now (one write at a time), then looks for topology changes. */
  renew(): Promise<void> {
    this.writing = this.writing.catch(() => undefined).then(async () => {
      if (this.stopped) return;
      await this.files.writeMember(this.record());
      await this.checkTopology();
    });
    return this.writing;
  }

  /** Looks for a new topology now (another node announced one), after any write in progress. */
  refresh(): Promise<void> {
    this.writing = this.writing.catch(() => undefined).then(async () => {
      if (!this.stopped) await this.checkTopology();
    });
    return this.writing;
  }

  /** The live members of the cluster, read now. */
  async members(): Promise<MemberRecord[]> {
    const { records, unreadable } = await this.files.members();
    for (const n of unreadable) this.emit('event', { type: 'warning', text: `member file ${n} is not a member record; ignored` });
    return liveMembers(records, this.o.cluster, this.now());
  }

  private async checkTopology(): Promise<void> {
    this.seen = await followTopology(this.files, this.o.cluster, this.seen, this);
  }

  /** Stops renewing and removes the record (the others see this node leave at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    await this.writing.catch(() => undefined);
    await this.files.removeMember(this.o.node);
  }
}
