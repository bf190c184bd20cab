/**
 * Discovery over the network (`ClusterDiscovery=static:(…)` or `multicast://…`; docs/cluster.md):
 * a thin driver around the pure `MemberView`. Every third of `ClusterLeaseTimeout` (and at once
 * when its state or the sessions it holds change) this node tells the others about itself through
 * its transport (a multicast datagram, or a probe of each static peer), and feeds what it hears
 * into the view. The coordinator lease, the topology file, the planner's memory and session
 * ownership stay in the shared store; only how members learn of each other differs.
 */
import { EventEmitter } from 'node:events';
import { FixoverError } from '../codec/errors.js';
import type { ClusterStore } from './cluster-store.js';
import { encodeAnnouncement, parseAnnouncement, type Announcement, type AnnouncementKind } from './announcement.js';
import { followTopology, type Discovery, type DiscoveryOptions } from './discovery.js';
import type { ClusterEvent } from './events.js';
import { MemberView, type ViewCounts } from './member-view.js';
import { liveMembers, type MemberRecord, type MemberState, type Topology, type TopologyChange } from './membership.js';

/** Discovery cannot start: its socket cannot be bound or the multicast group joined. */
export class ClusterDiscoveryError extends FixoverError {
  override readonly code = 'CLUSTER_DISCOVERY';
}

/** What a transport may do with the node: make its messages and hand over the bytes it received. */
export interface MemberLink {
  /** This node's message of `kind`, now (each has the next sequence number). */
  message(kind: AnnouncementKind): Buffer;
  /** Bytes received from `from` (an address, for warnings): the message when it is one of this cluster, else undefined (counted, ignored). */
  receive(bytes: Buffer, from: string): Announcement | undefined;
  /** Something from `from` that was no message (counted, ignored). */
  bad(from: string, problem: string): void;
  /** Something the transport could not do; the node goes on. */
  warn(text: string): void;
}

/** How announcements travel (multicast datagrams, static probes). */
export interface MemberTransport {
  /** Binds (rejects with a ClusterDiscoveryError when it cannot). */
  start(link: MemberLink): Promise<void>;
  /** Tells the others about this node now. */
  announce(): void;
  /** Tells the others this node leaves (best effort) and closes. */
  stop(): Promise<void>;
}

/** This node as a member over the network (see the module comment). */
export class NetworkDiscovery extends EventEmitter<{ event: [ClusterEvent]; topology: [Topology, TopologyChange] }> implements Discovery {
  private state: MemberState = 'joining';
  private since: number;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private seen: Topology | undefined;
  private following: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly now: () => number;
  readonly incarnation: number;
  readonly view: MemberView;
  private lastBad = '';
  private warned = { bad: 0, duplicateName: 0 };

  constructor(
    private readonly files: ClusterStore,
    private readonly o: DiscoveryOptions,
    private readonly transport: MemberTransport,
    /** `ClusterSecretFile`'s secret: messages are signed with it, and unsigned or wrongly signed ones refused. */
    private readonly secret?: Buffer,
  ) {
    super();
    this.now = o.now ?? Date.now;
    this.since = this.now();
    this.incarnation = this.now();
    this.view = new MemberView(o.cluster, { node: o.node, incarnation: this.incarnation });
  }

  /** Ignored messages so far, by reason. */
  get counts(): Readonly<ViewCounts> {
    return this.view.counts;
  }

  async start(state: MemberState = 'active'): Promise<void> {
    await this.files.create();
    this.seen = await this.files.topology();
    this.state = state;
    this.since = this.now();
    await this.transport.start({
      message: (kind) => encodeAnnouncement(this.announcement(kind), this.secret),
      receive: (bytes, from) => this.receive(bytes, from),
      bad: (from, problem) => this.bad(from, problem),
      warn: (text) => this.warn(text),
    });
    this.transport.announce();
    this.timer = setInterval(() => this.tick(), Math.max(100, Math.floor(this.o.leaseMs / 3)));
    this.timer.unref();
  }

  /** This node's message of `kind` now. */
  announcement(kind: AnnouncementKind): Announcement {
    const r = this.record();
    return { kind, cluster: r.cluster, node: r.node, incarnation: this.incarnation, seq: ++this.seq, uris: r.uris, state: r.state, sessions: r.sessions, weight: r.weight, leaseMs: r.leaseMs, inStateMs: Math.max(0, r.renewedAt - r.since) };
  }

  private receive(bytes: Buffer, from: string): Announcement | undefined {
    const a = parseAnnouncement(bytes, this.secret);
    if ('problem' in a) {
      this.bad(from, a.problem);
      return undefined;
    }
    const heard = this.view.heard(a, this.now());
    if (heard === 'duplicateName') this.lastBad = `from ${from}: another process announces this node's name ${a.node}`;
    return heard === 'otherCluster' || heard === 'duplicateName' ? undefined : a;
  }

  private bad(from: string, problem: string): void {
    this.view.bad();
    this.lastBad = `from ${from}: ${problem}`;
  }

  private warn(text: string): void {
    if (!this.stopped) this.emit('event', { type: 'warning', text });
  }

  /** Renewal: announce, follow the topology file, report ignored messages (at most once a turn). */
  private tick(): void {
    if (this.stopped) return;
    this.transport.announce();
    void this.refresh();
    const c = this.view.counts;
    if (c.bad > this.warned.bad || c.duplicateName > this.warned.duplicateName) {
      this.warn(`ignored ${c.bad - this.warned.bad + c.duplicateName - this.warned.duplicateName} membership message(s) (last ${this.lastBad}); ${c.bad} bad so far`);
      this.warned = { bad: c.bad, duplicateName: c.duplicateName };
    }
  }

  /** Looks for a new topology now (another node announced one; also every renewal). */
  refresh(): Promise<void> {
    this.following = this.following
      .then(async () => {
        if (!this.stopped) this.seen = await followTopology(this.files, this.o.cluster, this.seen, this);
      })
      .catch((e: unknown) => this.warn(`cannot read the topology: ${e instanceof Error ? e.message : String(e)}`));
    return this.following;
  }

  async setState(state: MemberState): Promise<void> {
    if (state !== this.state) {
      this.state = state;
      this.since = this.now();
    }
    if (!this.stopped && this.timer) this.transport.announce();
    return Promise.resolve();
  }

  renewSoon(ms = 20): void {
    if (this.soon || this.stopped || !this.timer) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      if (!this.stopped) this.transport.announce();
    }, ms);
    this.soon.unref();
  }

  members(): Promise<MemberRecord[]> {
    const now = this.now();
    return Promise.resolve(liveMembers([this.record(), ...this.view.members(now)], this.o.cluster, now));
  }

  record(): MemberRecord {
    return { cluster: this.o.cluster, node: this.o.node, uris: this.o.uris, state: this.state, sessions: this.o.sessions().sort(), weight: this.o.weight, renewedAt: this.now(), leaseMs: this.o.leaseMs, since: this.since };
  }

  get topology(): Topology | undefined {
    return this.seen;
  }

  get memberState(): MemberState {
    return this.state;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    await this.following;
    await this.transport.stop();
  }
}
