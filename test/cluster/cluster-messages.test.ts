/**
 * The cluster's messages on the wire and the client's list (pure, no I/O): U1/U2 built as
 * messages and read back, when a change is pushed, and the failover policy's pushed endpoints
 * (in front of the configured or fetched list, never replacing it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clusterMessage, ClusterMessageError, parseReconnectFields, parseTopologyFields, pushReason, reconnectFields, topologyFields, type Field } from '../../src/cluster/topology.js';
import { parseEndpointUri } from '../../src/transport/endpoint.js';
import { FakeNet } from '../transport/policy-harness.js';

/** The body fields of an encoded message, in wire order. */
function wireFields(m: ReturnType<typeof clusterMessage>): Field[] {
  m.header.set(8, 'FIX.4.2').set(49, 'EXEC').set(56, 'C1').set(34, 1).set(52, '20260101-00:00:00');
  return m
    .toBuffer()
    .toString('latin1')
    .split('\x01')
    .filter((f) => f !== '')
    .map((f) => [Number(f.slice(0, f.indexOf('='))), f.slice(f.indexOf('=') + 1)] as Field)
    .filter(([t]) => ![8, 9, 35, 49, 56, 34, 52, 10].includes(t));
}

test('property: a U1 built as a message and read from the wire gives the members back', () => {
  const member = fc.record({ node: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), uris: fc.array(fc.integer({ min: 1, max: 65535 }).map((p) => `tcp://h:${p}`), { minLength: 1, maxLength: 3 }) });
  fc.assert(
    fc.property(fc.array(member, { maxLength: 5 }), fc.nat({ max: 1e9 }), (members, epoch) => {
      const t = { cluster: 'prod', epoch, members: members.map((m) => ({ ...m, state: 'active' as const, weight: 1, sessions: 0 })) };
      const back = parseTopologyFields(wireFields(clusterMessage('U1', topologyFields(t, t.members, 'join'))));
      assert.deepEqual(back, { cluster: 'prod', epoch, reason: 'join', members: members.map((m) => ({ node: m.node, uris: m.uris })) });
    }),
  );
});

test('a U2 (ReconnectTo) carries target, URIs, reason and a UTCTimestamp deadline, and is read back; a bad one is refused naming the field', () => {
  const r = { node: 'A', uris: ['tcp://a:1', 'tcp://a:2'], reason: 'drain' as const, deadline: Date.UTC(2026, 11, 6, 7, 0, 1, 250) };
  const fields = wireFields(clusterMessage('U2', reconnectFields(r)));
  assert.deepEqual(fields, [
    [21120, 'A'],
    [21121, 'tcp://a:1,tcp://a:2'],
    [21122, 'drain'],
    [21123, '20261206-07:00:01.250'],
  ]);
  assert.deepEqual(parseReconnectFields(fields), r);
  assert.throws(() => parseReconnectFields(fields.filter(([t]) => t !== 21121)), (e: unknown) => e instanceof ClusterMessageError && /TargetURIs\(21121\)/.test(e.message));
  assert.throws(() => parseReconnectFields(fields.map(([t, v]) => [t, t === 21122 ? 'later' : v] as Field)), /MoveReason\(21122\) must be rebalance, drain or operator/);
  assert.throws(() => parseReconnectFields(fields.map(([t, v]) => [t, t === 21123 ? 'soon' : v] as Field)), /MoveDeadline\(21123\) must be a UTCTimestamp/);
});

test('a join or a change is pushed; a leave only with UpdateClusterClientsOnRemove', () => {
  const none = { joined: [], left: [], changed: [] };
  assert.equal(pushReason({ ...none, joined: ['C'] }, false), 'join');
  assert.equal(pushReason({ ...none, changed: ['B'] }, false), 'change');
  assert.equal(pushReason({ ...none, left: ['C'] }, false), null);
  assert.equal(pushReason({ ...none, left: ['C'] }, true), 'leave');
  assert.equal(pushReason({ joined: ['D'], left: ['C'], changed: [] }, false), 'join');
  assert.equal(pushReason(none, true), null);
});

test('pushed endpoints go in front of the configured ones and never replace them; updateUris (updateURIsURL) keeps working beside them', () => {
  const [A, B, C, D] = ['tcp://a:1', 'tcp://b:1', 'tcp://c:1', 'tcp://d:1'];
  const net = new FakeNet({ uris: [A, B], randomize: false });
  const list = (): string[] => net.policy.endpoints.map((e) => e.uri);
  net.apply(net.policy.pushUris([parseEndpointUri(C), parseEndpointUri(A)], 0));
  assert.deepEqual(list(), [C, A, B]);
  net.apply(net.policy.updateUris([parseEndpointUri(D)], 0));
  assert.deepEqual(list(), [C, A, D], 'a fetched list replaces the configured part only');
  net.apply(net.policy.pushUris([], 0));
  assert.deepEqual(list(), [D], 'no pushed members: the fetched list alone');
  const off = new FakeNet({ uris: [A], randomize: false, updateURIsSupported: false });
  const out = off.policy.pushUris([parseEndpointUri(B)], 0);
  assert.deepEqual(out.events, [{ type: 'ignored', input: 'pushUris', reason: 'updateURIsSupported=false' }]);
  assert.deepEqual(off.policy.endpoints.map((e) => e.uri), [A]);
});
