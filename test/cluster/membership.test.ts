import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clusterFilter, liveMembers, nextTopology, publishedMembers, topologyChange, type MemberRecord, type Topology } from '../../src/cluster/membership.js';

function rec(node: string, renewedAt: number, extra: Partial<MemberRecord> = {}): MemberRecord {
  return { cluster: 'c', node, uris: [`tcp://${node}:1`], state: 'active', sessions: [], weight: 1, renewedAt, leaseMs: 5000, since: 0, ...extra };
}

test('a member whose lease lapsed leaves the view; another cluster is not seen; the latest record of a node wins', () => {
  const records = [rec('A', 0), rec('B', 3000), rec('B', 1000, { state: 'draining' }), rec('X', 3000, { cluster: 'other' })];
  assert.deepEqual(liveMembers(records, 'c', 5000).map((m) => [m.node, m.state]), [['A', 'active'], ['B', 'active']]);
  assert.deepEqual(liveMembers(records, 'c', 5001).map((m) => m.node), ['B'], 'A renewed at 0 with a 5000 ms lease is gone at 5001');
});

test('the epoch grows by one on a join, a leave, a state change; not when only session counts change', () => {
  let t = nextTopology(undefined, [rec('B', 0)], 'c', 0);
  assert.equal(t.epoch, 1);
  const joined = nextTopology(t, [rec('A', 100), rec('B', 0)], 'c', 100);
  assert.equal(joined.epoch, 2);
  assert.deepEqual(topologyChange(t, joined), { joined: ['A'], left: [], changed: [] });
  t = nextTopology(joined, [rec('A', 200, { sessions: ['s1'] }), rec('B', 200)], 'c', 200);
  assert.equal(t.epoch, 2, 'session counts are not a topology change');
  assert.equal(t.members[0].sessions, 1);
  const draining = nextTopology(t, [rec('A', 300), rec('B', 300, { state: 'draining' })], 'c', 300);
  assert.equal(draining.epoch, 3);
  assert.deepEqual(topologyChange(t, draining).changed, ['B']);
  const left = nextTopology(draining, [rec('B', 300, { state: 'draining' })], 'c', 400);
  assert.equal(left.epoch, 4);
  assert.deepEqual(topologyChange(draining, left).left, ['A']);
});

test('UpdateClusterFilter: only active members whose whole name matches one expression are published', () => {
  const t: Topology = nextTopology(undefined, [rec('east-1', 0), rec('east-2', 0, { state: 'draining' }), rec('west-1', 0), rec('east-10', 0, { state: 'joining' })], 'c', 0);
  assert.deepEqual(publishedMembers(t).map((m) => m.node), ['east-1', 'west-1']);
  assert.deepEqual(publishedMembers(t, clusterFilter('east-.')).map((m) => m.node), ['east-1']);
  assert.deepEqual(publishedMembers(t, clusterFilter('west.*, nothing')).map((m) => m.node), ['west-1']);
  assert.deepEqual(clusterFilter('  '), []);
});

const arbitraryRecords = fc.array(
  fc.record({ node: fc.constantFrom('A', 'B', 'C', 'D'), renewedAt: fc.nat({ max: 20_000 }), state: fc.constantFrom('joining' as const, 'active' as const, 'draining' as const), weight: fc.integer({ min: 1, max: 3 }) }),
  { maxLength: 8 },
);

test('property: the view does not depend on the order the records are read in, and the epoch never falls as time goes on', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(arbitraryRecords, fc.nat({ max: 3000 })), { minLength: 1, maxLength: 12 }), (steps) => {
      let prev: Topology | undefined;
      let now = 0;
      for (const [records, dt] of steps) {
        now += dt;
        const rs = records.map((r) => rec(r.node, r.renewedAt, r));
        const t = nextTopology(prev, rs, 'c', now);
        assert.deepEqual(nextTopology(prev, [...rs].reverse(), 'c', now), t, 'order-independent');
        if (prev) {
          assert.ok(t.epoch >= prev.epoch);
          const c = topologyChange(prev, t);
          assert.equal(t.epoch > prev.epoch, c.joined.length + c.left.length + c.changed.length > 0, 'a new epoch exactly when the members changed');
        }
        prev = t;
      }
    }),
    { numRuns: 300 },
  );
});
