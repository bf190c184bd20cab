import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EMPTY_MEMORY, planMoves as planAny, type Move, type PlannerMemory, type RebalanceOptions } from '../../src/cluster/rebalance.js';
import type { MemberRecord } from '../../src/cluster/membership.js';

const OPTS: RebalanceOptions = { intervalMs: 2000, maxMoves: 3, minStayMs: 60_000, settleMs: 1000 };

function member(node: string, sessions: string[], extra: Partial<MemberRecord> = {}): MemberRecord {
  return { cluster: 'c', node, uris: [`tcp://${node}:1`], state: 'active', sessions, weight: 1, renewedAt: 0, leaseMs: 5000, since: 0, ...extra };
}

/** The planner, with every member having renewed its record at `now` (see the staleness test for the rest). */
const planMoves: typeof planAny = (members, memory, now, o) => planAny(members.map((m) => ({ ...m, renewedAt: now })), memory, now, o);

/** Applies moves at once (the client reconnects to the target) and returns the new members. */
function apply(members: MemberRecord[], moves: readonly Move[]): MemberRecord[] {
  return members.map((m) => ({
    ...m,
    sessions: [...m.sessions.filter((s) => !moves.some((x) => x.session === s && x.from === m.node)), ...moves.filter((x) => x.to === m.node).map((x) => x.session)],
  }));
}

/** Runs the planner every `step` ms until nothing moves for a while; returns every move made. */
function simulate(start: MemberRecord[], o: RebalanceOptions, step: number, until: number): { members: MemberRecord[]; moves: Move[] } {
  let members = start;
  let memory: PlannerMemory = EMPTY_MEMORY;
  const all: Move[] = [];
  for (let now = 0; now <= until; now += step) {
    const plan = planMoves(members, memory, now, o);
    memory = plan.memory;
    all.push(...plan.moves);
    members = apply(members, plan.moves);
  }
  return { members, moves: all };
}

const sessions = (n: number, prefix = 's'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

test('a node that returns gets half of the sessions, paced by RebalanceMaxMoves per RebalanceInterval, after RebalanceSettle', () => {
  const b = member('B', sessions(8));
  const a = member('A', [], { since: 500 });
  assert.deepEqual(planMoves([a, b], EMPTY_MEMORY, 1000, OPTS).moves, [], 'A active for 500 ms < settle 1000 ms: no move yet');
  const first = planMoves([a, b], EMPTY_MEMORY, 1500, OPTS);
  assert.equal(first.moves.length, 3, 'at most RebalanceMaxMoves at once');
  assert.ok(first.moves.every((m) => m.from === 'B' && m.to === 'A' && m.reason === 'rebalance'));
  const after = apply([a, b], first.moves);
  assert.deepEqual(planMoves(after, first.memory, 2000, OPTS).moves, [], 'the window is full until 2000 ms after the first moves');
  const second = planMoves(after, first.memory, 3500, OPTS);
  assert.equal(second.moves.length, 1, '3 + 1 = an even split of 8');
  assert.deepEqual(planMoves(apply(after, second.moves), second.memory, 9000, OPTS).moves, [], 'balanced: nothing more');
});

test('a split off by one is left alone (no ping-pong); a joining or unsettled member receives nothing', () => {
  assert.deepEqual(planMoves([member('A', sessions(3)), member('B', sessions(2, 't'))], EMPTY_MEMORY, 5000, OPTS).moves, []);
  assert.deepEqual(planMoves([member('A', sessions(6)), member('B', [], { state: 'joining' })], EMPTY_MEMORY, 5000, OPTS).moves, []);
});

test('a draining member gives all its sessions away, ignoring the minimum stay, to the least loaded ready member', () => {
  const memory: PlannerMemory = { moved: { s000: { at: 4000, from: 'C', to: 'A' } }, recent: [] };
  const plan = planMoves([member('A', sessions(2), { state: 'draining' }), member('B', ['x1']), member('C', [])], memory, 5000, OPTS);
  assert.deepEqual(plan.moves.map((m) => [m.session, m.to, m.reason]), [
    ['s000', 'C', 'drain'],
    ['s001', 'B', 'drain'],
  ]);
});

test('a member that missed a renewal (record older than half its lease) receives nothing: it may have been killed', () => {
  const b = member('B', sessions(8), { renewedAt: 10_000 });
  const fresh = member('A', [], { renewedAt: 9_000 });
  assert.equal(planAny([fresh, b], EMPTY_MEMORY, 10_000, OPTS).moves.length, 3, 'renewed 1 s ago (lease 5 s): a target');
  const stale = member('A', [], { renewedAt: 7_400 });
  assert.deepEqual(planAny([stale, b], EMPTY_MEMORY, 10_000, OPTS).moves, [], 'renewed 2.6 s ago: no target, although its record has not lapsed');
  // It still gives its sessions away when others need them (its record is alive until the lease lapses).
  assert.deepEqual(planAny([member('A', sessions(8, 'a'), { renewedAt: 7_400 }), member('B', [], { renewedAt: 10_000 })], EMPTY_MEMORY, 10_000, OPTS).moves.length, 3);
});

test('a session listed by two members (a handover in progress) is neither counted nor moved', () => {
  const plan = planMoves([member('A', ['x', 'y', 'z']), member('B', ['x', 'y', 'z'])], EMPTY_MEMORY, 5000, OPTS);
  assert.deepEqual(plan.moves, []);
});

test('within one run a member gives or receives, never both (weights 1,1,4,1 from 27,24,11,5)', () => {
  const start = [27, 24, 11, 5].map((n, i) => member(`N${i}`, sessions(n, `N${i}-`), { weight: [1, 1, 4, 1][i] }));
  const { members, moves } = simulate(start, { intervalMs: 500, maxMoves: 8, minStayMs: 0, settleMs: 1000 }, 100, 5000);
  for (const m of moves) assert.ok(!moves.some((n) => n.at === m.at && n.to === m.from), `${m.from} both gave and received in one run`);
  assert.deepEqual(members.map((m) => m.sessions.length), [10, 9, 38, 10]);
});

test('weights: a node of weight 2 ends with twice the sessions of one of weight 1', () => {
  const { members } = simulate([member('A', sessions(9)), member('B', [], { weight: 2 })], { ...OPTS, maxMoves: 100 }, 1000, 5000);
  assert.deepEqual(members.map((m) => m.sessions.length), [3, 6]);
});

const arbitraryCluster = fc
  .record({
    counts: fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: 6 }),
    weights: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 6, maxLength: 6 }),
    since: fc.array(fc.nat({ max: 5000 }), { minLength: 6, maxLength: 6 }),
    maxMoves: fc.integer({ min: 1, max: 8 }),
    intervalMs: fc.integer({ min: 500, max: 5000 }),
    minStayMs: fc.integer({ min: 0, max: 120_000 }),
    step: fc.integer({ min: 100, max: 3000 }),
  })
  .map((x) => ({ ...x, members: x.counts.map((n, i) => member(`N${i}`, sessions(n, `N${i}-`), { since: x.since[i] })) }));

test('property: with equal weights the planner converges to an even split (±1), moving no session twice within the minimum stay (not at all when every member is ready from the start), never more than RebalanceMaxMoves per interval', () => {
  fc.assert(
    fc.property(arbitraryCluster, fc.boolean(), (x, allReady) => {
      if (allReady) x = { ...x, members: x.members.map((m) => ({ ...m, since: -1000 })) };
      const o: RebalanceOptions = { intervalMs: x.intervalMs, maxMoves: x.maxMoves, minStayMs: x.minStayMs, settleMs: 1000 };
      const total = x.members.reduce((n, m) => n + m.sessions.length, 0);
      const { members, moves } = simulate(x.members, o, x.step, 6000 + 2 * x.minStayMs + Math.ceil(total / x.maxMoves + 1) * Math.max(x.intervalMs, x.step));
      const counts = members.map((m) => m.sessions.length);
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `even split: ${counts.join(',')}`);
      assert.equal(counts.reduce((a, b) => a + b, 0), total, 'no session lost or duplicated');
      if (allReady) assert.equal(new Set(moves.map((m) => m.session)).size, moves.length, 'no session moved twice');
      for (const m of moves) {
        const again = moves.find((n) => n.session === m.session && n.at > m.at);
        if (again) assert.ok(again.at - m.at >= x.minStayMs, 'minimum stay');
      }
      for (const m of moves) assert.ok(moves.filter((n) => n.at > m.at - x.intervalMs && n.at <= m.at).length <= x.maxMoves, 'pacing');
      // minimal: only what sat above the final share moved
      const excess = x.members.reduce((n, m) => n + Math.max(0, m.sessions.length - Math.ceil(total / x.members.length)), 0);
      if (allReady) assert.ok(moves.length <= excess + x.members.length, `moves ${moves.length} for an excess of ${excess}`);
    }),
    { numRuns: 300 },
  );
});

test('property: with weights the planner settles (no move left to make), never moves a session twice within the minimum stay, never from a node below its share', () => {
  fc.assert(
    fc.property(arbitraryCluster, (x) => {
      const members0 = x.members.map((m, i) => ({ ...m, weight: x.weights[i] }));
      const o: RebalanceOptions = { intervalMs: x.intervalMs, maxMoves: x.maxMoves, minStayMs: x.minStayMs, settleMs: 1000 };
      let members = members0;
      let memory: PlannerMemory = EMPTY_MEMORY;
      const moves: Move[] = [];
      const total = members.reduce((n, m) => n + m.sessions.length, 0);
      const W = members.reduce((n, m) => n + m.weight, 0);
      for (let now = 0; now <= 400_000; now += x.step) {
        const plan = planMoves(members, memory, now, o);
        // Each move is checked against what its source holds at that point of the plan.
        let during = members;
        for (const m of plan.moves) {
          const from = during.find((n) => n.node === m.from)!;
          assert.ok(from.sessions.length * W > total * from.weight - W, `moved from ${m.from} while it held no more than its share`);
          during = apply(during, [m]);
        }
        const receivers = new Set(plan.moves.map((m) => m.to));
        assert.ok(!plan.moves.some((m) => receivers.has(m.from)), 'within one run a member gives or receives, never both');
        moves.push(...plan.moves);
        memory = plan.memory;
        members = apply(members, plan.moves);
      }
      for (const m of moves) {
        const again = moves.find((n) => n.session === m.session && n.at > m.at);
        if (again) assert.ok(again.at - m.at >= x.minStayMs, 'minimum stay');
      }
      assert.deepEqual(planMoves(members, memory, 10_000_000, o).moves, [], 'settled');
    }),
    { numRuns: 80 },
  );
});
