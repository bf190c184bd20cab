import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyPushedTopology, ClusterMessageError, parseTopologyFields, topologyFields, type Field, type PushedTopology } from '../../src/cluster/topology.js';
import { nextTopology, publishedMembers, type MemberRecord } from '../../src/cluster/membership.js';

const rec = (node: string, uris: string[]): MemberRecord => ({ cluster: 'c', node, uris, state: 'active', sessions: [], weight: 1, renewedAt: 0, leaseMs: 5000, since: 0 });

test('a ClusterTopology body: ID, epoch, reason, then one MemberName/MemberURIs/MemberState entry per published member', () => {
  const t = nextTopology(undefined, [rec('A', ['tcp://a:1']), rec('B', ['tcp://b:1', 'tcp://b:2'])], 'c', 0);
  assert.deepEqual(topologyFields(t, publishedMembers(t), 'join'), [
    [21100, 'c'],
    [21101, '1'],
    [21106, 'join'],
    [21102, '2'],
    [21103, 'A'],
    [21104, 'tcp://a:1'],
    [21105, 'A'],
    [21103, 'B'],
    [21104, 'tcp://b:1,tcp://b:2'],
    [21105, 'A'],
  ]);
});

test('property: what a node writes a client reads back', () => {
  const member = fc.record({ node: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), uris: fc.array(fc.integer({ min: 1, max: 65535 }).map((p) => `tcp://h:${p}`), { minLength: 1, maxLength: 3 }) });
  fc.assert(
    fc.property(fc.array(member, { maxLength: 6 }), fc.nat({ max: 1e9 }), (members, epoch) => {
      const t = { cluster: 'prod', epoch, members: members.map((m) => ({ ...m, state: 'active' as const, weight: 1, sessions: 0 })) };
      const back = parseTopologyFields(topologyFields(t, t.members, 'change'));
      assert.deepEqual(back, { cluster: 'prod', epoch, reason: 'change', members: members.map((m) => ({ node: m.node, uris: m.uris })) });
    }),
  );
});

test('a malformed ClusterTopology is refused with what is wrong', () => {
  const bad = (fields: Field[], re: RegExp): void => assert.throws(() => parseTopologyFields(fields), (e: unknown) => e instanceof ClusterMessageError && re.test(e.message));
  bad([[21101, '1'], [21106, 'join']], /without ClusterID\(21100\)/);
  bad([[21100, 'c'], [21101, 'x'], [21106, 'join']], /TopologyEpoch\(21101\) must be a non-negative integer/);
  bad([[21100, 'c'], [21101, '1'], [21106, 'why']], /TopologyReason\(21106\) must be/);
  bad([[21100, 'c'], [21101, '1'], [21106, 'join'], [21102, '2'], [21103, 'A']], /NoClusterMembers\(21102\) is 2 but 1 MemberName/);
});

const pushed = (epoch: number, cluster = 'c', members = [{ node: 'A', uris: ['tcp://a:1'] }]): PushedTopology => ({ cluster, epoch, reason: 'join', members });

test('a client adds pushed URIs in front of its configured ones, ignores older epochs and refuses another cluster', () => {
  const configured = ['tcp://seed:1', 'tcp://a:1'];
  const first = applyPushedTopology({ cluster: undefined, epoch: 0 }, pushed(3), configured);
  assert.deepEqual(first, { kind: 'apply', state: { cluster: 'c', epoch: 3 }, uris: ['tcp://a:1', 'tcp://seed:1'] });
  assert.deepEqual(applyPushedTopology({ cluster: 'c', epoch: 3 }, pushed(3), configured), { kind: 'stale', epoch: 3, current: 3 });
  assert.deepEqual(applyPushedTopology({ cluster: 'c', epoch: 3 }, pushed(2), configured), { kind: 'stale', epoch: 2, current: 3 });
  assert.deepEqual(applyPushedTopology({ cluster: 'c', epoch: 3 }, pushed(9, 'other'), configured), { kind: 'refused', reason: 'topology of cluster other, but this session follows cluster c' });
  const empty = applyPushedTopology({ cluster: 'c', epoch: 3 }, pushed(4, 'c', []), configured);
  assert.deepEqual(empty.kind === 'apply' && empty.uris, configured, 'no pushed member: the configured addresses remain');
});

test('property: the configured endpoints are never dropped, and the applied epoch only grows', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat({ max: 20 }), fc.array(fc.integer({ min: 1, max: 9 }).map((p) => `tcp://n:${p}`), { maxLength: 4 })), { maxLength: 15 }), (pushes) => {
      const configured = ['tcp://seed:1', 'tcp://seed:2'];
      let state = { cluster: undefined as string | undefined, epoch: 0 };
      for (const [epoch, uris] of pushes) {
        const d = applyPushedTopology(state, pushed(epoch, 'c', [{ node: 'X', uris }]), configured);
        if (d.kind === 'apply') {
          assert.ok(d.state.epoch > state.epoch || state.cluster === undefined);
          for (const u of configured) assert.ok(d.uris.includes(u));
          state = { ...d.state };
        }
      }
    }),
  );
});

test('the node\'s session lease rides along as SessionLeaseTimeout(21107) after the reason; absent, none; a bad one is refused', () => {
  const t = nextTopology(undefined, [rec('A', ['tcp://a:1'])], 'c', 0);
  const fields = topologyFields(t, publishedMembers(t), 'logon', 5000);
  assert.deepEqual(fields.slice(0, 5), [
    [21100, 'c'],
    [21101, '1'],
    [21106, 'logon'],
    [21107, '5000'],
    [21102, '1'],
  ]);
  assert.equal(parseTopologyFields(fields).sessionLeaseMs, 5000);
  assert.equal(parseTopologyFields(topologyFields(t, publishedMembers(t), 'logon')).sessionLeaseMs, undefined);
  for (const bad of ['0', '-5', 'x', '5.5']) {
    assert.throws(() => parseTopologyFields([[21100, 'c'], [21101, '1'], [21106, 'join'], [21107, bad]]), (e: unknown) => e instanceof ClusterMessageError && /SessionLeaseTimeout\(21107\) must be a positive number of milliseconds/.test(e.message));
  }
});
