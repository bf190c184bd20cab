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
 *   is not flooded before it is ready), renewed their record within half its lease, and do not
 *   still list a session that a record renewed later lists too (a node killed moments ago, whose
 *   record has not lapsed yet, is sent nothing, even while its failed-over sessions make it look
 *   empty).
 * - A session moved less than `minStayMs` ago is not moved again (drains excepted).
 * - At most `maxMoves` moves per `intervalMs` (a sliding window) from each giving member: the
 *   givers' moves go in parallel, each paced on its own (a returning node of a three-node cluster
 *   receives from two givers), and a draining member gives its sessions away at that pace.
 *
 * `nextPlanAt` says when a run could next do something the run now cannot (the window frees, a
 * member settles, a drain's grace ends), so the driver plans then rather than at its next poll.
 */
import type { MemberRecord } from './membership.js';

/** The planner's settings (`Rebalance*` and `DrainGracePeriod`, docs/cluster.md). */
export interface RebalanceOptions {
  /** `RebalanceInterval`: the window `maxMoves` applies to (ms). */
  readonly intervalMs: number;
  /** `RebalanceMaxMoves`: moves per interval from each giving member. */
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
  /** When the moves of the current window were planned, and from which member. */
  readonly recent: readonly RecentMove[];
}

/** A move of the current window: when it was planned, and the member it takes a session from. */
export interface RecentMove {
  readonly at: number;
  readonly from: string;
}

/**
 * Planner memory as read back from the store, or undefined when it is none. Window entries of
 * another form (a bare time, as written before the window was kept per giver) are left out: the
 * window is at most one `RebalanceInterval` old, so that costs one window's pacing at most.
 */
export function plannerMemoryOf(value: unknown): PlannerMemory | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as { moved?: unknown; recent?: unknown };
  if (!Array.isArray(m.recent) || typeof m.moved !== 'object' || m.moved === null) return undefined;
  const recent = (m.recent as unknown[]).filter((r): r is RecentMove => typeof r === 'object' && r !== null && typeof (r as RecentMove).at === 'number' && typeof (r as RecentMove).from === 'string');
  return { moved: m.moved as PlannerMemory['moved'], recent };
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
  const recent = memory.recent.filter((r) => now - r.at < o.intervalMs);
  // Moves per giver in the window: each member gives at most maxMoves per interval.
  const given = new Map<string, number>();
  for (const r of recent) given.set(r.from, (given.get(r.from) ?? 0) + 1);
  const mayGive = (l: Load): boolean => (given.get(l.node) ?? 0) < o.maxMoves;
  // A session listed by two members is being handed over: it is counted for neither and not moved.
  const holders = new Map<string, number>();
  // The latest renewal of a record listing each session: a member still listing a session that a
  // member renewed later lists too has not renewed since that session logged on elsewhere (a live
  // node renews within moments of a disconnect): it may have died (killed, its sessions failed over).
  const latest = new Map<string, number>();
  for (const m of members) {
    for (const s of new Set(m.sessions)) {
      holders.set(s, (holders.get(s) ?? 0) + 1);
      latest.set(s, Math.max(latest.get(s) ?? -Infinity, m.renewedAt));
    }
  }
  const behind = (m: MemberRecord): boolean => m.sessions.some((s) => latest.get(s)! > m.renewedAt);
  const loads: Load[] = members.map((m) => ({
    node: m.node,
    weight: Math.max(1, m.weight),
    // A member that missed a renewal (its record is older than half its lease; members renew every
    // lease/3) receives nothing: it may have died, and a session sent to a dead node waits for its
    // reservation to run out.
    ready: m.state === 'active' && now - m.since >= o.settleMs && now - m.renewedAt <= m.leaseMs / 2 && !behind(m),
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
  for (;;) {
    const targets = loads.filter((l) => l.ready && !gave.has(l)).sort(byLoad);
    if (targets.length === 0) break;
    let move: { from: Load; to: Load; session: string; reason: Move['reason'] } | undefined;
    for (const f of loads.filter((l) => l.draining && mayGive(l))) {
      const session = movable(f, true);
      if (session !== undefined) {
        move = { from: f, to: targets[0], session, reason: 'drain' };
        break;
      }
    }
    if (!move) {
      const to = targets[0];
      for (const f of loads.filter((l) => !l.draining && l !== to && !received.has(l) && mayGive(l)).sort(byLoad).reverse()) {
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
    recent.push({ at: now, from: move.from.node });
    given.set(move.from.node, (given.get(move.from.node) ?? 0) + 1);
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

/**
 * The first time after `after` (the last run) at which a run could make a move that the last run
 * could not, or undefined when none is known: a move of the window is `intervalMs` old (its giver
 * may give again), an active member has been active for `settleMs` (it may receive), a draining
 * member for `drainGraceMs` (its sessions go).
 */
export function nextPlanAt(members: readonly MemberRecord[], memory: PlannerMemory, after: number, o: RebalanceOptions): number | undefined {
  const times: number[] = [];
  for (const r of memory.recent) times.push(r.at + o.intervalMs);
  for (const m of members) {
    if (m.state === 'active') times.push(m.since + o.settleMs);
    else if (m.state === 'draining') times.push(m.since + (o.drainGraceMs ?? 0));
  }
  const later = times.filter((t) => t > after);
  return later.length === 0 ? undefined : Math.min(...later);
}
