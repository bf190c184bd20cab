/** Drain (pure, fake clock): when a drain is over, the refusal text, and the planner's grace period. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drainProgress, drainRefusal } from '../../src/cluster/drain.js';
import { EMPTY_MEMORY, planMoves } from '../../src/cluster/rebalance.js';
import type { MemberRecord } from '../../src/cluster/membership.js';
import { parseSettings, formatProblem } from '../../src/config/index.js';

const member = (node: string, sessions: string[], extra: Partial<MemberRecord> = {}): MemberRecord => ({ cluster: 'c', node, uris: [`tcp://${node}:1`], state: 'active', sessions, weight: 1, renewedAt: 10_000, leaseMs: 5000, since: 0, ...extra });

test('a drain is over when the node holds no session, or at its deadline whatever it holds', () => {
  assert.deepEqual(drainProgress(2, 1000, 1500, 10_000), { kind: 'wait' });
  assert.deepEqual(drainProgress(0, 1000, 1500, 10_000), { kind: 'done', left: 0, byDeadline: false });
  assert.deepEqual(drainProgress(1, 1000, 10_999, 10_000), { kind: 'wait' });
  assert.deepEqual(drainProgress(1, 1000, 11_000, 10_000), { kind: 'done', left: 1, byDeadline: true });
});

test('a Logon refused while draining names the other members', () => {
  assert.equal(drainRefusal('A', [{ node: 'B', uris: ['tcp://b:1'] }]), 'node A is draining; members: B (tcp://b:1)');
  assert.equal(drainRefusal('A', []), 'node A is draining');
});

test("a draining member's sessions move one interval's worth at a time, only after DrainGracePeriod, ignoring the minimum stay", () => {
  const o = { intervalMs: 1000, maxMoves: 1, minStayMs: 60_000, settleMs: 0, drainGraceMs: 500 };
  const members = [member('A', ['s1', 's2'], { state: 'draining', since: 10_000 }), member('B', []), member('C', [])];
  const moved = { moved: { s1: { at: 9_900, from: 'B', to: 'A' } }, recent: [] };
  assert.deepEqual(planMoves(members, moved, 10_400, o).moves, [], 'within the grace period nothing moves for the drain');
  const plan = planMoves(members, moved, 10_500, o);
  assert.equal(plan.moves.length, 1, 'paced: RebalanceMaxMoves per interval');
  assert.equal(plan.moves[0].from, 'A');
  assert.equal(plan.moves[0].reason, 'drain');
  assert.equal(plan.moves[0].session, 's1', 'a session moved moments ago still leaves a draining node');
  assert.deepEqual(planMoves(members, EMPTY_MEMORY, 10_500, { ...o, maxMoves: 5 }).moves.map((m) => m.session), ['s1', 's2']);
});

test('DrainGracePeriod and DrainDeadline are range-checked with file and line', () => {
  const text = ['[DEFAULT]', 'ConnectionType=acceptor', 'BeginString=FIX.4.2', 'FileStorePath=s', 'DrainGracePeriod=-1', 'DrainDeadline=10', '[SESSION]', 'SenderCompID=EXEC', 'SocketAcceptPort=1', 'TargetCompID=BANZAI'].join('\n');
  const errors = parseSettings(text, 'c.cfg', {}).problems.map(formatProblem).filter((l) => l.includes('error'));
  assert.equal(errors.length, 2, errors.join('\n'));
  assert.match(errors[0], /^c\.cfg:5: error: DrainGracePeriod: invalid value "-1"/);
  assert.match(errors[1], /^c\.cfg:6: error: DrainDeadline: invalid value "10": expected an integer from 1000 to 3600000/);
});
