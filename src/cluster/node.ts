/**
 * A cluster member: wires discovery, the coordinator and the move driver to an engine's sessions
 * (docs/cluster.md). Start it after the engine listens; stop it before the engine stops.
 */
import { EventEmitter } from 'node:events';
import { dirname } from 'node:path';
import { readClusterStatus, type ClusterStatus } from './status.js';
import type { Session } from '../engine/session.js';
import { ClusterDirectory } from './cluster-directory.js';
import { clusterConfigFrom, type ClusterConfig } from './config.js';
import { StoreDiscovery } from './discovery.js';
import type { ClusterEvent } from './events.js';
import { MoveDriver } from './move-driver.js';
import { Coordinator } from './rebalance-driver.js';
import { publishedMembers, type Topology } from './membership.js';
import { drainProgress, drainRefusal } from './drain.js';
import { CLUSTER_MSG, clusterMessage, pushReason, topologyFields, type TopologyReason } from './topology.js';

/** What a cluster node needs of an engine: its sessions by ID. */
export interface ClusterEngine {
  readonly sessions: ReadonlyMap<string, Session>;
}

/** One node's membership in a cluster, with its coordinator and move driver; emits ClusterEvents. */
export class ClusterNode extends EventEmitter<{ event: [ClusterEvent] }> {
  readonly files: ClusterDirectory;
  readonly discovery: StoreDiscovery;
  readonly coordinator: Coordinator;
  readonly moves: MoveDriver;
  private drainRun: Promise<number> | null = null;
  private drainTimer: NodeJS.Timeout | null = null;
  private readonly held: () => string[];
  private member = false;

  constructor(
    readonly config: ClusterConfig,
    private readonly engine: ClusterEngine,
  ) {
    super();
    this.files = new ClusterDirectory(config.dir);
    const held = (): string[] => [...engine.sessions].filter(([, s]) => s.ownerEpoch !== 0 && s.isLoggedOn).map(([id]) => id);
    this.held = held;
    this.discovery = new StoreDiscovery(this.files, { cluster: config.cluster, node: config.node, uris: config.uris, weight: config.weight, leaseMs: config.leaseMs, sessions: held });
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
   * ClusterName, UpdateClusterClients or RebalanceClusterClients). `ports`: the bound ports.
   * @throws ClusterSettingsError when the acceptor sessions disagree on a cluster setting
   */
  static fromSettings(engine: ClusterEngine, settings: readonly Record<string, string>[], ports: readonly number[]): ClusterNode | undefined {
    const config = clusterConfigFrom(settings, ports);
    return config ? new ClusterNode(config, engine) : undefined;
  }

  /** Registers as an active member and starts the coordinator and the move driver. */
  /** Registered as a member: from `start` to `stop`. */
  get joined(): boolean {
    return this.member;
  }

  /** The cluster as the shared store shows it now: members, topology, coordinator, moves, and who holds each session of this node. */
  status(): Promise<ClusterStatus> {
    const storeDir = dirname(dirname(this.config.dir));
    const sessions = [...this.engine.sessions.values()].map((s) => ({ id: s.id.toString(), prefix: s.id.filePrefix }));
    return readClusterStatus(this.config.cluster, this.config.dir, storeDir, sessions);
  }

  async start(): Promise<void> {
    // A drain request left from before this start is not for this run.
    await this.files.clearDrainRequest(this.config.node);
    await this.discovery.start('active');
    this.member = true;
    this.coordinator.start();
    this.moves.start();
    // `fixover drain <settings>` leaves a request in the shared directory.
    this.drainTimer = setInterval(() => {
      if (this.drainRun) return;
      this.files.drainRequested(this.config.node).then(
        (asked) => void (asked && this.drain()),
        () => undefined,
      );
    }, 250);
    this.drainTimer.unref();
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
  }
}
