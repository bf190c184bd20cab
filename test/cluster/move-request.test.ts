/**
 * Moving a session by hand: the pure check (every refusal with its code), and the coordinator
 * turning an operator's request into a move order at once (reason operator, no jitter), whatever
 * RebalanceClusterClients, remembering it so the planner does not move that session back within
 * RebalanceMinStay, and dropping a request the cluster can no longer carry out (with a warning).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterDirectory } from '../../src/cluster/cluster-directory.js';
import { StoreDiscovery } from '../../src/cluster/discovery.js';
import { Coordinator } from '../../src/cluster/rebalance-driver.js';
import { clusterConfigFrom } from '../../src/cluster/config.js';
import type { ClusterEvent } from '../../src/cluster/events.js';
import type { MemberRecord } from '../../src/cluster/membership.js';
import { checkMove } from '../../src/cluster/move-request.js';

const member = (node: string, sessions: string[], state: MemberRecord['state'] = 'active'): MemberRecord => ({ cluster: 'default', node, uris: [`tcp://${node}:1`], state, sessions, weight: 1, renewedAt: 0, leaseMs: 3000, since: 0 });

test('checkMove: the holder, or why the session cannot move (with a code)', () => {
  const members = [member('A', ['s1']), member('B', ['s2']), member('C', [], 'draining')];
  const none = new Set<string>();
  assert.deepEqual(checkMove('s1', 'B', members, none, true), { ok: true, from: 'A' });
  const code = (session: string, to: string, moving = none, known = true): string | undefined => {
    const c = checkMove(session, to, members, moving, known);
    return c.ok ? undefined : c.code;
  };
  assert.equal(code('s9', 'B', none, false), 'unknown_session');
  assert.equal(code('s1', 'Z'), 'unknown_node');
  assert.match((checkMove('s1', 'Z', members, none, true) as { message: string }).message, /no member Z in this cluster \(members: A \(active\), B \(active\), C \(draining\)\)/);
  assert.equal(code('s1', 'C'), 'target_not_active');
  assert.equal(code('s9', 'B'), 'session_not_held', 'known here, held by nobody');
  assert.equal(code('s1', 'A'), 'already_there');
  assert.equal(code('s1', 'B', new Set(['s1'])), 'already_moving');
  assert.equal(checkMove('s1', 'B', [...members, member('D', ['s1'])], none, true).ok, false, 'listed by two members: being handed over');
});

/** Two members on one directory with a fake clock; each holds the sessions in `held`. */
function twoNodes(held: Record<string, string[]>, rebalance: boolean) {
  const store = mkdtempSync(join(tmpdir(), 'fixover-move-request-'));
  let clock = 1_000_000;
  const now = (): number => clock;
  const events: ClusterEvent[] = [];
  const node = (name: string) => {
    const config = clusterConfigFrom([{ ConnectionType: 'acceptor', FileStorePath: store, NodeName: name, ClusterName: 'east', RebalanceClusterClients: rebalance ? 'Y' : 'N', RebalanceSettle: '0', RebalanceJitter: '500', RebalanceMinStay: '60000', ClusterLeaseTimeout: '3000', SocketAcceptAddress: '127.0.0.1' }], [name === 'A' ? 1001 : 1002])!;
    const files = new ClusterDirectory(config.dir);
    const discovery = new StoreDiscovery(files, { cluster: config.cluster, node: name, uris: config.uris, weight: 1, leaseMs: config.leaseMs, sessions: () => [...held[name]], now });
    const coordinator = new Coordinator(files, discovery, config, { now, random: () => 0.5 });
    coordinator.on('event', (e) => events.push(e));
    return { config, files, discovery, coordinator };
  };
  return { a: node('A'), b: node('B'), events, advance: (ms: number) => (clock += ms), now };
}

test('an operator move is ordered at the next turn and the planner leaves the session on its target for RebalanceMinStay', async () => {
  const held = { A: ['s2'], B: ['s1'] };
  const { a, b, events, advance, now } = twoNodes(held, true);
  await a.discovery.start('active');
  await b.discovery.start('active');
  await a.coordinator.tick();
  assert.deepEqual(await a.files.moves(), [], 'balanced: nothing to plan');
  // Asked on B (any member): s1 to A.
  await b.files.requestMove({ session: 's1', from: 'B', to: 'A', by: 'carol', at: now() });
  advance(2500);
  // Members renew every lease/3: a member that missed its renewals would receive nothing.
  await a.discovery.renew();
  await b.discovery.renew();
  await a.coordinator.tick();
  const orders = await a.files.moves();
  const order = orders.find((o) => o.session === 's1')!;
  assert.deepEqual({ ...order, coordinatorEpoch: undefined }, { session: 's1', from: 'B', to: 'A', toUris: ['tcp://127.0.0.1:1001'], reason: 'operator', at: now(), notBefore: now(), deadline: now() + 5000, coordinatorEpoch: undefined });
  assert.deepEqual(await a.files.moveRequests(), [], 'the request is taken');
  assert.deepEqual((await a.files.plannerMemory())?.moved.s1, { at: now(), from: 'B', to: 'A' });
  assert.ok(events.some((e) => e.type === 'moveOrdered' && e.session === 's1' && e.reason === 'operator'));
  // With s1 counted on A the planner balances again in the same turn, but not with s1.
  assert.deepEqual(orders.map((o) => `${o.session} ${o.from}->${o.to} ${o.reason}`).sort(), ['s1 B->A operator', 's2 A->B rebalance'], 's1 stays where the operator put it');
  // Both moves happen; within RebalanceMinStay nothing moves s1 again.
  held.A = ['s1'];
  held.B = ['s2'];
  await a.discovery.renew();
  await b.discovery.renew();
  advance(2500);
  await a.coordinator.tick();
  assert.deepEqual(await a.files.moves(), []);
});

test('without RebalanceClusterClients an operator move is still ordered, and its order removed once done; a request the cluster cannot carry out is dropped with a warning', async () => {
  const held = { A: [] as string[], B: ['s1', 's2'] };
  const { a, b, events, advance, now } = twoNodes(held, false);
  await a.discovery.start('active');
  await b.discovery.start('active');
  await a.files.requestMove({ session: 's1', from: 'B', to: 'A', by: 'carol', at: now() });
  // Asked while B held s2; B has let it go since.
  await a.files.requestMove({ session: 's3', from: 'B', to: 'A', by: 'dave', at: now() });
  await a.coordinator.tick();
  assert.deepEqual((await a.files.moves()).map((o) => `${o.session} ${o.from}->${o.to} ${o.reason}`), ['s1 B->A operator']);
  assert.ok(events.some((e) => e.type === 'warning' && /move of s3 to node A asked by dave dropped: no session s3 in this cluster/.test(e.text)), JSON.stringify(events));
  assert.deepEqual(await a.files.moveRequests(), []);
  held.A = ['s1'];
  held.B = ['s2'];
  await a.discovery.renew();
  await b.discovery.renew();
  advance(1000);
  await a.coordinator.tick();
  assert.deepEqual(await a.files.moves(), [], 'done: the order is removed');
});

test('a newer request for the same session, left while the coordinator handled the older one, is not lost (file store)', async () => {
  const { a } = twoNodes({ A: [], B: [] }, false);
  const older = { session: 's1', from: 'B', to: 'A', by: 'carol', at: 1 };
  const newer = { session: 's1', from: 'B', to: 'C', by: 'dave', at: 2 };
  await a.files.requestMove(older);
  const taken = await a.files.moveRequests();
  await a.files.requestMove(newer);
  await a.files.removeMoveRequest(taken[0]);
  assert.deepEqual(await a.files.moveRequests(), [newer]);
  await a.files.removeMoveRequest(newer);
  assert.deepEqual(await a.files.moveRequests(), []);
});
