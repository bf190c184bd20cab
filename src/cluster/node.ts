/**
 * A cluster member: wires discovery, the coordinator and the move driver to an engine's sessions
 * (docs/cluster.md). Start it after the engine listens; stop it before the engine stops.
 */
import { EventEmitter } from 'node:events';
import { readClusterStatus, type ClusterStatus } from './status.js';
import type { Session } from '../engine/session.js';
import type { ClusterChange, ClusterStore, MoveRequest } from './cluster-store.js';
import { openClusterStore } from './open-cluster-store.js';
import { checkMove, ClusterMoveError } from './move-request.js';
import { clusterConfigFrom, type ClusterConfig } from './config.js';
import { StoreDiscovery, type Discovery, type DiscoveryOptions } from './discovery.js';
import { NetworkDiscovery } from './network-discovery.js';
import { MulticastTransport } from './multicast-transport.js';
import { ProbeTransport } from './probe-transport.js';
import type { ClusterEvent } from './events.js';
import { MoveDriver } from './move-driver.js';
import { Coordinator, orderFinished } from './rebalance-driver.js';
import { publishedMembers, type Topology } from './membership.js';
import { drainProgress, drainRefusal } from './drain.js';
import { CLUSTER_MSG, clusterMessage, pushReason, topologyFields, type TopologyReason } from './topology.js';

/** What a cluster node needs of an engine: its sessions by ID. */
export interface ClusterEngine {
  readonly sessions: ReadonlyMap<string, Session>;
}

/** The discovery driver `ClusterDiscovery` names (docs/cluster.md, "Membership"). */
function discoveryFor(files: ClusterStore, config: ClusterConfig, o: DiscoveryOptions): Discovery {
  const d = config.discovery;
  switch (d.kind) {
    case 'store':
      return new StoreDiscovery(files, o);
    case 'multicast':
      return new NetworkDiscovery(files, o, new MulticastTransport({ group: d.group, port: d.port, ttl: d.ttl, iface: d.iface }), config.secret);
    case 'static':
      return new NetworkDiscovery(files, o, new ProbeTransport({ peers: d.peers, listen: config.probeListen!, timeoutMs: Math.min(2000, Math.max(200, Math.floor(config.leaseMs / 3))) }), config.secret);
  }
}

/** One node's membership in a cluster, with its coordinator and move driver; emits ClusterEvents. */
export class ClusterNode extends EventEmitter<{ event: [ClusterEvent] }> {
  /** Where the cluster's state is: the shared directory or the shared PostgreSQL database. @internal */
  readonly files: ClusterStore;
  /** How the members learn of each other. @internal */
  readonly discovery: Discovery;
  /** Plans and orders rebalancing moves while this node is the coordinator. @internal */
  readonly coordinator: Coordinator;
  /** Carries out the moves ordered for this node's sessions. @internal */
  readonly moves: MoveDriver;
  private drainRun: Promise<number> | null = null;
  private drainTimer: NodeJS.Timeout | null = null;
  private readonly held: () => string[];
  private member = false;
  private coordinatorSoon = false;

  constructor(
    /** The cluster settings read from the session settings. @internal */
    readonly config: ClusterConfig,
    private readonly engine: ClusterEngine,
  ) {
    super();
    this.files = openClusterStore(config);
    const held = (): string[] => [...engine.sessions].filter(([, s]) => s.ownerEpoch !== 0 && s.isLoggedOn).map(([id]) => id);
    this.held = held;
    this.discovery = discoveryFor(this.files, config, { cluster: config.cluster, node: config.node, uris: config.uris, weight: config.weight, leaseMs: config.leaseMs, sessions: held });
    this.coordinator = new Coordinator(this.files, this.discovery, config);
    const memberActive = async (node: string): Promise<boolean> => (await this.discovery.members()).some((m) => m.node === node && m.state === 'active');
    this.moves = new MoveDriver(this.files, engine.sessions, { node: config.node, quietMs: config.quietMs, reserveMs: config.reserveMs, minStayMs: config.planner.minStayMs, reconnectMs: config.deadlineMs, memberActive });
    for (const part of [this.discovery, this.coordinator, this.moves]) part.on('event', (e) => this.emit('event', e));
    for (const s of engine.sessions.values()) {
      // While draining, every Logon is refused (the client goes to another member).
      const moving = s.claimGuard;
      s.claimGuard = async () => {
        if (this.drainRun === null) return moving ? moving() : null;
        const others = (await this.discovery.members()).filter((m) => m.node !== config.node && m.state === 'active');
        return { reason: drainRefusal(config.node, others) };
      };
      // What this node holds changed: tell the others now rather than at the next renewal.
      s.on('logon', () => this.discovery.renewSoon());
      s.on('disconnected', () => this.discovery.renewSoon());
      // UpdateClusterClients: a client that announced support learns the topology at logon.
      s.on('logon', () => {
        const t = this.discovery.topology;
        if (config.updateClients && t) this.push(s, t, 'logon');
      });
    }
    this.discovery.on('topology', (t, change) => {
      const reason = config.updateClients ? pushReason(change, config.updateClientsOnRemove) : null;
      if (reason) for (const s of engine.sessions.values()) this.push(s, t, reason);
    });
  }

  /** Sends the topology (U1, members after UpdateClusterFilter) to a session's client if it announced support. */
  private push(s: Session, t: Topology, reason: TopologyReason): void {
    if (!s.isLoggedOn || !s.peerSupportsCluster) return;
    s.sendClusterMessage(clusterMessage(CLUSTER_MSG.topology, topologyFields(t, publishedMembers(t, this.config.filter), reason, this.config.sessionLeaseMs)));
  }

  /**
   * The cluster member for an engine's settings, or undefined when they make none (no
   * ClusterName, UpdateClusterClients or RebalanceClusterClients). `ports`: the bound ports;
   * `baseDir`: the settings file's folder (`ClusterSecretFile` is relative to it).
   * @throws ClusterSettingsError when the acceptor sessions disagree on a cluster setting
   */
  static fromSettings(engine: ClusterEngine, settings: readonly Record<string, string>[], ports: readonly number[], baseDir?: string): ClusterNode | undefined {
    const config = clusterConfigFrom(settings, ports, baseDir);
    return config ? new ClusterNode(config, engine) : undefined;
  }

  /** Registers as an active member and starts the coordinator and the move driver. */
  /** Registered as a member: from `start` to `stop`. */
  get joined(): boolean {
    return this.member;
  }

  /**
   * The cluster as the shared store shows it now: members, topology, coordinator, moves, and who
   * holds each session of this node. With static or multicast discovery the members are the ones
   * this node knows (they keep no records in the store).
   */
  async status(): Promise<ClusterStatus> {
    const sessions = [...this.engine.sessions.values()].map((s) => ({ id: s.id.toString(), prefix: s.id.filePrefix }));
    const status = await readClusterStatus(this.files, this.config.cluster, sessions);
    return this.config.discovery.kind === 'store' || !this.member ? status : { ...status, members: await this.discovery.members() };
  }

  /** Another node announced a change (PostgreSQL NOTIFY): act now rather than at the next poll. */
  private changed(what: ClusterChange): void {
    if (!this.member) return;
    const fail = (e: unknown): void => void this.emit('event', { type: 'warning', text: `after a change of ${what}: ${e instanceof Error ? e.message : String(e)}` });
    if (what === 'members') {
      // The coordinator writes the new topology at once; one turn for a burst of announcements.
      if (this.coordinatorSoon) return;
      this.coordinatorSoon = true;
      setImmediate(() => {
        this.coordinatorSoon = false;
        this.coordinator.tick().catch(fail);
      });
    } else if (what === 'topology') this.discovery.refresh().catch(fail);
    else if (what === 'moves') void this.moves.poll();
    else this.checkDrainRequest();
  }

  private checkDrainRequest(): void {
    if (this.drainRun) return;
    this.files.drainRequested(this.config.node).then(
      (asked) => void (asked && this.drain()),
      () => undefined,
    );
  }

  async start(): Promise<void> {
    // A drain request left from before this start is not for this run.
    await this.files.clearDrainRequest(this.config.node);
    await this.discovery.start('active');
    this.member = true;
    this.files.watch((what) => this.changed(what));
    this.coordinator.start();
    this.moves.start();
    // `fixover drain <settings>` leaves a request in the shared store.
    this.drainTimer = setInterval(() => this.checkDrainRequest(), 250);
    this.drainTimer.unref();
  }

  /**
   * Asks for a session to move to another member (docs/cluster.md, "Moving a session by hand"),
   * from any member of the cluster. The request is checked now and left in the shared directory;
   * the coordinator turns it into a move order at its next turn (within `RebalanceInterval` or a
   * third of `ClusterLeaseTimeout`), and the node holding the session moves it as it moves any
   * session: at a safe point, ownership handed over directly to the target, a fixover client told
   * to reconnect there (ReconnectTo, U2), any other client logged out with a Logout naming the
   * target. The planner then leaves the session on its target for `RebalanceMinStay`.
   * @param session the session ID, e.g. `FIX.4.2:EXEC->CLIENT1`
   * @param to the target node's name (`NodeName`), an active member
   * @param by who asks (kept with the request and named in the coordinator's warnings)
   * @returns the request as left for the coordinator (with the node holding the session now)
   * @throws ClusterMoveError with code `not_in_cluster` (this node has not joined or has left),
   *   `unknown_session`, `unknown_node`, `target_not_active`, `session_not_held` (no member holds
   *   it: nobody is logged on), `already_there` or `already_moving`
   */
  async requestMove(session: string, to: string, by = 'unnamed'): Promise<MoveRequest> {
    if (!this.member) throw new ClusterMoveError('not_in_cluster', `node ${this.config.node} is not a member of cluster ${this.config.cluster} now (not started, or stopped)`);
    const members = await this.discovery.members();
    const now = Date.now();
    const moving = new Set((await this.files.moves()).filter((o) => !orderFinished(o, members, now, this.config.reserveMs, this.config.leaseMs)).map((o) => o.session));
    const check = checkMove(session, to, members, moving, this.engine.sessions.has(session));
    if (!check.ok) throw new ClusterMoveError(check.code, check.message);
    const request: MoveRequest = { session, from: check.from, to, by, at: now };
    await this.files.requestMove(request);
    // Asked at the coordinator itself: ordered now rather than at its next turn.
    if (this.coordinator.isCoordinator) void this.coordinator.tick();
    return request;
  }

  /** Draining now (`drain` was called). */
  get draining(): boolean {
    return this.drainRun !== null;
  }

  /**
   * Drains this node (docs/cluster.md, "Drain"): refuses every Logon from now on, publishes itself
   * as `draining` (no longer pushed to clients), and waits while the coordinator moves its sessions
   * one by one to the other members (after `DrainGracePeriod`, paced and jittered, with hand-over).
   * Resolves with the number of sessions still held: 0, or more when `DrainDeadline` passed first.
   * Calling it again returns the same drain.
   */
  drain(): Promise<number> {
    if (this.drainRun) return this.drainRun;
    const startedAt = Date.now();
    this.drainRun = (async () => {
      await this.files.clearDrainRequest(this.config.node);
      this.emit('event', { type: 'drain', state: 'started', sessions: this.held().length });
      await this.discovery.setState('draining');
      for (;;) {
        const p = drainProgress(this.held().length, startedAt, Date.now(), this.config.drainDeadlineMs);
        if (p.kind === 'done') {
          this.emit('event', { type: 'drain', state: 'done', sessions: p.left });
          return p.left;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    return this.drainRun;
  }

  /** Leaves the cluster: stops planning and moving, gives the coordinator lease up, removes the member record. */
  async stop(): Promise<void> {
    this.member = false;
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.moves.stop();
    await this.coordinator.stop();
    await this.discovery.stop();
    await this.files.close();
  }
}
