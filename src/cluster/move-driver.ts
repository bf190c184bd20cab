/**
 * Carries out the move orders addressed to this node (thin driver around `safe-point.ts`): for each
 * session it holds and is ordered to move, it waits for a safe point or the order's deadline, then
 * hands the session over to the target (a Logout naming it; ownership reserved for the target).
 */
import { EventEmitter } from 'node:events';
import type { Session } from '../engine/session.js';
import type { ClusterStore, MoveOrder } from './cluster-store.js';
import type { ClusterEvent } from './events.js';
import { isApplicationType, moveDecision, msgTypeOf, refuseReturn, type HandedOver } from './safe-point.js';
import { CLUSTER_MSG, clusterMessage, reconnectFields } from './topology.js';

/** This node, the quiet interval and reservation of a move, the polling period and a clock. */
export interface MoveDriverOptions {
  readonly node: string;
  readonly quietMs: number;
  /** How long the target alone may take a handed-over session. */
  readonly reserveMs: number;
  /** `RebalanceMinStay`: how long a session handed over is refused here while its target is active. */
  readonly minStayMs: number;
  /** Whether a node is an active member now. */
  readonly memberActive: (node: string) => Promise<boolean>;
  /**
   * How long a fixover client told to reconnect (ReconnectTo, U2) has to log out itself before
   * this node logs it out (ms, default 5000).
   */
  readonly reconnectMs?: number;
  /** How often the orders are read (ms). */
  readonly pollMs?: number;
  readonly now?: () => number;
}

/** Carries out the move orders addressed to this node (see the module comment). */
export class MoveDriver extends EventEmitter<{ event: [ClusterEvent] }> {
  /** When each session last received or sent an application message. */
  private readonly lastApp = new Map<string, number>();
  /** Orders carried out (session → the order's time), so one order moves a session once. */
  private readonly done = new Map<string, number>();
  /** Sessions handed over from here, for refusing their return (see `refuseReturn`). */
  private readonly handed = new Map<string, HandedOver>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private readonly now: () => number;

  constructor(
    private readonly files: ClusterStore,
    private readonly sessions: ReadonlyMap<string, Session>,
    private readonly o: MoveDriverOptions,
  ) {
    super();
    this.now = o.now ?? Date.now;
    for (const [id, s] of sessions) {
      s.on('event', (e) => {
        if ((e.kind === 'incoming' || e.kind === 'outgoing') && isApplicationType(msgTypeOf(e.bytes))) this.lastApp.set(id, this.now());
      });
      s.claimGuard = async () => {
        const h = this.handed.get(id);
        if (h === undefined) return null;
        // Handed over to this node since (a drain or a later move chose it): the owner record says so.
        const owner = await s.owner().catch(() => undefined);
        const reservedHere = owner !== undefined && owner.pid === 0 && owner.movingTo === this.o.node;
        const reason = refuseReturn(h, this.now(), this.o.minStayMs, await this.o.memberActive(h.to), id, reservedHere);
        return reason === null ? null : { reason, owner: h.to };
      };
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.o.pollMs ?? 100);
    this.timer.unref();
  }

  /** Reads the orders and moves the sessions that are due. */
  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = this.now();
      for (const order of await this.files.moves()) {
        if (order.from !== this.o.node || this.done.get(order.session) === order.at) continue;
        this.consider(order, now);
      }
    } catch (e) {
      this.emit('event', { type: 'warning', text: `cannot read move orders: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      this.busy = false;
    }
  }

  private consider(order: MoveOrder, now: number): void {
    const s = this.sessions.get(order.session);
    const held = s !== undefined && s.ownerEpoch !== 0;
    const decision = moveDecision(
      { loggedOn: held && s.isLoggedOn, resending: s?.core.isResending ?? false, lastAppAt: this.lastApp.get(order.session) ?? -Infinity },
      { notBefore: order.notBefore, deadline: order.deadline, quietMs: this.o.quietMs },
      now,
    );
    if (decision === 'wait') return;
    this.done.set(order.session, order.at);
    if (decision === 'gone' || !s) return;
    this.emit('event', { type: 'moving', session: order.session, to: order.to, reason: order.reason, at: decision });
    this.handed.set(order.session, { at: now, to: order.to, toUris: order.toUris });
    const where = order.toUris.length > 0 ? ` (${order.toUris.join(',')})` : '';
    const text = `moving to node ${order.to}${where}: ${order.reason}`;
    // A fixover client is told to reconnect to the target (U2) and logs out itself; any other gets the Logout.
    const deadline = now + (this.o.reconnectMs ?? 5000);
    if (s.peerSupportsCluster && order.toUris.length > 0 && s.markHandOver(order.to, this.o.reserveMs)) {
      const told = s.sendClusterMessage(clusterMessage(CLUSTER_MSG.reconnectTo, reconnectFields({ node: order.to, uris: order.toUris, reason: order.reason, deadline })));
      if (told) {
        const t = setTimeout(() => {
          if (s.isLoggedOn) s.handOver(order.to, `${text} (no reconnect by the deadline)`, this.o.reserveMs);
        }, deadline - now);
        t.unref();
        s.once('disconnected', () => clearTimeout(t));
        return;
      }
    }
    s.handOver(order.to, text, this.o.reserveMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
