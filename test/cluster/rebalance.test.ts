import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EMPTY_MEMORY, nextPlanAt, planMoves as planAny, plannerMemoryOf, type Move, type PlannerMemory, type RebalanceOptions } from '../../src/cluster/rebalance.js';
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

test('each giver gives RebalanceMaxMoves per interval: two givers move to a returning node in parallel', () => {
  const a = member('A', sessions(9, 'a'));
  const b = member('B', sessions(9, 'b'));
  const c = member('C', [], { since: 0 });
  const first = planMoves([a, b, c], EMPTY_MEMORY, 1000, OPTS);
  assert.deepEqual(first.moves.map((m) => `${m.from}->${m.to}`).sort(), ['A->C', 'A->C', 'A->C', 'B->C', 'B->C', 'B->C'], 'three from each giver at once, not three in all');
  assert.deepEqual(first.memory.recent.map((r) => r.from).sort(), ['A', 'A', 'A', 'B', 'B', 'B']);
  const after = apply([a, b, c], first.moves);
  assert.deepEqual(planMoves(after, first.memory, 2999, OPTS).moves, [], 'both windows are full until 2000 ms after the first moves');
  assert.equal(nextPlanAt(after, first.memory, 1000, OPTS), 3000, 'the windows free at 3000');
  assert.deepEqual(planMoves(after, first.memory, 3000, OPTS).moves.length, 0, '6/6/6: even');
  // A giver whose window is full does not stop the other from giving.
  const full: PlannerMemory = { moved: {}, recent: [1, 2, 3].map((i) => ({ at: 900 + i, from: 'A' })) };
  assert.deepEqual(planMoves([a, b, c], full, 1000, OPTS).moves.map((m) => m.from), ['B', 'B', 'B']);
});

test('the next plan: when a member settles, a drain grace ends or a window frees, after the last run', () => {
  const o = { ...OPTS, drainGraceMs: 700 };
  const members = [member('A', sessions(4)), member('B', [], { since: 5000 }), member('C', sessions(2, 'c'), { state: 'draining', since: 5200 })];
  assert.equal(nextPlanAt(members, EMPTY_MEMORY, 5100, o), 5900, 'C may give from 5900');
  assert.equal(nextPlanAt(members, EMPTY_MEMORY, 5900, o), 6000, 'B may receive from 6000 (settle 1000)');
  assert.equal(nextPlanAt(members, { moved: {}, recent: [{ at: 5000, from: 'A' }] }, 6000, o), 7000, 'A may give again from 7000');
  assert.equal(nextPlanAt(members, EMPTY_MEMORY, 7000, o), undefined);
  assert.equal(nextPlanAt([member('A', [], { state: 'joining', since: 5000 })], EMPTY_MEMORY, 0, o), undefined, 'a joining member settles only once active');
});

test("planner memory read back: a window entry without its giver (an older planner's) is left out; anything else is no memory", () => {
  assert.deepEqual(plannerMemoryOf({ moved: { s1: { at: 1, from: 'A', to: 'B' } }, recent: [5, { at: 6, from: 'A' }] }), { moved: { s1: { at: 1, from: 'A', to: 'B' } }, recent: [{ at: 6, from: 'A' }] });
  assert.equal(plannerMemoryOf({ recent: [] }), undefined);
  assert.equal(plannerMemoryOf(null), undefined);
  assert.equal(plannerMemoryOf('x'), undefined);
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

test('a member killed moments ago is sent nothing once its sessions log on elsewhere, although it renewed within half its lease', () => {
  // C was killed at 10_000 right after renewing; its six sessions failed over to A and B, which
  // renewed since. C's record still lists them: it looks empty (each is listed twice), not dead yet.
  const c = member('C', ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'], { renewedAt: 10_000 });
  const a = member('A', [...sessions(6, 'a'), 'c1', 'c2', 'c3'], { renewedAt: 10_300 });
  const b = member('B', [...sessions(6, 'b'), 'c4', 'c5', 'c6'], { renewedAt: 10_400 });
  assert.deepEqual(planAny([a, b, c], EMPTY_MEMORY, 10_500, OPTS).moves, [], 'C still lists sessions that records renewed later list too: no target');
  // A live C renews within moments of its disconnects, and is a target again.
  assert.equal(planAny([a, b, { ...c, sessions: [], renewedAt: 10_450 }], EMPTY_MEMORY, 10_500, OPTS).moves.length, 6);
  // A hand-over in progress (the target renewed before the giver): only the giver is no target for the moment.
  const moving = planAny([member('A', sessions(8), { renewedAt: 10_000 }), member('B', ['s000'], { renewedAt: 10_100 }), member('C', [], { renewedAt: 10_000 })], EMPTY_MEMORY, 10_500, OPTS);
  assert.deepEqual(moving.moves.map((m) => `${m.from}->${m.to}`), ['A->B', 'A->C', 'A->B']);
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

test('property: with equal weights the planner converges to an even split (±1), moving no session twice within the minimum stay (not at all when every member is ready from the start), never more than RebalanceMaxMoves per interval from one giver', () => {
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
      for (const m of moves) assert.ok(moves.filter((n) => n.from === m.from && n.at > m.at - x.intervalMs && n.at <= m.at).length <= x.maxMoves, 'pacing: per giver');
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
