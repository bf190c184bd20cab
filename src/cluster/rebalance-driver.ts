/**
 * The coordinator: exactly one node at a time holds the coordinator lease (a fenced ownership
 * record in the cluster store, fenced as session ownership is), writes the topology and, with
 * `RebalanceClusterClients=Y`, runs the pure planner every `RebalanceInterval` and writes its move
 * orders. It also plans the moment a run could do more (`nextPlanAt`: a member has settled, a
 * drain's grace ended, a window freed) rather than at its next poll, so a returning node gets its
 * first sessions `RebalanceSettle` after it became active, and the windows follow each other
 * without a gap. It also turns operators' move requests (`ClusterNode.requestMove`) into move orders at
 * its next turn, whatever `RebalanceClusterClients`, and remembers them like its own moves so the
 * planner leaves the session where the operator put it for `RebalanceMinStay`. A coordinator that
 * lost its lease (paused past it) is refused before it writes an order: the lease's epoch is
 * checked first.
 */
import { EventEmitter } from 'node:events';
import type { ClusterStore, CoordinatorLease, MoveOrder } from './cluster-store.js';
import { checkMove } from './move-request.js';
import type { ClusterConfig } from './config.js';
import type { Discovery } from './discovery.js';
import type { ClusterEvent } from './events.js';
import { nextTopology, type MemberRecord } from './membership.js';
import { EMPTY_MEMORY, nextPlanAt, planMoves, withPending, type PlannerMemory } from './rebalance.js';

/** A clock and a random source (tests give fakes). */
export interface CoordinatorOptions {
  readonly now?: () => number;
  /** Uniform in [0, 1) (the jitter of move orders). */
  readonly random?: () => number;
}

/** An order is finished when the target holds the session, or stale once its reservation is over. */
export function orderFinished(o: MoveOrder, members: readonly MemberRecord[], now: number, reserveMs: number, leaseMs: number): boolean {
  if (members.some((m) => m.node === o.to && m.sessions.includes(o.session))) return true;
  return now > o.deadline + reserveMs + leaseMs;
}

/** The coordinator lease, the topology file and the planner's runs (see the module comment). */
export class Coordinator extends EventEmitter<{ event: [ClusterEvent] }> {
  private readonly lease: CoordinatorLease;
  private timer: NodeJS.Timeout | null = null;
  /** A turn at the next plan's time, when that comes before the next poll. */
  private planTimer: NodeJS.Timeout | null = null;
  private lastPlan = -Infinity;
  /** The planner's memory as of the last plan (for `nextPlanAt`). */
  private memory: PlannerMemory = EMPTY_MEMORY;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    private readonly files: ClusterStore,
    private readonly discovery: Discovery,
    private readonly c: ClusterConfig,
    o: CoordinatorOptions = {},
  ) {
    super();
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.lease = files.coordinatorLease(c.node, c.leaseMs, this.now);
  }

  /** This node is the coordinator now. */
  get isCoordinator(): boolean {
    return this.lease.holds();
  }

  start(): void {
    const every = Math.max(50, Math.min(this.c.planner.intervalMs, Math.floor(this.c.leaseMs / 3)));
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
    void this.tick();
  }

  /** One turn (one at a time): keep or take the lease, write the topology, plan when due. */
  tick(): Promise<void> {
    this.running = this.running
      .then(() => this.turn())
      .catch((e: unknown) => {
        this.emit('event', { type: 'warning', text: `coordinator: ${e instanceof Error ? e.message : String(e)}` });
      });
    return this.running;
  }

  private async turn(): Promise<void> {
    if (!(await this.keepLease())) return;
    const now = this.now();
    const members = await this.discovery.members();
    const prev = await this.files.topology();
    const topology = nextTopology(prev, members, this.c.cluster, now);
    await this.lease.check();
    await this.files.writeTopology({ ...topology, coordinator: this.c.node, writtenAt: now }, this.lease.epoch);
    await this.takeRequests(members, now);
    // Without RebalanceClusterClients the planner still runs for a draining member (its sessions all go).
    if (!this.c.rebalance && !members.some((m) => m.state === 'draining')) {
      // Orders (an operator's) are still cleared once done.
      await this.dropFinished(members, now);
      return;
    }
    // Due every RebalanceInterval, and as soon as something happened since the last plan that lets
    // a run do more (a member settled, a drain's grace ended, a giver's window freed).
    const due = Math.min(this.lastPlan + this.c.planner.intervalMs, nextPlanAt(members, this.memory, this.lastPlan, this.c.planner) ?? Infinity);
    if (now >= due) {
      this.lastPlan = now;
      await this.plan(members, now);
    }
    this.planAt(Math.min(this.lastPlan + this.c.planner.intervalMs, nextPlanAt(members, this.memory, this.lastPlan, this.c.planner) ?? Infinity));
  }

  /** Takes a turn at `at` (this node's clock), replacing the one set before; a timer firing early only sets it again. */
  private planAt(at: number): void {
    if (this.planTimer) clearTimeout(this.planTimer);
    this.planTimer = null;
    if (this.stopped || this.timer === null || !Number.isFinite(at)) return;
    this.planTimer = setTimeout(() => {
      this.planTimer = null;
      void this.tick();
    }, Math.max(1, at - this.now()));
    this.planTimer.unref();
  }

  /** Removes the orders that are done or stale; the others are pending. */
  private async dropFinished(members: MemberRecord[], now: number): Promise<MoveOrder[]> {
    const pending: MoveOrder[] = [];
    for (const o of await this.files.moves()) {
      if (orderFinished(o, members, now, this.c.reserveMs, this.c.leaseMs)) await this.files.removeMove(o.session);
      else pending.push(o);
    }
    return pending;
  }

  /**
   * Operators' move requests become move orders (checked again: the cluster may have changed), to
   * start at once, and enter the planner's memory as moves (no planned move takes the session away
   * within `RebalanceMinStay`). A request that cannot be carried out any more is dropped with a warning.
   */
  private async takeRequests(members: MemberRecord[], now: number): Promise<void> {
    const requests = await this.files.moveRequests();
    if (requests.length === 0) return;
    const moving = new Set((await this.dropFinished(members, now)).map((o) => o.session));
    const memory: PlannerMemory = (await this.files.plannerMemory()) ?? EMPTY_MEMORY;
    const moved = { ...memory.moved };
    // Fenced: a coordinator that lost its lease while paused writes no order.
    await this.lease.check();
    for (const r of requests.sort((a, b) => a.at - b.at)) {
      const check = checkMove(r.session, r.to, members, moving, false);
      if (!check.ok) {
        this.emit('event', { type: 'warning', text: `move of ${r.session} to node ${r.to} asked by ${r.by} dropped: ${check.message}` });
      } else {
        const toUris = members.find((x) => x.node === r.to)?.uris ?? [];
        await this.files.writeMove({ session: r.session, from: check.from, to: r.to, toUris, reason: 'operator', at: now, notBefore: now, deadline: now + this.c.deadlineMs, coordinatorEpoch: this.lease.epoch });
        moved[r.session] = { at: now, from: check.from, to: r.to };
        moving.add(r.session);
        this.emit('event', { type: 'moveOrdered', session: r.session, from: check.from, to: r.to, reason: 'operator' });
      }
      await this.files.removeMoveRequest(r);
    }
    await this.files.writePlannerMemory({ moved, recent: memory.recent }, this.lease.epoch);
  }

  /** True while this node holds the coordinator lease (renewed, or taken now). */
  private async keepLease(): Promise<boolean> {
    if (this.lease.epoch !== 0) {
      try {
        await this.lease.renew();
        return true;
      } catch (e) {
        this.emit('event', { type: 'coordinator', node: this.c.node, state: 'lost', epoch: (e as { epoch?: number }).epoch ?? 0, reason: e instanceof Error ? e.message : String(e) });
        return false;
      }
    }
    const r = await this.lease.acquire();
    if (!r.acquired) return false;
    this.lastPlan = -Infinity;
    this.emit('event', { type: 'coordinator', node: this.c.node, state: 'acquired', epoch: r.epoch });
    return true;
  }

  private async plan(members: MemberRecord[], now: number): Promise<void> {
    const pending = await this.dropFinished(members, now);
    const memory: PlannerMemory = (await this.files.plannerMemory()) ?? EMPTY_MEMORY;
    const plan = planMoves(withPending(members, pending), memory, now, this.c.planner);
    this.memory = plan.memory;
    if (plan.moves.length === 0) {
      if (memory !== EMPTY_MEMORY && (memory.recent.length !== plan.memory.recent.length || Object.keys(memory.moved).length !== Object.keys(plan.memory.moved).length)) await this.files.writePlannerMemory(plan.memory, this.lease.epoch);
      return;
    }
    // Fenced: a coordinator that lost its lease while paused writes no order.
    await this.lease.check();
    await this.files.writePlannerMemory(plan.memory, this.lease.epoch);
    for (const m of plan.moves) {
      const notBefore = now + Math.floor(this.random() * this.c.jitterMs);
      const toUris = members.find((x) => x.node === m.to)?.uris ?? [];
      await this.files.writeMove({ session: m.session, from: m.from, to: m.to, toUris, reason: m.reason, at: now, notBefore, deadline: notBefore + this.c.deadlineMs, coordinatorEpoch: this.lease.epoch });
      this.emit('event', { type: 'moveOrdered', session: m.session, from: m.from, to: m.to, reason: m.reason });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.planTimer) clearTimeout(this.planTimer);
    await this.running;
    await this.lease.release().catch(() => undefined);
  }
}
