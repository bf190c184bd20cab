/**
 * The rebalance planner: a pure function of the live members (what each holds), the planner's own
 * memory of recent moves, and the time. It returns the moves to make now. The driver
 * (`rebalance-driver.ts`) runs it on the one node holding the coordinator lease and carries the
 * moves out; tests drive it with a fake clock.
 *
 * Rules:
 * - Sessions go only from a member above its share (less one) to one below it: a move is made only
 *   when it also lowers Σ count²/weight (for equal weights: when the two differ by 2 or more), so the plan
 *   converges to an even split (±1 for equal weights) and never ping-pongs. Within one run a
 *   member either gives or receives sessions, never both.
 * - A draining member's sessions all go, to the least loaded ready member.
 * - Targets are `active` members that have been active for `settleMs` (a node that just returned
 *   is not flooded before it is ready) and renewed their record within half its lease (a node
 *   killed moments ago, whose record has not lapsed yet, is sent nothing).
 * - A session moved less than `minStayMs` ago is not moved again (drains excepted).
 * - At most `maxMoves` moves per `intervalMs` (a sliding window).
 */
import type { MemberRecord } from './membership.js';

/** The planner's settings (`Rebalance*` and `DrainGracePeriod`, docs/cluster.md). */
export interface RebalanceOptions {
  /** `RebalanceInterval`: the window `maxMoves` applies to (ms). */
  readonly intervalMs: number;
  /** `RebalanceMaxMoves`: moves per interval. */
  readonly maxMoves: number;
  /** `RebalanceMinStay`: how long a moved session stays before it may move again (ms). */
  readonly minStayMs: number;
  /** `RebalanceSettle`: how long a member must have been active before it receives sessions (ms). */
  readonly settleMs: number;
  /** `DrainGracePeriod`: a draining member's sessions move only once it has been draining this long (ms, default 0). */
  readonly drainGraceMs?: number;
}

/** One session to move. */
export interface Move {
  readonly session: string;
  readonly from: string;
  readonly to: string;
  readonly reason: 'rebalance' | 'drain';
  /** When it was planned. */
  readonly at: number;
}

/** What the planner remembers between runs (kept by the coordinator, so a new one inherits it). */
export interface PlannerMemory {
  /** The last move of each session moved within the minimum stay. */
  readonly moved: Readonly<Record<string, { readonly at: number; readonly from: string; readonly to: string }>>;
  /** When the moves of the current window were planned. */
  readonly recent: readonly number[];
}

/** A planner that has moved nothing yet. */
export const EMPTY_MEMORY: PlannerMemory = { moved: {}, recent: [] };

/** The moves to make now, and the memory for the next run. */
export interface Plan {
  readonly moves: readonly Move[];
  readonly memory: PlannerMemory;
}

/** Sessions per member now, weights, and who may receive. */
interface Load {
  readonly node: string;
  readonly weight: number;
  readonly ready: boolean;
  readonly draining: boolean;
  sessions: string[];
}

/** Σ count²/weight falls when one session goes from `f` to `t`. */
function improves(f: Load, t: Load): boolean {
  return (2 * f.sessions.length - 1) * t.weight > (2 * t.sessions.length + 1) * f.weight;
}

/** Loads are compared by count/weight, then by name (deterministic). */
function byLoad(a: Load, b: Load): number {
  const d = a.sessions.length * b.weight - b.sessions.length * a.weight;
  return d !== 0 ? d : a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

/** The moves to make now. `members` are the live members (see `liveMembers`). */
export function planMoves(members: readonly MemberRecord[], memory: PlannerMemory, now: number, o: RebalanceOptions): Plan {
  const moved: Record<string, { at: number; from: string; to: string }> = {};
  for (const [s, m] of Object.entries(memory.moved)) if (now - m.at < o.minStayMs) moved[s] = m;
  const recent = memory.recent.filter((t) => now - t < o.intervalMs);
  // A session listed by two members is being handed over: it is counted for neither and not moved.
  const holders = new Map<string, number>();
  for (const m of members) for (const s of new Set(m.sessions)) holders.set(s, (holders.get(s) ?? 0) + 1);
  const loads: Load[] = members.map((m) => ({
    node: m.node,
    weight: Math.max(1, m.weight),
    // A member that missed a renewal (its record is older than half its lease; members renew every
    // lease/3) receives nothing: it may have died, and a session sent to a dead node waits for its
    // reservation to run out.
    ready: m.state === 'active' && now - m.since >= o.settleMs && now - m.renewedAt <= m.leaseMs / 2,
    draining: m.state === 'draining' && now - m.since >= (o.drainGraceMs ?? 0),
    // A member draining for less than DrainGracePeriod: its sessions stay put for now (it receives none either).
    sessions: m.state === 'draining' && now - m.since < (o.drainGraceMs ?? 0) ? [] : [...new Set(m.sessions)].filter((s) => holders.get(s) === 1).sort(),
  }));
  // Each member's share is total × weight / Σ weight over the members that will hold sessions
  // (every one not draining, settled or not). A member gives only while it holds more than its
  // share less one: never from below its share, even where the minimum stay of other members'
  // sessions would make such a move lower Σ count²/weight.
  const total = loads.reduce((n, l) => n + l.sessions.length, 0);
  const weightSum = loads.reduce((n, l, i) => (members[i].state === 'draining' ? n : n + l.weight), 0);
  const aboveShare = (l: Load): boolean => l.sessions.length * weightSum > total * l.weight - weightSum;
  const moves: Move[] = [];
  // Within one run a member either gives or receives, never both (no session passes through, no
  // session is moved where moving another would have done).
  const received = new Set<Load>();
  const gave = new Set<Load>();
  const movable = (l: Load, drain: boolean): string | undefined => l.sessions.find((s) => drain || moved[s] === undefined);
  while (recent.length < o.maxMoves) {
    const targets = loads.filter((l) => l.ready && !gave.has(l)).sort(byLoad);
    if (targets.length === 0) break;
    let move: { from: Load; to: Load; session: string; reason: Move['reason'] } | undefined;
    for (const f of loads.filter((l) => l.draining)) {
      const session = movable(f, true);
      if (session !== undefined) {
        move = { from: f, to: targets[0], session, reason: 'drain' };
        break;
      }
    }
    if (!move) {
      const to = targets[0];
      for (const f of loads.filter((l) => !l.draining && l !== to && !received.has(l)).sort(byLoad).reverse()) {
        if (!improves(f, to) || !aboveShare(f)) continue;
        const session = movable(f, false);
        if (session !== undefined) {
          move = { from: f, to, session, reason: 'rebalance' };
          break;
        }
      }
    }
    if (!move) break;
    move.from.sessions = move.from.sessions.filter((s) => s !== move.session);
    move.to.sessions = [...move.to.sessions, move.session].sort();
    received.add(move.to);
    gave.add(move.from);
    moved[move.session] = { at: now, from: move.from.node, to: move.to.node };
    recent.push(now);
    moves.push({ session: move.session, from: move.from.node, to: move.to.node, reason: move.reason, at: now });
  }
  return { moves, memory: { moved, recent } };
}

/** A move ordered but not yet seen done: the session counts for its target. */
export interface PendingMove {
  readonly session: string;
  readonly to: string;
}

/**
 * The members as they will be once the pending moves are done: each pending session is counted
 * for its target only, so a planner run during a move does not order the same balancing again.
 */
export function withPending(members: readonly MemberRecord[], pending: readonly PendingMove[]): MemberRecord[] {
  if (pending.length === 0) return [...members];
  const to = new Map(pending.map((p) => [p.session, p.to]));
  return members.map((m) => ({
    ...m,
    sessions: [...m.sessions.filter((s) => !to.has(s)), ...pending.filter((p) => p.to === m.node).map((p) => p.session)],
  }));
}
